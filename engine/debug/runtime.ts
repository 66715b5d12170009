// The debug runtime: runs one task under the engine's hooks and stops it where the user asked. It
// knows nothing of the Debug Adapter Protocol: the session (session.ts) translates requests into
// calls of this class and its events into DAP events. Its parts live in modules of their own:
// what a launch names (launch.ts), where to stop (stops.ts), holding and stepping a stopped run
// (stepping.ts), going back (rewind.ts), what to show (show.ts), what a launch loads (launched.ts),
// the engine and its runs (runs.ts).
//
// How it works, in brief:
// - Every hook call of the engine (before a state, an instruction, a transition; a failure) is a
//   place the run can stop. A stop is a pending promise returned from the hook: the run, and the
//   virtual clock with it, wait there until the user resumes.
// - With the virtual clock, a gate on the clock lets "step in" stop where the run waits on a timer
//   (the clock would otherwise jump at once); "skip wait" fires the next timer.
// - Step back and reverse continue rebuild the run from its journal: the launched run's steps are
//   remembered with the journal length at each; going back forks a new run from a prefix of the
//   journal (engine.fork) at the nearest exact re-entry point (a state entry or an instruction) and
//   replays forward silently to the wanted step. Mocked results come out the same (the mocks are
//   consumed as the prefix says), recorded http/exec results are reused until the runs diverge,
//   and everything else (set, log, emit, call, expressions, timers) runs again.
// - A called task (`call`) runs as a child run; the debugger shows it as frames above its caller's
//   `call` instruction, on the same thread (see docs/debugging.md for why). Each running branch of
//   a `parallel` or item of a `map` is a thread of its own (threads.ts); they stop together.
import * as path from 'node:path';
import type { JournalEvent } from '../journal/events';
import type { ExpressionScope } from '../expr/expression';
import type { InstructionHandler } from '../instructions/types';
import { locateTaskFiles, type LocatedFile } from '../model/locate';
import { newRunId } from '../runtime/run-id';
import { TaskLoadError } from '../runtime/load';
import { NO_MOCKS, type Mocks } from '../runtime/mocks';
import { MASK, redact } from '../runtime/redact';
import type { LoadedTask } from '../runtime/run';
import type { RunStore } from '../store/store';
import { Breakpoints, type BreakpointResult, type FunctionBreakpointSpec, type LineBreakpointSpec } from './breakpoints';
import type { RuntimeEvents } from './events';
import { loadTask, nodeFileAccess, type FileAccess, type LaunchConfig } from './launch';
import { launchReplay, launchTask, type DebugRuntimeOptions, type Launched, type Replaying } from './launched';
import { livePrefix } from './replay';
import { BY_DEBUGGER, describeStep, Timeline } from './rewind';
import { Runs } from './runs';
import { evaluateIn, expressionScope, innermost, type Frame } from './show';
import { Stepper } from './stepping';
import { breakpointBehind, type StopInfo, type StopReason } from './stops';
import { Threads } from './threads';
import { ThreadViews, type ViewsHost } from './views';

type Listener<K extends keyof RuntimeEvents> = RuntimeEvents[K];

export class DebugRuntime {
  private readonly files: FileAccess;
  private readonly listeners: { [K in keyof RuntimeEvents]?: Array<Listener<K>> } = {};
  private config?: LaunchConfig;
  private task?: LoadedTask;
  private mocks: Mocks = NO_MOCKS;
  private secrets: Record<string, string> = {};
  private instructions: Record<string, InstructionHandler> = {};
  private input: Record<string, unknown> = {};
  private store?: RunStore;
  private located = new Map<string, LocatedFile>();
  readonly breakpoints: Breakpoints;

  private readonly runs: Runs;
  private readonly timeline = new Timeline();
  private readonly stepper: Stepper;
  private readonly threads = new Threads();
  /** The threads, their stacks and scopes, runs' positions. */
  readonly views: ThreadViews;
  /** Set while replaying a recorded run (see replay.ts). */
  private replaying?: Replaying;

