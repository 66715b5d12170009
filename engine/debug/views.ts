// What the debugger shows of its runs, per thread (see threads.ts): the threads, each thread's
// stack (with frame ids unique across threads), the scopes of a run, and a run's position for the
// graph editor. Nothing here moves a run.
import type { RunState } from '../journal/replay';
import type { Clock } from '../runtime/clock';
import type { Engine } from '../runtime/engine';
import type { Mocks } from '../runtime/mocks';
import { redact } from '../runtime/redact';
import type { Run } from '../runtime/run';
import { innermost, runContexts, runPosition, stackFrames, type Frame, type RunContexts, type RunPosition, type View } from './show';
import type { Stepper } from './stepping';
import type { StopInfo } from './stops';
import { MAIN_THREAD, type Threads } from './threads';

/** Frame ids are `thread's base + n`: a thread's stack is cut at this many frames. */
const FRAMES_PER_THREAD = 1000;

/** What the views see of the runtime. */
export interface ViewsHost {
  engine(): Engine | undefined;
  clock(): Clock | undefined;
  rootRunId(): string;
  clockKind(): 'real' | 'virtual';
  secrets(): Record<string, string>;
  mocks(): Mocks;
  taskName(): string | undefined;
}

export class ThreadViews {
  /** The frames of each thread's stop, computed when first asked for. */
  private readonly frameCache = new Map<number, { stop: StopInfo; frames: Frame[] }>();
  /** History entries already sent in position events, per run. */
  private readonly historySent = new Map<string, number>();

  constructor(
    private readonly host: ViewsHost,
    private readonly stepper: () => Stepper,
    private readonly threads: Threads,
  ) {}

  /** Thread 1 (the launched run, named after it), then the running branches and items. */
  threadList(): Array<{ id: number; name: string }> {
    const name = this.host.taskName() ?? 'task';
    return [{ id: MAIN_THREAD, name: this.host.rootRunId() ? `${name} (run ${this.host.rootRunId()})` : name }, ...this.threads.list().map((t) => ({ id: t.id, name: t.name }))];
  }

  hasThread(thread: number): boolean {
    return this.threads.has(thread);
  }

  /**
   * A thread's stack while the threads are stopped: the step it stopped at (or where it stands),
   * its state, then each caller's `call` instruction (or fan-out branch) and state. Frame ids are
   * unique across threads.
   */
  frames(thread = MAIN_THREAD): Frame[] {
    const stop = this.stepper().stopOf(thread) ?? this.standing(thread);
    if (!stop) return [];
    const cached = this.frameCache.get(thread);
    if (cached?.stop === stop) return cached.frames;
    const base = (thread - MAIN_THREAD) * FRAMES_PER_THREAD;
    const frames = stackFrames({ ...this.view(thread), stop }).slice(0, FRAMES_PER_THREAD).map((f) => ({ ...f, id: base + f.id, thread }));
    // A running thread's frames are a snapshot; a stopped one's stay as they are until it moves.
    if (this.stepper().stopOf(thread) === stop) this.frameCache.set(thread, { stop, frames });
    return frames;
  }

  frame(id: number): Frame | undefined {
    const thread = Math.floor((id - 1) / FRAMES_PER_THREAD) + MAIN_THREAD;
    return this.frames(thread).find((f) => f.id === id);
  }

  /** Where a thread that is not held at a step stands, while the others are stopped. */
  private standing(thread: number): StopInfo | undefined {
    if (!this.stepper().allStopped) return undefined;
    const branch = this.threads.get(thread);
    const runId = this.innermostOf(thread)?.id ?? branch?.ownerRunId;
    return runId ? { reason: 'pause', description: 'Running', runId, at: 'paused' } : undefined;
  }

  /** A branch thread's own names: `item` and `index` in a map, the branch's name in a parallel. */
  branchScope(thread: number | undefined): Record<string, unknown> | undefined {
    const t = thread === undefined ? undefined : this.threads.get(thread);
    if (!t) return undefined;
    return t.tag.branch !== undefined ? { branch: t.tag.branch } : { item: redact(t.item, this.host.secrets()), index: t.tag.item };
  }

  /** The deepest active run of a thread. */
  innermostOf(thread: number): Run | undefined {
    const runs = this.host.engine()?.active().filter((r) => !r.ended && this.threads.threadOf(r.id) === thread) ?? [];
    const parents = new Set(runs.map((r) => r.state.parentRunId));
    return runs.find((r) => !parents.has(r.id));
  }

  /** The values a run's scopes show; secrets are masked. */
  contexts(runId: string): RunContexts {
    const run = this.host.engine()?.get(runId);
    if (!run) throw new Error(`No active run '${runId}'.`);
    return runContexts(this.view(this.threads.threadOf(runId)), run);
  }

  /** Where a run (the one stopped in, else the innermost) stands now. */
  currentPosition(runId?: string): RunPosition | undefined {
    const run = (runId ? this.host.engine()?.get(runId) : undefined) ?? innermost(this.host.engine(), this.host.rootRunId());
    return run ? this.position(run.id, run.state) : undefined;
  }

  /** Where a run stands; `delta` gives only the history entries not sent before (for events). */
  position(runId: string, s: Readonly<RunState>, delta = false): RunPosition {
    const historyStart = delta ? Math.min(this.historySent.get(runId) ?? 0, s.history.length) : 0;
    if (delta) this.historySent.set(runId, s.history.length);
    return runPosition(this.view(this.threads.threadOf(runId)), runId, s, historyStart);
  }

  /** What the views of a thread (by default, the one that stopped last) are computed from. */
  view(thread?: number): View {
    const stop = thread === undefined ? this.stepper().stop : this.stepper().stopOf(thread);
    const branch = thread === undefined ? undefined : this.threads.get(thread);
    return {
      engine: this.host.engine(),
      stop,
      rootRunId: this.host.rootRunId(),
      now: this.host.clock()?.now() ?? Date.now(),
      clockKind: this.host.clockKind(),
      secrets: this.host.secrets(),
      mocks: this.host.mocks(),
      branchOf: (runId) => this.threads.branchOf(runId),
      branch: branch && !this.innermostOf(branch.id) ? branch : undefined,
    };
  }
}
