// A live copy of a server's runs: a snapshot from `GET /v1/runs`, kept current by the journal
// entries of `GET /v1/watch`, reconnecting with backoff when the stream breaks (each reconnection
// takes a new snapshot, so nothing missed while disconnected stays missed). No `vscode` here.
import { ServerError, type ServerClient, type ServerRunDetail, type ServerRunSummary, type WatchStream, type WatchedEvent } from './client';

export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'connected' }
  /** The stream broke or could not open; the next attempt is at `retryAt` (ms since the epoch). */
  | { kind: 'disconnected'; error: string; retryAt: number }
  /** 401: no retry until the token changes (a new mirror) or retryNow(). */
  | { kind: 'unauthorized'; error: string }
  | { kind: 'stopped' };

export interface MirroredRun extends ServerRunSummary {
  /** The seq of the newest journal entry folded in; undefined while only the list's summary is known. */
  seq?: number;
  /** Why the run failed or was cancelled, when the journal or the run's detail said so. */
  error?: string;
}

export interface MirrorOptions {
  /** Runs kept (the newest). */
  limit?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

type Listener<T> = (value: T) => void;

class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  on(l: Listener<T>): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  fire(value: T): void {
    for (const l of [...this.listeners]) l(value);
  }
}

function byNewest(a: MirroredRun, b: MirroredRun): number {
  return b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export class ServerRunsMirror {
  private readonly runs = new Map<string, MirroredRun>();
  /** Entries that arrived while the run's detail was being fetched, per run. */
  private readonly queued = new Map<string, WatchedEvent[]>();
  private readonly limit: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private current: ConnectionState = { kind: 'stopped' };
  private stopped = true;
  private generation = 0;
  private failures = 0;
  private stream: WatchStream | undefined;
  private wake: (() => void) | undefined;
  private readonly changed = new Emitter<string[] | undefined>();
  private readonly stateChanged = new Emitter<ConnectionState>();
  private readonly journal = new Emitter<WatchedEvent>();

  /** Fires with the ids of runs that changed, or undefined when the whole list may have. */
  readonly onDidChange = (l: Listener<string[] | undefined>) => this.changed.on(l);
  readonly onDidChangeState = (l: Listener<ConnectionState>) => this.stateChanged.on(l);
  /** Every journal entry received, in order per run. */
  readonly onJournal = (l: Listener<WatchedEvent>) => this.journal.on(l);

  constructor(
    readonly client: ServerClient,
    o: MirrorOptions = {},
  ) {
    this.limit = o.limit ?? 100;
    this.minBackoffMs = o.minBackoffMs ?? 500;
    this.maxBackoffMs = o.maxBackoffMs ?? 30_000;
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The runs known, newest first. */
  list(): MirroredRun[] {
    return [...this.runs.values()].sort(byNewest);
  }

  get(id: string): MirroredRun | undefined {
    return this.runs.get(id);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    this.stream?.close();
    this.wake?.();
    this.setState({ kind: 'stopped' });
  }

  /** Skips the wait before the next attempt (after a 401 too). */
  retryNow(): void {
    this.failures = 0;
    this.wake?.();
  }

  /** Adds or updates a run this client has just learnt about (a run it started). */
  upsert(summary: ServerRunSummary): MirroredRun {
    const known = this.runs.get(summary.id);
    const run: MirroredRun = known && known.seq !== undefined ? { ...summary, ...pickLive(known) } : { ...summary };
    this.runs.set(run.id, run);
    this.trim();
    this.changed.fire([run.id]);
    return run;
  }

  private setState(s: ConnectionState): void {
    this.current = s;
    this.stateChanged.fire(s);
  }

  private nap(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      const gen = ++this.generation;
      attempt++;
      this.setState({ kind: 'connecting', attempt });
      const pending: WatchedEvent[] = [];
      let live = false;
      try {
        // The stream opens first, so an entry journaled while the list is read is not lost.
        const stream = await this.client.watch((e) => {
          if (gen !== this.generation) return;
          if (live) this.apply(e, gen);
          else pending.push(e);
        });
        this.stream = stream;
        if (gen !== this.generation) {
          stream.close();
          break;
        }
        const page = await this.client.listRuns({ limit: this.limit });
        if (gen !== this.generation) break;
        this.runs.clear();
        this.queued.clear();
        for (const r of page.runs) this.runs.set(r.id, { ...r });
        live = true;
        for (const e of pending) this.apply(e, gen);
        this.failures = 0;
        attempt = 0;
        this.setState({ kind: 'connected' });
        this.changed.fire(undefined);
        await stream.closed;
        if (this.stopped || gen !== this.generation) break;
        throw new ServerError(0, 'stream-ended', `The server at ${this.client.label} closed the event stream.`);
      } catch (err) {
        this.stream?.close();
        if (this.stopped || gen !== this.generation) break;
        const message = err instanceof Error ? err.message : String(err);
        if (err instanceof ServerError && err.unauthorized) {
          this.setState({ kind: 'unauthorized', error: message });
          this.changed.fire(undefined);
          await this.nap(2 ** 31 - 1);
          continue;
        }
        const delay = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.failures);
        this.failures++;
        this.setState({ kind: 'disconnected', error: message, retryAt: Date.now() + delay });
        this.changed.fire(undefined);
        await this.nap(delay);
      }
    }
  }

  /** Folds a watched entry into its run; a run seen for the first time (or only listed) is fetched whole first. */
  private apply(e: WatchedEvent, gen: number): void {
    const run = this.runs.get(e.runId);
    const waiting = this.queued.get(e.runId);
    if (run && run.seq !== undefined && !waiting) {
      this.fold(run, e);
      return;
    }
    if (waiting) {
      waiting.push(e);
      return;
    }
    this.queued.set(e.runId, [e]);
    void this.client.getRun(e.runId).then(
      (detail) => {
        if (gen !== this.generation) return;
        const journal = detail.journal;
        const fresh: MirroredRun = { ...summaryOf(detail), seq: journal.length ? journal[journal.length - 1].seq : 0, error: detail.error?.message };
        this.runs.set(fresh.id, fresh);
        const entries = this.queued.get(e.runId) ?? [];
        this.queued.delete(e.runId);
        // The detail already holds these entries' effect; fold only the newer ones (and tell listeners of all).
        for (const q of entries) {
          if (q.seq > fresh.seq!) this.fold(fresh, q);
          else this.journal.fire(q);
        }
        this.trim();
        this.changed.fire([fresh.id]);
      },
      () => {
        // The run is gone (deleted by retention) or the server is going away: the stream says which.
        if (gen === this.generation) this.queued.delete(e.runId);
      },
    );
  }

  private fold(run: MirroredRun, e: WatchedEvent): void {
    if (run.seq !== undefined && e.seq <= run.seq) return;
    run.seq = e.seq;
    const at = new Date(e.at).toISOString();
    run.updatedAt = at;
    switch (e.type) {
      case 'state-entered':
        run.state = e.state;
        break;
      case 'run-paused':
        run.status = 'paused';
        break;
      case 'run-resumed':
      case 'run-recovered':
        if (!run.endedAt) run.status = 'running';
        break;
      case 'run-ended':
        run.status = e.status;
        run.reason = e.reason ?? null;
        if (e.error) run.error = e.error.message;
        run.endedAt = at;
        run.worker = null;
        break;
      default:
        break;
    }
    this.journal.fire(e);
    this.changed.fire([run.id]);
  }

  /** Keeps the newest `limit` runs. */
  private trim(): void {
    if (this.runs.size <= this.limit) return;
    for (const r of this.list().slice(this.limit)) this.runs.delete(r.id);
  }
}

function summaryOf(d: ServerRunDetail): ServerRunSummary {
  const { id, task, status, state, reason, parentId, clock, createdAt, updatedAt, endedAt, attempts, worker, nextDueAt, taskHash } = d;
  return { id, task, status, state, reason, parentId, clock, createdAt, updatedAt, endedAt, attempts, worker, nextDueAt, taskHash };
}

function pickLive(r: MirroredRun): Pick<MirroredRun, 'seq' | 'state' | 'status' | 'endedAt' | 'reason' | 'error'> {
  return { seq: r.seq, state: r.state, status: r.status, endedAt: r.endedAt, reason: r.reason, error: r.error };
}

