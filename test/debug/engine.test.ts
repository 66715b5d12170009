// The engine additions the debugger relies on: data-set journaled and replayed, runs forked from a
// journal prefix (with recorded outcomes reused), the virtual clock's gate, the event in
// TransitionInfo.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { replay, setAtPath } from '../../engine/journal/replay';
import type { RecordedOutcomes } from '../../engine/runtime/run';
import { mocksFrom, ofType, sleepReal, taskFrom, virtualEngine, withTimeout, T0 } from '../helpers/tasks';

const counting = taskFrom(`
  version: 1
  name: counting
  data: { n: 0 }
  start: a
  states:
    a:
      do:
        - set: { n: "={{ data.n + 1 }}" }
        - fetch: {}
          as: fetched
      next: b
    b:
      do:
        - set: { n: "={{ data.n + 10 }}" }
      next: done
    done: { final: true }
`);

describe('engine additions for the debugger', () => {
  test('setAtPath creates objects and arrays on the way; an empty path replaces the object', () => {
    const data: Record<string, unknown> = { a: 1 };
    setAtPath(data, ['x', 'y'], 2);
    setAtPath(data, ['list', 1], 'b');
    assert.deepEqual(data, { a: 1, x: { y: 2 }, list: [, 'b'] });
    setAtPath(data, [], { fresh: true });
    assert.deepEqual(data, { fresh: true });
  });

  test('Run.setData is journaled as data-set and replay applies it', async () => {
    let fetches = 0;
    let entered!: () => void;
    let release!: () => void;
    const atB = new Promise<void>((r) => (entered = r));
    const { engine } = virtualEngine({
      instructions: { fetch: async () => ++fetches },
      hooks: {
        beforeState: (i) => {
          if (i.state.name !== 'b') return;
          entered();
          return new Promise<void>((r) => (release = r));
        },
      },
    });
    const run = engine.start(counting);
    await withTimeout(atB, 5000, 'state b');
    await run.setData(['n'], 100, 'test');
    await assert.rejects(run.setData([], 5), /data must stay an object/);
    release();
    const final = await run.done;
    assert.equal(final.data.n, 110);
    const journal = await engine.store.read(run.id);
    const set = ofType(journal, 'data-set');
    assert.deepEqual(set.map((e) => [e.path, e.value, e.source]), [[['n'], 100, 'test']]);
    assert.deepEqual(replay(journal).data, final.data);
    await assert.rejects(run.setData(['n'], 1), /has ended/);
  });

  test('engine.fork continues a prefix of a journal as a new run, reusing recorded outcomes', async () => {
    let fetches = 0;
    const { engine } = virtualEngine({ instructions: { fetch: async () => ++fetches } });
    const first = engine.start(counting, { runId: 'first' });
    await first.done;
    const journal = await engine.store.read('first');
    // Fork just after the first `set` of state a finished: the fetch has not run yet.
    const cut = journal.findIndex((e) => e.type === 'instruction-finished' && e.kind === 'set');
    const prefix = journal.slice(0, cut + 1);
    const future = journal.slice(cut + 1);
    const recorded: RecordedOutcomes = {
      instruction(state, index, kind) {
        const e = future.find((x) => x.type === 'instruction-finished' && x.state === state && x.index === index);
        return kind === 'fetch' && e && e.type === 'instruction-finished' ? { result: e.result } : undefined;
      },
      poll: () => undefined,
      message: () => undefined,
      offline: false,
    };
    const fork = await engine.fork(counting, prefix, { runId: 'second', recorded });
    const final = await fork.done;
    assert.equal(final.status, 'succeeded');
    assert.equal(fetches, 1, 'the fetch result was reused, not fetched again');
    assert.deepEqual(final.data, { n: 11, fetched: 1 });
    const forked = await engine.store.read('second');
    assert.equal(forked[0].type === 'run-started' && forked[0].runId, 'second');
    assert.deepEqual(forked.slice(1, cut + 1), journal.slice(1, cut + 1));
    const marker = forked[cut + 1];
    assert.equal(marker.type, 'run-forked');
    assert.equal(marker.type === 'run-forked' && marker.from, 'first');
    const fetched = ofType(forked, 'instruction-finished').find((e) => e.kind === 'fetch')!;
    assert.equal(fetched.replayed, true);
    await assert.rejects(engine.fork(counting, journal, { runId: 'third' }), /had ended/);
    await assert.rejects(engine.fork(counting, journal.slice(1), { runId: 'fourth' }), /starts with run-started/);
  });

  test('a fork consumes mocks as its prefix says, so mocked results come out the same', async () => {
    const task = taskFrom(`
      version: 1
      name: mocked
      start: a
      states:
        a:
          do:
            - http: { url: "https://x.example.com/1" }
              as: one
            - http: { url: "https://x.example.com/2" }
              as: two
          next: done
        done: { final: true }
    `);
    const mocks = mocksFrom(`
      mocks:
        - state: a
          instruction: one
          result: first
          times: 1
        - state: a
          instruction: two
          results: [second, third]
    `);
    const { engine } = virtualEngine({ mocks });
    const run = engine.start(task, { runId: 'm1' });
    await run.done;
    const journal = await engine.store.read('m1');
    const cut = journal.findIndex((e) => e.type === 'instruction-finished' && e.index === 0);
    const fork = await engine.fork(task, journal.slice(0, cut + 1), { runId: 'm2' });
    const final = await fork.done;
    assert.deepEqual(final.data, { one: 'first', two: 'second' });
  });

  test("the virtual clock's gate keeps time still until poke; skipToNextTimer fires anyway", async () => {
    const task = taskFrom(`
      version: 1
      name: timers
      start: a
      states:
        a:
          on: [ { to: b, after: 1h } ]
        b:
          on: [ { to: done, after: 1h } ]
        done: { final: true }
    `);
    const { engine, clock } = virtualEngine();
    const asked: number[] = [];
    let open = false;
    clock.setGate((due) => {
      asked.push(due - T0);
      return open;
    });
    const run = engine.start(task);
    for (let i = 0; i < 200 && asked.length === 0; i++) await sleepReal(5);
    await sleepReal(30);
    assert.equal(run.ended, false);
    assert.equal(clock.now(), T0, 'time stays still while the gate says no');
    assert.ok(asked.length >= 1 && asked.every((d) => d === 3_600_000), `asked ${asked}`);
    assert.equal(clock.nextDue(), T0 + 3_600_000);
    assert.equal(clock.skipToNextTimer(), true);
    for (let i = 0; i < 200 && run.state.state !== 'b'; i++) await sleepReal(5);
    assert.equal(clock.now(), T0 + 3_600_000);
    assert.equal(run.state.state, 'b');
    open = true;
    clock.poke();
    const final = await withTimeout(run.done, 5000, 'run');
    assert.equal(final.status, 'succeeded');
    assert.equal(clock.now(), T0 + 7_200_000);
  });

  test('beforeTransition is told the event that fires an event transition, and the error a catch routes', async () => {
    const seen: string[] = [];
    const { engine } = virtualEngine({
      mocks: mocksFrom(`
        mocks:
          - event: go
            after: 1m
            data: { who: ann }
          - state: b
            instruction: 0
            error: { kind: http, message: down }
      `),
      hooks: {
        beforeTransition: (i) => {
          seen.push(`${i.cause}:${i.event ? `${i.event.name}/${JSON.stringify(i.event.data)}` : ''}${i.error ? i.error.message : ''}`);
        },
      },
    });
    const task = taskFrom(`
      version: 1
      name: ev
      start: a
      states:
        a:
          on: [ { to: b, event: go } ]
        b:
          do: [ { http: { url: "https://x.example.com" } } ]
          next: done
          catch: [ { to: done, error: http } ]
        done: { final: true }
    `);
    const final = await engine.start(task).done;
    assert.equal(final.status, 'succeeded');
    assert.deepEqual(seen, ['event:go/{"who":"ann"}', 'catch:down']);
  });
});
