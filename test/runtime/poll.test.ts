// Polls: first at once, then every `every`; `until` on the result; `as` keeps the last result; a
// failed poll instruction counts as "not yet".
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InstructionFailure } from '../../engine/instructions/types';
import { createEngine } from '../../engine/runtime/engine';
import { virtualClock } from '../../engine/runtime/clock';
import { memoryStore } from '../../engine/store/memory';
import { mocksFrom, ofType, taskFrom, virtualEngine, runToEnd, withTimeout } from '../helpers/tasks';

const POLLER = `
  version: 1
  name: poller
  start: wait
  states:
    wait:
      on:
        - to: live
          poll:
            every: 10s
            do:
              http: { url: "https://x.example.com/status" }
              as: status
            until: "result.phase = 'Live'"
    live:
      on:
        - to: done
          when: "result.phase = 'Live' and data.status.phase = 'Live'"
        - to: confused
    done: { final: true }
    confused: { final: true, status: failed }
`;

describe('poll', () => {
  test('until holds on the 4th mocked result: polls at 0, 10s, 20s, 30s', async () => {
    const mocks = mocksFrom(`
      mocks:
        - state: wait
          poll: 0
          results:
            - { phase: Pending }
            - { phase: Pending }
            - { phase: Pending }
            - { phase: Live }
    `);
    const { engine } = virtualEngine({ mocks });
    const { state, journal } = await runToEnd(engine, taskFrom(POLLER));
    const polls = ofType(journal, 'poll-result');
    assert.deepEqual(polls.map((p) => [p.t, p.attempt, p.done, (p.result as { phase: string }).phase, p.as, p.transition]), [
      [0, 1, false, 'Pending', 'status', 0],
      [10_000, 2, false, 'Pending', 'status', 0],
      [20_000, 3, false, 'Pending', 'status', 0],
      [30_000, 4, true, 'Live', 'status', 0],
    ]);
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.cause, t.index, t.t], ['live', 'poll', 0, 30_000]);
    // `as` stored the last result in data, and `result` is the poll's result.
    assert.deepEqual(state.data.status, { phase: 'Live' });
    assert.equal(state.state, 'done');
    assert.equal(state.status, 'succeeded');
  });

  test('a failed poll instruction counts as "not yet"', async () => {
    const mocks = mocksFrom(`
      mocks:
        - { state: wait, poll: 0, error: { kind: http, message: "503" }, times: 2 }
        - { state: wait, poll: 0, result: { phase: Live } }
    `);
    const { engine } = virtualEngine({ mocks });
    const { state, journal } = await runToEnd(engine, taskFrom(POLLER));
    const polls = ofType(journal, 'poll-result');
    assert.deepEqual(polls.map((p) => [p.t, p.done, p.error?.kind ?? null]), [
      [0, false, 'http'],
      [10_000, false, 'http'],
      [20_000, true, null],
    ]);
    assert.equal(state.status, 'succeeded');
    assert.equal(ofType(journal, 'instruction-failed').length, 0);
  });

  test('a real poll instruction: `as` keeps each result, `until` sees it', async () => {
    let calls = 0;
    const { engine } = virtualEngine({
      instructions: {
        probe: async (ctx) => {
          calls++;
          if (calls === 2) throw new InstructionFailure('probe', 'flaky');
          return { n: calls, label: (ctx.args as { label: string }).label };
        },
      },
    });
    const task = taskFrom(`
      version: 1
      name: realpoll
      input:
        label: { type: string, default: x }
      start: wait
      states:
        wait:
          on:
            - to: done
              poll:
                every: 1m
                do: { probe: { label: "L-{{ input.label }}" }, as: last }
                until: "result.n >= 4"
            - to: late
              after: 1h
        done: { final: true }
        late: { final: true, status: failed }
    `);
    const { state, journal } = await runToEnd(engine, task, { label: 'q' });
    assert.equal(calls, 4);
    const polls = ofType(journal, 'poll-result');
    assert.deepEqual(polls.map((p) => [p.t, p.done, p.error?.kind ?? (p.result as { n: number }).n]), [
      [0, false, 1],
      [60_000, false, 'probe'],
      [120_000, false, 3],
      [180_000, true, 4],
    ]);
    assert.deepEqual(state.data.last, { n: 4, label: 'L-q' });
    assert.equal(state.status, 'succeeded');
  });

  test("the poll instruction's retry is applied within one poll (format: it takes `retry` like any other)", async () => {
    let calls = 0;
    const { engine } = virtualEngine({
      instructions: {
        probe: async () => {
          calls++;
          if (calls < 3) throw new InstructionFailure('probe', `call ${calls} failed`);
          return { ok: true };
        },
      },
    });
    const task = taskFrom(`
      version: 1
      name: pollretry
      start: wait
      states:
        wait:
          on:
            - to: done
              poll:
                every: 1m
                do: { probe: {}, retry: { attempts: 3, delay: 1s } }
                until: "result.ok"
        done: { final: true }
    `);
    const { journal } = await runToEnd(engine, task);
    assert.equal(calls, 3);
    const polls = ofType(journal, 'poll-result');
    // The two failures are retried 1s apart inside the first poll, which then succeeds at 2s.
    assert.deepEqual(polls.map((p) => [p.t, p.done]), [[2000, true]]);
  });

  test('a run resumed after the poll result that ended its wait takes that transition without polling again', async () => {
    let calls = 0;
    const instructions = { probe: async () => ({ n: ++calls }) };
    const task = taskFrom(`
      version: 1
      name: resumedpoll
      start: wait
      states:
        wait:
          on:
            - to: done
              poll:
                every: 1m
                do: { probe: {}, as: last }
                until: "result.n >= 3"
            - to: late
              after: 1h
        done: { final: true }
        late: { final: true, status: failed }
    `);
    const { journal: full } = await runToEnd(virtualEngine({ instructions }).engine, task, undefined, 'full');
    assert.equal(calls, 3);
    // The crash came after the poll's last result was journaled, before its transition.
    const cut = full.findIndex((e) => e.type === 'poll-result' && e.done) + 1;
    const prefix = full.slice(0, cut);
    const store = memoryStore();
    await store.append('full', prefix);
    const engine = createEngine({ store, clock: virtualClock(prefix[cut - 1].at), instructions });
    const run = await engine.resume('full', { task });
    const state = await withTimeout(run.done, 10_000, 'resumed run');
    const resumed = await store.read('full');

    assert.equal(calls, 3, 'the poll ran again after its wait had ended');
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(resumed[cut].type, 'run-recovered');
    // After the recovery entry, the same steps as the run that was not interrupted.
    const steps = (j: typeof full) => j.map(({ seq: _seq, ...e }) => e);
    assert.deepEqual(steps(resumed.slice(cut + 1)), steps(full.slice(cut)));
  });
});
