// Retries with backoff on the virtual clock, and routing what survives them through `catch`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { retryDelay } from '../../engine/runtime/execution';
import { InstructionFailure } from '../../engine/instructions/types';
import { mocksFrom, ofType, taskFrom, virtualEngine, runToEnd } from '../helpers/tasks';

const task = (katch: string) =>
  taskFrom(`
    version: 1
    name: rt
    start: fetch
    states:
      fetch:
        do:
          - http: { url: "https://x.example.com/thing" }
            as: res
            retry: { attempts: 4, delay: 1s, backoff: 2, max_delay: 3s }
        next: done
        ${katch}
      done: { final: true }
      viaExec: { final: true, status: cancelled }
      viaHttp: { final: true, status: cancelled }
      viaAny: { final: true, status: cancelled }
  `);

const failing = (kind: string) =>
  mocksFrom(`
    mocks:
      - state: fetch
        instruction: res
        error: { kind: ${kind}, message: "boom ${kind}" }
  `);

describe('retry timing', () => {
  test('attempts 4, delay 1s, backoff 2, max_delay 3s: failures at 0, 1s, 3s, 6s', async () => {
    const { engine } = virtualEngine({ mocks: failing('http') });
    const { state, journal } = await runToEnd(engine, task(''));
    const started = ofType(journal, 'instruction-started');
    assert.deepEqual(started.map((s) => [s.attempt, s.t]), [
      [1, 0],
      [2, 1000],
      [3, 3000],
      [4, 6000],
    ]);
    const failed = ofType(journal, 'instruction-failed');
    assert.deepEqual(failed.map((f) => [f.attempt, f.t, f.retryInMs, f.mocked]), [
      [1, 0, 1000, true],
      [2, 1000, 2000, true],
      [3, 3000, 3000, true],
      [4, 6000, undefined, true],
    ]);
    // Exhausted without a catch: the run fails with reason error and the instruction's error.
    assert.equal(state.status, 'failed');
    assert.equal(state.reason, 'error');
    assert.deepEqual(state.error, { kind: 'http', message: 'boom http' });
    assert.equal(ofType(journal, 'run-ended')[0].t, 6000);
  });

  test('retryDelay follows min(delay × backoff^(n−1), max_delay)', () => {
    const r = { attempts: 5, delay: '1s', backoff: 2, max_delay: '5s' };
    assert.deepEqual([1, 2, 3, 4].map((n) => retryDelay(r, n)), [1000, 2000, 4000, 5000]);
    assert.deepEqual([1, 2, 3].map((n) => retryDelay({ attempts: 4, delay: '500ms' }, n)), [500, 500, 500]);
  });

  test('a success after two failures ends the retries; later instructions see the result', async () => {
    const mocks = mocksFrom(`
      mocks:
        - { state: fetch, instruction: 0, error: { kind: http, message: one }, times: 1 }
        - { state: fetch, instruction: 0, error: { kind: http, message: two }, times: 1 }
        - { state: fetch, instruction: 0, result: { status: 200, body: { v: 7 } } }
    `);
    const { engine } = virtualEngine({ mocks });
    const { state, journal } = await runToEnd(engine, task(''));
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(state.data.res, { status: 200, body: { v: 7 } });
    assert.deepEqual(ofType(journal, 'instruction-failed').map((f) => [f.error.message, f.t]), [
      ['one', 0],
      ['two', 1000],
    ]);
    const [fin] = ofType(journal, 'instruction-finished');
    assert.equal(fin.t, 3000);
    assert.equal(fin.as, 'res');
  });

  test('run.attempt counts the attempts of a real instruction', async () => {
    const seen: unknown[] = [];
    const { engine } = virtualEngine({
      instructions: {
        flaky: async (ctx) => {
          const a = ctx.args as { n: number };
          seen.push(a.n);
          if (a.n < 3) throw new InstructionFailure('flaky', `attempt ${a.n} failed`);
          return { ok: a.n };
        },
      },
    });
    const t = taskFrom(`
      version: 1
      name: ra
      start: a
      states:
        a:
          do:
            - flaky: { n: "={{ run.attempt }}" }
              as: out
              retry: { attempts: 3, delay: 2s }
          next: done
        done: { final: true }
    `);
    const { state, journal } = await runToEnd(engine, t);
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(state.data.out, { ok: 3 });
    assert.deepEqual(ofType(journal, 'instruction-failed').map((f) => [f.error.kind, f.t]), [
      ['flaky', 0],
      ['flaky', 2000],
    ]);
  });
});

describe('catch routing after retries', () => {
  const three = 'catch: [ { to: viaExec, error: exec }, { to: viaHttp, error: http }, { to: viaAny, error: any } ]';

  for (const [kind, to, index] of [
    ['http', 'viaHttp', 1],
    ['exec', 'viaExec', 0],
    ['weird', 'viaAny', 2],
  ] as const) {
    test(`an ${kind} failure goes to ${to}`, async () => {
      const { engine } = virtualEngine({ mocks: failing(kind) });
      const { state, journal } = await runToEnd(engine, task(three));
      const [t] = ofType(journal, 'transition-taken');
      assert.deepEqual([t.from, t.to, t.cause, t.index, t.t], ['fetch', to, 'catch', index, 6000]);
      assert.deepEqual(t.error, { kind, message: `boom ${kind}` });
      assert.equal(state.state, to);
      assert.equal(state.status, 'cancelled');
    });
  }

  test('the first matching entry wins, even `any` before a narrower one', async () => {
    const { engine } = virtualEngine({ mocks: failing('http') });
    const { journal } = await runToEnd(engine, task('catch: [ { to: viaAny, error: any }, { to: viaHttp, error: http } ]'));
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.index], ['viaAny', 0]);
  });

  test('an entry without `error` catches anything', async () => {
    const { engine } = virtualEngine({ mocks: failing('exec') });
    const { journal } = await runToEnd(engine, task('catch: [ { to: viaHttp, error: http }, { to: viaAny } ]'));
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.index], ['viaAny', 1]);
  });

  test('no matching entry: the run fails with reason error', async () => {
    const { engine } = virtualEngine({ mocks: failing('exec') });
    const { state, journal } = await runToEnd(engine, task('catch: [ { to: viaHttp, error: http } ]'));
    assert.equal(state.status, 'failed');
    assert.equal(state.reason, 'error');
    assert.equal(state.error?.kind, 'exec');
    assert.equal(ofType(journal, 'transition-taken').length, 0);
  });
});
