// Tests are hermetic: every instruction that would reach outside the engine (http, exec, a custom
// kind) and every poll gets a last-resort mock that fails with kind `unmocked`. Mocks are matched in
// order, so these only answer when no mock of the test does; the runner stops the case on the first.
import type { TaskModel } from '../model/types';
import type { Mocks } from '../runtime/mocks';

export const UNMOCKED = 'unmocked';

/** Instructions that act on the run itself and never leave the engine. */
export const INTERNAL_KINDS = new Set(['set', 'log', 'emit', 'sleep', 'call']);

export function hermeticMocks(mocks: Mocks, task: TaskModel): Mocks {
  const fallbacks: Mocks['outcomes'] = [];
  for (const st of task.states) {
    for (const ins of st.do) {
      if (INTERNAL_KINDS.has(ins.kind)) continue;
      const message = `Instruction ${ins.index}${ins.as ? ` (as: ${ins.as})` : ''} of state '${st.name}' is a '${ins.kind}' with no mock in this test: add a mock { state: ${st.name}, instruction: ${ins.as ?? ins.index}, result: … }.`;
      fallbacks.push({ target: { state: st.name, instruction: ins.index }, results: [{ error: { kind: UNMOCKED, message } }] });
    }
    for (const t of st.on) {
      if (!t.poll) continue;
      const message = `The poll of transition ${t.index} of state '${st.name}' has no mock in this test: add a mock { state: ${st.name}, poll: ${t.index}, results: [ … ] }.`;
      fallbacks.push({ target: { state: st.name, poll: t.index }, results: [{ error: { kind: UNMOCKED, message } }] });
    }
  }
  return { outcomes: [...mocks.outcomes, ...fallbacks], events: mocks.events };
}
