// The journal of a fan-out: every branch's and item's steps carry its name or index; replaying any
// prefix gives the state the run had at that point; resuming from any prefix runs again only the
// branches and items that have no outcome in it, and ends with the same data.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../engine/runtime/engine';
import { virtualClock } from '../../engine/runtime/clock';
import { replay, type RunState } from '../../engine/journal/replay';
import type { JournalEvent } from '../../engine/journal/events';
import { memoryStore } from '../../engine/store/memory';
import { InstructionFailure, type InstructionHandler } from '../../engine/instructions/types';
import { taskFrom, withTimeout, T0 } from '../helpers/tasks';

/** `work: { ms, value, failOnce? }`: `failOnce` fails the first call for a value not in `failed`. */
function workKind(calls: string[], failed = new Set<string>()): InstructionHandler {
  return async (ctx) => {
    const a = ctx.args as { ms: number; value: string; failOnce?: boolean };
    calls.push(a.value);
    await ctx.sleep(a.ms);
    if (a.failOnce && !failed.has(a.value)) {
      failed.add(a.value);
      throw new InstructionFailure('http', `${a.value} failed once`);
    }
    return a.value;
  };
}

const REGIONS = ['eu', 'us', 'ap', 'sa', 'af'];

const TASK = taskFrom(`
  version: 1
  name: pipeline
  input:
    regions: { type: array, default: [eu, us, ap, sa, af] }
  start: build
  states:
    build:
      do:
        - log: building
        - parallel:
            web:  { work: { ms: 3000, value: web } }
            api:  { work: { ms: 5000, value: api, failOnce: true }, retry: { attempts: 2, delay: 1s } }
            docs: { work: { ms: 2000, value: docs } }
          as: builds
      next: deploy
    deploy:
      do:
        - map:
            items: "={{ input.regions }}"
            concurrency: 2
            do: { work: { ms: "={{ 1000 * (index + 1) }}", value: "={{ item }}", failOnce: "={{ item = 'ap' }}" } }
          as: deployed
          retry: { attempts: 2, delay: 10s }
      next: done
    done: { final: true }
`);

/** A store that snapshots the run's live state each time an event is appended. */
async function reference(): Promise<{ journal: JournalEvent[]; snapshots: RunState[]; state: RunState; calls: string[] }> {
  const calls: string[] = [];
  const snapshots: RunState[] = [];
  const store = memoryStore();
  const engine = createEngine({ store, clock: virtualClock(T0), instructions: { work: workKind(calls) } });
  // What the run shows as each entry is journaled (steps go to the store in batches: see run-journal.ts).
  engine.onJournal((run) => snapshots.push(structuredClone(run.state)));
  const state = await withTimeout(engine.start(TASK, { runId: 'ref' }).done, 10_000, 'reference run');
  return { journal: await store.read('ref'), snapshots, state, calls };
}

/** For each branch/item: the seq of its journaled result in the prefix, per state entry. */
function finishedKeys(journal: readonly JournalEvent[]): Map<string, number> {
  const out = new Map<string, number>();
  let entry = 0;
  for (const e of journal) {
    if (e.type === 'state-entered') entry = e.seq;
    if (e.type === 'branch-finished') {
      const key = `${entry}:${e.index}:${e.branch ?? e.item}`;
      assert.ok(!out.has(key), `${key} finished twice (seq ${out.get(key)} and ${e.seq})`);
      out.set(key, e.seq);
    }
  }
  return out;
}

describe('fan-out journal', () => {
  test('every branch step carries its branch name or item index', async () => {
    const { journal, state } = await reference();
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.builds, { web: 'web', api: 'api', docs: 'docs' });
    assert.deepEqual(state.data.deployed, ['eu', 'us', 'ap', 'sa', 'af']);
    const steps = journal.filter((e) => e.type.startsWith('branch-'));
    assert.ok(steps.length > 10);
    for (const e of steps) {
      const tag = e as { branch?: string; item?: number; state: string };
      if (tag.state === 'build') assert.ok(['web', 'api', 'docs'].includes(tag.branch!), JSON.stringify(e));
      else assert.ok(Number.isInteger(tag.item) && tag.branch === undefined, JSON.stringify(e));
    }
  });

  test('replaying any prefix gives the state the run showed when that entry was journaled', async () => {
    const { journal, snapshots } = await reference();
    assert.equal(snapshots.length, journal.length);
    for (let i = 0; i < journal.length; i++) {
      assert.deepEqual(replay(journal.slice(0, i + 1)), snapshots[i], `prefix of ${i + 1} entries (${journal[i].type})`);
    }
  });

  test('resuming from any prefix ends with the same data and never runs a finished branch or item again', { timeout: 120_000 }, async () => {
    const ref = await reference();
    for (let cut = 2; cut < ref.journal.length; cut++) {
      const prefix = ref.journal.slice(0, cut);
      const store = memoryStore();
      await store.append('ref', prefix);
      const calls: string[] = [];
      // What failed before the crash has had its one failure.
      const failed = new Set(prefix.flatMap((e) => (e.type === 'branch-failed' ? [e.branch ?? REGIONS[e.item!]] : [])));
      const engine = createEngine({ store, clock: virtualClock(prefix[prefix.length - 1].at), instructions: { work: workKind(calls, failed) } });
      const run = await engine.resume('ref', { task: TASK });
      const state = await withTimeout(run.done, 10_000, `resume after ${cut} entries`);
      const label = `cut after ${cut} entries (${prefix[cut - 1].type})`;
      assert.equal(state.status, 'succeeded', `${label}: ${JSON.stringify(state.error)}`);
      assert.deepEqual(state.data, ref.state.data, label);
      const journal = await store.read('ref');
      // No branch or item has two results in one state entry, and none that had one runs again.
      finishedKeys(journal);
      const before = finishedKeys(prefix);
      let entry = 0;
      for (const e of journal) {
        if (e.type === 'state-entered') entry = e.seq;
        if (e.type === 'branch-started' && e.seq > cut) {
          const key = `${entry}:${e.index}:${e.branch ?? e.item}`;
          assert.ok(!before.has(key), `${label}: ${key} had finished at seq ${before.get(key)} but started again at ${e.seq}`);
        }
      }
    }
  });
});
