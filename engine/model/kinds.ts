// The instruction kinds a task uses: those of its states' `do` lists, of the branches and items of
// their fan-outs, and of its poll transitions. A worker compares them with the kinds it has.
import type { InstructionModel, TaskModel } from './types';

/** Calls `fn` on an instruction and on every one its fan-outs hold (`parallel` branches, a `map`'s `do`), in text order. */
export function forEachNested(ins: InstructionModel | undefined, fn: (ins: InstructionModel) => void): void {
  if (!ins) return;
  fn(ins);
  const f = ins.fanout;
  if (f?.kind === 'parallel') for (const b of f.branches) forEachNested(b.ins, fn);
  else if (f?.kind === 'map') forEachNested(f.do, fn);
}

/** Every instruction kind of the task, once each, in the order first written. */
export function instructionKinds(model: TaskModel): string[] {
  const kinds = new Set<string>();
  const add = (ins: InstructionModel) => kinds.add(ins.kind);
  for (const st of model.states) {
    for (const ins of st.do) forEachNested(ins, add);
    for (const t of st.on) forEachNested(t.poll?.do, add);
  }
  return [...kinds];
}
