// Mocks: result, results (the last repeats), error, times falling through, matching by `as` name
// and index, and mock events timed from the run's start.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MocksError, mockSession, parseMocks } from '../../engine/runtime/mocks';
import type { JournalEvent } from '../../engine/journal/events';
import { mocksFrom, ofType, taskFrom, virtualEngine, runToEnd } from '../helpers/tasks';

/** A state that runs `work` (a custom kind that counts real calls) on each of 3 entries. */
const LOOP = taskFrom(`
  version: 1
  name: loop
  data: { i: 0, got: [] }
  start: step
  states:
    step:
      do:
        - set: { i: "={{ data.i + 1 }}" }
        - work: { i: "={{ data.i }}" }
          as: out
        - set: { got: "={{ $append(data.got, [data.out]) }}" }
      on:
        - to: done
          when: "data.i >= 3"
        - to: step
    done: { final: true }
`);

function engineWithWork(mocksYaml: string) {
  const real: unknown[] = [];
  const { engine } = virtualEngine({
    mocks: mocksFrom(mocksYaml),
    instructions: {
      work: async (ctx) => {
        real.push(ctx.args);
        return { real: (ctx.args as { i: number }).i };
      },
    },
  });
  return { engine, real };
}

describe('mocks', () => {
  test('`result` by `as` name answers every call; the instruction does not run', async () => {
    const { engine, real } = engineWithWork(`
      mocks:
        - { state: step, instruction: out, result: { mocked: 1 } }
    `);
    const { state, journal } = await runToEnd(engine, LOOP);
    assert.deepEqual(real, []);
    assert.deepEqual(state.data.got, [{ mocked: 1 }, { mocked: 1 }, { mocked: 1 }]);
    const fins = ofType(journal, 'instruction-finished').filter((f) => f.kind === 'work');
    assert.ok(fins.every((f) => f.mocked === true && f.as === 'out'));
    // Other instructions of the state are not mocked.
    assert.ok(ofType(journal, 'instruction-finished').filter((f) => f.kind === 'set').every((f) => f.mocked === undefined));
  });

  test('`results` by index: one per call, the last one repeats', async () => {
    const { engine, real } = engineWithWork(`
      mocks:
        - { state: step, instruction: 1, results: [ { r: a }, { r: b } ] }
    `);
    const { state } = await runToEnd(engine, LOOP);
    assert.deepEqual(real, []);
    assert.deepEqual(state.data.got, [{ r: 'a' }, { r: 'b' }, { r: 'b' }]);
  });

  test('`times` falls through to the next matching entry, then to the real instruction', async () => {
    const { engine, real } = engineWithWork(`
      mocks:
        - { state: step, instruction: out, result: { r: first }, times: 1 }
        - { state: other, instruction: out, result: { r: never } }
        - { state: step, instruction: 1, result: { r: second }, times: 1 }
    `);
    const { state, journal } = await runToEnd(engine, LOOP);
    assert.deepEqual(state.data.got, [{ r: 'first' }, { r: 'second' }, { real: 3 }]);
    assert.deepEqual(real, [{ i: 3 }]);
    const fins = ofType(journal, 'instruction-finished').filter((f) => f.kind === 'work');
    assert.deepEqual(fins.map((f) => f.mocked), [true, true, undefined]);
  });

  test('`error` makes a failed attempt that retry and catch see', async () => {
    const { engine } = virtualEngine({
      mocks: mocksFrom(`
        mocks:
          - { state: a, instruction: 0, error: { kind: exec, message: "exit status 1" } }
      `),
    });
    const task = taskFrom(`
      version: 1
      name: mockerr
      start: a
      states:
        a:
          do:
            - exec: { command: definitely-not-a-command-xyz }
              retry: { attempts: 2, delay: 5s }
          next: done
          catch: [ { to: caught, error: exec } ]
        done: { final: true }
        caught: { final: true, status: cancelled }
    `);
    const { state, journal } = await runToEnd(engine, task);
    const failed = ofType(journal, 'instruction-failed');
    assert.deepEqual(failed.map((f) => [f.attempt, f.t, f.mocked, f.error.message]), [
      [1, 0, true, 'exit status 1'],
      [2, 5000, true, 'exit status 1'],
    ]);
    assert.equal(state.state, 'caught');
  });

  test('mock events are delivered `after` the run start, not after the subscription', async () => {
    const { engine } = virtualEngine({
      mocks: mocksFrom(`
        mocks:
          - { event: go, after: 30s, data: { x: 1 } }
      `),
    });
    const task = taskFrom(`
      version: 1
      name: mockev
      start: a
      states:
        a:
          do: [ { sleep: 10s } ]
          next: wait
        wait:
          on: [ { to: done, event: go } ]
        done: { final: true }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded');
    const [e] = ofType(journal, 'event-received');
    assert.deepEqual([e.name, e.data, e.t, e.source], ['go', { x: 1 }, 30_000, 'mock:0']);
    assert.equal(ofType(journal, 'transition-taken')[1].t, 30_000);
  });

  test('each run counts its own uses', async () => {
    const { engine } = engineWithWork(`
      mocks:
        - { state: step, instruction: out, result: { r: once }, times: 1 }
    `);
    const one = await runToEnd(engine, LOOP);
    const two = await runToEnd(engine, LOOP);
    assert.deepEqual(one.state.data.got, [{ r: 'once' }, { real: 2 }, { real: 3 }]);
    assert.deepEqual(two.state.data.got, [{ r: 'once' }, { real: 2 }, { real: 3 }]);
  });

  describe('a resumed run continues its mocks where the journal left them', () => {
    const failedOnce: JournalEvent[] = [
      { seq: 3, at: 0, type: 'instruction-started', state: 'a', index: 0, kind: 'http', attempt: 1 },
      { seq: 4, at: 0, type: 'instruction-failed', state: 'a', index: 0, kind: 'http', as: 'fl', attempt: 1, error: { kind: 'http', message: '503' }, retryInMs: 10, mocked: true },
    ];
    for (const target of ['0', 'fl']) {
      test(`a used \`times: 1\` error (instruction: ${target}) is not used again`, () => {
        const mocks = mocksFrom(`
          mocks:
            - { state: a, instruction: ${target}, error: { kind: http, message: "503" }, times: 1 }
            - { state: a, instruction: ${target}, result: { ok: true } }
        `);
        const session = mockSession(mocks, failedOnce);
        assert.deepEqual(session.instruction('a', 0, 'fl'), { result: { ok: true } });
      });
    }

    test('`results` go on from the next one', () => {
      const mocks = mocksFrom(`
        mocks:
          - { state: a, instruction: fl, results: [ 1, 2, 3 ] }
      `);
      const journal: JournalEvent[] = [{ seq: 4, at: 0, type: 'instruction-finished', state: 'a', index: 0, kind: 'http', as: 'fl', result: 1, mocked: true }];
      assert.deepEqual(mockSession(mocks, journal).instruction('a', 0, 'fl'), { result: 2 });
    });
  });

  test('a mocks file with a bad entry names its line', () => {
    assert.throws(
      () => parseMocks('mocks:\n  - state: a\n    instruction: 0\n    result: 1\n  - state: b\n    instruction: 0\n    result: 2\n    times: 0\n', 'x.mocks.yaml'),
      (err: unknown) => err instanceof MocksError && err.line === 5 && /times/.test(err.message),
    );
    assert.throws(() => parseMocks('mocks:\n  - instruction: 0\n    result: 1\n'), MocksError);
    assert.throws(() => parseMocks('mocks:\n  - { event: go, after: soon }\n'), /invalid duration/);
  });
});
