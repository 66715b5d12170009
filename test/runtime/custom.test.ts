// Custom instruction kinds registered through createEngine({ instructions }).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../engine/runtime/engine';
import { InstructionFailure, type InstructionContext } from '../../engine/instructions/types';
import { ofType, taskFrom, virtualEngine, runToEnd } from '../helpers/tasks';

const TASK = (katch = '') =>
  taskFrom(`
    version: 1
    name: custom
    input:
      who: { type: string, default: bob }
    data: { name: null }
    start: a
    states:
      a:
        do:
          - set: { name: "={{ input.who }}" }
          - greet:
              name: "{{ data.name }}"
              n: "={{ 1 + 1 }}"
              list: [ "={{ data.name }}", "{{ data.name }}!" ]
            as: greeting
        next: done
        ${katch}
      done: { final: true }
      viaHttp: { final: true, status: cancelled }
      handled: { final: true, status: cancelled }
  `);

describe('custom instruction kinds', () => {
  test('get their resolved args and context; the result is stored with `as`', async () => {
    const seen: Array<Partial<InstructionContext>> = [];
    const output: string[] = [];
    const { engine } = virtualEngine({
      instructions: {
        greet: async (ctx) => {
          seen.push({ args: ctx.args, runId: ctx.runId, state: ctx.state, index: ctx.index });
          await ctx.log(`greeting ${(ctx.args as { name: string }).name}`);
          ctx.output('stdout', 'out-text');
          return `hello ${(ctx.args as { name: string }).name}`;
        },
      },
    });
    engine.onOutput((c) => output.push(`${c.stream}:${c.text}`));
    const { run, state, journal } = await runToEnd(engine, TASK(), { who: 'alice' });
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(seen, [{ args: { name: 'alice', n: 2, list: ['alice', 'alice!'] }, runId: run.id, state: 'a', index: 1 }]);
    assert.equal(state.data.greeting, 'hello alice');
    const fin = ofType(journal, 'instruction-finished').find((f) => f.kind === 'greet');
    assert.deepEqual([fin?.index, fin?.as, fin?.result], [1, 'greeting', 'hello alice']);
    assert.deepEqual(ofType(journal, 'log').map((l) => [l.state, l.message]), [['a', 'greeting alice']]);
    assert.deepEqual(output, ['log:greeting alice', 'stdout:out-text']);
  });

  test('an InstructionFailure of the custom kind routes to `catch: error: any`', async () => {
    const { engine } = virtualEngine({
      instructions: {
        greet: async () => {
          throw new InstructionFailure('greet', 'no greeting today');
        },
      },
    });
    const { state, journal } = await runToEnd(engine, TASK('catch: [ { to: viaHttp, error: http }, { to: handled, error: any } ]'));
    const [f] = ofType(journal, 'instruction-failed');
    assert.deepEqual(f.error, { kind: 'greet', message: 'no greeting today' });
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.cause, t.index, t.error?.kind], ['handled', 'catch', 1, 'greet']);
    assert.equal(state.state, 'handled');
  });

  test('without a catch the run fails with the custom error', async () => {
    const { engine } = virtualEngine({
      instructions: {
        greet: async () => {
          throw new InstructionFailure('greet', 'nope');
        },
      },
    });
    const { state } = await runToEnd(engine, TASK());
    assert.equal(state.status, 'failed');
    assert.equal(state.reason, 'error');
    assert.deepEqual(state.error, { kind: 'greet', message: 'nope' });
  });

  test('an unregistered kind fails the instruction', async () => {
    const { engine } = virtualEngine();
    const { state, journal } = await runToEnd(engine, TASK());
    assert.equal(state.status, 'failed');
    assert.match(state.error?.message ?? '', /greet/);
    assert.equal(ofType(journal, 'instruction-failed').length, 1);
  });

  test('built-in kinds cannot be replaced and names are checked', () => {
    assert.throws(() => createEngine({ instructions: { http: async () => null } }), /built in/);
    assert.throws(() => createEngine({ instructions: { 'Bad Kind': async () => null } }), /Invalid instruction kind/);
  });
});
