// `sql`: values go in `params`, never into the SQL text.
import type { InstructionModel } from '../model/types';
import type { PathSegment } from '../schema/nodes';
import type { LintContext } from './context';
import { rule, type Finding } from './rule';

/** Every instruction with its path, the branches of a `parallel` and a `map`'s `do` included. */
function everyInstruction(ctx: LintContext): Array<{ ins: InstructionModel; path: PathSegment[] }> {
  const out: Array<{ ins: InstructionModel; path: PathSegment[] }> = [];
  for (const { ins, path } of ctx.instructions()) {
    out.push({ ins, path });
    const f = ins.fanout;
    if (f?.kind === 'parallel') for (const b of f.branches) out.push({ ins: b.ins, path: [...path, 'parallel', b.name] });
    if (f?.kind === 'map' && f.do) out.push({ ins: f.do, path: [...path, 'map', 'do'] });
  }
  return out;
}

export const sqlQueryTemplate = rule(
  'sql-query-template',
  'error',
  'A template (`{{ }}`) in the `query` of a `sql` instruction: values belong in `params`, never spliced into SQL.',
  (_model, ctx) => {
    const out: Finding[] = [];
    for (const { ins, path } of everyInstruction(ctx)) {
      if (ins.kind !== 'sql') continue;
      const query = ctx.value([...path, 'sql', 'query']);
      if (typeof query !== 'string' || !query.includes('{{')) continue;
      out.push({
        message: "The 'query' of a sql instruction holds a template: a value spliced into SQL can change what the SQL does. Write $1, $2 … in the query and put the values in 'params', in order.",
        range: ctx.valueRange([...path, 'sql', 'query'], ins.kindRange),
      });
    }
    return out;
  },
);