  constructor(private readonly options: DebugRuntimeOptions = {}) {
    this.files = options.files ?? nodeFileAccess;
    this.breakpoints = new Breakpoints(
      (file) => this.located.get(file),
      () => (this.located.size ? [...this.located.keys()].map((f) => path.basename(f)).join(', ') : 'the launched task file and the files it calls'),
    );
    this.stepper = new Stepper({
      engine: () => this.runs.engine,
      clock: () => this.runs.clock,
      rootRunId: () => this.runs.rootRunId,
      finished: () => this.runs.finished,
      secrets: () => this.secrets,
      view: () => this.views.view(),
      timeline: this.timeline,
      breakpoints: this.breakpoints,
      threads: this.threads,
      innermostOf: (thread) => this.views.innermostOf(thread),
      stopped: (stop) => {
        const { resume: _r, step: _s, ...info } = stop;
        const run = this.runs.engine?.get(stop.runId);
        if (run) this.emit('position', this.views.position(run.id, run.state, true));
        this.emit('stopped', info);
      },
      continued: (thread) => this.emit('continued', thread),
      console: (text, place) => this.emit('output', { category: 'console', text, ...place }),
      arrived: (step) => this.runs.arrived(step),
    });
    const views: ViewsHost = {
      engine: () => this.runs.engine,
      clock: () => this.runs.clock,
      rootRunId: () => this.runs.rootRunId,
      clockKind: () => this.clockKind,
      secrets: () => this.secrets,
      mocks: () => this.mocks,
      taskName: () => this.task?.model.name,
    };
    this.views = new ThreadViews(views, () => this.stepper, this.threads);
    this.runs = new Runs({
      stepper: this.stepper,
      threads: this.threads,
      views: this.views,
      timeline: this.timeline,
      emit: (event, ...args) => this.emit(event, ...args),
      launch: () => ({
        clockKind: this.clockKind,
        store: this.store,
        mocks: this.mocks,
        secrets: this.secrets,
        instructions: this.instructions,
        loadTask: this.loadCalled,
      }),
    });
  }

  on<K extends keyof RuntimeEvents>(event: K, listener: Listener<K>): void {
    ((this.listeners[event] ??= []) as Array<Listener<K>>).push(listener);
  }

  private emit<K extends keyof RuntimeEvents>(event: K, ...args: Parameters<RuntimeEvents[K]>): void {
    for (const l of (this.listeners[event] ?? []) as Array<(...a: Parameters<RuntimeEvents[K]>) => void>) l(...args);
  }

  // ---- launch ----

  /**
   * Reads, lints and checks everything a launch names, with the plugins of the task's workspace
   * (stepwise.config.json); throws LaunchError. Does not start the run.
   */
  async load(config: LaunchConfig): Promise<void> {
    this.take(await launchTask(config, this.options, this.store));
    for (const f of this.breakpoints.files()) for (const r of this.breakpoints.refresh(f)) this.emit('breakpoint', r);
  }

  /**
   * Opens a recorded run to replay (the launch names it with `replay`); throws LaunchError. The
   * replay runs in a store of its own on the virtual clock and stops on entry.
   */
  async loadReplay(config: LaunchConfig): Promise<void> {
    const launched = await launchReplay(config, this.options);
    this.take(launched);
    if (launched.notice) this.emit('output', { category: 'important', text: launched.notice + '\n' });
    for (const f of this.breakpoints.files()) for (const r of this.breakpoints.refresh(f)) this.emit('breakpoint', r);
  }

  private take(launched: Launched): void {
    this.config = launched.config;
    this.task = launched.task;
    this.mocks = launched.mocks;
    this.input = launched.input;
    this.secrets = launched.secrets;
    this.instructions = launched.instructions;
    this.stepper.stopOnEntry = launched.stopOnEntry;
    this.stepper.expectedPath = launched.expectedPath;
    this.stepper.noDebug = launched.noDebug;
    this.located = launched.located;
    this.store = launched.store;
    this.replaying = launched.replaying;
  }

  /** The recorded run being replayed, if this is a replay. */
  get replayOf(): string | undefined {
    return this.replaying ? (this.replaying.recording[0] as Extract<JournalEvent, { type: 'run-started' }>).runId : undefined;
  }

