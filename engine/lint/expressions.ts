// JSONata expressions: `when`, `until`, and `{{ }}` / `={{ }}` templates in instruction arguments.
import { compileUncached, remember } from '../expr/expression';
import type { Fix } from '../model/types';
import { nearest } from '../schema/suggest';
import type { LintContext } from './context';
import type { ExpressionSite } from './sites';
import { addSection, addToMap } from './edits';
import { rule, type Finding } from './rule';

const LOOKS_LIKE_TEMPLATE = /^=?\{\{([\s\S]*)\}\}$/;

function label(site: ExpressionSite): string {
  if (site.where === 'template') return `The template expression '${short(site.source)}'`;
  return `'${site.where}'`;
}

function short(s: string): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > 40 ? one.slice(0, 39) + '…' : one;
}

/** The compile error of an expression, without the "Expression '...' does not compile:" preamble. */
export function compileError(source: string): string | undefined {
  if (!source.trim()) return 'the expression is empty';
  return verdictOf(source).error;
}

/** JSONata's built-in functions (jsonata 2): a call of any other name that the expression does not bind fails. */
export const JSONATA_FUNCTIONS = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase', 'uppercase',
  'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join', 'formatNumber', 'formatBase', 'formatInteger',
  'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'random', 'boolean', 'not', 'map', 'zip', 'filter',
  'single', 'reduce', 'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge', 'reverse', 'each', 'error', 'assert', 'type',
  'sort', 'shuffle', 'distinct', 'base64encode', 'base64decode', 'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent',
  'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone', 'now', 'millis',
] as const;

type Calls = ReadonlyArray<{ name: string; index: number }>;

/** What lint needs of an expression: its compile error, or the calls of unknown functions it makes. */
interface Verdict {
  error?: string;
  calls: Calls;
}

const NO_CALLS: Calls = Object.freeze([]);

// Verdicts by source text: a file is linted again on every edit, and most of its expressions have
// not changed. The verdict is kept, not the compiled expression: those weigh about 15 KB each, so
// keeping them (the engine's compile cache) held 32 MB for a file of 1,000 states.
const verdicts = new Map<string, Verdict>();

function verdictOf(source: string): Verdict {
  const known = verdicts.get(source);
  if (known) return known;
  try {
    return remember(verdicts, source, { calls: Object.freeze(callsIn(compileUncached(source).ast())) });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const prefix = `Expression '${source}' does not compile: `;
    return remember(verdicts, source, { error: message.startsWith(prefix) ? message.slice(prefix.length) : message, calls: NO_CALLS });
  }
}

/** Calls `$name(...)` of an expression whose name is neither built in nor bound in it (`:=`, lambda arguments); none when it does not compile. */
export function unknownCalls(source: string): Calls {
  return verdictOf(source).calls;
}

function callsIn(ast: unknown): Array<{ name: string; index: number }> {
  const bound = new Set<string>(JSONATA_FUNCTIONS);
  const calls: Array<{ name: string; end: number }> = [];
  const walk = (node: unknown, depth: number): void => {
    if (!node || typeof node !== 'object' || depth > 200) return;
    if (Array.isArray(node)) return node.forEach((n) => walk(n, depth + 1));
    const n = node as { type?: string; lhs?: { type?: string; value?: unknown }; arguments?: Array<{ value?: unknown }>; procedure?: { type?: string; value?: unknown; position?: number } };
    if (n.type === 'bind' && n.lhs?.type === 'variable') bound.add(String(n.lhs.value));
    if (n.type === 'lambda') for (const a of n.arguments ?? []) bound.add(String(a.value));
    if ((n.type === 'function' || n.type === 'partial') && n.procedure?.type === 'variable' && typeof n.procedure.value === 'string' && typeof n.procedure.position === 'number') {
      calls.push({ name: n.procedure.value, end: n.procedure.position });
    }
    for (const v of Object.values(n)) walk(v, depth + 1);
  };
  walk(ast, 0);
  return calls.filter((c) => c.name && !bound.has(c.name)).map((c) => ({ name: c.name, index: c.end - c.name.length - 1 }));
}

