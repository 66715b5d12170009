// The states "Retry from Here…" offers (extension/core/entered.ts), on arbitrary journals: each
// entered state once, the latest entered first, with its count; the one a failed run ended in marked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { JournalEvent } from '../../engine/journal/events';
import { enteredStates } from '../../extension/core/entered';

function journal(states: string[], end: 'failed' | 'succeeded' | undefined): JournalEvent[] {
  const events: JournalEvent[] = [{ seq: 1, at: 0, type: 'run-started', runId: 'r', task: 't', input: {}, data: {}, clock: 'virtual' }];
  for (const state of states) events.push({ seq: events.length + 1, at: 0, type: 'state-entered', state });
  if (end) events.push({ seq: events.length + 1, at: 0, type: 'run-ended', status: end } );
  return events;
}

describe('the states a run entered', () => {
  it('lists each entered state once, by its last entry (latest first), with how often it was entered', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom<string>('a', 'b', 'c', 'd'), { maxLength: 30 }), fc.constantFrom('failed' as const, 'succeeded' as const, undefined), (states, end) => {
        const got = enteredStates(journal(states, end));
        const lastIndex = (s: string) => states.lastIndexOf(s);
        assert.deepEqual(
          got.map((g) => g.state),
          [...new Set(states)].sort((x, y) => lastIndex(y) - lastIndex(x)),
        );
        for (const g of got) assert.equal(g.times, states.filter((s) => s === g.state).length);
        const marked = got.filter((g) => g.failedHere).map((g) => g.state);
        assert.deepEqual(marked, end === 'failed' && states.length ? [states[states.length - 1]] : []);
      }),
    );
  });

  it('marks the state a failed run ended in as the default', () => {
    assert.deepEqual(enteredStates(journal(['prep', 'work', 'prep', 'work'], 'failed')), [
      { state: 'work', times: 2, failedHere: true },
      { state: 'prep', times: 2, failedHere: false },
    ]);
  });
});