  private refuseInReplay(what: string): void {
    if (this.replaying) throw new Error(`This is a replay of run ${this.replayOf}: it does not ${what}. Use Continue Live to fork a real run from here.`);
  }

  /** The file being debugged (after load). */
  get program(): string | undefined {
    return this.task?.file;
  }

  get clockKind(): 'real' | 'virtual' {
    return this.config?.clock ?? 'real';
  }

  /** Starts the launched run (after load). */
  start(): void {
    if (!this.task) throw new Error('Nothing to start: launch first.');
    this.runs.finished = false;
    this.stepper.mode = { kind: 'run' };
    this.stepper.silent = false;
    if (this.replaying) return this.startReplay(this.replaying.recording);
    const engine = this.runs.newEngine(Date.now());
    const run = engine.start(this.task, { input: this.input, runId: newRunId() });
    this.runs.rootRunId = run.id;
    this.timeline.start(run.id);
    this.runs.watchRoot(run);
  }

  private startReplay(recording: JournalEvent[]): void {
    const engine = this.runs.newEngine(recording[0].at);
    const runId = `${this.replayOf}-replay-${newRunId()}`;
    const recorded = this.timeline.replay(runId, recording);
    this.runs.rootRunId = runId;
    engine.fork(this.task!, [recording[0]], { runId, recorded }).then(
      (run) => this.runs.watchRoot(run),
      (err: Error) => this.emit('output', { category: 'important', text: `Cannot replay run ${this.replayOf}: ${err.message}\n` }),
    );
  }

  /**
   * Continue Live: forks a real run, in the recorded run's store, from the step the replay stands
   * at, and debugs it from there (it stops at once). Resolves with the new run's id.
   */
  async continueLive(): Promise<{ runId: string }> {
    const replaying = this.replaying;
    if (!replaying) throw new Error('Continue Live forks a real run from a replay; this session is not replaying one.');
    if (!replaying.store) {
      // A live run of a server's task belongs on the server (its secrets, its workers), not here.
      throw new Error(
        `Run ${this.replayOf} is a run of the server at ${replaying.server?.host}: Continue Live forks runs in a local store only. Retry it on the server from a state instead (Retry from Here… in the Runs view, or POST /v1/runs/${this.replayOf}/retry).`,
      );
    }
    this.stepper.requireStop();
    const prefix = livePrefix(replaying.recording, await this.store!.read(this.runs.rootRunId));
    if (prefix.some((e) => e.type === 'run-ended')) throw new Error(`Run ${this.replayOf} had ended at this step; there is nothing to continue.`);
    await this.runs.dispose('continued live');
    await this.store?.close();
    this.replaying = undefined;
    this.store = replaying.store;
    this.config = { ...this.config!, clock: replaying.liveClock };
    this.runs.finished = false;
    const runId = newRunId();
    this.stepper.mode = { kind: 'replay', remaining: 0, reason: 'entry', description: `Continuing live as run ${runId}` };
    this.stepper.silent = false;
    const engine = this.runs.newEngine(Math.max(Date.now(), prefix[prefix.length - 1].at));
    this.runs.rootRunId = runId;
    this.timeline.start(runId);
    const run = await engine.fork(this.task!, prefix, { runId });
    this.runs.watchRoot(run);
    return { runId };
  }

  /** How the engine loads a task a `call` names: through the same file access, linted. */
  private loadCalled = (file: string): LoadedTask => {
    const abs = path.resolve(file);
    const task = loadTask(this.files, abs, (message) => new TaskLoadError(abs, [], message));
    if (!this.located.has(abs)) {
      for (const [f, l] of locateTaskFiles(abs, (x) => this.files.readFile(x), task.model)) if (!this.located.has(f)) this.located.set(f, l);
      for (const r of this.breakpoints.refresh(abs)) this.emit('breakpoint', r);
    }
    return task;
  };

  // ---- requests ----

  setExceptionFilters(filters: readonly string[]): void {
    this.stepper.setExceptionFilters(filters);
  }

  setBreakpoints(file: string, specs: readonly LineBreakpointSpec[]): BreakpointResult[] {
    return this.breakpoints.setLines(path.resolve(file), specs);
  }

