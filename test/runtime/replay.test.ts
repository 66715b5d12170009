// A run is its journal: replaying any prefix of it gives exactly the state the live run had after
// that entry. Checked on the samples and, with fast-check, on generated tasks with random mocks.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseTask } from '../../engine/model/parse';
import { replay, type RunState } from '../../engine/journal/replay';
import { createEngine, type Engine } from '../../engine/runtime/engine';
import { realClock, virtualClock } from '../../engine/runtime/clock';
import { NO_MOCKS, parseMocks, type Mocks } from '../../engine/runtime/mocks';
import { InstructionFailure } from '../../engine/instructions/types';
import type { LoadedTask } from '../../engine/runtime/run';
import { parseOnlyLoader, T0, withTimeout } from '../helpers/tasks';

const SAMPLES = path.resolve(__dirname, '../../../samples');

interface Snapshot {
  seq: number;
  state: RunState;
}

/** Records the live state after each journal entry of every run of the engine. */
function recordStates(engine: Engine): Map<string, Snapshot[]> {
  const snapshots = new Map<string, Snapshot[]>();
  engine.onJournal((run, event) => {
    let list = snapshots.get(run.id);
    if (!list) snapshots.set(run.id, (list = []));
    list.push({ seq: event.seq, state: structuredClone(run.state) });
  });
  return snapshots;
}

async function checkPrefixes(engine: Engine, snapshots: Map<string, Snapshot[]>): Promise<number> {
  let checked = 0;
  for (const runId of await engine.store.list()) {
    const journal = await engine.store.read(runId);
    const recorded = snapshots.get(runId) ?? [];
    assert.equal(recorded.length, journal.length, `${runId}: one snapshot per journal entry`);
    assert.deepEqual(journal.map((e) => e.seq), journal.map((_, i) => i + 1), `${runId}: seqs 1..n`);
    for (let k = 1; k <= journal.length; k++) {
      assert.equal(recorded[k - 1].seq, k, `${runId}: listener order`);
      assert.deepStrictEqual(replay(journal.slice(0, k)), recorded[k - 1].state, `${runId}: replay of the first ${k} entries (${journal[k - 1].type})`);
      checked++;
    }
  }
  return checked;
}

describe('replay of the samples', () => {
  const expected = JSON.parse(fs.readFileSync(path.join(SAMPLES, 'expected.json'), 'utf8')) as Record<string, { mocks: string | null; status: string; clock: 'real' | 'virtual' }>;
  for (const [file, spec] of Object.entries(expected)) {
    test(`${file}: replay(prefix k) equals the live state after entry k`, async () => {
      const task = parseOnlyLoader(path.join(SAMPLES, file));
      const mocks = spec.mocks ? parseMocks(fs.readFileSync(path.join(SAMPLES, spec.mocks), 'utf8'), spec.mocks) : NO_MOCKS;
      const engine = createEngine({ clock: spec.clock === 'virtual' ? virtualClock(T0) : realClock(), mocks, loadTask: parseOnlyLoader });
      const snapshots = recordStates(engine);
      const run = engine.start(task);
      const final = await withTimeout(run.done, 20_000, file);
      await engine.settle();
      assert.equal(final.status, spec.status, JSON.stringify(final.error));
      const checked = await checkPrefixes(engine, snapshots);
      assert.ok(checked >= 5);
    });
  }
});

// ---- generated tasks ----

interface GenState {
  work: Array<{ kind: 'set' | 'log' | 'work' | 'sleep'; seconds: number; retry: number; outcome: 'ok' | 'flaky' | 'broken' }>;
  exit: 'next' | 'branch' | 'after' | 'poll' | 'event';
  targets: [number, number];
  seconds: number;
  pollResults: boolean[];
  eventAfter: number;
  catchAny: boolean;
  timeout: number;
}

const genState = fc.record<GenState>({
  work: fc.array(
    fc.record({
      kind: fc.constantFrom('set' as const, 'log' as const, 'work' as const, 'sleep' as const),
      seconds: fc.integer({ min: 1, max: 90 }),
      retry: fc.integer({ min: 1, max: 3 }),
      outcome: fc.constantFrom('ok' as const, 'flaky' as const, 'broken' as const),
    }),
    { maxLength: 4 },
  ),
  exit: fc.constantFrom('next' as const, 'branch' as const, 'after' as const, 'poll' as const, 'event' as const),
  targets: fc.tuple(fc.nat(), fc.nat()),
  seconds: fc.integer({ min: 1, max: 600 }),
  pollResults: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  eventAfter: fc.integer({ min: 0, max: 900 }),
  catchAny: fc.boolean(),
  timeout: fc.integer({ min: 0, max: 1200 }),
});

