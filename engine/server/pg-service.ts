// The REST API's side of the PostgreSQL store: starting runs (their row and first journal entry in
// one statement), listing, reading, sending events, controls for the workers to apply, and watching
// journals through the notifications the journal table's trigger sends.
import { currentSecrets, type SecretValues } from '../secrets/env';
import type { JournalEvent, ScheduleTrigger } from '../journal/events';
import { replay } from '../journal/replay';
import { resolveInput } from '../runtime/load';
import { lintText } from '../lint/index';
import { redact } from '../runtime/redact';
import { RetryError, retryPrefix } from '../runtime/retry';
import { newRunId } from '../runtime/run-id';
import type { Listener, Pool } from '../store/postgres/db';
import { coalescedRead } from '../store/postgres/coalesce';
import { PgStore, RunEndedError } from '../store/postgres/store';
import { UnknownRunError } from '../store/store';
import {
  decodeCursor,
  encodeCursor,
  type ControlAction,
  type ListQuery,
  type RunDetail,
  type RunPage,
  type RunService,
  type RunStatus,
  type RunSummary,
} from './service';
import { ApiError } from './support';
import type { RegisteredTask } from './tasks';

interface Row {
  id: string;
  task: string;
  status: RunStatus;
  state: string | null;
  reason: string | null;
  parent_id: string | null;
  clock: 'real' | 'virtual';
  attempts: number;
  lease_owner: string | null;
  next_due_at: Date | null;
  created_at: Date;
  updated_at: Date;
  ended_at: Date | null;
  created_key: string;
  waiting_events: string[];
  task_hash: string | null;
}

const COLUMNS = `id, task, status, state, reason, parent_id, clock, attempts, lease_owner, next_due_at,
  created_at, updated_at, ended_at, created_at::text AS created_key, waiting_events, task_hash`;

function summary(r: Row): RunSummary {
  return {
    id: r.id,
    task: r.task,
    status: r.status,
    state: r.state,
    reason: r.reason,
    parentId: r.parent_id,
    clock: r.clock,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    endedAt: r.ended_at ? r.ended_at.toISOString() : null,
    attempts: r.attempts,
    worker: r.lease_owner,
    nextDueAt: r.next_due_at ? r.next_due_at.toISOString() : null,
    taskHash: r.task_hash,
  };
}

const START_SQL = `
WITH src AS (
  INSERT INTO task_sources (hash, name, file, source) VALUES ($5, $2, $3, $6) ON CONFLICT (hash) DO NOTHING
), r AS (
  -- The copied prefix is one append: seq 1 to its last (the journal's steps are numbered from 1).
  INSERT INTO runs (id, task, task_hash, task_file, clock, status, next_due_at, last_seq)
  VALUES ($1, $2, $5, $3, $4, 'running', now(), 1)
  RETURNING ${COLUMNS}
), j AS (
  INSERT INTO journal (run_id, seq, last_seq, worker, epoch, events) SELECT id, 1, 1, 'api', 0, jsonb_build_array($7::jsonb) FROM r
)
SELECT r.*, pg_notify('stepwise_wake', r.id) FROM r`;

/** A retry: a new run row of the same task version, with its journal copied up to the fork point. */
const RETRY_SQL = `
WITH src AS (
  SELECT task, task_hash, task_file, clock FROM runs WHERE id = $1
), r AS (
  -- The copied prefix is one append: seq 1 to its last (the journal's steps are numbered from 1).
  INSERT INTO runs (id, task, task_hash, task_file, clock, status, next_due_at, last_seq)
  SELECT $2, task, task_hash, task_file, clock, 'running', now(), $3 FROM src
  RETURNING ${COLUMNS}
), j AS (
  INSERT INTO journal (run_id, seq, last_seq, worker, epoch, events)
  SELECT r.id, 1, $3, 'api', 0, $4::jsonb FROM r
)
SELECT r.*, pg_notify('stepwise_wake', r.id) FROM r`;

export interface PgServiceOptions {
  pool: Pool;
  listener: Listener;
  clock: 'real' | 'virtual';
  secrets?: SecretValues;
  /** How long a control waits for the worker to apply it before answering (ms). */
  controlWaitMs?: number;
}

export class PgService implements RunService {
  readonly kind = 'postgres' as const;
  private readonly store: PgStore;
  private readonly feed: JournalFeed;

  constructor(private readonly o: PgServiceOptions) {
    this.store = new PgStore({ pool: o.pool, listener: o.listener });
    this.feed = new JournalFeed(this.store, o.listener);
  }

  /** Keeps the sources of the registered tasks, so that workers find `call`ed files by path. */
  async registerSources(tasks: RegisteredTask[]): Promise<void> {
    for (const t of tasks) {
      await this.o.pool.query('INSERT INTO task_sources (hash, name, file, source) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING', [
        t.hash,
        t.name,
        t.file,
        t.source,
      ]);
    }
  }

