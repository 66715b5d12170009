// A worker that cannot run a claimed run (it lacks an instruction kind the task uses) undoes the
// claim: the row is left as it was for other workers, and that worker's claims and its wait for the
// next due run leave the task version alone, unless a control waits for the run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { claimRuns, nextDueMs, passClaim } from '../../engine/server/leases';
import { createPool, migrate, type Pool } from '../../engine/store/postgres/db';
import { freshDatabase } from './helpers';

let db: { url: string; drop: () => Promise<void> };
let pool: Pool;
const TTL = 60_000;

before(async () => {
  db = await freshDatabase('pass_claim');
  pool = createPool(db.url, 2);
  await migrate(pool);
});

after(async () => {
  await pool?.end();
  await db?.drop();
});

async function row(id: string): Promise<Record<string, unknown>> {
  return (await pool.query(`SELECT lease_owner, attempts, recover_reason, next_due_at <= now() AS due, lease_expires_at <= now() AS expired FROM runs WHERE id = $1`, [id])).rows[0];
}

test('a run taken over and passed on keeps its expired lease and its attempt count; another worker takes it over', async () => {
  await pool.query(`INSERT INTO runs (id, task, task_hash, clock, status, lease_owner, lease_epoch, lease_expires_at)
                    VALUES ('t1', 'notes', 'h1', 'real', 'running', 'dead', 1, now() - interval '1 minute')`);
  const [claim] = await claimRuns(pool, 'lacking', 1, TTL, []);
  assert.deepEqual([claim.id, claim.prev_owner, claim.attempts], ['t1', 'dead', 2]);
  assert.equal(await passClaim(pool, claim, 'lacking'), true);
  assert.deepEqual(await row('t1'), { lease_owner: 'dead', attempts: 1, recover_reason: null, due: null, expired: true });

  assert.deepEqual(await claimRuns(pool, 'lacking', 1, TTL, [], ['h1']), [], 'the worker that passed leaves it alone');
  assert.equal(await nextDueMs(pool, ['h1']), undefined, 'and does not wait for it');
  const [again] = await claimRuns(pool, 'able', 1, TTL, []);
  assert.deepEqual([again.id, again.prev_owner, again.attempts], ['t1', 'dead', 2]);
  assert.equal(await passClaim(pool, claim, 'lacking'), false, 'a claim taken since is not undone');
  await pool.query(`UPDATE runs SET ended_at = now(), lease_owner = NULL WHERE id = 't1'`);
});

test('a due run passed on is due at once with its recovery reason; a control still reaches the worker that passed', async () => {
  await pool.query(`INSERT INTO runs (id, task, task_hash, clock, status, next_due_at, recover_reason)
                    VALUES ('d1', 'notes', 'h2', 'real', 'running', now(), 'retry')`);
  const [claim] = await claimRuns(pool, 'lacking', 1, TTL, []);
  assert.deepEqual([claim.id, claim.prev_owner, claim.prev_reason], ['d1', null, 'retry']);
  assert.equal(await passClaim(pool, claim, 'lacking'), true);
  assert.deepEqual(await row('d1'), { lease_owner: null, attempts: 1, recover_reason: 'retry', due: true, expired: null });

  assert.deepEqual(await claimRuns(pool, 'lacking', 1, TTL, [], ['h2']), []);
  assert.equal(await nextDueMs(pool, ['h2']), undefined);
  await pool.query(`UPDATE runs SET control = 'cancel' WHERE id = 'd1'`);
  assert.deepEqual((await claimRuns(pool, 'lacking', 1, TTL, [], ['h2'])).map((c) => [c.id, c.control, c.prev_reason]), [['d1', 'cancel', 'retry']]);
});
