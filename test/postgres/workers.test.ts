// Three worker processes on one PostgreSQL database run 300 runs of the samples on the virtual
// clock; one worker is killed with SIGKILL in the middle. Every run must end with its expected
// status, with its whole journal (no step lost, none journaled twice) and without two workers ever
// executing it at once — all read from the journals.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import pg from 'pg';
import type { JournalEvent } from '../../engine/journal/events';
import { freshDatabase } from './helpers';
import { serve, type ServeProcess } from './procs';
import { normalize, referenceJournals, samplesCopy } from './samples';

const RUNS = 300;
let db: { url: string; drop: () => Promise<void> };
const procs: ServeProcess[] = [];

before(async () => {
  db = await freshDatabase('workers');
});

let copied: string | undefined;

after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await db?.drop();
  if (copied) fs.rmSync(copied, { recursive: true, force: true });
});

interface Row {
  run_id: string;
  seq: number;
  worker: string;
  epoch: number;
  appended_at: Date;
  event: JournalEvent;
}

test('3 workers, 300 runs of the samples, one worker SIGKILLed: every run ends as expected, exactly once', { timeout: 240_000 }, async () => {
  const { dir: samplesDir, list } = samplesCopy();
  copied = samplesDir;
  const reference = await referenceJournals(list);
  const mocks = '${taskDir}/${taskName}.mocks.yaml';
  const common = ['--store', db.url, '--mocks', mocks, '--lease-ttl', '2s', '--poll-every', '200ms', '--recovery-retry-after', '10m', '--recovery-scan-every', '1s'];
  const api = await serve([...common, '--tasks', samplesDir, '--clock', 'virtual', '--workers', '0', '--port', '0']);
  procs.push(api);
  const workers = await Promise.all([0, 1, 2].map(() => serve([...common, '--no-api', '--concurrency', '8'])));
  procs.push(...workers);
  const victim = workers[1];
  const victimName = victim.workers[0];

  // Start the runs through the REST API.
  const started = new Map<string, (typeof list)[number]>();
  for (let i = 0; i < RUNS; i++) {
    const sample = list[i % list.length];
    const res = await fetch(`${api.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: sample.name }) });
    assert.equal(res.status, 201, await res.clone().text());
    const { run } = (await res.json()) as { run: { id: string } };
    started.set(run.id, sample);
  }

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const ids = [...started.keys()];
    const endedCount = async () => (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM runs WHERE id = ANY($1) AND ended_at IS NOT NULL', [ids])).rows[0].n;

    // Kill one worker in the middle, while it holds runs.
    let held: string[] = [];
    const killBy = Date.now() + 60_000;
    for (;;) {
      const ended = await endedCount();
      const r = await client.query<{ id: string }>('SELECT id FROM runs WHERE lease_owner = $1 AND ended_at IS NULL', [victimName]);
      if (ended >= RUNS / 4 && r.rows.length > 0) {
        held = r.rows.map((x) => x.id);
        break;
      }
      assert.ok(ended < RUNS, 'every run ended before the worker could be killed in the middle');
      assert.ok(Date.now() < killBy, 'the victim never held a run');
      await new Promise((res) => setTimeout(res, 20));
    }
    const endedAtKill = await endedCount();
    await victim.kill('SIGKILL');
    const killedAt = (await client.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t;

    const deadline = Date.now() + 180_000;
    while ((await endedCount()) < RUNS) {
      assert.ok(Date.now() < deadline, `runs still going: ${RUNS - (await endedCount())}`);
      await new Promise((res) => setTimeout(res, 100));
    }

    const runs = await client.query<{ id: string; status: string; attempts: number; lease_owner: string | null }>('SELECT id, status, attempts, lease_owner FROM runs');
    const rows = await client.query<Row>('SELECT run_id, seq, worker, epoch, appended_at, event FROM journal_entries ORDER BY run_id, seq');
    const journals = new Map<string, Row[]>();
    for (const row of rows.rows) {
      let j = journals.get(row.run_id);
      if (!j) journals.set(row.run_id, (j = []));
      j.push(row);
    }

    let takenOver = 0;
    let hops = 0;
    const workersSeen = new Set<string>();
    for (const run of runs.rows) {
      const j = journals.get(run.id) ?? [];
      const label = `run ${run.id}`;
      // Every run ended, and each one we started with its sample's expected status.
      const sample = started.get(run.id);
      if (sample) assert.equal(run.status, sample.status, `${label} (${sample.name}) ended ${run.status}`);
      else assert.match(run.id, /\.\d+$/, `${label} is neither started by the test nor a child run`);
      // No step lost, none twice: seq is exactly 1..n, one start, one end, last.
      assert.deepEqual(j.map((r) => r.seq), j.map((_, i) => i + 1), `${label}: journal seqs`);
      assert.equal(j[0].event.type, 'run-started', label);
      assert.equal(j.filter((r) => r.event.type === 'run-started').length, 1, label);
      assert.equal(j.filter((r) => r.event.type === 'run-ended').length, 1, label);
      assert.equal(j[j.length - 1].event.type, 'run-ended', label);
      const last = j[j.length - 1].event;
      assert.equal(last.type === 'run-ended' ? last.status : undefined, run.status, label);
      // Never two workers at once: lease epochs only grow along the journal, each epoch is one
      // worker's, and the appends of one epoch all come before those of the next.
      const epochWorker = new Map<number, string>();
      for (let i = 0; i < j.length; i++) {
        const r = j[i];
        if (i > 0) {
          assert.ok(r.epoch >= j[i - 1].epoch, `${label}: epoch went back at seq ${r.seq}`);
          assert.ok(r.appended_at >= j[i - 1].appended_at, `${label}: appended out of order at seq ${r.seq}`);
        }
        const w = epochWorker.get(r.epoch);
        assert.ok(w === undefined || w === r.worker, `${label}: epoch ${r.epoch} appended by ${w} and ${r.worker}`);
        epochWorker.set(r.epoch, r.worker);
        if (r.worker !== 'api') workersSeen.add(r.worker);
      }
      hops += new Set(j.map((r) => r.epoch)).size - 1;
      const recovered = j.filter((r) => r.event.type === 'run-recovered');
      for (const r of recovered) {
        // A takeover from the killed worker, or (rarely) a run its worker stopped when the
        // database failed a statement under it.
        assert.ok(r.event.type === 'run-recovered' && ['lease-expired', 'interrupted'].includes(r.event.reason ?? ''), label);
        // The takeover's entry opens a new epoch, after the last entry of the dead worker.
        assert.ok(r.seq === 1 || j[r.seq - 2].epoch < r.epoch, `${label}: run-recovered inside an epoch`);
      }
      if (recovered.length) takenOver++;
      // The same steps as the run in this process (after what recovery adds by design).
      if (sample) {
        assert.deepEqual(normalize(j.map((r) => r.event), run.id), reference.get(sample.name), `${label} (${sample.name}) journal differs from the reference`);
      }
    }
    // Nothing was journaled by the killed worker after its death, and the runs it held were taken
    // over by the others (but those it finished between our look and the kill).
    assert.ok(held.length > 0);
    const late = rows.rows.filter((r) => r.worker === victimName && r.appended_at > killedAt);
    assert.deepEqual(late.map((r) => `${r.run_id}:${r.seq}`), []);
    assert.ok(takenOver >= 1, 'no run was taken over from the killed worker');
    assert.equal(workersSeen.size, 3, `journals name ${[...workersSeen].join(', ')}`);
    assert.ok(hops > RUNS, `runs should move between workers while they wait (${hops} hand-overs)`);
    const stopped = workers.flatMap((w) => w.stderr().split('\n').filter((l) => / stopped: /.test(l)));
    if (stopped.length) process.stdout.write(`# runs stopped by a store error: ${stopped.join(' | ')}\n`);
    process.stdout.write(`# ${RUNS} runs (+ ${runs.rows.length - RUNS} child runs); killed ${victimName} with ${held.length} runs held after ${endedAtKill} ended; ${takenOver} taken over; ${hops} hand-overs\n`);
  } finally {
    await client.end();
  }
});
