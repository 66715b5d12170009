// The instruction kinds a task uses: those of its states' `do` lists, of the branches and items of
// their fan-outs, and of its poll transitions. A worker compares them with the kinds it has.
import type { InstructionModel, TaskModel } from './types';

function add(ins: InstructionModel | undefined, kinds: Set<string>): void {
  if (!ins) return;
  kinds.add(ins.kind);
  const f = ins.fanout;
  if (f?.kind === 'parallel') for (const b of f.branches) add(b.ins, kinds);
  else if (f?.kind === 'map') add(f.do, kinds);
}

/** Every instruction kind of the task, once each, in the order first written. */
export function instructionKinds(model: TaskModel): string[] {
  const kinds = new Set<string>();
  for (const st of model.states) {
    for (const ins of st.do) add(ins, kinds);
    for (const t of st.on) add(t.poll?.do, kinds);
  }
  return [...kinds];
}
