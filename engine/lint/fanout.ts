// `parallel` and `map`: what a branch may hold, a map's items and limits, and the scope of `item`
// and `index`.
import { isScalar } from 'yaml';
import type { Fix, InstructionModel } from '../model/types';
import type { PathSegment } from '../schema/nodes';
import { nodeSpan, replaceScalar } from '../schema/yamltext';
import type { LintContext } from './context';
import { rule, type Finding } from './rule';

interface Fanout {
  ins: InstructionModel;
  /** The path of the `parallel`/`map` value. */
  path: PathSegment[];
  /** The nested instructions with what to call them in a message. */
  branches: Array<{ ins: InstructionModel; what: string }>;
}

function fanouts(ctx: LintContext): Fanout[] {
  const out: Fanout[] = [];
  for (const { ins, path, poll } of ctx.instructions()) {
    const f = ins.fanout;
    if (!f || poll) continue;
    const branches =
      f.kind === 'parallel' ? f.branches.map((b) => ({ ins: b.ins, what: `branch '${b.name}'` })) : f.do ? [{ ins: f.do, what: "the map's 'do'" }] : [];
    out.push({ ins, path: [...path, f.kind], branches });
  }
  return out;
}

export const invalidBranch = rule(
  'invalid-branch',
  'error',
  "A branch of a `parallel` (or a `map`'s `do`) that writes to data (`set`), names its result (`as`) or holds another `parallel` or `map`.",
  (_model, ctx) => {
    const out: Finding[] = [];
    for (const { branches } of fanouts(ctx)) {
      for (const { ins, what } of branches) {
        if (ins.kind === 'set') {
          out.push({ message: `'set' is not allowed in ${what}: branches run at once and would write to data concurrently. Return a result instead; it is stored under the instruction's 'as'.`, range: ins.kindRange });
        } else if (ins.fanout) {
          out.push({ message: `A '${ins.kind}' cannot run inside ${what}: a branch runs one instruction. Put the inner '${ins.kind}' in a state of its own, or in a called task.`, range: ins.kindRange });
        }
        if (ins.fields.as) {
          out.push({ message: `${capitalize(what)} takes no 'as': its result is stored under its branch name (or item index) in the result of the instruction that holds it.`, range: ins.fields.as.key });
        }
      }
    }
    return out;
  },
);

export const mapWithoutItems = rule('map-without-items', 'error', "A `map` without `items`, or with `items` that is neither a `={{ expression }}` nor a list.", (_model, ctx) => {
  const out: Finding[] = [];
  for (const { ins, path } of fanouts(ctx)) {
    if (ins.fanout?.kind !== 'map') continue;
    const items = ins.fanout.items;
    if (items === undefined || items === null) {
      out.push({ message: "This 'map' has no 'items': give the list to run over, such as 'items: \"={{ input.regions }}\"' or a YAML list.", range: ins.kindRange });
      continue;
    }
    if (Array.isArray(items) || (typeof items === 'string' && /^\s*=\{\{[\s\S]*\}\}\s*$/.test(items))) continue;
    const node = ctx.node([...path, 'items'])?.node;
    let fix: Fix | undefined;
    if (typeof items === 'string' && node && isScalar(node)) {
      const edit = replaceScalar(node, `={{ ${items.trim()} }}`);
      if (edit) fix = { title: `Change to '={{ ${items.trim()} }}'`, edits: [edit] };
    }
    const range = ctx.valueRange([...path, 'items'], ins.kindRange);
    const message =
      typeof items === 'string'
        ? `'items' is the text '${items}', not a list: write an expression as '={{ ${items.trim()} }}', or give a YAML list.`
        : `'items' must be a list or a '={{ expression }}' that gives one (found ${JSON.stringify(items)}).`;
    out.push({ message, range, fix });
  }
  return out;
});

export const invalidConcurrency = rule('invalid-concurrency', 'error', "A `map`'s `concurrency` that is not an integer ≥ 1, or its `tolerate` not an integer ≥ 0.", (_model, ctx) => {
  const out: Finding[] = [];
  for (const { ins, path } of fanouts(ctx)) {
    if (ins.fanout?.kind !== 'map') continue;
    const { concurrency, tolerate } = ins.fanout;
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && (concurrency as number) >= 1)) {
      out.push({
        message: `'concurrency' must be a whole number of at least 1, the most items run at once (found ${JSON.stringify(concurrency)}). Leave it out to run all items at once.`,
        range: ctx.valueRange([...path, 'concurrency'], ins.kindRange),
      });
    }
    if (tolerate !== undefined && !(Number.isInteger(tolerate) && (tolerate as number) >= 0)) {
      out.push({
        message: `'tolerate' must be a whole number of at least 0, the item failures kept in the result (found ${JSON.stringify(tolerate)}).`,
        range: ctx.valueRange([...path, 'tolerate'], ins.kindRange),
      });
    }
  }
  return out;
});

export const singleBranchParallel = rule('single-branch-parallel', 'warning', 'A `parallel` with fewer than two branches: nothing runs concurrently.', (_model, ctx) => {
  const out: Finding[] = [];
  for (const { ins } of fanouts(ctx)) {
    if (ins.fanout?.kind !== 'parallel' || ins.fanout.branches.length >= 2) continue;
    const n = ins.fanout.branches.length;
    out.push({
      message: `This 'parallel' has ${n === 0 ? 'no branch' : 'one branch'}: nothing runs concurrently. ${n === 0 ? 'Add branches (name -> instruction)' : 'Add a branch, or write the instruction in do on its own'}.`,
      range: ins.kindRange,
    });
  }
  return out;
});

/** `item` and `index` as names read from the scope (not in strings, not `$index`, not `x.item`). */
export function itemReferences(source: string): Array<{ name: string; index: number }> {
  if (!source.includes('item') && !source.includes('index')) return [];
  const blanked = source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, (m) => ' '.repeat(m.length));
  return [...blanked.matchAll(/(?<![\w$.])(item|index)(?!\w)/g)].map((m) => ({ name: m[1], index: m.index ?? 0 }));
}

export const itemOutsideMap = rule('item-outside-map', 'error', "An expression that reads `item` or `index` outside a `map`'s `do`, where they do not exist.", (_model, ctx) => {
  const spans = fanouts(ctx).flatMap(({ ins }) => (ins.fanout?.kind === 'map' && ins.fanout.do ? [ins.fanout.do.range] : []));
  const inside = (offset: number) => spans.some((r) => offset >= r.start.offset && offset < r.end.offset);
  const out: Finding[] = [];
  for (const site of ctx.expressions()) {
    const refs = itemReferences(site.source);
    if (!refs.length) continue;
    const at = nodeSpan(site.node)?.[0];
    if (at === undefined || inside(at)) continue;
    for (const ref of refs) {
      const where = site.locate(ref.index, ref.name.length);
      out.push({
        message: `'${ref.name}' exists only inside a map's 'do' (the current item and its 0-based index); here it reads nothing.`,
        range: ctx.range(where.start, where.end),
      });
    }
  }
  return out;
});

function capitalize(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}
