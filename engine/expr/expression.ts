// JSONata expressions and `{{ }}` templates. Compiled expressions are cached by source text:
// the same task is evaluated many times by a run, and by many runs.
import jsonata from 'jsonata';

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

export function compileExpression(source: string): Compiled {
  let compiled = cache.get(source);
  if (compiled) return compiled;
  try {
    compiled = jsonata(source);
  } catch (err) {
    const e = err as { message?: string; position?: number };
    throw new ExpressionError(`Expression '${source}' does not compile: ${e.message ?? String(err)}`, source, e.position);
  }
  // Forget the oldest entry, not all: a large file must not thrash the cache on every lint.
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(source, compiled);
  return compiled;
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

/** Resolves `={{ }}` and `{{ }}` in every string of a value, leaving the value's shape alone. */
export async function resolveTemplates(value: unknown, scope: ExpressionScope): Promise<unknown> {
  if (typeof value === 'string') return resolveString(value, scope);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await resolveTemplates(item, scope));
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await resolveTemplates(v, scope);
    return out;
  }
  return value;
}

async function resolveString(text: string, scope: ExpressionScope): Promise<unknown> {
  if (!hasTemplate(text)) return text;
  const whole = WHOLE.exec(text);
  if (whole) return evaluate(whole[1].trim(), scope);
  let out = '';
  let last = 0;
  for (const m of text.matchAll(EMBEDDED)) {
    out += text.slice(last, m.index);
    out += stringify(await evaluate(m[1].trim(), scope));
    last = (m.index ?? 0) + m[0].length;
  }
  return out + text.slice(last);
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}
