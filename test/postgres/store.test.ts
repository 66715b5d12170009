// The PostgreSQL store on its own: migrations, the lease-checked append, the release of a waiting
// run, inbox events.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalEvent } from '../../engine/journal/events';
import { createPool, migrate, type Pool } from '../../engine/store/postgres/db';
import { MIGRATIONS } from '../../engine/store/postgres/migrations';
import { LeaseLostError, PgStore, RunEndedError } from '../../engine/store/postgres/store';
import { UnknownRunError } from '../../engine/store/store';
import { freshDatabase } from './helpers';

let db: { url: string; drop: () => Promise<void> };
let pool: Pool;

before(async () => {
  db = await freshDatabase('store');
  pool = createPool(db.url, 6);
});

after(async () => {
  await pool?.end();
  await db?.drop();
});

const started = (runId: string): JournalEvent => ({ seq: 1, at: 1000, type: 'run-started', runId, task: 't', input: {}, data: {}, clock: 'real' });
const entered = (seq: number, state: string): JournalEvent => ({ seq, at: 1000 + seq, type: 'state-entered', state });

async function claim(id: string, owner: string): Promise<number> {
  const r = await pool.query<{ lease_epoch: number }>(
    `UPDATE runs SET lease_owner = $2, lease_epoch = lease_epoch + 1, lease_expires_at = now() + interval '1 minute' WHERE id = $1 RETURNING lease_epoch`,
    [id, owner],
  );
  return r.rows[0].lease_epoch;
}

test('migrations run once, in order, concurrently safe, and are recorded', async () => {
  const results = await Promise.all([migrate(pool), migrate(pool), migrate(pool)]);
  assert.deepEqual(results.flat(), MIGRATIONS.map((m) => m.version), 'each migration applied exactly once');
  assert.deepEqual(await migrate(pool), []);
  const r = await pool.query<{ version: number }>('SELECT version FROM stepwise_migrations ORDER BY version');
  assert.deepEqual(r.rows.map((x) => x.version), MIGRATIONS.map((m) => m.version));
});

test('a worker appends only under its lease; a stale worker cannot, and no seq is journaled twice', async () => {
  const a = new PgStore({ pool, owner: 'worker-a' });
  const b = new PgStore({ pool, owner: 'worker-b' });
  // A run started inside a worker (as a call's child) creates its row, leased to that worker.
  await a.append('r1', [started('r1')]);
  await a.append('r1', [entered(2, 'one')]);
  let row = (await pool.query('SELECT state, status, lease_owner, last_seq FROM runs WHERE id = $1', ['r1'])).rows[0];
  assert.deepEqual(row, { state: 'one', status: 'running', lease_owner: 'worker-a', last_seq: 2 });
  // Worker b takes the run over (as after an expired lease): a's next append is refused, whole.
  b.leases.set('r1', await claim('r1', 'worker-b'));
  await assert.rejects(a.append('r1', [entered(3, 'from-a')]), LeaseLostError);
  await b.append('r1', [entered(3, 'from-b')]);
  // Even with a lease, a seq that exists already is refused.
  await assert.rejects(b.append('r1', [entered(3, 'again')]), LeaseLostError);
  const journal = await b.read('r1');
  assert.deepEqual(journal.map((e) => [e.seq, e.type === 'state-entered' ? e.state : e.type]), [[1, 'run-started'], [2, 'one'], [3, 'from-b']]);
  const rows = (await pool.query('SELECT seq, worker, epoch FROM journal_entries WHERE run_id = $1 ORDER BY seq', ['r1'])).rows;
  assert.deepEqual(rows.map((x) => [x.seq, x.worker]), [[1, 'worker-a'], [2, 'worker-a'], [3, 'worker-b']]);
  // The end moves the row and drops the lease in the same statement.
  await b.append('r1', [{ seq: 4, at: 2000, type: 'run-ended', status: 'failed', reason: 'timeout' }]);
  row = (await pool.query('SELECT status, reason, lease_owner, ended_at IS NOT NULL AS ended FROM runs WHERE id = $1', ['r1'])).rows[0];
  assert.deepEqual(row, { status: 'failed', reason: 'timeout', lease_owner: null, ended: true });
  await assert.rejects(new PgStore({ pool }).append('r1', [entered(5, 'x')]), /reads only/);
  await assert.rejects(b.read('nope'), UnknownRunError);
});