  async start(task: RegisteredTask, given: Record<string, unknown>, trigger?: ScheduleTrigger): Promise<RunSummary> {
    const input = resolveInput(task.task.model, given);
    for (let tries = 0; ; tries++) {
      const id = newRunId();
      const event = redact(
        {
          seq: 1,
          at: Date.now(),
          type: 'run-started',
          runId: id,
          task: task.name,
          file: task.file,
          taskHash: task.hash,
          ...(trigger ? { trigger } : {}),
          input,
          data: structuredClone(task.task.model.data),
          clock: this.o.clock,
          pid: process.pid,
        } as JournalEvent,
        currentSecrets(this.o.secrets),
      );
      try {
        const r = await this.o.pool.query<Row>(START_SQL, [id, task.name, task.file, this.o.clock, task.hash, task.source, JSON.stringify(event)]);
        return summary(r.rows[0]);
      } catch (err) {
        if ((err as { code?: string }).code === '23505' && tries < 3) continue;
        throw err;
      }
    }
  }

  async retry(id: string, from?: string): Promise<{ run: RunSummary; retryOf: string; from: string }> {
    await this.row(id);
    const journal = await this.store.read(id);
    let plan: ReturnType<typeof retryPrefix>;
    try {
      plan = retryPrefix(journal, from);
    } catch (err) {
      if (err instanceof RetryError) throw new ApiError(409, 'cannot-retry', err.message);
      throw err;
    }
    const started = plan.prefix[0] as Extract<JournalEvent, { type: 'run-started' }>;
    const source = started.taskHash ? await this.store.readSource(started.taskHash) : undefined;
    if (source !== undefined && !lintText(source).model.states.some((st) => st.name === plan.from)) {
      throw new ApiError(409, 'cannot-retry', `State '${plan.from}' is not in the task version run ${id} started with.`);
    }
    for (let tries = 0; ; tries++) {
      const newId = newRunId();
      const last = plan.prefix[plan.prefix.length - 1];
      const events: JournalEvent[] = [
        { ...started, runId: newId },
        ...plan.prefix.slice(1),
        { seq: last.seq + 1, at: Math.max(Date.now(), last.at), type: 'run-forked', from: id, atSeq: last.seq, pid: process.pid },
      ];
      try {
        const r = await this.o.pool.query<Row>(RETRY_SQL, [id, newId, events.length, JSON.stringify(events)]);
        return { run: summary(r.rows[0]), retryOf: id, from: plan.from };
      } catch (err) {
        if ((err as { code?: string }).code === '23505' && tries < 3) continue;
        throw err;
      }
    }
  }

  source(hash: string): Promise<string | undefined> {
    return this.store.readSource(hash);
  }

  async list(q: ListQuery): Promise<RunPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.task) where.push(`task = $${params.push(q.task)}`);
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.state) where.push(`state = $${params.push(q.state)}`);
    if (q.cursor) {
      const c = decodeCursor(q.cursor, (v): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string'));
      if (!c) throw new ApiError(400, 'invalid-query', "'cursor' is not a cursor this server gave out.");
      where.push(`(created_at, id) < ($${params.push(c[0])}::timestamptz, $${params.push(c[1])})`);
    }
    const sql = `SELECT ${COLUMNS} FROM runs ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
                 ORDER BY created_at DESC, id DESC LIMIT $${params.push(q.limit + 1)}`;
    const r = await this.o.pool.query<Row>(sql, params);
    const rows = r.rows.slice(0, q.limit);
    const last = rows[rows.length - 1];
    return { runs: rows.map(summary), next: r.rows.length > q.limit && last ? encodeCursor([last.created_key, last.id]) : null };
  }

  private async row(id: string): Promise<Row> {
    const r = await this.o.pool.query<Row>(`SELECT ${COLUMNS} FROM runs WHERE id = $1`, [id]);
    if (r.rowCount === 0) throw notFound(id);
    return r.rows[0];
  }

  async get(id: string): Promise<RunDetail> {
    const row = await this.row(id);
    const journal = await this.store.read(id);
    const s = replay(journal);
    return { ...summary(row), input: s.input, data: s.data, error: s.error ?? null, waitingFor: row.waiting_events, journal };
  }

  async send(id: string, name: string, data: unknown): Promise<{ id: string }> {
    try {
      const e = await this.store.sendEvent(id, name, data);
      return { id: e.id };
    } catch (err) {
      if (err instanceof UnknownRunError) throw notFound(id);
      if (err instanceof RunEndedError) throw new ApiError(409, 'run-ended', err.message);
      throw err;
    }
  }

  async control(id: string, action: ControlAction, reason?: string): Promise<{ run: RunSummary; applied: boolean }> {
    const cond = action === 'pause' ? `status = 'running'` : action === 'resume' ? `status = 'paused'` : 'true';
    const r = await this.o.pool.query(
      `WITH moved AS (
         UPDATE runs SET control = $2, control_reason = $3,
                next_due_at = CASE WHEN lease_owner IS NULL THEN now() ELSE next_due_at END
          WHERE id = $1 AND ended_at IS NULL AND ${cond}
          RETURNING id)
       SELECT pg_notify('stepwise_control', id), pg_notify('stepwise_wake', id) FROM moved`,
      [id, action, reason ?? null],
    );
    if (r.rowCount === 0) {
      const row = await this.row(id);
      if (row.ended_at) throw new ApiError(409, 'run-ended', `Run ${id} has ended (${row.status}); it can no longer be ${past(action)}.`);
      if (action === 'pause' && row.status === 'paused') return { run: summary(row), applied: true };
      if (action === 'resume') throw new ApiError(409, 'not-paused', `Run ${id} is not paused (it is ${row.status}); only a paused run can be resumed.`);
      throw new ApiError(409, 'conflict', `Run ${id} is ${row.status}.`);
    }
    const deadline = Date.now() + (this.o.controlWaitMs ?? 5_000);
    for (;;) {
      const row = await this.row(id);
      const applied =
        action === 'cancel' ? row.ended_at !== null : action === 'pause' ? row.status === 'paused' || row.ended_at !== null : row.status !== 'paused';
      if (applied || Date.now() > deadline) return { run: summary(row), applied };
      await new Promise((res) => setTimeout(res, 25));
    }
  }

  async watchRun(id: string, afterSeq: number, onEvent: (e: JournalEvent) => void): Promise<() => void> {
    await this.row(id);
    return this.feed.watchRun(id, afterSeq, onEvent);
  }

  watchAll(onEvent: (runId: string, e: JournalEvent) => void): () => void {
    return this.feed.watchAll(onEvent);
  }

  async close(): Promise<void> {
    this.feed.close();
  }
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'run-not-found', `No run '${id}'. List runs with GET /v1/runs.`);
}

