// Choosing a transition: `when` in order, the else branch, and the race of timers, polls and
// subscriptions in which the losers are cancelled.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mocksFrom, ofType, rel, taskFrom, trace, virtualEngine, runToEnd } from '../helpers/tasks';

const RACE = `
  version: 1
  name: race
  start: wait
  states:
    wait:
      on:
        - to: polled
          poll:
            every: 1m
            do: { set: { probe: 1 } }
            until: "result.ok = true"
        - to: evented
          event: go
        - to: timed
          after: 4m30s
    polled: { on: [ { to: done, after: 10m } ] }
    evented: { on: [ { to: done, after: 10m } ] }
    timed: { on: [ { to: done, after: 10m } ] }
    done: { final: true }
`;

describe('transition race', () => {
  test('the event fires first: the poll and the timer are cancelled', async () => {
    const mocks = mocksFrom(`
      mocks:
        - state: wait
          poll: 0
          results: [ { ok: false } ]
        - event: go
          after: 90s
          data: { who: me }
    `);
    const { engine } = virtualEngine({ mocks });
    const { state, journal } = await runToEnd(engine, taskFrom(RACE));
    assert.equal(state.status, 'succeeded');
    const polls = ofType(journal, 'poll-result');
    assert.deepEqual(polls.map((p) => p.t), [0, 60_000]);
    assert.ok(polls.every((p) => p.done === false && p.mocked === true));
    const taken = ofType(journal, 'transition-taken');
    assert.deepEqual(
      taken.map((t) => [t.from, t.to, t.cause, t.index, t.t]),
      [
        ['wait', 'evented', 'event', 1, 90_000],
        ['evented', 'done', 'after', 0, 90_000 + 600_000],
      ],
    );
    assert.deepEqual(taken[0].event?.data, { who: 'me' });
    // Nothing from the losers after the transition: no poll result, no `timed` transition.
    const afterIt = rel(journal).filter((e) => e.seq > taken[0].seq);
    assert.deepEqual(trace(afterIt), ['enter evented', 'evented -> done (after)', 'enter done', 'end succeeded']);
    assert.equal(ofType(journal, 'run-ended')[0].t, 690_000);
  });

  test('the timer fires first: polls every minute until then, none after', async () => {
    const mocks = mocksFrom(`
      mocks:
        - state: wait
          poll: 0
          results: [ { ok: false } ]
    `);
    const { engine } = virtualEngine({ mocks });
    const { state, journal } = await runToEnd(engine, taskFrom(RACE));
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(ofType(journal, 'poll-result').map((p) => p.t), [0, 60_000, 120_000, 180_000, 240_000]);
    const taken = ofType(journal, 'transition-taken');
    assert.deepEqual(taken.map((t) => [t.to, t.cause, t.index, t.t]), [
      ['timed', 'after', 2, 270_000],
      ['done', 'after', 0, 870_000],
    ]);
    assert.equal(ofType(journal, 'event-received').length, 0);
    assert.ok(ofType(journal, 'poll-result').every((p) => p.seq < taken[0].seq));
  });

  test('the poll fires first: its third result ends the race at 2m', async () => {
    const mocks = mocksFrom(`
      mocks:
        - state: wait
          poll: 0
          results: [ { ok: false }, { ok: false }, { ok: true } ]
    `);
    const { engine } = virtualEngine({ mocks });
    const { state, journal } = await runToEnd(engine, taskFrom(RACE));
    assert.equal(state.status, 'succeeded');
    const polls = ofType(journal, 'poll-result');
    assert.deepEqual(polls.map((p) => [p.t, p.done]), [
      [0, false],
      [60_000, false],
      [120_000, true],
    ]);
    const taken = ofType(journal, 'transition-taken');
    assert.deepEqual(taken.map((t) => [t.to, t.cause, t.index, t.t]), [
      ['polled', 'poll', 0, 120_000],
      ['done', 'after', 0, 720_000],
    ]);
    assert.deepEqual(trace(journal.filter((e) => e.seq > taken[0].seq)), ['enter polled', 'polled -> done (after)', 'enter done', 'end succeeded']);
  });

  test('a subscription of a left state no longer takes events', async () => {
    const mocks = mocksFrom(`
      mocks:
        - state: wait
          poll: 0
          results: [ { ok: true } ]
        - event: go
          after: 5m
    `);
    const { engine } = virtualEngine({ mocks });
    const { state, journal } = await runToEnd(engine, taskFrom(RACE));
    assert.equal(state.status, 'succeeded');
    // The event is received (journaled, buffered) while in `polled`, but fires nothing there.
    assert.deepEqual(trace(journal), [
      'run-started',
      'enter wait',
      'poll wait[0] done',
      'wait -> polled (poll)',
      'enter polled',
      'event go',
      'polled -> done (after)',
      'enter done',
      'end succeeded',
    ]);
    assert.equal(ofType(journal, 'event-received')[0].t, 300_000);
    assert.equal(state.pendingEvents.length, 1);
  });
});

describe('when and else', () => {
  const WHEN = `
    version: 1
    name: branch
    input:
      n: { type: number, default: 5 }
    data: { n: 0 }
    start: a
    states:
      a:
        do:
          - set: { n: "={{ input.n }}" }
        on:
          - to: small
            when: "data.n < 3"
          - to: mid
            when: "data.n < 10"
          - to: mid2
            when: "data.n < 100"
          - to: other
      small: { final: true }
      mid: { final: true }
      mid2: { final: true }
      other: { final: true }
  `;

  test('the first true `when` in order wins (and sees data set by the do list)', async () => {
    const { engine } = virtualEngine();
    const { journal } = await runToEnd(engine, taskFrom(WHEN), { n: 5 });
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.cause, t.index, t.t], ['mid', 'when', 1, 0]);
  });

  test('the first `when` when it is true', async () => {
    const { engine } = virtualEngine();
    const { journal } = await runToEnd(engine, taskFrom(WHEN), { n: 1 });
    assert.deepEqual(ofType(journal, 'transition-taken').map((t) => [t.to, t.cause, t.index]), [['small', 'when', 0]]);
  });

  test('the else branch is taken when no `when` is true', async () => {
    const { engine } = virtualEngine();
    const { state, journal } = await runToEnd(engine, taskFrom(WHEN), { n: 500 });
    assert.deepEqual(ofType(journal, 'transition-taken').map((t) => [t.to, t.cause, t.index]), [['other', 'else', 3]]);
    assert.equal(state.state, 'other');
    assert.equal(state.status, 'succeeded');
  });

  test('the else branch is not taken while a timer waits', async () => {
    const { engine } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: nowait
      start: a
      states:
        a:
          on:
            - to: never
              when: "false"
            - to: later
              after: 1m
            - to: otherwise
        never: { final: true }
        later: { final: true }
        otherwise: { final: true }
    `);
    const { journal } = await runToEnd(engine, task);
    assert.deepEqual(ofType(journal, 'transition-taken').map((t) => [t.to, t.cause, t.index, t.t]), [['later', 'after', 1, 60_000]]);
  });

  test('`next` is an unconditional transition', async () => {
    const { engine } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: nxt
      start: a
      states:
        a: { next: b }
        b: { final: true, status: failed }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.deepEqual(trace(journal), ['run-started', 'enter a', 'a -> b (else)', 'enter b', 'end failed']);
    assert.equal(state.status, 'failed');
  });
});