export const invalidExpression = rule('invalid-expression', 'error', 'A `when`, `until` or `{{ }}` template that is not a valid JSONata expression, or that calls a function JSONata does not have.', (_model, ctx) => {
  const out: Finding[] = [];
  for (const site of ctx.expressions()) {
    const error = compileError(site.source);
    if (!error) {
      out.push(...unknownCallFindings(ctx, site));
      continue;
    }
    let message = `${label(site)} does not compile: ${error}.`;
    let fix: Fix | undefined;
    const bare = site.where !== 'template' ? LOOKS_LIKE_TEMPLATE.exec(site.source) : null;
    if (bare) {
      const inner = bare[1].trim();
      message = `'${site.where}' is a bare JSONata expression: write it without '{{ }}' (${error}).`;
      const at = site.locate(0, site.source.length);
      if (at.exact && inner && !compileError(inner)) fix = { title: "Remove '{{ }}'", edits: [{ start: at.start, end: at.end, newText: inner }] };
    }
    const range = site.end > site.start ? ctx.range(site.start, site.end) : ctx.range(site.template?.start ?? site.start, site.template?.end ?? site.end);
    out.push({ message, range, fix });
  }
  return out;
});

function unknownCallFindings(ctx: LintContext, site: ExpressionSite): Finding[] {
  return unknownCalls(site.source).map(({ name, index }) => {
    const suggestion = nearest(name, JSONATA_FUNCTIONS);
    const at = site.locate(index, name.length + 1);
    const message = `'$${name}' is not a JSONata function${suggestion ? `: did you mean '$${suggestion}'?` : ' (nor is it bound with := in the expression).'}`;
    const fix: Fix | undefined = suggestion && at.exact ? { title: `Change to '$${suggestion}'`, edits: [{ start: at.start + 1, end: at.end, newText: suggestion }] } : undefined;
    return { message, range: ctx.range(at.start, at.end), fix };
  });
}

/** `input.name` references in an expression (not inside string literals), with their positions. */
export function inputReferences(source: string): Array<{ name: string; index: number; length: number }> {
  if (!source.includes('input')) return [];
  const blanked = source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (m) => ' '.repeat(m.length));
  const out: Array<{ name: string; index: number; length: number }> = [];
  for (const m of blanked.matchAll(/(?<![\w$.])input\s*\.\s*([A-Za-z_]\w*)/g)) {
    out.push({ name: m[1], index: m.index ?? 0, length: m[0].length });
  }
  return out;
}

export const undeclaredInput = rule('undeclared-input', 'error', 'An expression reads `input.<name>` but the task declares no such input.', (model, ctx) => {
  const declared = model.input.map((i) => i.name);
  const known = new Set(declared);
  const out: Finding[] = [];
  for (const site of ctx.expressions()) {
    for (const ref of inputReferences(site.source)) {
      if (known.has(ref.name)) continue;
      const at = site.locate(ref.index, ref.length);
      const suggestion = nearest(ref.name, declared);
      let message = `'input.${ref.name}' is not declared: the task has ${declared.length ? `no input '${ref.name}' (inputs: ${declared.join(', ')})` : "no 'input' section"}`;
      message += suggestion ? `; did you mean 'input.${suggestion}'?` : `. Declare it under 'input:'.`;
      let fix: Fix | undefined;
      if (suggestion) {
        const name = site.locate(ref.index + ref.length - ref.name.length, ref.name.length);
        if (name.exact) fix = { title: `Change to 'input.${suggestion}'`, edits: [{ start: name.start, end: name.end, newText: suggestion }] };
      } else {
        // An empty declaration takes any value: the user adds its type and default after.
        const declare = model.fields.input ? addToMap(ctx, ['input'], ref.name, '{}') : addSection(ctx, 'input', `${ref.name}: {}`);
        if (declare) fix = { title: `Declare input '${ref.name}'`, edits: [declare] };
      }
      out.push({ message, range: ctx.range(at.start, at.end), fix });
    }
  }
  return out;
});
