// The REST API over the embedded store of one process (a folder of JSON-lines journals, or memory):
// one engine executes every run; runs left interrupted by an earlier process are resumed on start.
import type { InstructionHandler } from '../instructions/types';
import type { SecretValues } from '../secrets/env';
import type { JournalEvent, ScheduleTrigger } from '../journal/events';
import { replay, type RunState } from '../journal/replay';
import { realClock, virtualClock } from '../runtime/clock';
import type { RunObserver } from '../observe/observer';
import { createEngine, type Engine } from '../runtime/engine';
import { loadTaskFile } from '../runtime/load';
import type { Mocks } from '../runtime/mocks';
import type { LoadedTask } from '../runtime/run';
import { RetryError, retryRun } from '../runtime/retry';
import { newRunId } from '../runtime/run-id';
import { UnknownRunError, type RunStore } from '../store/store';
import {
  decodeCursor,
  encodeCursor,
  type ControlAction,
  type ListQuery,
  type RunDetail,
  type RunPage,
  type RunService,
  type RunSummary,
} from './service';
import { ApiError, errorMessage } from './support';
import { servedTask } from './served';
import type { RegisteredTask, TaskRegistry } from './tasks';

export interface EmbeddedOptions {
  store: RunStore;
  kind: 'file' | 'memory';
  clock: 'real' | 'virtual';
  registry?: TaskRegistry;
  mocksFor?: (task: LoadedTask) => Mocks | undefined;
  secrets?: SecretValues;
  observer?: RunObserver;
  /** The plugins' instruction kinds. */
  instructions?: Record<string, InstructionHandler>;
  log?: (line: string) => void;
}

export class EmbeddedService implements RunService {
  readonly kind: 'file' | 'memory';
  readonly engine: Engine;
  private readonly ended = new Map<string, RunState>();

  constructor(private readonly o: EmbeddedOptions) {
    this.kind = o.kind;
    this.engine = createEngine({
      store: o.store,
      clock: o.clock === 'virtual' ? virtualClock() : realClock(),
      mocksFor: o.mocksFor,
      secrets: o.secrets,
      observer: o.observer,
      instructions: o.instructions,
      // With --tasks it runs only the tasks it serves; without, it has none and only resumes the
      // runs the CLI left interrupted in its store.
      loadTask: (file) => (o.registry ? servedTask(o.registry, file) : loadTaskFile(file)),
    });
  }

  /** Runs that wait for a timer, a poll or an event. */
  parkedRuns(): number {
    return this.engine.active().filter((r) => r.parked).length;
  }

  /** Resumes the runs an earlier process left interrupted (not the paused ones: they wait for a resume). */
  async recover(): Promise<number> {
    let n = 0;
    for (const id of await this.o.store.list()) {
      let s: RunState;
      try {
        s = replay(await this.o.store.read(id));
      } catch {
        continue;
      }
      if (s.phase === 'ended' || s.paused || s.parentRunId || this.engine.get(id)) continue;
      if (s.pid !== undefined && s.pid !== process.pid && alive(s.pid)) continue;
      try {
        await this.engine.resume(id, { onChanged: (message) => this.o.log?.(message) });
        n++;
      } catch (err) {
        this.o.log?.(`cannot resume run ${id}: ${errorMessage(err)}`);
      }
    }
    return n;
  }

  async start(task: RegisteredTask, input: Record<string, unknown>, trigger?: ScheduleTrigger): Promise<RunSummary> {
    const run = this.engine.start(task.task, { input, runId: newRunId(), trigger });
    await this.journaled(run.id);
    return this.summary(run.id, run.state);
  }

