// Durability points (docs/task-format.md): deterministic steps go to the store with the next point,
// one append per point; whatever a view sees (journal listeners, `run.state`, a debugger's stop)
// is in the store; a run continued from any prefix of a journal ends with the same steps.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, type Engine } from '../../engine/runtime/engine';
import type { RunHooks } from '../../engine/runtime/run';
import { virtualClock } from '../../engine/runtime/clock';
import { isDurabilityPoint } from '../../engine/runtime/run-journal';
import { memoryStore } from '../../engine/store/memory';
import type { RunStore } from '../../engine/store/store';
import type { JournalEvent } from '../../engine/journal/events';
import { replay } from '../../engine/journal/replay';
import { T0, mocksFrom, taskFrom, withTimeout } from '../helpers/tasks';

const TASK = taskFrom(`
  version: 1
  name: points
  data: { n: 0 }
  start: a
  states:
    a:
      do:
        - set: { n: "={{ data.n + 1 }}" }
        - log: "n is {{ data.n }}"
      next: b
    b:
      do:
        - set: { n: "={{ data.n + 1 }}" }
        - http: { url: "https://x.example.com/a" }
          as: got
        - set: { n: "={{ data.n + 1 }}" }
      on:
        - to: c
          when: "data.got.ok"
        - to: bad
    c:
      on:
        - to: d
          poll: { every: 10s, do: { http: { url: "https://x.example.com/p" } }, until: "result.ready" }
    d:
      do:
        - set: { n: "={{ data.n * 10 }}" }
      next: done
    done: { final: true }
    bad: { final: true, status: failed }
`);

const MOCKS = mocksFrom(`
  mocks:
    - { state: b, instruction: got, result: { ok: true } }
    - { state: c, poll: 0, results: [ { ready: false }, { ready: true } ] }
`);

/** A store that records each append as the list of its steps' types; `slow`: each takes a turn of the event loop. */
function countingStore(slow = false): RunStore & { appends: string[][] } {
  const inner = memoryStore();
  const appends: string[][] = [];
  return {
    ...inner,
    appends,
    async append(runId, events) {
      appends.push(events.map((e) => e.type));
      if (slow) await new Promise((resolve) => setImmediate(resolve));
      return inner.append(runId, events);
    },
  };
}

function engineOver(store: RunStore, hooks?: RunHooks): Engine {
  return createEngine({ store, clock: virtualClock(T0), mocks: MOCKS, hooks });
}