  setFunctionBreakpoints(specs: readonly FunctionBreakpointSpec[]): BreakpointResult[] {
    return this.breakpoints.setFunctions(specs, (name) => {
      for (const l of this.located.values()) {
        if (l.model.states.some((s) => s.name === name || `${l.model.name}.${s.name}` === name)) return true;
      }
      return false;
    });
  }

  get isStopped(): boolean {
    return this.stepper.stop !== undefined;
  }

  get stopped(): StopInfo | undefined {
    return this.stepper.stop;
  }

  get hasEnded(): boolean {
    return this.runs.finished;
  }

  continue(): void {
    this.stepper.continue();
  }

  /** Step over, in `thread`: to the next state of the run stopped in (or back in its caller when it ends). */
  next(thread?: number): void {
    this.stepper.next(thread);
  }

  /** Step in: to the very next step of `thread` (instruction, transition, state, a called task's first state, a branch's, a wait). */
  stepIn(thread?: number): void {
    this.stepper.stepIn(thread);
  }

  /** Step out: return from a called task; in the launched run, finish the state (stop at its transition). */
  stepOut(thread?: number): void {
    this.stepper.stepOut(thread);
  }

  pause(thread?: number): Promise<void> {
    return this.stepper.pause(thread);
  }

  /** "Skip wait": fires the next timer of the virtual clock now, then stops at the next step or wait. */
  skipWait(): { skipped: string; due: number; thread: number } {
    this.refuseInReplay('skip waits');
    return this.stepper.skipWait();
  }

  /** Delivers an event to the innermost run (or the one named). */
  async sendEvent(name: string, data: unknown, runId?: string): Promise<{ runId: string; seq: number }> {
    if (typeof name !== 'string' || !name) throw new Error("sendEvent needs a 'name'.");
    this.refuseInReplay('take events');
    const run = runId ? this.runs.engine?.get(runId) : innermost(this.runs.engine, this.runs.rootRunId);
    if (!run || run.ended) throw new Error(runId ? `No active run '${runId}'.` : 'No run is active.');
    this.timeline.diverge();
    await run.send(name, data === undefined ? null : data, BY_DEBUGGER);
    return { runId: run.id, seq: run.state.seq };
  }

  /** Sets a value in a run's data (journaled). */
  async setData(runId: string, dataPath: Array<string | number>, value: unknown): Promise<void> {
    const run = this.runs.engine?.get(runId);
    if (!run || run.ended) throw new Error('The run has ended; its data can no longer change.');
    this.refuseInReplay('change data');
    if (!this.stepper.allStopped) throw new Error('Pause the run before changing its data.');
    this.timeline.diverge();
    await run.setData(dataPath, value, BY_DEBUGGER);
  }

  /**
   * Evaluates a JSONata expression over a run's context (the innermost run by default) as the run
   * does; a value computed from a secret comes back as the mask, with `secret` set.
   */
  async evaluate(expression: string, where?: string | Frame, hover = false): Promise<{ value: unknown; secret: boolean }> {
    const runId = typeof where === 'string' ? where : where?.runId;
    const run = runId ? this.runs.engine?.get(runId) : innermost(this.runs.engine, this.runs.rootRunId) ?? this.runs.engine?.get(this.runs.rootRunId);
    if (!run) throw new Error('No run to evaluate in.');
    const stop = this.stepper.stopOf(this.threads.threadOf(run.id));
    // A map item's frame sees `item` and `index`, as its instruction does.
    const branch = typeof where === 'object' && where.kind === 'branch' && where.thread !== undefined ? this.threads.get(where.thread) : undefined;
    const over: Partial<ExpressionScope> = branch?.tag.item !== undefined ? { item: branch.item, index: branch.tag.item } : {};
    if (stop?.runId === run.id && stop.event) over.event = stop.event;
    const r = await evaluateIn(run, over, expression, hover);
    return { value: r.secret ? MASK : redact(r.value, this.secrets), secret: r.secret };
  }

  // ---- going back ----