test('events: kept in the inbox until journaled; refused for unknown and finished runs', async () => {
  const w = new PgStore({ pool, owner: 'worker-c', inboxPollMs: 50 });
  await w.append('r2', [started('r2')]);
  const e1 = await w.sendEvent('r2', 'go', { n: 1 });
  const seen: string[] = [];
  const stop = w.watchInbox('r2', (e) => seen.push(`${e.name}:${(e.data as { n: number }).n}`));
  const e2 = await w.sendEvent('r2', 'go', { n: 2 });
  const t0 = Date.now();
  while (seen.length < 2 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(seen, ['go:1', 'go:2']);
  // Journaling an inbox event marks it delivered in the same statement.
  await w.append('r2', [{ seq: 2, at: 1002, type: 'event-received', name: 'go', data: { n: 1 }, source: `inbox:${e1.id}` }]);
  const pending = (await pool.query('SELECT id FROM inbox WHERE run_id = $1 AND delivered_seq IS NULL', ['r2'])).rows.map((r) => r.id);
  assert.deepEqual(pending, [e2.id]);
  stop();
  await assert.rejects(w.sendEvent('nope', 'go', null), UnknownRunError);
  await w.append('r2', [{ seq: 3, at: 1003, type: 'run-ended', status: 'succeeded' }]);
  await assert.rejects(w.sendEvent('r2', 'go', null), RunEndedError);
});

test('releasing a waiting run: due at its timer, at once when an event or a control waits', async () => {
  const w = new PgStore({ pool, owner: 'worker-d' });
  await w.append('r3', [started('r3')]);
  const epoch = w.leases.get('r3')!;
  const due = new Date(Date.now() + 3_600_000);
  const release = () =>
    pool.query<{ ok: boolean; due: Date | null }>('SELECT * FROM stepwise_release($1, $2, $3, $4, NULL, $5, $6)', ['r3', 'worker-d', epoch, due, ['go'], [due]]);
  let r = await release();
  assert.equal(r.rows[0].ok, true);
  assert.equal(r.rows[0].due?.getTime(), due.getTime());
  let row = (await pool.query('SELECT lease_owner, waiting_events, next_due_at FROM runs WHERE id = $1', ['r3'])).rows[0];
  assert.deepEqual([row.lease_owner, row.waiting_events, row.next_due_at.getTime()], [null, ['go'], due.getTime()]);
  assert.equal((await pool.query('SELECT count(*)::int AS n FROM timers WHERE run_id = $1', ['r3'])).rows[0].n, 1);
  // Released already: a second release is refused (the lease is gone).
  assert.equal((await release()).rows[0].ok, false);
  // An event for a released run makes it due now.
  await w.sendEvent('r3', 'go', null);
  row = (await pool.query('SELECT next_due_at <= now() AS due FROM runs WHERE id = $1', ['r3'])).rows[0];
  assert.equal(row.due, true);
  // Released with an event still undelivered: due now, not at the timer.
  await claim('r3', 'worker-d');
  const epoch2 = (await pool.query('SELECT lease_epoch FROM runs WHERE id = $1', ['r3'])).rows[0].lease_epoch;
  r = await pool.query('SELECT * FROM stepwise_release($1, $2, $3, $4, NULL, NULL, NULL)', ['r3', 'worker-d', epoch2, due]);
  assert.equal(r.rows[0].ok, true);
  assert.ok(r.rows[0].due!.getTime() <= Date.now() + 1000);
});
