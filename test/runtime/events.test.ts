// Events: buffered before a state subscribes, delivered after, filtered by `when`, sent by the API,
// and emitted by one run to another.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mocksFrom, nextJournal, ofType, taskFrom, trace, virtualEngine, runToEnd, withTimeout } from '../helpers/tasks';

const WAITER = `
  version: 1
  name: waiter
  data: { got: null }
  start: first
  states:
    first:
      do:
        - sleep: 1m
      next: wait
    wait:
      on:
        - to: got
          event: go
    got:
      do:
        - set: { got: "={{ event.data }}" }
      next: done
    done: { final: true }
`;

describe('events', () => {
  test('an event sent before the state subscribes waits for it (buffered)', async () => {
    const mocks = mocksFrom(`
      mocks:
        - { event: go, after: 10s, data: { v: 1 } }
    `);
    const { engine } = virtualEngine({ mocks });
    const { state, journal } = await runToEnd(engine, taskFrom(WAITER));
    assert.equal(state.status, 'succeeded');
    const [received] = ofType(journal, 'event-received');
    assert.equal(received.t, 10_000);
    assert.equal(received.source, 'mock:0');
    const [, t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.from, t.to, t.cause, t.t], ['wait', 'got', 'event', 60_000]);
    assert.deepEqual(t.event, { name: 'go', data: { v: 1 }, seq: received.seq });
    assert.deepEqual(state.data.got, { v: 1 });
    assert.deepEqual(state.pendingEvents, []);
  });

  test('an event sent after the state subscribes fires at once', async () => {
    const mocks = mocksFrom(`
      mocks:
        - { event: go, after: 5m, data: { v: 2 } }
    `);
    const { engine } = virtualEngine({ mocks });
    const { state, journal } = await runToEnd(engine, taskFrom(WAITER));
    assert.equal(ofType(journal, 'event-received')[0].t, 300_000);
    const [, t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.cause, t.t], ['got', 'event', 300_000]);
    assert.deepEqual(state.data.got, { v: 2 });
  });

  test('engine.send delivers to a waiting run', async () => {
    const { engine } = virtualEngine();
    const run = engine.start(taskFrom(WAITER));
    await nextJournal(engine, (r, e) => r === run && e.type === 'state-entered' && e.state === 'wait');
    await engine.send(run.id, 'go', { v: 'api' });
    const state = await withTimeout(run.done, 5000, 'run');
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(state.data.got, { v: 'api' });
    const journal = await engine.store.read(run.id);
    assert.equal(ofType(journal, 'event-received')[0].source, 'api');
  });

  test('engine.send while the run is busy in an earlier state: buffered, then taken', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { engine } = virtualEngine({ instructions: { gate: async () => gate } });
    const task = taskFrom(WAITER.replace('- sleep: 1m', '- gate: {}'));
    const run = engine.start(task);
    await nextJournal(engine, (r, e) => r === run && e.type === 'instruction-started');
    await engine.send(run.id, 'go', { v: 'early' });
    assert.equal(run.state.pendingEvents.length, 1);
    open();
    const state = await withTimeout(run.done, 5000, 'run');
    assert.deepEqual(state.data.got, { v: 'early' });
    const journal = await engine.store.read(run.id);
    assert.deepEqual(trace(journal).slice(0, 5), ['run-started', 'enter first', 'start first[0]#1', 'event go', 'finish first[0]']);
  });

  test('buffered events are consumed one per transition, in order', async () => {
    const mocks = mocksFrom(`
      mocks:
        - { event: tick, after: 1s, data: { n: 1 } }
        - { event: tick, after: 2s, data: { n: 2 } }
        - { event: tick, after: 3s, data: { n: 3 } }
    `);
    const { engine } = virtualEngine({ mocks });
    const task = taskFrom(`
      version: 1
      name: ticks
      data: { seen: [] }
      start: first
      states:
        first:
          do: [ { sleep: 1m } ]
          next: wait
        wait:
          on:
            - to: done
              when: "$count(data.seen) >= 3"
            - to: count
              event: tick
        count:
          do:
            - set: { seen: "={{ $append(data.seen, event.data.n) }}" }
          next: wait
        done: { final: true }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(state.data.seen, [1, 2, 3]);
    assert.deepEqual(ofType(journal, 'event-received').map((e) => e.t), [1000, 2000, 3000]);
    assert.ok(ofType(journal, 'transition-taken').every((t) => t.t === 60_000));
    assert.deepEqual(state.pendingEvents, []);
  });

  test('`when` beside `event` filters the events', async () => {
    const mocks = mocksFrom(`
      mocks:
        - { event: approved, after: 1m, data: { note: "no approver" } }
        - { event: approved, after: 2m, data: { by: alice } }
    `);
    const { engine } = virtualEngine({ mocks });
    const task = taskFrom(`
      version: 1
      name: approve
      data: { by: null }
      start: wait
      states:
        wait:
          on:
            - to: approved
              event: approved
              when: "event.data.by != null"
            - to: expired
              after: 1h
        approved:
          do: [ { set: { by: "={{ event.data.by }}" } } ]
          next: done
        done: { final: true }
        expired: { final: true, status: cancelled }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded');
    assert.equal(state.data.by, 'alice');
    const received = ofType(journal, 'event-received');
    assert.deepEqual(received.map((e) => e.t), [60_000, 120_000]);
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.cause, t.t, t.event?.seq], ['approved', 'event', 120_000, received[1].seq]);
    // The filtered-out event is still pending, not consumed.
    assert.deepEqual(state.pendingEvents.map((p) => p.data), [{ note: 'no approver' }]);
  });

  test('one event that fires two transitions of the state takes the first in `on` order', async () => {
    const mocks = mocksFrom(`
      mocks:
        - { event: go, after: 1m, data: { x: 1 } }
    `);
    const { engine } = virtualEngine({ mocks });
    const task = taskFrom(`
      version: 1
      name: tie
      start: wait
      states:
        wait:
          on:
            - { to: filtered, event: go, when: "event.data.x = 1" }
            - { to: any, event: go }
        filtered: { final: true }
        any: { final: true }
    `);
    const { journal } = await runToEnd(engine, task);
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.index, t.t], ['filtered', 0, 60_000]);
  });

  test('`emit` in one run delivers to another run of the same engine that waits for it', async () => {
    const { engine } = virtualEngine();
    const listener = taskFrom(`
      version: 1
      name: listener
      data: { n: 0 }
      start: wait
      states:
        wait:
          on:
            - to: got
              event: ping
        got:
          do: [ { set: { n: "={{ event.data.n }}" } } ]
          next: done
        done: { final: true }
    `);
    const emitter = taskFrom(`
      version: 1
      name: emitter
      start: a
      states:
        a:
          do:
            - sleep: 1s
            - emit: { event: ping, data: { n: "={{ 40 + 2 }}" } }
          next: done
        done: { final: true }
    `);
    const b = engine.start(listener, { runId: 'listener-1' });
    const c = engine.start(listener, { runId: 'listener-2' });
    const a = engine.start(emitter, { runId: 'emitter-1' });
    const [sa, sb, sc] = await withTimeout(Promise.all([a.done, b.done, c.done]), 5000, 'runs');
    assert.equal(sa.status, 'succeeded');
    assert.equal(sb.status, 'succeeded');
    assert.equal(sc.status, 'succeeded');
    assert.equal(sb.data.n, 42);
    assert.equal(sc.data.n, 42);
    const ja = await engine.store.read('emitter-1');
    const [emitted] = ofType(ja, 'emitted');
    assert.deepEqual([emitted.event, emitted.data, emitted.t], ['ping', { n: 42 }, 1000]);
    const jb = await engine.store.read('listener-1');
    const [received] = ofType(jb, 'event-received');
    assert.deepEqual([received.name, received.source, received.t], ['ping', 'emit:emitter-1', 1000]);
    assert.deepEqual(ofType(ja, 'event-received'), [], 'a run does not receive its own emit');
  });

  test('a run that has ended takes no more events', async () => {
    const { engine } = virtualEngine();
    const { run } = await runToEnd(engine, taskFrom(`
      version: 1
      name: quick
      start: done
      states:
        done: { final: true }
    `));
    await assert.rejects(run.send('x', null), /has ended/);
  });
});