  /**
   * Step back: to the previous step of the launched run (rebuilt from its journal). From a called
   * task or a branch (`thread`), that is the `call` or the `parallel`/`map` the launched run is in.
   */
  async stepBack(thread?: number): Promise<void> {
    const stop = this.stepper.requireStop();
    const current = (thread === undefined ? stop : this.stepper.stopOf(thread))?.step ?? this.timeline.steps.length;
    if (current <= 0) throw new Error('This is the first step of the run: there is nothing before it.');
    const target = current - 1;
    await this.rewindTo(target, 'step', `Stepped back to ${describeStep(this.timeline.steps[target])}`);
  }

  /** Reverse continue: back to the latest earlier step with a breakpoint, or to the start. */
  async reverseContinue(): Promise<void> {
    const stop = this.stepper.requireStop();
    const current = stop.step ?? this.timeline.steps.length;
    const journal = await this.store!.read(this.runs.rootRunId);
    const task = { file: this.task!.file!, name: this.task!.model.name };
    const behind = await breakpointBehind(this.timeline.steps, current, journal, this.breakpoints, task, (s) => expressionScope(s, this.secrets));
    if (behind) return this.rewindTo(behind.index, 'breakpoint', `Breakpoint on ${describeStep(this.timeline.steps[behind.index])} (going back)`, behind.hit);
    if (current === 0) throw new Error('This is the first step of the run: there is nothing before it.');
    return this.rewindTo(0, 'entry', 'Back at the start of the run');
  }

  private async rewindTo(target: number, reason: StopReason, description: string, hitBreakpointIds?: number[]): Promise<void> {
    const journal = await this.store!.read(this.runs.rootRunId);
    await this.runs.dispose('rewound by the debugger');
    const { anchor, prefix, runId, recorded } = this.timeline.rewind(target, journal, this.config?.reuseResults !== false);
    this.runs.finished = false;
    this.stepper.mode = { kind: 'replay', remaining: target - anchor, reason, description, hitBreakpointIds };
    this.stepper.silent = target > anchor;
    const engine = this.runs.newEngine(prefix[prefix.length - 1].at);
    this.runs.rootRunId = runId;
    const run = await engine.fork(this.task!, prefix, { runId, recorded });
    this.runs.watchRoot(run);
  }

  // ---- ending ----

  /** Restarts the run from the start (reloading the file and mocks); throws LaunchError. */
  async restart(config?: LaunchConfig): Promise<void> {
    await this.runs.dispose('restarted by the debugger');
    if (this.replaying) {
      this.breakpoints.resetHits();
      this.stepper.stopOnEntry = true;
      return this.start();
    }
    await this.load(config ?? this.config!);
    this.breakpoints.resetHits();
    this.start();
  }

  /** Cancels the run (journaled as cancelled); resolves when it has ended. */
  async terminate(reason = 'terminated by the debugger'): Promise<void> {
    await this.runs.terminate(reason);
  }

  /** Ends everything: cancels the runs and closes the store. */
  async dispose(reason = 'the debugger disconnected'): Promise<void> {
    await this.terminate(reason);
    this.runs.retire();
    const store = this.store;
    this.store = undefined;
    await store?.close();
    await this.replaying?.store?.close();
  }

  // ---- inspection ----

  /**
   * The lines (0-based) where a breakpoint on a line from `first` to `last` of a known file would
   * be shown: the lines of the elements those lines stand for. Only the file's own lines are
   * looked at, however far `last` is.
   */
  stepLines(file: string, first: number, last: number): number[] {
    const located = this.located.get(file);
    if (!located) return [];
    const end = Math.min(last, located.lines.elements.reduce((max, e) => Math.max(max, e.range.end.line), -1));
    const lines = new Set<number>();
    for (let l = Math.max(0, first); l <= end; l++) {
      const element = located.lines.at(l);
      if (element) lines.add(element.line);
    }
    return [...lines].sort((a, b) => a - b);
  }

  /** The launched run's journal (for the graph editor and tests). */
  async journal(runId = this.runs.rootRunId): Promise<JournalEvent[]> {
    if (!this.store) return [];
    return this.store.read(runId);
  }

  get currentRunId(): string {
    return this.runs.rootRunId;
  }
}
