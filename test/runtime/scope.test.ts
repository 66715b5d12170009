// Scopes (engine/runtime/scope.ts): how the run, its states, instructions and waits hear that they
// must stop, with one abort signal per run at most, made only when an instruction asks for it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Interrupt, Scope } from '../../engine/runtime/scope';
import { taskFrom, virtualEngine, withTimeout } from '../helpers/tasks';

describe('scopes', () => {
  test('an abort reaches every listener of the scope and of the scopes under it once, with its reason; a removed listener hears nothing and an ended scope no later abort', () => {
    fc.assert(
      fc.property(
        // Scope i > 0 has parent parents[i - 1] (an earlier scope), so scope 0 is the root.
        fc.array(fc.nat(), { maxLength: 6 }).map((ps) => ps.map((p, i) => p % (i + 1))),
        fc.array(fc.record({ at: fc.nat(), removed: fc.boolean() }), { maxLength: 12 }),
        fc.nat(),
        fc.option(fc.nat(), { nil: undefined }),
        (parents, specs, abortAt, endAt) => {
          const count = parents.length + 1;
          const parentOf = (i: number) => (i === 0 ? undefined : parents[i - 1]);
          const scopes: Scope[] = [];
          for (let i = 0; i < count; i++) scopes.push(new Scope(i === 0 ? undefined : scopes[parentOf(i)!]));
          const calls = specs.map(() => 0);
          specs.forEach((s, k) => {
            const scope = scopes[s.at % count];
            const listener = () => calls[k]++;
            scope.addEventListener('abort', listener);
            if (s.removed) scope.removeEventListener('abort', listener);
          });
          const under = (i: number, top: number): boolean => i === top || (i !== 0 && under(parentOf(i)!, top));
          const ended = endAt === undefined ? undefined : endAt % count;
          if (ended !== undefined) scopes[ended].end();
          const top = abortAt % count;
          const reason = new Interrupt('cancelled', 'stop');
          scopes[top].abort(reason);
          specs.forEach((s, k) => {
            const i = s.at % count;
            const endedFirst = ended !== undefined && under(i, ended);
            const expected = !s.removed && (endedFirst || under(i, top)) ? 1 : 0;
            assert.equal(calls[k], expected, `listener ${k} on scope ${i}`);
          });
          scopes.forEach((scope, i) => {
            const endedFirst = ended !== undefined && under(i, ended);
            assert.equal(scope.aborted, endedFirst || under(i, top));
            if (under(i, top) && !endedFirst) assert.equal(scope.reason, reason);
          });
        },
      ),
    );
  });

  test('the signal of a scope aborts with it, also when asked for after the abort, and a scope under an AbortSignal aborts with it', () => {
    const parent = new AbortController();
    const scope = new Scope(parent.signal);
    const before = scope.signal;
    const reason = new Interrupt('state-timeout', 'too slow');
    parent.abort(reason);
    assert.equal(scope.reason, reason);
    assert.equal(before.aborted, true);
    assert.equal(before.reason, reason);
    assert.equal(scope.signal.reason, reason);
  });

  test('an interrupt is not an Error: it carries why and a message, and prints as its message', () => {
    const i = new Interrupt('cancelled', 'cancelled by the user');
    assert.equal(i instanceof Error, false);
    assert.equal(i.why, 'cancelled');
    assert.equal(String(i), 'cancelled by the user');
  });
});

describe('abort signals of a run', () => {
  const TASK = taskFrom(`
    version: 1
    name: signals
    data: { n: 0 }
    timeout: 1h
    start: a
    states:
      a:
        do:
          - set: { n: "={{ data.n + 1 }}" }
          - log: "n is {{ data.n }}"
        timeout: 5m
        next: b
      b:
        on:
          - event: go
            to: c
          - after: 10m
            to: c
      c:
        do:
          - probe: {}
        next: done
      done: { final: true }
  `);

  test('states, instructions and waits make no AbortController; an instruction that asks for its signal gets one that aborts when the run is cancelled', async () => {
    const Original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        made++;
      }
    };
    try {
      let seen: AbortSignal | undefined;
      const { engine } = virtualEngine({
        instructions: {
          probe: (ctx) =>
            new Promise((_, reject) => {
              seen = ctx.signal;
              ctx.signal.addEventListener('abort', () => reject(new Error('aborted')));
            }),
        },
      });
      const run = engine.start(TASK);
      await withTimeout(
        (async () => {
          while (!run.isWaitingFor('go')) await new Promise((r) => setImmediate(r));
        })(),
        5000,
        'the run waiting for go',
      );
      assert.equal(made, 0, 'AbortControllers made before any instruction asked for a signal');
      await run.send('go', null);
      await withTimeout(
        (async () => {
          while (!seen) await new Promise((r) => setImmediate(r));
        })(),
        5000,
        'the probe running',
      );
      assert.equal(made, 1);
      run.cancel('stop it');
      const final = await withTimeout(run.done, 5000, 'the run ending');
      assert.equal(final.status, 'cancelled');
      assert.equal(seen!.aborted, true);
      assert.equal(String(seen!.reason), 'stop it');
    } finally {
      globalThis.AbortController = Original;
    }
  });
});
