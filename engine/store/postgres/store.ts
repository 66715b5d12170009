// The PostgreSQL store behind the engine's RunStore interface. A worker's store appends only to the
// runs it holds a lease on: each append is one statement that moves the run's row (state, status,
// end, last_seq) and inserts the entries as one journal row, on the condition that the row still
// names this worker and lease epoch. A worker whose lease was taken over therefore cannot append any
// more (the append fails with LeaseLostError), and steps that do not follow the row's last_seq fail
// the statement as a duplicate key (stepwise_next_seq): no step is journaled twice whatever happens.
import { randomUUID } from 'node:crypto';
import type { JournalEvent } from '../../journal/events';
import { UnknownRunError, type InboxEvent, type RunStore, type TaskSource } from '../store';
import type { Listener, Pool } from './db';
import { coalescedRead } from './coalesce';

export class LeaseLostError extends Error {
  constructor(readonly runId: string, detail = 'its lease was taken over or released') {
    super(`Run ${runId} is no longer held by this worker: ${detail}.`);
    this.name = 'LeaseLostError';
  }
}

export class RunEndedError extends Error {
  constructor(readonly runId: string, readonly status: string) {
    super(`Run ${runId} has ended (${status}); it takes no more events.`);
    this.name = 'RunEndedError';
  }
}

export interface PgStoreOptions {
  pool: Pool;
  /** Notifications of new events for runs; without it, inboxes are polled only. */
  listener?: Listener;
  /** The worker that appends (lease owner); a store without one can read and send events only. */
  owner?: string;
  /** How long a lease lasts without renewal (for the child runs this worker creates). */
  leaseTtlMs?: number;
  /** How often an inbox is read again without a notification, in ms. */
  inboxPollMs?: number;
}

/** What an append does to the run's row, folded from the events appended. */
interface Moves {
  firstSeq: number;
  lastSeq: number;
  state: string | null;
  status: string | null;
  ended: boolean;
  reason: string | null;
  delivered: Array<{ id: string; seq: number }>;
}

function fold(runId: string, events: readonly JournalEvent[]): Moves {
  const m: Moves = { firstSeq: events[0].seq, lastSeq: events[0].seq - 1, state: null, status: null, ended: false, reason: null, delivered: [] };
  for (const e of events) {
    // One journal row holds consecutive steps: its key is the first, its last_seq the last.
    if (e.seq !== m.lastSeq + 1) throw new Error(`Run ${runId}: the steps of one append must follow each other (seq ${e.seq} after ${m.lastSeq}).`);
    m.lastSeq = e.seq;
    switch (e.type) {
      case 'state-entered':
        m.state = e.state;
        break;
      case 'run-paused':
        m.status = 'paused';
        break;
      case 'run-resumed':
        m.status = 'running';
        break;
      case 'run-ended':
        m.status = e.status;
        m.ended = true;
        m.reason = e.reason ?? null;
        break;
      case 'event-received':
        if (e.source?.startsWith('inbox:')) m.delivered.push({ id: e.source.slice('inbox:'.length), seq: e.seq });
        break;
    }
  }
  return m;
}

const APPEND_SQL = `
WITH moved AS (
  UPDATE runs SET
    updated_at = now(), progress_at = now(), last_seq = stepwise_next_seq($1, last_seq, $11, $4),
    state = COALESCE($5::text, state),
    status = COALESCE($6::text, status),
    reason = CASE WHEN $7::boolean THEN $8::text ELSE reason END,
    ended_at = CASE WHEN $7::boolean THEN now() ELSE ended_at END,
    control = CASE WHEN $7::boolean THEN NULL
                   WHEN $6::text = 'paused' AND control = 'pause' THEN NULL
                   WHEN $6::text = 'running' AND control = 'resume' THEN NULL
                   ELSE control END,
    lease_owner = CASE WHEN $7::boolean THEN NULL ELSE lease_owner END,
    lease_expires_at = CASE WHEN $7::boolean THEN NULL ELSE lease_expires_at END,
    next_due_at = CASE WHEN $7::boolean THEN NULL ELSE next_due_at END
  WHERE id = $1 AND lease_owner = $2 AND lease_epoch = $3 AND ended_at IS NULL
  RETURNING id
), ins AS (
  INSERT INTO journal (run_id, seq, last_seq, worker, epoch, events)
  SELECT $1, $11, $4, $2, $3, $9::jsonb FROM moved
  RETURNING seq
), delivered AS (
  UPDATE inbox SET delivered_seq = d.seq
  FROM moved, jsonb_to_recordset($10::jsonb) AS d(id uuid, seq integer)
  WHERE inbox.id = d.id AND inbox.run_id = $1
  RETURNING inbox.id
)
SELECT (SELECT count(*) FROM moved)::integer AS moved, (SELECT count(*) FROM ins)::integer AS inserted`;

