// The runs the debugger drives: one engine at a time, made with the hooks where the stepper may
// stop a run; its journal and output turned into runtime events; the launched run watched to its
// end. Runs that are replaced (rewind, restart, the end) go quiet: a generation, bumped at each
// replacement, makes their hooks and events do nothing.
import type { JournalEvent } from '../journal/events';
import type { InstructionHandler } from '../instructions/types';
import { realClock, virtualClock, type Clock, type VirtualClock } from '../runtime/clock';
import { createEngine, type Engine } from '../runtime/engine';
import type { Mocks } from '../runtime/mocks';
import type { LoadedTask, OutputChunk, Run, RunHooks } from '../runtime/run';
import type { RunStore } from '../store/store';
import type { Emit } from './events';
import { BY_DEBUGGER, type Timeline, type UserAction } from './rewind';
import { consoleLine, outputPlace } from './show';
import type { Stepper } from './stepping';
import type { Point } from './stops';
import type { Threads } from './threads';
import type { ThreadViews } from './views';

/** What a new engine runs with: the launch's. */
export interface EngineLaunch {
  clockKind: 'real' | 'virtual';
  store?: RunStore;
  mocks: Mocks;
  secrets: Record<string, string>;
  instructions: Record<string, InstructionHandler>;
  /** How the engine loads a task a `call` names. */
  loadTask: (file: string) => LoadedTask;
}

/** What the runs see of the runtime. */
export interface RunsHost {
  readonly stepper: Stepper;
  readonly threads: Threads;
  readonly views: ThreadViews;
  readonly timeline: Timeline;
  readonly emit: Emit;
  launch(): EngineLaunch;
}

export class Runs {
  engine?: Engine;
  clock?: Clock;
  /** Bumped whenever the runs are replaced (rewind, restart, end): hooks of older runs do nothing. */
  private generation = 0;
  rootRunId = '';
  finished = false;
  private rootDone?: Promise<unknown>;

  constructor(private readonly host: RunsHost) {}

  newEngine(start: number): Engine {
    const gen = this.generation;
    const launch = this.host.launch();
    const clock = launch.clockKind === 'virtual' ? virtualClock(start) : realClock();
    const engine = createEngine({
      store: launch.store,
      clock,
      mocks: launch.mocks,
      secrets: launch.secrets,
      instructions: launch.instructions,
      hooks: this.hooks(gen),
      loadTask: launch.loadTask,
    });
    engine.onJournal((run, e) => {
      if (gen === this.generation) this.onJournal(run, e);
    });
    engine.onOutput((chunk) => {
      if (gen === this.generation && !this.host.stepper.silent) this.onOutput(chunk);
    });
    if (clock.kind === 'virtual') (clock as VirtualClock).setGate((due) => gen !== this.generation || this.host.stepper.gate(due));
    this.engine = engine;
    this.clock = clock;
    return engine;
  }

  watchRoot(run: Run): void {
    const gen = this.generation;
    this.rootDone = run.done.then((s) => {
      if (gen !== this.generation) return;
      this.finished = true;
      this.generation++;
      this.host.stepper.release();
      this.endThreads();
      this.host.emit('position', this.host.views.position(run.id, s, true));
      this.host.emit('ended', { runId: run.id, status: s.status === 'running' ? 'cancelled' : s.status, reason: s.reason });
    });
  }

  // ---- hooks: where the run may stop ----

  private hooks(gen: number): RunHooks {
    const step = (p: Point) => (gen === this.generation ? this.host.stepper.step(p) : undefined);
    return {
      beforeState: (i) => step({ runId: i.runId, kind: 'state', state: i.state }),
      beforeInstruction: (i) => step({ runId: i.runId, kind: 'instruction', state: i.state, index: i.instruction.index, attempt: i.attempt }),
      beforeTransition: (i) =>
        step({
          runId: i.runId,
          kind: i.catch ? 'catch' : 'transition',
          state: i.state,
          index: i.catch ? i.catch.index : i.transition?.index,
          to: i.to,
          cause: i.cause,
          event: i.event,
          error: i.error,
        }),
      onFailure: (i) => (gen === this.generation ? this.host.stepper.failure(i.runId, i.state, i.error, i.where) : undefined),
    };
  }

