// Pause, resume and cancel.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ofType, sleepReal, taskFrom, trace, virtualEngine, withTimeout, T0 } from '../helpers/tasks';
import type { Run } from '../../engine/runtime/run';
import { createEngine, type Engine } from '../../engine/runtime/engine';

const TASK = taskFrom(`
  version: 1
  name: waits
  start: a
  states:
    a:
      do: [ { log: entering } ]
      next: wait
    wait:
      on: [ { to: done, after: 1h } ]
    done: { final: true }
`);

/** Starts a run and pauses it synchronously when it enters `wait`, before its timer can fire. */
function startAndPauseInWait(engine: Engine): Promise<Run> {
  return new Promise((resolve) => {
    const off = engine.onJournal((r, e) => {
      if (e.type === 'state-entered' && e.state === 'wait') {
        off();
        void r.pause().then(() => resolve(r));
      }
    });
    engine.start(TASK);
  });
}

describe('pause, resume, cancel', () => {
  test('virtual time does not move while a run is paused; resume continues it', async () => {
    const { engine, clock } = virtualEngine();
    const run = await startAndPauseInWait(engine);
    assert.equal(run.state.paused, true);
    const before = (await engine.store.read(run.id)).length;
    await sleepReal(60);
    assert.equal(clock.now(), T0, 'the virtual clock stood still');
    assert.equal((await engine.store.read(run.id)).length, before, 'no journal entry while paused');
    assert.equal(run.ended, false);
    await run.resume();
    const state = await withTimeout(run.done, 5000, 'run');
    assert.equal(state.status, 'succeeded');
    const journal = await engine.store.read(run.id);
    assert.deepEqual(trace(journal), [
      'run-started',
      'enter a',
      'start a[0]#1',
      'log',
      'finish a[0]',
      'a -> wait (else)',
      'enter wait',
      'run-paused',
      'run-resumed',
      'wait -> done (after)',
      'enter done',
      'end succeeded',
    ]);
    assert.equal(ofType(journal, 'transition-taken')[1].t, 3_600_000);
    assert.equal(state.paused, false);
  });

  test('cancel ends a waiting run: cancelled, reason cancelled', async () => {
    const { engine } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: forever
      start: wait
      states:
        wait:
          on: [ { to: done, event: never } ]
        done: { final: true }
    `);
    const run = engine.start(task);
    await new Promise<void>((resolve) => {
      const off = engine.onJournal((r, e) => {
        if (r === run && e.type === 'state-entered') {
          off();
          resolve();
        }
      });
    });
    await sleepReal(10);
    run.cancel();
    const state = await withTimeout(run.done, 5000, 'run');
    assert.equal(state.status, 'cancelled');
    assert.equal(state.reason, 'cancelled');
    assert.equal(state.error?.kind, 'cancelled');
    const journal = await engine.store.read(run.id);
    assert.deepEqual(trace(journal), ['run-started', 'enter wait', 'end cancelled cancelled']);
    assert.equal(run.isWaitingFor('never'), false);
  });

  test('cancel ends a paused run too', async () => {
    const { engine, clock } = virtualEngine();
    const run = await startAndPauseInWait(engine);
    run.cancel('stop it');
    const state = await withTimeout(run.done, 5000, 'run');
    assert.equal(state.status, 'cancelled');
    assert.equal(state.reason, 'cancelled');
    assert.equal(state.error?.message, 'stop it');
    assert.equal(state.paused, false);
    const journal = await engine.store.read(run.id);
    assert.deepEqual(trace(journal).slice(-2), ['run-paused', 'end cancelled cancelled']);
    assert.equal(clock.now(), T0);
    assert.equal(clock.nextDue(), undefined, 'no timer left behind');
  });

  test('cancel during a running instruction ends the run', async () => {
    const { engine } = virtualEngine({
      instructions: { forever: (ctx) => new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')))) },
    });
    const task = taskFrom(`
      version: 1
      name: busy
      start: a
      states:
        a:
          do: [ { forever: {} } ]
          next: done
          catch: [ { to: done, error: any } ]
        done: { final: true }
    `);
    const run = engine.start(task);
    await new Promise<void>((resolve) => {
      const off = engine.onJournal((r, e) => {
        if (r === run && e.type === 'instruction-started') {
          off();
          resolve();
        }
      });
    });
    run.cancel();
    const state = await withTimeout(run.done, 5000, 'run');
    assert.equal(state.status, 'cancelled', 'a cancel is not a failure that catch would route');
    assert.equal(ofType(await engine.store.read(run.id), 'transition-taken').length, 0);
  });

  test('pause and resume under the real clock: a transition is not taken while paused', async () => {
    const engine = createEngine();
    const task = taskFrom(`
      version: 1
      name: realpause
      start: wait
      states:
        wait:
          on: [ { to: done, after: 30ms } ]
        done: { final: true }
    `);
    const run = engine.start(task);
    await new Promise<void>((resolve) => {
      const off = engine.onJournal((r, e) => {
        if (r === run && e.type === 'state-entered') {
          off();
          void r.pause().then(resolve);
        }
      });
    });
    await sleepReal(120);
    assert.equal(run.ended, false);
    assert.equal(ofType(await engine.store.read(run.id), 'transition-taken').length, 0);
    await run.resume();
    const state = await withTimeout(run.done, 5000, 'run');
    assert.equal(state.status, 'succeeded');
  });

  test('a paused run does not poll (real clock): no poll instruction runs, no poll-result is journaled', async () => {
    let calls = 0;
    const engine = createEngine({ instructions: { probe: async () => ({ n: ++calls }) } });
    const task = taskFrom(`
      version: 1
      name: pollpause
      start: w
      states:
        w:
          on:
            - to: done
              poll: { every: 20ms, do: { probe: {} }, until: "result.n >= 1000" }
        done: { final: true }
    `);
    const run = engine.start(task);
    await sleepReal(50);
    await run.pause();
    const calls0 = calls;
    const length0 = (await engine.store.read(run.id)).length;
    await sleepReal(200);
    const grew = { calls: calls - calls0, entries: (await engine.store.read(run.id)).length - length0 };
    run.cancel();
    await withTimeout(run.done, 5000, 'run');
    assert.deepEqual(grew, { calls: 0, entries: 0 });
  });
});
