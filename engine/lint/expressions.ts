// JSONata expressions: `when`, `until`, and `{{ }}` / `={{ }}` templates in instruction arguments.
import { expressionProblem } from '../expr/expression';
import type { Fix } from '../model/types';
import { nearest } from '../schema/suggest';
import type { ExpressionSite } from './context';
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
  const problem = expressionProblem(source);
  if (!problem) return undefined;
  const prefix = `Expression '${source}' does not compile: `;
  return problem.message.startsWith(prefix) ? problem.message.slice(prefix.length) : problem.message;
}

export const invalidExpression = rule('invalid-expression', 'error', 'A `when`, `until` or `{{ }}` template that is not a valid JSONata expression.', (_model, ctx) => {
  const out: Finding[] = [];
  for (const site of ctx.expressions()) {
    const error = compileError(site.source);
    if (!error) continue;
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

/** `input.name` references in an expression (not inside string literals), with their positions. */
export function inputReferences(source: string): Array<{ name: string; index: number; length: number }> {
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
      }
      out.push({ message, range: ctx.range(at.start, at.end), fix });
    }
  }
  return out;
});