  /** Answers once the store has the run's start, so that a GET right after finds it. */
  private async journaled(id: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const journal = await this.o.store.read(id).catch(() => []);
      if (journal.length > 0) break;
      await new Promise((r) => setImmediate(r));
    }
  }

  async retry(id: string, from?: string): Promise<{ run: RunSummary; retryOf: string; from: string }> {
    await this.journal(id);
    try {
      const r = await retryRun(this.engine, id, {
        from,
        loadTask: (file) => (this.o.registry ? servedTask(this.o.registry, file) : loadTaskFile(file)),
        onChanged: (message) => this.o.log?.(message),
      });
      await this.journaled(r.run.id);
      return { run: this.summary(r.run.id, r.run.state), retryOf: id, from: r.from };
    } catch (err) {
      if (err instanceof RetryError) throw new ApiError(409, 'cannot-retry', err.message);
      throw err;
    }
  }

  /** A run's journal; an unknown (or impossible) run id is the API's 404. */
  private async journal(id: string): Promise<JournalEvent[]> {
    try {
      return await this.o.store.read(id);
    } catch (err) {
      if (err instanceof UnknownRunError || /Invalid run id/.test(errorMessage(err))) throw notFound(id);
      throw err;
    }
  }

  private async state(id: string): Promise<RunState> {
    const done = this.ended.get(id);
    if (done) return done;
    const journal = await this.journal(id);
    const s = replay(journal);
    if (s.phase === 'ended') this.ended.set(id, s);
    return s;
  }

  private summary(id: string, s: RunState): RunSummary {
    const active = this.engine.get(id);
    const at = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
    return {
      id,
      task: s.task,
      status: s.phase === 'ended' ? s.status : s.paused ? 'paused' : 'running',
      state: s.state ?? null,
      reason: s.reason ?? null,
      parentId: s.parentRunId ?? null,
      clock: s.clock,
      createdAt: new Date(s.startedAt).toISOString(),
      updatedAt: new Date(Math.max(s.startedAt, s.endedAt ?? 0, s.stateEnteredAt ?? 0)).toISOString(),
      endedAt: at(s.endedAt),
      attempts: 1,
      worker: active ? `pid-${process.pid}` : null,
      nextDueAt: null,
      taskHash: s.taskHash ?? null,
    };
  }

  async list(q: ListQuery): Promise<RunPage> {
    let offset = 0;
    if (q.cursor) {
      const c = decodeCursor(q.cursor, (v): v is number => Number.isInteger(v) && (v as number) >= 0);
      if (c === undefined) throw new ApiError(400, 'invalid-query', "'cursor' is not a cursor this server gave out.");
      offset = c;
    }
    const ids = (await this.o.store.list()).reverse();
    const out: RunSummary[] = [];
    let i = offset;
    for (; i < ids.length && out.length <= q.limit; i++) {
      let s: RunState;
      try {
        s = await this.state(ids[i]);
      } catch {
        continue;
      }
      const sum = this.summary(ids[i], s);
      if (q.task && sum.task !== q.task) continue;
      if (q.status && sum.status !== q.status) continue;
      if (q.state && sum.state !== q.state) continue;
      out.push(sum);
    }
    const more = out.length > q.limit;
    return { runs: out.slice(0, q.limit), next: more ? encodeCursor(i - 1) : null };
  }

  source(hash: string): Promise<string | undefined> {
    return this.o.store.readSource(hash);
  }

  async get(id: string): Promise<RunDetail> {
    const journal = await this.journal(id);
    const s = replay(journal);
    const run = this.engine.get(id);
    return { ...this.summary(id, s), input: s.input, data: s.data, error: s.error ?? null, waitingFor: run ? run.waitingEvents() : [], journal };
  }

  async send(id: string, name: string, data: unknown): Promise<{ id: string }> {
    const s = await this.state(id);
    if (s.phase === 'ended') throw new ApiError(409, 'run-ended', `Run ${id} has ended (${s.status}); it takes no more events.`);
    const run = this.engine.get(id);
    if (run) {
      await run.send(name, data, 'api');
      return { id: `${id}:${run.state.seq}` };
    }
    const e = await this.o.store.sendEvent(id, name, data);
    return { id: e.id };
  }

  async control(id: string, action: ControlAction, reason?: string): Promise<{ run: RunSummary; applied: boolean }> {
    const s = await this.state(id);
    if (s.phase === 'ended') throw new ApiError(409, 'run-ended', `Run ${id} has ended (${s.status}); it can no longer be changed.`);
    let run = this.engine.get(id);
    if (!run && action === 'resume' && s.paused) {
      run = await this.engine.resume(id);
      for (let i = 0; i < 200 && run.state.paused; i++) await new Promise((r) => setImmediate(r));
      return { run: this.summary(id, run.state), applied: true };
    }
    if (!run) throw new ApiError(409, 'not-running-here', `Run ${id} is not executed by this server (it is interrupted, or another process runs it).`);
    if (action === 'pause') await run.pause();
    else if (action === 'resume') {
      if (!run.state.paused) throw new ApiError(409, 'not-paused', `Run ${id} is not paused; only a paused run can be resumed.`);
      await run.resume();
    } else {
      run.cancel(reason ?? 'cancelled through the API');
      await run.done;
    }
    return { run: this.summary(id, run.state), applied: true };
  }

  async watchRun(id: string, afterSeq: number, onEvent: (e: JournalEvent) => void): Promise<() => void> {
    let cursor = afterSeq;
    const buffered: JournalEvent[] = [];
    let live = false;
    const deliver = (e: JournalEvent) => {
      if (e.seq !== cursor + 1) return;
      cursor = e.seq;
      onEvent(e);
    };
    const off = this.engine.onJournal((run, e) => {
      if (run.id !== id) return;
      if (live) deliver(e);
      else buffered.push(e);
    });
    try {
      for (const e of await this.journal(id)) if (e.seq > cursor) deliver(e);
      for (const e of buffered) if (e.seq > cursor) deliver(e);
      live = true;
    } catch (err) {
      off();
      throw err;
    }
    return off;
  }

  watchAll(onEvent: (runId: string, e: JournalEvent) => void): () => void {
    return this.engine.onJournal((run, e) => onEvent(run.id, e));
  }

  async close(): Promise<void> {
    const active = this.engine.active();
    for (const run of active) run.detach('the server stops');
    await Promise.allSettled(active.map((r) => r.done));
    await this.o.store.close();
  }
}

function notFound(id: string): ApiError {
  return new ApiError(404, 'run-not-found', `No run '${id}'. List runs with GET /v1/runs.`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
