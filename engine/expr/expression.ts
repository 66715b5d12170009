// JSONata expressions and `{{ }}` templates. Compiled expressions are cached by source text:
// the same task is evaluated many times by a run, and by many runs.
import jsonata from 'jsonata';
import { MASK, stringsOf, tracker, type ScopeViews } from './taint';

export interface ExpressionScope {
  input?: unknown;
  data?: unknown;
  result?: unknown;
  event?: unknown;
  run?: unknown;
  secrets?: unknown;
  /** Inside a `map`'s `do` only: the item and its 0-based index. */
  item?: unknown;
  index?: number;
}

export class ExpressionError extends Error {
  constructor(message: string, readonly expression: string, readonly position?: number) {
    super(message);
    this.name = 'ExpressionError';
  }
}

type Compiled = ReturnType<typeof jsonata>;
const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 20_000;

/**
 * Keeps what was learnt of an expression's text in a cache of at most 20,000 entries. The oldest
 * is forgotten, not all, so a large file does not thrash the cache on every lint; and a hit costs
 * a look-up only (no reordering, as an LRU would on the lint's path).
 */
export function remember<V>(entries: Map<string, V>, source: string, value: V): V {
  if (entries.size >= CACHE_LIMIT) entries.delete(entries.keys().next().value as string);
  entries.set(source, value);
  return value;
}

export function compileExpression(source: string): Compiled {
  return cache.get(source) ?? remember(cache, source, compileUncached(source));
}

/**
 * A compiled expression that no cache keeps: for a caller that only looks at it once (lint), as a
 * compiled JSONata expression holds about 15 KB of closures and syntax tree.
 */
export function compileUncached(source: string): Compiled {
  try {
    return jsonata(source);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new ExpressionError(`Expression '${source}' does not compile: ${e.message ?? String(err)}`, source, e.position);
  }
}

/** Compile errors of an expression, or undefined when it compiles. */
export function expressionProblem(source: string): { message: string; position?: number } | undefined {
  try {
    compileExpression(source);
    return undefined;
  } catch (err) {
    const e = err as ExpressionError;
    return { message: e.message, position: e.position };
  }
}

export async function evaluate(source: string, scope: ExpressionScope): Promise<unknown> {
  const compiled = compileExpression(source);
  try {
    return await compiled.evaluate(scope);
  } catch (err) {
    const e = err as { message?: string };
    throw new ExpressionError(`Expression '${source}' failed: ${e.message ?? String(err)}`, source);
  }
}

export interface Evaluated {
  value: unknown;
  /** The value was computed from a secret (see taint.ts). */
  secret: boolean;
}

/** Evaluates over the clear view of a context, telling whether the value comes from a secret. */
export async function evaluateViews(source: string, views: ScopeViews): Promise<Evaluated> {
  const t = tracker(views);
  let value: unknown;
  try {
    value = t.plain(await evaluate(source, t.scope));
  } catch (err) {
    // JSONata quotes the value it failed on ("Unable to cast value to a number: …").
    if (t.tainted()) throw new ExpressionError(`Expression '${source}' failed on a value computed from a secret (its message, which may quote the value, is withheld).`, source);
    throw err;
  }
  return { value, secret: t.tainted() };
}

const WHOLE = /^\s*=\{\{([\s\S]*)\}\}\s*$/;
const EMBEDDED = /\{\{([\s\S]*?)\}\}/g;

/** The expressions inside a string template (for linting), in order. */
export function templateExpressions(text: string): string[] {
  const whole = WHOLE.exec(text);
  if (whole) return [whole[1].trim()];
  return [...text.matchAll(EMBEDDED)].map((m) => m[1].trim());
}

export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

export type ValuePath = Array<string | number>;

export interface Resolved {
  /** The value with every template replaced by its value. */
  value: unknown;
  /** The same, with each template computed from a secret replaced by the mask instead. */
  shown: unknown;
  /** Where in the value the strings that hold a value computed from a secret are. */
  secret: ValuePath[];
  /** The values computed from secrets, as text: what to look for in output the engine did not build. */
  texts: string[];
}

/** Resolves `={{ }}` and `{{ }}` in every string of a value, leaving the value's shape alone. */
export async function resolveTemplates(value: unknown, views: ScopeViews): Promise<Resolved> {
  const secret: ValuePath[] = [];
  const texts: string[] = [];
  const walk = async (v: unknown, at: ValuePath): Promise<[unknown, unknown]> => {
    if (typeof v === 'string') {
      const r = await resolveString(v, views, texts);
      if (r.secret) secret.push(at);
      return [r.value, r.shown];
    }
    if (Array.isArray(v)) {
      const clear: unknown[] = [];
      const shown: unknown[] = [];
      for (let i = 0; i < v.length; i++) {
        const [c, s] = await walk(v[i], [...at, i]);
        clear.push(c);
        shown.push(s);
      }
      return [clear, shown];
    }
    if (v && typeof v === 'object') {
      const clear: Record<string, unknown> = {};
      const shown: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) [clear[k], shown[k]] = await walk(item, [...at, k]);
      return [clear, shown];
    }
    return [v, v];
  };
  const [clear, shown] = await walk(value, []);
  return { value: clear, shown: secret.length ? shown : clear, secret, texts };
}

async function resolveString(text: string, views: ScopeViews, texts: string[]): Promise<{ value: unknown; shown: unknown; secret: boolean }> {
  if (!hasTemplate(text)) return { value: text, shown: text, secret: false };
  const whole = WHOLE.exec(text);
  if (whole) {
    const e = await evaluateViews(whole[1].trim(), views);
    if (e.secret) stringsOf(e.value, texts);
    return { value: e.value, shown: e.secret ? MASK : e.value, secret: e.secret };
  }
  let value = '';
  let shown = '';
  let secret = false;
  let last = 0;
  for (const m of text.matchAll(EMBEDDED)) {
    const literal = text.slice(last, m.index);
    const e = await evaluateViews(m[1].trim(), views);
    const piece = stringify(e.value);
    value += literal + piece;
    shown += literal + (e.secret ? MASK : piece);
    if (e.secret) stringsOf(e.value, texts);
    secret ||= e.secret;
    last = (m.index ?? 0) + m[0].length;
  }
  return { value: value + text.slice(last), shown: shown + text.slice(last), secret };
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
