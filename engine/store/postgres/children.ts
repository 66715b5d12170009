// The child runs of fan-out branches on PostgreSQL: each `call` of a branch or map item is a run of
// its own, created due at once so that any worker may claim it, with its parent, branch name or item
// index in its row. The parent waits for its end here; the end is heard through the 'stepwise_child'
// notification of the runs_ended trigger (migration 3), with a poll behind it for a lost connection.
import type { CallResult } from '../../instructions/types';
import type { BranchTag, JournalEvent } from '../../journal/events';
import { replay } from '../../journal/replay';
import { abortError } from '../../runtime/clock';
import { coalescedRead, type CoalescedRead } from './coalesce';
import type { Listener, Pool } from './db';

export interface ChildRunsOptions {
  pool: Pool;
  listener: Listener;
  /** Who creates the children (the journal names it as the appender of their first entry). */
  owner: string;
  /** How often the ends are read again without a notification, in ms. */
  pollMs: number;
}

export interface NewChild {
  parentId: string;
  branch: BranchTag;
  /** The child's first journal entry (seq 1): its id, task, input, data and clock. */
  started: Extract<JournalEvent, { type: 'run-started' }>;
}

/** The row and first entry of a child run; nothing when it exists already (the same branch attempt). */
const CREATE_SQL = `
WITH created AS (
  INSERT INTO runs (id, task, task_hash, task_file, parent_id, parent_branch, parent_index, clock, status, next_due_at, last_seq)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'running', now(), 1)
  ON CONFLICT (id) DO NOTHING
  RETURNING id
), journaled AS (
  INSERT INTO journal (run_id, seq, last_seq, worker, epoch, events)
  SELECT id, 1, 1, $9, 0, jsonb_build_array($10::jsonb) FROM created
  RETURNING run_id
)
SELECT pg_notify('stepwise_wake', run_id) FROM journaled`;

interface Waiter {
  resolve(result: CallResult): void;
}

/** The children one parent waits for, read together. */
interface Watch {
  waiters: Map<string, Waiter>;
  reader: CoalescedRead;
}

export class ChildRuns {
  private readonly watches = new Map<string, Watch>();
  private readonly unsubscribe: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: ChildRunsOptions) {
    this.unsubscribe.push(o.listener.subscribe('stepwise_child', (parentId) => this.watches.get(parentId)?.reader.trigger()));
    const all = () => {
      for (const w of this.watches.values()) w.reader.trigger();
    };
    o.listener.on('reconnected', all);
    this.unsubscribe.push(() => o.listener.off('reconnected', all));
  }

  /** Creates the child run, due for any worker; idempotent (a resumed parent asks again). */
  async start(child: NewChild): Promise<void> {
    const s = child.started;
    await this.o.pool.query({
      name: 'stepwise_child_create',
      text: CREATE_SQL,
      values: [s.runId, s.task, s.taskHash ?? null, s.file ?? null, child.parentId, child.branch.branch ?? null, child.branch.item ?? null, s.clock, this.o.owner, JSON.stringify(s)],
    });
  }

  /** Resolves with the child's end (status and final data); rejects when `signal` aborts first. */
  ended(parentId: string, childId: string, signal: AbortSignal): Promise<CallResult> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    let watch = this.watches.get(parentId);
    if (!watch) {
      const w: Watch = { waiters: new Map(), reader: coalescedRead((stopped) => this.read(w, stopped)) };
      this.watches.set(parentId, (watch = w));
      this.timer ??= setInterval(() => {
        for (const x of this.watches.values()) x.reader.trigger();
      }, this.o.pollMs);
    }
    const w = watch;
    return new Promise<CallResult>((resolve, reject) => {
      const leave = () => {
        signal.removeEventListener('abort', onAbort);
        if (w.waiters.get(childId) !== waiter) return;
        w.waiters.delete(childId);
        if (w.waiters.size > 0) return;
        w.reader.stop();
        this.watches.delete(parentId);
        if (this.watches.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      };
      const waiter: Waiter = {
        resolve: (result) => {
          leave();
          resolve(result);
        },
      };
      const onAbort = () => {
        leave();
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      w.waiters.set(childId, waiter);
      w.reader.trigger();
    });
  }

  /** Asks the child run to stop (applied by whichever worker holds or next claims it). */
  async cancel(childId: string, reason: string): Promise<void> {
    await this.o.pool.query(
      `WITH moved AS (
         UPDATE runs SET control = 'cancel', control_reason = $2,
                next_due_at = CASE WHEN lease_owner IS NULL THEN now() ELSE next_due_at END
          WHERE id = $1 AND ended_at IS NULL
          RETURNING id)
       SELECT pg_notify('stepwise_control', id), pg_notify('stepwise_wake', id) FROM moved`,
      [childId, reason],
    );
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    for (const w of this.watches.values()) w.reader.stop();
    this.watches.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async read(w: Watch, stopped: () => boolean): Promise<void> {
    const ids = [...w.waiters.keys()];
    if (ids.length === 0) return;
    const ended = await this.o.pool.query<{ id: string }>({
      name: 'stepwise_children_ended',
      text: 'SELECT id FROM runs WHERE id = ANY($1::text[]) AND ended_at IS NOT NULL',
      values: [ids],
    });
    for (const { id } of ended.rows) {
      const r = await this.o.pool.query<{ events: JournalEvent[] }>({ name: 'stepwise_child_journal', text: 'SELECT events FROM journal WHERE run_id = $1 ORDER BY seq', values: [id] });
      const final = replay(r.rows.flatMap((row) => row.events));
      if (stopped()) return;
      w.waiters.get(id)?.resolve({ status: final.status, data: final.data, runId: id });
    }
  }
}
