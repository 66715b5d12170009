// The SQL of a worker's leases on runs: claiming runnable runs (row lock with FOR UPDATE SKIP
// LOCKED, lease expiry, a fencing epoch), renewing the leases it holds, and handing a run back.
// What to claim, when to renew and when to release is the worker's (worker.ts).
//
// A worker may leave runs alone by their task version (`passed`: task hashes, or task files for
// runs without one), e.g. those needing instruction kinds it lacks; it still takes their controls.
import type { Pool } from '../store/postgres/db';

export interface Claim {
  id: string;
  epoch: number;
  task: string;
  task_hash: string | null;
  task_file: string | null;
  status: string;
  control: 'pause' | 'resume' | 'cancel' | null;
  control_reason: string | null;
  attempts: number;
  virtual_until: string | null;
  prev_owner: string | null;
  prev_reason: string | null;
}

/** Not a run of a task version the worker passes on, unless a control waits for it. */
const notPassed = (param: string) => `(control IS NOT NULL OR NOT (COALESCE(task_hash, task_file, '') = ANY(${param}::text[])))`;

const CLAIM_SQL = `
WITH c AS (
  SELECT id, lease_owner AS prev_owner, recover_reason AS prev_reason FROM runs
   WHERE ended_at IS NULL AND NOT (id = ANY($4::text[])) AND ${notPassed('$5')}
     AND ((lease_owner IS NULL AND next_due_at <= now())
          OR (lease_owner IS NOT NULL AND lease_expires_at < now()))
   ORDER BY next_due_at NULLS FIRST
   LIMIT $2
   FOR UPDATE SKIP LOCKED
)
UPDATE runs r SET
  lease_owner = $1, lease_epoch = r.lease_epoch + 1,
  lease_expires_at = now() + $3 * interval '1 millisecond',
  claimed_at = now(), progress_at = now(), next_due_at = NULL, waiting_events = '{}', recover_reason = NULL,
  attempts = r.attempts + CASE WHEN c.prev_owner IS NOT NULL THEN 1 ELSE 0 END
FROM c WHERE r.id = c.id
RETURNING r.id, r.lease_epoch AS epoch, r.task, r.task_hash, r.task_file, r.status, r.control, r.control_reason,
          r.attempts, r.virtual_until::text AS virtual_until, c.prev_owner, c.prev_reason`;

/** Claims up to `free` runs that are due or whose lease expired, never one of `mine` nor of a task version `passed`. */
export async function claimRuns(pool: Pool, owner: string, free: number, leaseTtlMs: number, mine: string[], passed: string[] = []): Promise<Claim[]> {
  return (await pool.query<Claim>({ name: 'stepwise_claim', text: CLAIM_SQL, values: [owner, free, leaseTtlMs, mine, passed] })).rows;
}

/**
 * Milliseconds until the earliest released run is due or lease expires; undefined when none.
 * Runs of a task version `passed` do not count: a worker waiting for them would wake at once, again and again.
 */
export async function nextDueMs(pool: Pool, passed: string[] = []): Promise<number | undefined> {
  const r = await pool.query<{ ms: number | null }>(
    `SELECT (extract(epoch FROM LEAST(
        (SELECT min(next_due_at) FROM runs WHERE ended_at IS NULL AND lease_owner IS NULL AND ${notPassed('$1')}),
        (SELECT min(lease_expires_at) FROM runs WHERE ended_at IS NULL AND lease_owner IS NOT NULL AND ${notPassed('$1')})) - now()) * 1000)::float8 AS ms`,
    [passed],
  );
  return r.rows[0]?.ms ?? undefined;
}

/**
 * Undoes a claim, leaving the run as it was for other workers (who are woken): due at once, or, when
 * the claim took it over, with its previous owner's expired lease and that attempt not counted.
 */
export async function passClaim(pool: Pool, claim: Claim, owner: string): Promise<boolean> {
  const r = await pool.query({
    name: 'stepwise_pass',
    text: `WITH passed AS (
             UPDATE runs SET lease_owner = $4::text,
                    lease_expires_at = CASE WHEN $4::text IS NULL THEN NULL ELSE now() END,
                    next_due_at = CASE WHEN $4::text IS NULL THEN now() END,
                    attempts = attempts - CASE WHEN $4::text IS NULL THEN 0 ELSE 1 END,
                    recover_reason = $5, updated_at = now()
              WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 AND ended_at IS NULL
             RETURNING id)
           SELECT pg_notify('stepwise_wake', id) FROM passed`,
    values: [claim.id, owner, claim.epoch, claim.prev_owner, claim.prev_reason],
  });
  return (r.rowCount ?? 0) > 0;
}

/**
 * Renews the leases `owner` holds, marking the runs in `idle` as making progress; returns the
 * epoch of each lease it still holds.
 */
export async function renewLeases(pool: Pool, owner: string, leaseTtlMs: number, idle: string[]): Promise<Map<string, number>> {
  const r = await pool.query<{ id: string; lease_epoch: number }>({
    name: 'stepwise_heartbeat',
    // Rows locked in id order, as the batched appends do, so that the two cannot deadlock.
    text: `WITH mine AS (SELECT id FROM runs WHERE lease_owner = $1 AND ended_at IS NULL ORDER BY id FOR UPDATE)
           UPDATE runs r SET lease_expires_at = now() + $2 * interval '1 millisecond',
                  progress_at = CASE WHEN r.id = ANY($3::text[]) THEN now() ELSE r.progress_at END
             FROM mine WHERE r.id = mine.id AND r.lease_owner = $1
           RETURNING r.id, r.lease_epoch`,
    values: [owner, leaseTtlMs, idle],
  });
  return new Map(r.rows.map((row) => [row.id, row.lease_epoch]));
}

export interface LeaseRelease {
  runId: string;
  owner: string;
  epoch: number;
  /** When the run is due again (on the real clock); undefined: only an event or a control wakes it. */
  due?: number;
  virtualUntil?: number;
  waiting: string[];
  timers: number[];
  /** The child runs of fan-out branches the run waits for: the end of one makes it due. */
  children: string[];
  /** Why the run stopped, when it was not at a clean waiting point (journaled by whoever continues it). */
  reason?: string;
}

/** Hands a run back (see stepwise_release in the migrations); false when the lease was lost. */
export async function releaseLease(pool: Pool, rel: LeaseRelease): Promise<boolean> {
  const r = await pool.query<{ ok: boolean; due: Date | null }>({
    name: 'stepwise_release',
    text: 'SELECT * FROM stepwise_release($1, $2, $3, $4, $5, $6, $7, $8, $9)',
    values: [
      rel.runId,
      rel.owner,
      rel.epoch,
      rel.due === undefined ? null : new Date(rel.due),
      rel.virtualUntil === undefined ? null : Math.round(rel.virtualUntil),
      rel.waiting,
      rel.timers.map((t) => new Date(t)),
      rel.reason ?? null,
      rel.children,
    ],
  });
  return Boolean(r.rows[0]?.ok);
}
