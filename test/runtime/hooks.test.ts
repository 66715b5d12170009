// Hooks: called in order with the right state and instruction; a pending hook holds the run and
// the virtual clock.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InstructionFailure } from '../../engine/instructions/types';
import type { RunHooks } from '../../engine/runtime/run';
import { ofType, sleepReal, taskFrom, virtualEngine, runToEnd, withTimeout, T0 } from '../helpers/tasks';

function recorder(calls: string[], extra: Partial<RunHooks> = {}): RunHooks {
  return {
    beforeState: (i) => {
      calls.push(`state ${i.state.name}`);
      return extra.beforeState?.(i);
    },
    beforeInstruction: (i) => {
      calls.push(`instruction ${i.state.name}[${i.instruction.index}] ${i.instruction.kind} #${i.attempt}`);
    },
    beforeTransition: (i) => {
      calls.push(`transition ${i.state.name} -> ${i.to} (${i.cause}${i.transition ? ` on[${i.transition.index}]` : ''}${i.catch ? ` catch[${i.catch.index}]` : ''})`);
    },
    onFailure: (i) => {
      calls.push(`failure ${i.where} ${i.state?.name ?? '-'} ${i.error.kind}`);
    },
  };
}

describe('hooks', () => {
  test('are called in order with the right state, instruction and attempt', async () => {
    const calls: string[] = [];
    let flakyCalls = 0;
    const { engine } = virtualEngine({
      hooks: recorder(calls),
      instructions: {
        flaky: async () => {
          if (++flakyCalls === 1) throw new InstructionFailure('flaky', 'first');
          return 1;
        },
        boom: async () => {
          throw new InstructionFailure('boom', 'always');
        },
      },
    });
    const task = taskFrom(`
      version: 1
      name: hooks
      start: a
      states:
        a:
          do:
            - log: one
            - flaky: {}
              retry: { attempts: 2, delay: 1s }
          next: b
        b:
          do: [ { boom: {} } ]
          next: c
          catch: [ { to: c, error: any } ]
        c: { final: true }
    `);
    const { state } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(calls, [
      'state a',
      'instruction a[0] log #1',
      'instruction a[1] flaky #1',
      'instruction a[1] flaky #2',
      'transition a -> b (else on[0])',
      'state b',
      'instruction b[0] boom #1',
      'failure instruction b boom',
      'transition b -> c (catch catch[0])',
      'state c',
    ]);
  });

  test('onFailure is told where: instruction, then run; timeout, then run', async () => {
    const calls: string[] = [];
    const { engine } = virtualEngine({
      hooks: recorder(calls),
      instructions: { boom: async () => Promise.reject(new InstructionFailure('boom', 'x')) },
    });
    await runToEnd(engine, taskFrom(`
      version: 1
      name: f1
      start: a
      states:
        a:
          do: [ { boom: {} } ]
          next: b
        b: { final: true }
    `));
    assert.deepEqual(calls.filter((c) => c.startsWith('failure')), ['failure instruction a boom', 'failure run a boom']);
    calls.length = 0;
    await runToEnd(engine, taskFrom(`
      version: 1
      name: f2
      start: a
      states:
        a:
          timeout: 1m
          on: [ { to: b, after: 1h } ]
        b: { final: true }
    `));
    assert.deepEqual(calls.filter((c) => c.startsWith('failure')), ['failure timeout a timeout', 'failure run a timeout']);
  });

  test('a pending hook holds the run and the virtual clock until it resolves', async () => {
    let release!: () => void;
    let entered!: () => void;
    const hookCalled = new Promise<void>((r) => (entered = r));
    const { engine, clock } = virtualEngine({
      hooks: {
        beforeState: (i) => {
          if (i.state.name !== 'b') return;
          entered();
          return new Promise<void>((r) => (release = r));
        },
      },
    });
    const task = taskFrom(`
      version: 1
      name: held
      timeout: 2h
      start: a
      states:
        a:
          on: [ { to: b, after: 1h } ]
        b:
          do: [ { log: in b } ]
          next: done
        done: { final: true }
    `);
    const run = engine.start(task);
    await withTimeout(hookCalled, 5000, 'hook');
    const length = (await engine.store.read(run.id)).length;
    await sleepReal(80);
    assert.equal(clock.now(), T0 + 3_600_000, 'the clock stays at 1h although the task timeout (2h) is pending');
    assert.equal((await engine.store.read(run.id)).length, length, 'no journal entries while the hook is pending');
    assert.equal(run.ended, false);
    release();
    const state = await withTimeout(run.done, 5000, 'run');
    assert.equal(state.status, 'succeeded');
    const journal = await engine.store.read(run.id);
    assert.equal(ofType(journal, 'run-ended')[0].t, 3_600_000);
  });
});
