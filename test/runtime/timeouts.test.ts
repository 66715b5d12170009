// State, instruction and task timeouts under the virtual clock.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ofType, taskFrom, trace, virtualEngine, runToEnd } from '../helpers/tasks';

describe('state timeout', () => {
  const waiting = (katch = '') =>
    taskFrom(`
      version: 1
      name: st
      start: wait
      states:
        wait:
          timeout: 2m
          on:
            - to: late
              after: 10m
          ${katch}
        late: { final: true }
        handled: { final: true }
        wrong: { final: true, status: failed }
    `);

  test('fails the run with reason timeout when it passes', async () => {
    const { engine } = virtualEngine();
    const { state, journal } = await runToEnd(engine, waiting());
    assert.equal(state.status, 'failed');
    assert.equal(state.reason, 'timeout');
    assert.equal(state.error?.kind, 'timeout');
    const [end] = ofType(journal, 'run-ended');
    assert.equal(end.t, 120_000);
    assert.deepEqual(trace(journal), ['run-started', 'enter wait', 'end failed timeout']);
  });

  test('follows `catch: error: timeout`', async () => {
    const { engine } = virtualEngine();
    const { state, journal } = await runToEnd(engine, waiting('catch: [ { to: handled, error: timeout } ]'));
    assert.equal(state.status, 'succeeded');
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.from, t.to, t.cause, t.index, t.t, t.error?.kind], ['wait', 'handled', 'catch', 0, 120_000, 'timeout']);
  });

  test('the first matching catch entry is taken (exec does not match a timeout)', async () => {
    const { engine } = virtualEngine();
    const { journal } = await runToEnd(engine, waiting('catch: [ { to: wrong, error: exec }, { to: handled, error: timeout }, { to: wrong, error: any } ]'));
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.index], ['handled', 1]);
  });

  test('restarts on each entry of the state', async () => {
    const { engine } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: loop
      data: { count: 0 }
      start: wait
      states:
        wait:
          timeout: 2m
          do:
            - set: { count: "={{ data.count + 1 }}" }
          on:
            - to: done
              when: "data.count >= 3"
            - to: wait
              after: 90s
        done: { final: true }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded');
    assert.equal(state.data.count, 3);
    assert.deepEqual(ofType(journal, 'state-entered').map((e) => [e.state, e.t]), [
      ['wait', 0],
      ['wait', 90_000],
      ['wait', 180_000],
      ['done', 180_000],
    ]);
  });

  test('interrupts a long instruction of the state', async () => {
    const { engine } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: longdo
      start: work
      states:
        work:
          timeout: 1m
          do:
            - sleep: 5m
          next: done
          catch: [ { to: handled, error: timeout } ]
        done: { final: true }
        handled: { final: true, status: cancelled }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'cancelled');
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.cause, t.t, t.error?.kind], ['handled', 'catch', 60_000, 'timeout']);
  });
});

describe('instruction timeout', () => {
  test('an attempt that runs too long fails with kind timeout, and is retried', async () => {
    const { engine } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: it
      start: work
      states:
        work:
          do:
            - sleep: 5m
              timeout: 1m
              retry: { attempts: 2, delay: 10s }
          next: done
          catch: [ { to: handled, error: timeout } ]
        done: { final: true }
        handled: { final: true }
    `);
    const { journal } = await runToEnd(engine, task);
    const failed = ofType(journal, 'instruction-failed');
    assert.deepEqual(failed.map((f) => [f.attempt, f.error.kind, f.t, f.retryInMs]), [
      [1, 'timeout', 60_000, 10_000],
      [2, 'timeout', 130_000, undefined],
    ]);
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.cause, t.t], ['handled', 'catch', 130_000]);
  });
});

describe('task timeout', () => {
  test('fails the run with reason timeout while it waits', async () => {
    const { engine } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: tt
      timeout: 1h
      start: wait
      states:
        wait:
          on: [ { to: done, after: 2h } ]
        done: { final: true }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'failed');
    assert.equal(state.reason, 'timeout');
    assert.equal(state.error?.kind, 'timeout');
    assert.equal(ofType(journal, 'run-ended')[0].t, 3_600_000);
    assert.equal(ofType(journal, 'transition-taken').length, 0);
  });

  test('fails the run while an instruction runs, whatever the state catches', async () => {
    const { engine } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: tt2
      timeout: 30m
      start: a
      states:
        a:
          do:
            - log: first
            - sleep: 2h
          next: done
          catch: [ { to: done, error: any } ]
        done: { final: true }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'failed');
    assert.equal(state.reason, 'timeout');
    assert.equal(ofType(journal, 'run-ended')[0].t, 1_800_000);
    assert.equal(ofType(journal, 'transition-taken').length, 0);
  });

  test('a run that ends in time is not failed by its timeout afterwards', async () => {
    const { engine, clock } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: tt3
      timeout: 1h
      start: a
      states:
        a:
          on: [ { to: done, after: 10m } ]
        done: { final: true }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded');
    assert.equal(ofType(journal, 'run-ended')[0].t, 600_000);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await engine.store.read(state.runId)).length, journal.length);
    assert.equal(clock.nextDue(), undefined, 'the task timer was cancelled when the run ended');
  });
});
