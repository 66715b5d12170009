// Recovery and retention on PostgreSQL. Exactly one process at a time scans: the one that holds a
// session-level advisory lock (the others try again at each interval, and one takes over when the
// holder's connection goes away). A scan retries the runs that are stuck — held by a live worker
// that has journaled nothing for `recovery.retryAfter` — from their journal, ends those that used
// up `recovery.maxAttempts` as failed with reason `recovery-exhausted`, and deletes the runs that
// ended longer ago than `retention`. (Runs whose worker died are taken over by the claim query
// itself once their lease expires.)
import pg from 'pg';
import type { JournalEvent } from '../journal/events';
import { replay } from '../journal/replay';
import { LOCK_RECOVERY, type Pool } from '../store/postgres/db';
import { PgStore } from '../store/postgres/store';
import { errorMessage } from './support';

export interface RecoveryOptions {
  url: string;
  pool: Pool;
  owner: string;
  retryAfterMs: number;
  maxAttempts: number;
  excluded?: (task: string) => boolean;
  scanEveryMs: number;
  retentionMs: number;
  log?: (line: string) => void;
}

export class RecoveryScanner {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private busy: Promise<void> | undefined;
  private readonly store: PgStore;
  /** True while this process holds the lock and does the scans. */
  leader = false;
  readonly stats = { scans: 0, retried: 0, exhausted: 0, pruned: 0 };

  constructor(private readonly o: RecoveryOptions) {
    this.store = new PgStore({ pool: o.pool, owner: `${o.owner}/recovery`, leaseTtlMs: 60_000 });
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.busy = this.tick().finally(() => {
        this.busy = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.o.scanEveryMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.busy;
    const c = this.client;
    this.client = undefined;
    this.leader = false;
    await c?.end().catch(() => undefined);
  }

  private log(line: string): void {
    this.o.log?.(`[recovery ${this.o.owner}] ${line}`);
  }

  private async tick(): Promise<void> {
    try {
      if (!this.leader) await this.tryLead();
      if (this.leader) await this.scan();
    } catch (err) {
      this.log(`scan failed: ${errorMessage(err)}`);
    }
  }

  private async tryLead(): Promise<void> {
    if (!this.client) {
      const client = new pg.Client({ connectionString: this.o.url, connectionTimeoutMillis: 10_000 });
      const lost = () => {
        if (this.client !== client) return;
        this.client = undefined;
        if (this.leader) this.log('lost the recovery lock (connection closed)');
        this.leader = false;
        client.end().catch(() => undefined);
      };
      client.on('error', lost);
      client.on('end', lost);
      await client.connect();
      this.client = client;
    }
    const r = await this.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_RECOVERY]);
    if (r.rows[0].ok) {
      this.leader = true;
      this.log('holds the recovery lock: scanning');
    }
  }

  /** One scan; also callable directly (tests). */
  async scan(): Promise<void> {
    this.stats.scans++;
    const stuck = await this.o.pool.query<{ id: string; task: string; attempts: number; lease_owner: string; lease_epoch: number }>(
      `SELECT id, task, attempts, lease_owner, lease_epoch FROM runs
        WHERE ended_at IS NULL AND lease_owner IS NOT NULL AND lease_expires_at > now()
          AND progress_at < now() - $1 * interval '1 millisecond'
        ORDER BY progress_at LIMIT 500`,
      [this.o.retryAfterMs],
    );
    for (const run of stuck.rows) {
      if (this.o.excluded?.(run.task)) continue;
      if (run.attempts + 1 > this.o.maxAttempts) await this.exhaust(run);
      else await this.retry(run);
    }
    if (this.o.retentionMs > 0) {
      const n = await this.store.prune(this.o.retentionMs);
      this.stats.pruned += n;
      if (n) this.log(`deleted ${n} run${n === 1 ? '' : 's'} that ended more than the retention period ago`);
    }
  }

  /** Takes the run from its worker (a new epoch fences it out) and makes it due for any worker. */
  private async retry(run: { id: string; lease_owner: string; lease_epoch: number; attempts: number }): Promise<void> {
    const r = await this.o.pool.query(
      `WITH moved AS (
         UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL, lease_epoch = lease_epoch + 1,
                attempts = attempts + 1, recover_reason = 'retry', next_due_at = now(), updated_at = now()
          WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 AND ended_at IS NULL
            AND progress_at < now() - $4 * interval '1 millisecond'
          RETURNING id)
       SELECT pg_notify('stepwise_wake', id), pg_notify('stepwise_revoked', id) FROM moved`,
      [run.id, run.lease_owner, run.lease_epoch, this.o.retryAfterMs],
    );
    if (r.rowCount) {
      this.stats.retried++;
      this.log(`run ${run.id} made no progress for ${this.o.retryAfterMs} ms on ${run.lease_owner}: retrying it (attempt ${run.attempts + 1})`);
    }
  }

  private async exhaust(run: { id: string; lease_owner: string; lease_epoch: number; attempts: number }): Promise<void> {
    const r = await this.o.pool.query<{ lease_epoch: number }>(
      `UPDATE runs SET lease_owner = $4, lease_epoch = lease_epoch + 1, lease_expires_at = now() + interval '1 minute'
        WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 AND ended_at IS NULL
        RETURNING lease_epoch`,
      [run.id, run.lease_owner, run.lease_epoch, this.store.owner],
    );
    if (!r.rowCount) return;
    await this.o.pool.query(`SELECT pg_notify('stepwise_revoked', $1)`, [run.id]);
    this.store.leases.set(run.id, r.rows[0].lease_epoch);
    try {
      const history = await this.store.read(run.id);
      const state = replay(history);
      const last = history[history.length - 1];
      const event = {
        type: 'run-ended',
        status: 'failed',
        reason: 'recovery-exhausted',
        error: {
          kind: 'recovery',
          message: `The run made no progress for ${this.o.retryAfterMs / 1000}s in state '${state.state ?? '-'}' on each of its ${run.attempts} attempt${run.attempts === 1 ? '' : 's'}.`,
        },
        seq: last.seq + 1,
        at: state.clock === 'virtual' ? last.at : Math.max(Date.now(), last.at),
      } as JournalEvent;
      await this.store.append(run.id, [event]);
      this.stats.exhausted++;
      this.log(`run ${run.id} failed: recovery-exhausted after ${run.attempts} attempts`);
    } finally {
      this.store.leases.delete(run.id);
    }
  }
}