/** A task whose states only lead forward (so every run ends), and mocks for it. */
function build(states: GenState[]): { task: LoadedTask; mocks: Mocks } {
  const n = states.length;
  const name = (i: number) => (i >= n ? (i % 2 ? 'failed' : 'done') : `s${i}`);
  const forward = (i: number, r: number) => name(i + 1 + (r % (n - i + 1)));
  const doc: Record<string, unknown> = {};
  const mocks: unknown[] = [];
  states.forEach((g, i) => {
    const st: Record<string, unknown> = {};
    const list = g.work.map((w, j) => {
      switch (w.kind) {
        case 'set':
          return { set: { count: '={{ data.count + 1 }}', [`v.s${i}_${j}`]: `at {{ run.state }} #{{ data.count }}` } };
        case 'log':
          return { log: `s${i} count {{ data.count }}` };
        case 'sleep':
          return { sleep: `${w.seconds}s` };
        case 'work': {
          const as = `w${i}_${j}`;
          if (w.outcome === 'flaky') mocks.push({ state: `s${i}`, instruction: as, error: { kind: 'http', message: 'flaky' }, times: 1 });
          if (w.outcome === 'broken') mocks.push({ state: `s${i}`, instruction: j, error: { kind: 'exec', message: 'broken' } });
          return { work: { n: '={{ data.count }}' }, as, retry: { attempts: w.retry, delay: `${w.seconds}s`, backoff: 2 } };
        }
      }
    });
    if (list.length) st.do = list;
    const [a, b] = [forward(i, g.targets[0]), forward(i, g.targets[1])];
    switch (g.exit) {
      case 'next':
        st.next = a;
        break;
      case 'branch':
        st.on = [{ to: a, when: 'data.count % 2 = 1' }, { to: b }];
        break;
      case 'after':
        st.on = [{ to: a, after: `${g.seconds}s` }];
        break;
      case 'poll':
        st.on = [
          { to: a, poll: { every: '30s', do: { http: { url: 'https://x.example.com/p' }, as: `p${i}` }, until: 'result.ok' } },
          { to: b, after: `${g.seconds}s` },
        ];
        mocks.push({ state: `s${i}`, poll: 0, results: g.pollResults.map((ok) => ({ ok })) });
        break;
      case 'event':
        st.on = [
          { to: a, event: `e${i}` },
          { to: b, after: `${g.seconds}s` },
        ];
        mocks.push({ event: `e${i}`, after: `${g.eventAfter}s`, data: { from: i } });
        break;
    }
    if (g.catchAny) st.catch = [{ to: b, error: 'any' }];
    if (g.timeout > 0) st.timeout = `${g.timeout}s`;
    doc[`s${i}`] = st;
  });
  doc.done = { final: true };
  doc.failed = { final: true, status: 'failed' };
  const text = stringify({ version: 1, name: 'generated', data: { count: 0, v: {} }, start: 's0', states: doc });
  const mocksText = stringify({ mocks });
  return { task: { model: parseTask(text).model }, mocks: parseMocks(mocksText) };
}

describe('replay of generated tasks (fast-check)', () => {
  test('every prefix of every journal replays to the live state', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(genState, { minLength: 1, maxLength: 6 }), async (states) => {
        const { task, mocks } = build(states);
        const engine = createEngine({
          clock: virtualClock(T0),
          mocks,
          instructions: {
            work: async (ctx) => {
              const n = (ctx.args as { n: number }).n;
              if (n > 100) throw new InstructionFailure('work', 'never');
              return { n };
            },
          },
        });
        const snapshots = recordStates(engine);
        const run = engine.start(task);
        const final = await withTimeout(run.done, 10_000, 'generated run');
        assert.notEqual(final.status, 'running');
        assert.equal(final.phase, 'ended');
        await checkPrefixes(engine, snapshots);
      }),
      { numRuns: 60 },
    );
  });
});
