// The tasks a task calls (through `call`, also in `parallel` branches and `map`s), read once each:
// a test's mocks apply to the runs it calls too, so a mock may name a state of one of them.
import * as path from 'node:path';
import { forEachNested } from '../model/kinds';
import { parseTask } from '../model/parse';
import type { InstructionModel, TaskModel } from '../model/types';

/** The called tasks' models, transitively; files that cannot be read are left out (the run says why). */
export function calledTasks(task: TaskModel, file: string, readText: (file: string) => string): TaskModel[] {
  const seen = new Set<string>([path.resolve(file)]);
  const out: TaskModel[] = [];
  const visit = (model: TaskModel, from: string) => {
    for (const target of callTargets(model)) {
      const abs = path.resolve(path.dirname(from), target);
      if (seen.has(abs)) continue;
      seen.add(abs);
      let text: string;
      try {
        text = readText(abs);
      } catch {
        continue;
      }
      const callee = parseTask(text).model;
      out.push(callee);
      visit(callee, abs);
    }
  };
  visit(task, file);
  return out;
}

/** The `task` of every `call` written as a plain path (a template is known only at run time). */
function callTargets(model: TaskModel): string[] {
  const out: string[] = [];
  const add = (ins: InstructionModel) => {
    const task = (ins.args as { task?: unknown } | undefined)?.task;
    if (ins.kind === 'call' && typeof task === 'string' && !task.includes('{{')) out.push(task);
  };
  for (const s of model.states) for (const ins of s.do) forEachNested(ins, add);
  return out;
}
