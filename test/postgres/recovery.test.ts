// Recovery: a run stuck past recovery.retryAfter (an instruction that never returns) is retried
// from its journal and, after recovery.maxAttempts, ended as failed with reason recovery-exhausted;
// a task excluded from recovery is left alone; one process at a time holds the recovery lock.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import type { JournalEvent } from '../../engine/journal/events';
import { createPool, migrate } from '../../engine/store/postgres/db';
import { RecoveryScanner } from '../../engine/server/recovery';
import { until } from '../server/client';
import { freshDatabase } from './helpers';
import { serve, type ServeProcess } from './procs';

let db: { url: string; drop: () => Promise<void> };
const procs: ServeProcess[] = [];
let tasksDir: string;

const hang = (name: string) => `version: 1
name: ${name}
start: work
states:
  work:
    do:
      - log: "starting work that never ends"
      - exec: { command: node, args: ["-e", "setTimeout(() => {}, 600000)"] }
    next: done
  done:
    final: true
`;

before(async () => {
  db = await freshDatabase('recovery');
  tasksDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-recovery-'));
  fs.writeFileSync(path.join(tasksDir, 'stuck.task.yaml'), hang('stuck'));
  fs.writeFileSync(path.join(tasksDir, 'patient.task.yaml'), hang('patient'));
});

after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await db?.drop();
});

async function post(url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

test('a stuck run is retried from its journal, then ended after maxAttempts; an excluded task is left alone', { timeout: 60_000 }, async () => {
  const server = await serve([
    '--store', db.url, '--tasks', tasksDir, '--port', '0',
    '--recovery-retry-after', '1s', '--recovery-max-attempts', '3', '--recovery-scan-every', '200ms',
    '--recovery-exclude', 'patient', '--lease-ttl', '30s', '--poll-every', '200ms',
  ]);
  procs.push(server);
  const stuck = (await post(`${server.url}/v1/runs`, { task: 'stuck' })).json.run.id as string;
  const patient = (await post(`${server.url}/v1/runs`, { task: 'patient' })).json.run.id as string;

  const t0 = Date.now();
  let run: any;
  for (;;) {
    run = ((await (await fetch(`${server.url}/v1/runs/${stuck}`)).json()) as any).run;
    if (run.endedAt) break;
    assert.ok(Date.now() - t0 < 30_000, 'the stuck run never ended');
    await new Promise((r) => setTimeout(r, 100));
  }
  const took = Date.now() - t0;
  assert.equal(run.status, 'failed');
  assert.equal(run.reason, 'recovery-exhausted');
  assert.equal(run.error.kind, 'recovery');
  assert.equal(run.attempts, 3);
  const journal = run.journal as JournalEvent[];
  const recovered = journal.filter((e) => e.type === 'run-recovered');
  assert.deepEqual(recovered.map((e) => e.type === 'run-recovered' && [e.reason, e.attempt]), [['retry', 2], ['retry', 3]]);
  // Each attempt ran the stuck instruction again from the journal: the log before it ran once.
  assert.equal(journal.filter((e) => e.type === 'instruction-started' && e.index === 1).length, 3);
  assert.equal(journal.filter((e) => e.type === 'log').length, 1);
  assert.ok(took >= 2_500, `three attempts of 1s each took only ${took} ms`);

  // The excluded task's run is still held, on its first attempt, long past retryAfter.
  const p = ((await (await fetch(`${server.url}/v1/runs/${patient}`)).json()) as any).run;
  assert.equal(p.status, 'running');
  assert.equal(p.attempts, 1);
  assert.ok(p.worker, 'the patient run is held by a worker');
  assert.equal((p.journal as JournalEvent[]).filter((e) => e.type === 'run-recovered').length, 0);
  // A held run in the middle of an instruction can still be cancelled.
  const c = await post(`${server.url}/v1/runs/${patient}/cancel`, { reason: 'enough' });
  assert.equal(c.status, 200, JSON.stringify(c.json));
  assert.equal(c.json.run.status, 'cancelled');
  await server.kill();
});

test('exactly one process holds the recovery lock; another takes over when it goes', { timeout: 30_000 }, async () => {
  const pool = createPool(db.url, 4);
  await migrate(pool);
  const opts = { url: db.url, pool, retryAfterMs: 60_000, maxAttempts: 3, scanEveryMs: 100, retentionMs: 0 };
  const a = new RecoveryScanner({ ...opts, owner: 'a' });
  const b = new RecoveryScanner({ ...opts, owner: 'b' });
  try {
    a.start();
    // Each step waits for what it needs (a loaded machine takes longer to connect and lock).
    await until('a to take the recovery lock', async () => a.leader, 10_000);
    b.start();
    // b asks for the lock on each of its ticks, as often as a scans.
    const scansOfA = a.stats.scans;
    await until('a to scan three more times', async () => a.stats.scans >= scansOfA + 3, 10_000);
    assert.equal(a.leader, true);
    assert.equal(b.leader, false);
    const before = b.stats.scans;
    await a.stop();
    await until('b to take over', async () => b.leader, 5_000);
    await until('b to scan once it leads', async () => b.stats.scans > before, 10_000);
  } finally {
    await a.stop();
    await b.stop();
    await pool.end();
  }
});

test('retention deletes runs that ended longer ago than the setting, with their journals', { timeout: 30_000 }, async () => {
  const pool = createPool(db.url, 2);
  await migrate(pool);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`INSERT INTO runs (id, task, status, created_at, ended_at) VALUES
      ('old-1', 't', 'succeeded', now() - interval '40 days', now() - interval '31 days'),
      ('new-1', 't', 'failed', now() - interval '2 days', now() - interval '1 day'),
      ('live-1', 't', 'running', now() - interval '60 days', NULL)`);
    await c.query(`INSERT INTO journal (run_id, seq, last_seq, worker, epoch, events) VALUES ('old-1', 1, 1, 'x', 1, '[{}]'), ('new-1', 1, 1, 'x', 1, '[{}]')`);
    const scanner = new RecoveryScanner({ url: db.url, pool, owner: 'r', retryAfterMs: 60_000, maxAttempts: 3, scanEveryMs: 1000, retentionMs: 30 * 86_400_000 });
    await scanner.scan();
    const ids = (await c.query<{ id: string }>(`SELECT id FROM runs WHERE id IN ('old-1', 'new-1', 'live-1') ORDER BY id`)).rows.map((r) => r.id);
    assert.deepEqual(ids, ['live-1', 'new-1']);
    assert.equal((await c.query(`SELECT 1 FROM journal WHERE run_id = 'old-1'`)).rowCount, 0);
    assert.equal(scanner.stats.pruned, 1);
  } finally {
    await c.end();
    await pool.end();
  }
});