  // ---- journal and output ----

  private onJournal(run: Run, e: JournalEvent): void {
    if (!this.host.stepper.silent) {
      const text = consoleLine(e, run.id === this.rootRunId ? '' : `[${run.task.model.name}] `, run.id);
      if (text) this.host.emit('output', { category: 'console', text });
      // A fan-out's branches and items show their progress on the graph as they go.
      if (e.type === 'state-entered' || e.type === 'map-items' || e.type.startsWith('branch-')) this.host.emit('position', this.host.views.position(run.id, run.state, true));
    }
    if (e.type === 'run-ended') this.host.stepper.ended(run.id);
    const { started, exited } = this.host.threads.journaled(run, e, this.rootRunId);
    for (const t of started) this.host.emit('thread', { reason: 'started', thread: t.id });
    for (const t of exited) {
      this.host.stepper.threadExited(t, this.host.threads.siblings(t).length > 0);
      this.host.emit('thread', { reason: 'exited', thread: t.id });
    }
    if (run.id === this.rootRunId) for (const action of this.host.timeline.journaled(e)) void this.redo(run, action);
  }

  /** The launched run came to a step: does again what the user did while stopped there; resolves when done. */
  arrived(step: number): Promise<void> | undefined {
    const run = this.engine?.get(this.rootRunId);
    const due = this.host.timeline.arrived(step);
    if (!run || due.length === 0) return undefined;
    return Promise.all(due.map((action) => this.redo(run, action))).then(() => undefined);
  }

  /**
   * Does again, in a forked run, what the user did at the same place of the abandoned run. Called
   * as soon as the entry before it is journaled, or the run comes to the step it was done at, so it
   * lands before the run takes its next step.
   */
  private redo(run: Run, action: UserAction): Promise<void> {
    const done = action.type === 'event-received' ? run.send(action.name, action.data, BY_DEBUGGER) : run.setData(action.path, action.value, BY_DEBUGGER);
    return done.then(
      () => undefined,
      (err: Error) => this.host.emit('output', { category: 'console', text: `Could not do again what was done at this step (${action.type}): ${err.message}\n` }),
    );
  }

  private onOutput(chunk: OutputChunk): void {
    const run = this.engine?.get(chunk.runId);
    const text = chunk.stream === 'log' ? chunk.text + '\n' : chunk.text;
    this.host.emit('output', { category: chunk.stream === 'stderr' ? 'stderr' : 'stdout', text, ...(run ? outputPlace(run, chunk.state) : {}) });
  }

  // ---- ending ----

  /** Cancels the runs (journaled as cancelled); resolves when they have ended. */
  async terminate(reason: string): Promise<void> {
    if (!this.engine || this.finished) return;
    const runs = this.engine.active();
    for (const r of runs) r.cancel(reason);
    this.host.stepper.release();
    (this.clock as VirtualClock | undefined)?.poke?.();
    await withTimeout(Promise.all([...runs.map((r) => r.done), this.rootDone]), 5000);
  }

  /** The runs of the current engine do nothing more. */
  retire(): void {
    this.generation++;
  }

  /** Cancels the runs to replace them. */
  async dispose(reason: string): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    const runs = engine.active();
    this.generation++;
    this.host.stepper.silent = false;
    for (const r of runs) r.cancel(reason);
    this.host.stepper.release();
    this.endThreads();
    await withTimeout(Promise.all(runs.map((r) => r.done)), 5000);
  }

  private endThreads(): void {
    for (const t of this.host.threads.reset()) this.host.emit('thread', { reason: 'exited', thread: t.id });
  }
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref?.();
    }),
  ]).finally(() => clearTimeout(timer));
}
