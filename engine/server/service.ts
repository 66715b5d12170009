// What the REST API needs from a store: one interface, two implementations — PostgreSQL (many
// workers, see pg-service.ts) and the embedded store of one process (embedded.ts).
import type { JournalEvent, RunError, ScheduleTrigger } from '../journal/events';
import type { RegisteredTask } from './tasks';

export const RUN_STATUSES = ['running', 'paused', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export type ControlAction = 'pause' | 'resume' | 'cancel';

export interface RunSummary {
  id: string;
  task: string;
  status: RunStatus;
  /** The state the run is in (null before its first state). */
  state: string | null;
  reason: string | null;
  parentId: string | null;
  clock: 'real' | 'virtual';
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  /** Executions of the run: 1, plus one per takeover or retry by recovery. */
  attempts: number;
  /** The worker executing the run now, if any. */
  worker: string | null;
  /** When a released run is due to continue (its next timer), if it waits for one. */
  nextDueAt: string | null;
  /**
   * The sha256 of the task text the run started with (its pinned version; null for runs journaled
   * before versions were kept). Differs from its task's `hash` in `GET /v1/tasks` once the file changed.
   */
  taskHash: string | null;
}

export interface RunDetail extends RunSummary {
  input: Record<string, unknown>;
  data: Record<string, unknown>;
  error: RunError | null;
  /** Event names the run waits for, when it is released while waiting. */
  waitingFor: string[];
  journal: JournalEvent[];
}

export interface ListQuery {
  task?: string;
  status?: RunStatus;
  state?: string;
  limit: number;
  cursor?: string;
}

export interface RunPage {
  runs: RunSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null;
}

export interface RunService {
  readonly kind: 'postgres' | 'file' | 'memory';
  /**
   * Starts a run of a registered task; throws InputError for input the task does not accept.
   * `trigger`: the schedule tick that starts it, journaled in its run-started.
   */
  start(task: RegisteredTask, input: Record<string, unknown>, trigger?: ScheduleTrigger): Promise<RunSummary>;
  list(query: ListQuery): Promise<RunPage>;
  /** Throws ApiError 404 for an unknown run. */
  get(id: string): Promise<RunDetail>;
  send(id: string, name: string, data: unknown): Promise<{ id: string }>;
  /** Applies a control; `applied` false when the run has not acted on it yet (it will). */
  control(id: string, action: ControlAction, reason?: string): Promise<{ run: RunSummary; applied: boolean }>;
  /**
   * Starts a new run of `id`'s pinned task that takes its journal up to the last entry into `from`
   * (default: the state it failed in); see runtime/retry.ts. Throws ApiError 404 or 409.
   */
  retry(id: string, from?: string): Promise<{ run: RunSummary; retryOf: string; from: string }>;
  /** The task text a run's `run-started` pinned by its hash (see runtime/pinned.ts), if the store keeps it. */
  source(hash: string): Promise<string | undefined>;
  /**
   * Calls back with the run's journal entries after `afterSeq`, in order, then with each new one;
   * throws ApiError 404 for an unknown run.
   */
  watchRun(id: string, afterSeq: number, onEvent: (e: JournalEvent) => void): Promise<() => void>;
  /** Calls back with every new journal entry of every run (per run in order). */
  watchAll(onEvent: (runId: string, e: JournalEvent) => void): () => void;
  close(): Promise<void>;
}

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T | undefined {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return check(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
