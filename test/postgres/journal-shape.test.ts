// The journal's shape on PostgreSQL (migration 2): one row per append, whatever the number of steps
// it holds, one notification per statement, and the journals of migration 1 carried over.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalEvent } from '../../engine/journal/events';
import { createPool, Listener, migrate, type Pool } from '../../engine/store/postgres/db';
import { MIGRATIONS } from '../../engine/store/postgres/migrations';
import { PgStore } from '../../engine/store/postgres/store';
import { freshDatabase } from './helpers';

const dbs: Array<{ drop: () => Promise<void> }> = [];
const pools: Pool[] = [];

async function database(label: string): Promise<{ url: string; pool: Pool }> {
  const db = await freshDatabase(label);
  dbs.push(db);
  const pool = createPool(db.url, 4);
  pools.push(pool);
  return { url: db.url, pool };
}

let pool: Pool;
let url: string;

before(async () => {
  ({ pool, url } = await database('shape'));
  await migrate(pool);
});

after(async () => {
  for (const p of pools) await p.end();
  for (const db of dbs) await db.drop();
});

const started = (runId: string): JournalEvent => ({ seq: 1, at: 1000, type: 'run-started', runId, task: 't', input: {}, data: {}, clock: 'real' });
const entered = (seq: number, state: string): JournalEvent => ({ seq, at: 1000 + seq, type: 'state-entered', state });
const logged = (seq: number, message: string): JournalEvent => ({ seq, at: 1000 + seq, type: 'log', message }) as JournalEvent;

test('an append is one journal row, whatever the number of steps it holds; reads give the steps in order', async () => {
  const w = new PgStore({ pool, owner: 'worker-a' });
  await w.append('s1', [started('s1')]);
  await w.append('s1', [entered(2, 'one'), logged(3, 'a'), logged(4, 'b')]);
  await w.append('s1', [entered(5, 'two')]);
  const rows = await pool.query('SELECT run_id FROM journal WHERE run_id = $1', ['s1']);
  assert.equal(rows.rowCount, 3);
  assert.deepEqual((await w.read('s1')).map((e) => e.seq), [1, 2, 3, 4, 5]);
  assert.deepEqual((await w.readAfter('s1', 3)).map((e) => e.seq), [4, 5]);
  // Steps that do not follow the last one journaled are refused, whole.
  await assert.rejects(w.append('s1', [logged(7, 'gap')]));
  assert.deepEqual((await w.read('s1')).map((e) => e.seq), [1, 2, 3, 4, 5]);
});

test('one notification per append statement, naming the steps journaled', async () => {
  const listener = new Listener(url);
  const heard: string[] = [];
  const unsubscribe = listener.subscribe('stepwise_journal', (payload) => heard.push(payload));
  await listener.start();
  try {
    const w = new PgStore({ pool, owner: 'worker-b' });
    await w.append('s2', [started('s2')]);
    await w.append('s2', [entered(2, 'one'), logged(3, 'a'), logged(4, 'b')]);
    // Notifications arrive in commit order: once this one is heard, every earlier one was.
    await pool.query(`SELECT pg_notify('stepwise_journal', 'end')`);
    const deadline = Date.now() + 10_000;
    while (!heard.includes('end') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(heard, ['s2:1-1', 's2:2-4', 'end']);
  } finally {
    unsubscribe();
    await listener.close();
  }
});

test('migration 2 carries the journals of migration 1 over, one row per step', async () => {
  const { pool: old } = await database('shape_upgrade');
  await old.query('CREATE TABLE stepwise_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
  await old.query(MIGRATIONS[0].sql);
  await old.query('INSERT INTO stepwise_migrations (version, name) VALUES (1, $1)', [MIGRATIONS[0].name]);
  await old.query(`INSERT INTO runs (id, task, last_seq) VALUES ('u1', 't', 2)`);
  await old.query(`INSERT INTO journal (run_id, seq, worker, epoch, event) VALUES ('u1', 1, 'api', 0, $1), ('u1', 2, 'w', 1, $2)`, [
    JSON.stringify(started('u1')),
    JSON.stringify(entered(2, 'one')),
  ]);
  assert.deepEqual(await migrate(old), MIGRATIONS.slice(1).map((m) => m.version));
  const store = new PgStore({ pool: old, owner: 'w' });
  assert.deepEqual(await store.read('u1'), [started('u1'), entered(2, 'one')]);
  const rows = await old.query('SELECT seq, worker, epoch FROM journal_entries WHERE run_id = $1 ORDER BY seq', ['u1']);
  assert.deepEqual(rows.rows, [{ seq: 1, worker: 'api', epoch: 0 }, { seq: 2, worker: 'w', epoch: 1 }]);
});
