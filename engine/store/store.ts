// The one interface every journal store implements: the runtime, CLI and debugger use only this.
import type { JournalEvent } from '../journal/events';

export interface InboxEvent {
  /** Unique per store, so an event is delivered once even when a run is resumed. */
  id: string;
  name: string;
  data: unknown;
  /** Not an event of the task but a request to the process that runs it; `data` is the reason. */
  control?: 'cancel';
}

/** The text of a task version, kept by its hash so that a run always continues the version it started with. */
export interface TaskSource {
  /** sha256 of `source` (see runtime/pinned.ts). */
  hash: string;
  source: string;
  /** The task's name. */
  name: string;
  file?: string;
}

export interface RunStore {
  /** Appends events to a run's journal; resolves once they survive a crash of this process. */
  append(runId: string, events: readonly JournalEvent[]): Promise<void>;
  read(runId: string): Promise<JournalEvent[]>;
  /** Ids of every run in the store, oldest first. */
  list(): Promise<string[]>;
  /** Keeps a task version (idempotent: a hash already kept is left alone). */
  keepSource(source: TaskSource): Promise<void>;
  /** The text of a task version, or undefined when the store does not have it. */
  readSource(hash: string): Promise<string | undefined>;
  /** Leaves an event for a run, possibly owned by another process. */
  sendEvent(runId: string, name: string, data: unknown): Promise<InboxEvent>;
  /**
   * Asks whichever process runs the run to cancel it (through the inbox it watches). Optional: a
   * store whose runs are steered another way (the server's) leaves it out.
   */
  requestCancel?(runId: string, reason: string): Promise<void>;
  /** Calls back for each event left for the run (those already waiting first) until unsubscribed. */
  watchInbox(runId: string, onEvent: (e: InboxEvent) => void): () => void;
  /**
   * Retention: deletes the runs that ended (and their journals and events) more than `olderThanMs`
   * ago by the real clock; resolves with how many were deleted. Optional: a store without it keeps
   * everything.
   */
  prune?(olderThanMs: number): Promise<number>;
  close(): Promise<void>;
}

export class UnknownRunError extends Error {
  constructor(readonly runId: string) {
    super(`No run '${runId}' in the store. List runs with 'stepwise runs'.`);
    this.name = 'UnknownRunError';
  }
}