/**
 * Appends of many runs in one statement (group commit): each run's row is moved and its entries
 * inserted only where the row still names this worker and the run's epoch; the ids moved come back.
 */
const APPEND_BATCH_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($2::jsonb)
    AS x(run_id text, epoch integer, first_seq integer, last_seq integer, state text, status text, ended boolean, reason text, events jsonb, delivered jsonb)
), locked AS (
  -- Rows locked in id order, as the heartbeat does, so that concurrent statements cannot deadlock.
  SELECT r.id FROM runs r JOIN input i ON i.run_id = r.id ORDER BY r.id FOR UPDATE OF r
), moved AS (
  UPDATE runs r SET
    updated_at = now(), progress_at = now(), last_seq = stepwise_next_seq(r.id, r.last_seq, i.first_seq, i.last_seq),
    state = COALESCE(i.state, r.state),
    status = COALESCE(i.status, r.status),
    reason = CASE WHEN i.ended THEN i.reason ELSE r.reason END,
    ended_at = CASE WHEN i.ended THEN now() ELSE r.ended_at END,
    control = CASE WHEN i.ended THEN NULL
                   WHEN i.status = 'paused' AND r.control = 'pause' THEN NULL
                   WHEN i.status = 'running' AND r.control = 'resume' THEN NULL
                   ELSE r.control END,
    lease_owner = CASE WHEN i.ended THEN NULL ELSE r.lease_owner END,
    lease_expires_at = CASE WHEN i.ended THEN NULL ELSE r.lease_expires_at END,
    next_due_at = CASE WHEN i.ended THEN NULL ELSE r.next_due_at END
  FROM input i JOIN locked l ON l.id = i.run_id
  WHERE r.id = i.run_id AND r.lease_owner = $1 AND r.lease_epoch = i.epoch AND r.ended_at IS NULL
  RETURNING r.id
), ins AS (
  INSERT INTO journal (run_id, seq, last_seq, worker, epoch, events)
  SELECT i.run_id, i.first_seq, i.last_seq, $1, i.epoch, i.events FROM input i JOIN moved m ON m.id = i.run_id
  RETURNING run_id
), delivered AS (
  UPDATE inbox SET delivered_seq = d.seq
    FROM input i JOIN moved m ON m.id = i.run_id CROSS JOIN LATERAL jsonb_to_recordset(i.delivered) AS d(id uuid, seq integer)
   WHERE inbox.id = d.id AND inbox.run_id = i.run_id
  RETURNING inbox.id
)
SELECT id FROM moved`;

interface Pending {
  runId: string;
  epoch: number;
  events: readonly JournalEvent[];
  moves: Moves;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/** The first append of a run started inside a worker (a `call`'s child): creates its row, leased. */
const CREATE_SQL = `
WITH created AS (
  INSERT INTO runs (id, task, task_file, parent_id, clock, state, status, lease_owner, lease_epoch,
                    lease_expires_at, claimed_at, last_seq)
  VALUES ($1, $4, $5, $6, $7, NULL, 'running', $2, $3, now() + $8 * interval '1 millisecond', now(), $10)
  ON CONFLICT (id) DO NOTHING
  RETURNING id
)
INSERT INTO journal (run_id, seq, last_seq, worker, epoch, events)
SELECT $1, 1, $10, $2, $3, $9::jsonb FROM created
RETURNING seq`;

export class PgStore implements RunStore {
  readonly pool: Pool;
  readonly owner: string | undefined;
  /** Lease epochs this worker holds, by run id. */
  readonly leases = new Map<string, number>();
  private readonly listener: Listener | undefined;
  private readonly leaseTtlMs: number;
  private readonly inboxPollMs: number;
  private queue: Pending[] = [];
  private inFlight = 0;
  private flushScheduled = false;

  constructor(options: PgStoreOptions) {
    this.pool = options.pool;
    this.owner = options.owner;
    this.listener = options.listener;
    this.leaseTtlMs = options.leaseTtlMs ?? 30_000;
    this.inboxPollMs = options.inboxPollMs ?? 2_000;
  }

  async append(runId: string, events: readonly JournalEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (!this.owner) throw new Error('This store reads only: it holds no lease to append with.');
    const epoch = this.leases.get(runId);
    const json = JSON.stringify(events);
    const moves = fold(runId, events);
    if (epoch === undefined) {
      const first = events[0];
      if (first.type !== 'run-started' || first.seq !== 1) throw new LeaseLostError(runId, 'this worker holds no lease on it');
      const r = await this.pool.query(CREATE_SQL, [
        runId,
        this.owner,
        1,
        first.task,
        first.file ?? null,
        first.parentRunId ?? null,
        first.clock,
        this.leaseTtlMs,
        json,
        moves.lastSeq,
      ]);
      if (r.rowCount !== 1) throw new LeaseLostError(runId, 'a run with this id exists already');
      this.leases.set(runId, 1);
      return;
    }
    // Appends of every run of this worker are grouped: one statement (and commit) per batch,
    // with at most two batches in flight; a run awaits its own append before its next step.
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ runId, epoch, events, moves, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushScheduled || this.queue.length === 0 || this.inFlight >= 2) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      while (this.inFlight < 2 && this.queue.length > 0) {
        const batch: Pending[] = [];
        const rest: Pending[] = [];
        const ids = new Set<string>();
        for (const p of this.queue) {
          if (batch.length < 500 && !ids.has(p.runId)) {
            ids.add(p.runId);
            batch.push(p);
          } else rest.push(p);
        }
        this.queue = rest;
        this.inFlight++;
        void this.send(batch).finally(() => {
          this.inFlight--;
          this.kick();
        });
      }
    });
  }

  private settle(p: Pending, moved: boolean): void {
    if (!moved) {
      if (this.leases.get(p.runId) === p.epoch) this.leases.delete(p.runId);
      p.reject(new LeaseLostError(p.runId));
      return;
    }
    if (p.moves.ended && this.leases.get(p.runId) === p.epoch) this.leases.delete(p.runId);
    p.resolve();
  }

  private async send(batch: Pending[]): Promise<void> {
    if (batch.length === 1) return this.sendOne(batch[0]);
    const input = batch.map((p) => ({
      run_id: p.runId,
      epoch: p.epoch,
      first_seq: p.moves.firstSeq,
      last_seq: p.moves.lastSeq,
      state: p.moves.state,
      status: p.moves.status,
      ended: p.moves.ended,
      reason: p.moves.reason,
      events: p.events,
      delivered: p.moves.delivered,
    }));
    let moved: Set<string> | undefined;
    for (let attempt = 1; !moved; attempt++) {
      try {
        const r = await this.pool.query<{ id: string }>({ name: 'stepwise_append_batch', text: APPEND_BATCH_SQL, values: [this.owner, JSON.stringify(input)] });
        moved = new Set(r.rows.map((row) => row.id));
      } catch (err) {
        const code = (err as { code?: string }).code;
        // One duplicate step fails the whole statement: append one by one to find whose it is.
        if (code === '23505') {
          await Promise.all(batch.map((p) => this.sendOne(p)));
          return;
        }
        // A deadlock or serialization failure rolled everything back: the same batch again is safe.
        if ((code === '40P01' || code === '40001') && attempt < 5) continue;
        for (const p of batch) p.reject(err);
        return;
      }
    }
    for (const p of batch) this.settle(p, moved.has(p.runId));
  }

  private async sendOne(p: Pending): Promise<void> {
    const m = p.moves;
    let r;
    try {
      r = await this.pool.query<{ moved: number; inserted: number }>({
        name: 'stepwise_append',
        text: APPEND_SQL,
        values: [p.runId, this.owner, p.epoch, m.lastSeq, m.state, m.status, m.ended, m.reason, JSON.stringify(p.events), JSON.stringify(m.delivered), m.firstSeq],
      });
    } catch (err) {
      // A duplicate (run_id, seq): somebody else journaled this step, so this worker lost the run.
      if ((err as { code?: string }).code === '23505') {
        p.reject(new LeaseLostError(p.runId, 'another worker journaled this step'));
        return;
      }
      p.reject(err);
      return;
    }
    this.settle(p, r.rows[0].moved === 1);
  }

  async keepSource(s: TaskSource): Promise<void> {
    await this.pool.query('INSERT INTO task_sources (hash, name, file, source) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING', [
      s.hash,
      s.name,
      s.file ?? null,
      s.source,
    ]);
  }

  async readSource(hash: string): Promise<string | undefined> {
    const r = await this.pool.query<{ source: string }>('SELECT source FROM task_sources WHERE hash = $1', [hash]);
    return r.rows[0]?.source;
  }

  async read(runId: string): Promise<JournalEvent[]> {
    const r = await this.pool.query<{ events: JournalEvent[] }>({ name: 'stepwise_read', text: 'SELECT events FROM journal WHERE run_id = $1 ORDER BY seq', values: [runId] });
    if (r.rows.length === 0) {
      const exists = await this.pool.query('SELECT 1 FROM runs WHERE id = $1', [runId]);
      if (exists.rowCount === 0) throw new UnknownRunError(runId);
    }
    return r.rows.flatMap((row) => row.events);
  }

  /** Journal entries after `afterSeq`, in order. */
  async readAfter(runId: string, afterSeq: number): Promise<JournalEvent[]> {
    const r = await this.pool.query<{ events: JournalEvent[] }>('SELECT events FROM journal WHERE run_id = $1 AND last_seq > $2 ORDER BY seq', [runId, afterSeq]);
    return r.rows.flatMap((row) => row.events.filter((e) => e.seq > afterSeq));
  }

  async list(): Promise<string[]> {
    const r = await this.pool.query<{ id: string }>('SELECT id FROM runs ORDER BY created_at, id');
    return r.rows.map((row) => row.id);
  }

  async sendEvent(runId: string, name: string, data: unknown): Promise<InboxEvent> {
    const client = await this.pool.connect();
    const event: InboxEvent = { id: randomUUID(), name, data };
    try {
      await client.query('BEGIN');
      const run = await client.query<{ status: string; ended: boolean }>('SELECT status, ended_at IS NOT NULL AS ended FROM runs WHERE id = $1', [runId]);
      if (run.rowCount === 0) throw new UnknownRunError(runId);
      if (run.rows[0].ended) throw new RunEndedError(runId, run.rows[0].status);
      await client.query('INSERT INTO inbox (id, run_id, name, data) VALUES ($1, $2, $3, $4::jsonb)', [event.id, runId, name, JSON.stringify(data ?? null)]);
      // A released run becomes due at once; a held one hears of the event through the notification.
      await client.query(`UPDATE runs SET next_due_at = now() WHERE id = $1 AND status = 'running' AND ended_at IS NULL AND lease_owner IS NULL`, [runId]);
      await client.query(`SELECT pg_notify('stepwise_inbox', $1), pg_notify('stepwise_wake', $1)`, [runId]);
      await client.query('COMMIT');
      return event;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  watchInbox(runId: string, onEvent: (e: InboxEvent) => void): () => void {
    const seen = new Set<string>();
    const reader = coalescedRead(async (stopped) => {
      const r = await this.pool.query<{ id: string; name: string; data: unknown }>(
        'SELECT id, name, data FROM inbox WHERE run_id = $1 AND delivered_seq IS NULL ORDER BY n',
        [runId],
      );
      for (const row of r.rows) {
        if (stopped() || seen.has(row.id)) continue;
        seen.add(row.id);
        onEvent({ id: row.id, name: row.name, data: row.data });
      }
    });
    const unsubscribe = this.listener?.subscribe('stepwise_inbox', (payload) => {
      if (payload === runId) reader.trigger();
    });
    this.listener?.on('reconnected', reader.trigger);
    reader.trigger();
    const timer = setInterval(reader.trigger, this.inboxPollMs);
    timer.unref();
    return () => {
      reader.stop();
      clearInterval(timer);
      unsubscribe?.();
      this.listener?.off('reconnected', reader.trigger);
    };
  }

  async prune(olderThanMs: number): Promise<number> {
    let total = 0;
    for (;;) {
      // The journal has no foreign key (see migration 2): a run's journal goes in the same statement.
      const r = await this.pool.query(
        `WITH gone AS (
           DELETE FROM runs WHERE id IN (
             SELECT id FROM runs WHERE ended_at IS NOT NULL AND ended_at < now() - $1 * interval '1 millisecond' LIMIT 500)
           RETURNING id
         ), journal AS (DELETE FROM journal WHERE run_id IN (SELECT id FROM gone))
         SELECT id FROM gone`,
        [olderThanMs],
      );
      total += r.rowCount ?? 0;
      if ((r.rowCount ?? 0) < 500) return total;
    }
  }

  async close(): Promise<void> {
    // The pool belongs to whoever created it.
  }
}