describe('durability points', () => {
  test('deterministic steps go to the store with the next durability point, one append per point', async () => {
    const store = countingStore();
    const run = engineOver(store).start(TASK, { runId: 'r' });
    const state = await withTimeout(run.done, 10_000, 'run');
    assert.equal(state.status, 'succeeded');
    assert.equal(state.data.n, 30);
    // Each append ends with a durability point (or precedes a wait) and holds no other one.
    const journal = await store.read('r');
    let at = 0;
    for (const a of store.appends) {
      const steps = journal.slice(at, (at += a.length));
      assert.deepEqual(steps.slice(0, -1).filter(isDurabilityPoint), [], `append ${a.join(', ')}`);
    }
    assert.equal(at, journal.length);
    const entered = ['state-entered', 'instruction-started', 'instruction-finished'];
    assert.deepEqual(store.appends, [
      ['run-started'],
      // a: set, log; b: set, up to the http call's start.
      [...entered, 'instruction-started', 'log', 'instruction-finished', 'transition-taken', ...entered, 'instruction-started'],
      ['instruction-finished'],
      // b's last set and its transition, c entered: before c waits for its poll.
      ['instruction-started', 'instruction-finished', 'transition-taken', 'state-entered'],
      ['poll-result'],
      ['poll-result'],
      ['transition-taken', ...entered, 'transition-taken', 'state-entered', 'run-ended'],
    ]);
  });

  test('what the journal listeners, the log output and `run.state` show is in the store', async () => {
    const store = countingStore(true);
    const engine = engineOver(store);
    const problems: string[] = [];
    const seen: Array<Promise<void>> = [];
    engine.onJournal((run, e) => {
      const shown = structuredClone(run.state);
      seen.push(
        store.read(run.id).then((journal) => {
          if (!journal.some((j) => j.seq === e.seq)) problems.push(`${e.type} ${e.seq} heard before the store had it`);
          if (JSON.stringify(shown) !== JSON.stringify(replay(journal.slice(0, e.seq)))) problems.push(`run.state at ${e.type} ${e.seq} is not the journal's`);
        }),
      );
    });
    engine.onOutput((chunk) => {
      const logged = store.read(chunk.runId).then((journal) => {
        if (!journal.some((e) => e.type === 'log' && e.message === chunk.text)) problems.push(`log '${chunk.text}' shown before it was journaled`);
      });
      seen.push(logged);
    });
    const run = engine.start(TASK, { runId: 'r' });
    // Looks at the run between turns of the event loop: the store never lags behind what it shows.
    const looks: Array<Promise<void>> = [];
    let ended = false;
    const look = () => {
      const shown = JSON.stringify(run.state);
      const seq = run.state.seq;
      looks.push(store.read('r').catch((): JournalEvent[] => []).then((journal) => (journal.length >= seq && JSON.stringify(replay(journal.slice(0, seq))) === shown ? undefined : void problems.push(`run.state ahead of the store at seq ${seq}`))));
      if (!ended) setImmediate(look);
    };
    look();
    await withTimeout(run.done, 10_000, 'run');
    ended = true;
    await Promise.all([...seen, ...looks]);
    assert.ok(seen.length > 20 && looks.length > 5, `${seen.length} entries heard, ${looks.length} looks`);
    assert.deepEqual(problems, []);
  });

  test('a debugger stop shows only journaled steps', async () => {
    const store = countingStore();
    const problems: string[] = [];
    let stops = 0;
    const check = async (where: string, info: { runId: string; run: Readonly<import('../../engine/journal/replay').RunState> }) => {
      stops++;
      const journal = await store.read(info.runId);
      if (JSON.stringify(info.run) !== JSON.stringify(replay(journal))) problems.push(`${where} at seq ${info.run.seq}: the stop shows steps the store does not have (it has ${journal.length})`);
    };
    const engine = engineOver(store, {
      beforeState: (i) => check('beforeState', i),
      beforeInstruction: (i) => check('beforeInstruction', i),
      beforeTransition: (i) => check('beforeTransition', i),
    });
    const state = await withTimeout(engine.start(TASK, { runId: 'r' }).done, 10_000, 'run');
    assert.equal(state.status, 'succeeded');
    assert.ok(stops >= 15, `${stops} stops`);
    assert.deepEqual(problems, []);
  });

  test('a run continued from what the store had at any append ends with the same steps', async () => {
    const store = countingStore();
    await withTimeout(engineOver(store).start(TASK, { runId: 'r' }).done, 10_000, 'run');
    const full = await store.read('r');
    let cut = 0;
    for (const a of store.appends.slice(0, -1)) {
      cut += a.length;
      const prefix = full.slice(0, cut);
      const again = memoryStore();
      await again.append('r', prefix);
      const engine = createEngine({ store: again, clock: virtualClock(prefix[cut - 1].at), mocks: MOCKS });
      const run = await engine.resume('r', { task: TASK });
      const state = await withTimeout(run.done, 10_000, `resume at ${cut}`);
      const resumed = await again.read('r');
      const label = `continued after seq ${cut} (${prefix[cut - 1].type})`;
      assert.equal(state.status, 'succeeded', label);
      assert.equal(resumed[cut].type, 'run-recovered', label);
      // An instruction with effects that had started runs again (at least once); nothing else does.
      const from = prefix[cut - 1].type === 'instruction-started' ? cut - 1 : cut;
      const steps = (j: JournalEvent[]) => j.map(({ seq: _seq, ...e }) => e);
      assert.deepEqual(steps(resumed.slice(cut + 1)), steps(full.slice(from)), label);
    }
  });
});