function past(action: ControlAction): string {
  return action === 'pause' ? 'paused' : action === 'resume' ? 'resumed' : 'cancelled';
}

/**
 * Journal entries as they are appended, for watchers: a notification names the run and seq, and
 * each watcher reads the entries after the last one it delivered, so it gets every entry exactly
 * once and in order, whatever notifications are merged or missed (a slow poll covers a lost
 * connection).
 */
export class JournalFeed {
  private readonly globals = new Set<(runId: string, e: JournalEvent) => void>();
  private readonly globalCursors = new Map<string, number>();
  private readonly globalChains = new Map<string, Promise<void>>();
  private readonly perRun = new Map<string, Set<() => void>>();
  private readonly unsubscribe: () => void;

  constructor(private readonly store: PgStore, private readonly listener: Listener, private readonly pollMs = 2_000) {
    // One notification per append statement: 'run:seq-last_seq' of each run appended to, comma-separated.
    this.unsubscribe = listener.subscribe('stepwise_journal', (payload) => {
      for (const appended of payload.split(',')) {
        const m = /^(.+):(\d+)-(\d+)$/.exec(appended);
        if (!m) continue;
        const runId = m[1];
        for (const poke of this.perRun.get(runId) ?? []) poke();
        if (this.globals.size) this.globalNotify(runId, Number(m[2]), Number(m[3]));
      }
    });
  }

  watchRun(runId: string, afterSeq: number, onEvent: (e: JournalEvent) => void): () => void {
    let cursor = afterSeq;
    const reader = coalescedRead(async (stopped) => {
      const events = await this.store.readAfter(runId, cursor);
      for (const e of events) {
        if (stopped() || e.seq !== cursor + 1) break;
        cursor = e.seq;
        onEvent(e);
      }
    });
    const poke = reader.trigger;
    let set = this.perRun.get(runId);
    if (!set) this.perRun.set(runId, (set = new Set()));
    set.add(poke);
    this.listener.on('reconnected', poke);
    const timer = setInterval(poke, this.pollMs);
    timer.unref();
    poke();
    return () => {
      reader.stop();
      clearInterval(timer);
      this.listener.off('reconnected', poke);
      set!.delete(poke);
      if (set!.size === 0) this.perRun.delete(runId);
    };
  }

  watchAll(onEvent: (runId: string, e: JournalEvent) => void): () => void {
    this.globals.add(onEvent);
    return () => {
      this.globals.delete(onEvent);
      if (this.globals.size === 0) this.globalCursors.clear();
    };
  }

  private globalNotify(runId: string, seq: number, lastSeq: number): void {
    if (!this.globalCursors.has(runId)) this.globalCursors.set(runId, seq - 1);
    const prev = this.globalChains.get(runId) ?? Promise.resolve();
    const next = prev.then(async () => {
      const cursor = this.globalCursors.get(runId);
      if (cursor === undefined || cursor >= lastSeq) return;
      let events: JournalEvent[];
      try {
        events = await this.store.readAfter(runId, cursor);
      } catch {
        return;
      }
      let last = cursor;
      for (const e of events) {
        if (e.seq !== last + 1) break;
        last = e.seq;
        for (const g of this.globals) g(runId, e);
      }
      if (events.some((e) => e.type === 'run-ended')) this.globalCursors.delete(runId);
      else this.globalCursors.set(runId, last);
    });
    this.globalChains.set(runId, next);
    void next.finally(() => {
      if (this.globalChains.get(runId) === next) this.globalChains.delete(runId);
    });
  }

  close(): void {
    this.unsubscribe();
    this.globals.clear();
  }
}
