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
      const what = `Instruction ${ins.index}${ins.as ? ` (as: ${ins.as})` : ''} of state '${st.name}'`;
      const name = ins.as ?? ins.index;
      const unmocked = (message: string) => [{ error: { kind: UNMOCKED, message } }];
      // A fan-out runs in the engine; its branches and items are what may reach outside.
      if (ins.fanout?.kind === 'parallel') {
        for (const b of ins.fanout.branches) {
          if (INTERNAL_KINDS.has(b.ins.kind)) continue;
          const message = `Branch '${b.name}' of ${what.toLowerCase()} is a '${b.ins.kind}' with no mock in this test: add a mock { state: ${st.name}, instruction: ${name}, branch: ${b.name}, result: … }.`;
          fallbacks.push({ target: { state: st.name, instruction: ins.index, branch: b.name }, results: unmocked(message) });
        }
        continue;
      }
      if (ins.fanout?.kind === 'map') {
        const body = ins.fanout.do;
        if (!body || INTERNAL_KINDS.has(body.kind)) continue;
        const message = `The items of ${what.toLowerCase()} run a '${body.kind}' with no mock in this test: add a mock per item { state: ${st.name}, instruction: ${name}, index: 0, result: … }.`;
        fallbacks.push({ target: { state: st.name, instruction: ins.index, item: 'any' }, results: unmocked(message) });
        continue;
      }
      if (INTERNAL_KINDS.has(ins.kind)) continue;
      const message = `${what} is a '${ins.kind}' with no mock in this test: add a mock { state: ${st.name}, instruction: ${name}, result: … }.`;
      fallbacks.push({ target: { state: st.name, instruction: ins.index }, results: unmocked(message) });
    }
    for (const t of st.on) {
      if (!t.poll) continue;
      const message = `The poll of transition ${t.index} of state '${st.name}' has no mock in this test: add a mock { state: ${st.name}, poll: ${t.index}, results: [ … ] }.`;
      fallbacks.push({ target: { state: st.name, poll: t.index }, results: [{ error: { kind: UNMOCKED, message } }] });
    }
  }
  // A `consume` transition takes mocked messages only: a test never reaches a broker.
  return { outcomes: [...mocks.outcomes, ...fallbacks], events: mocks.events, messages: mocks.messages, offline: true };
}
