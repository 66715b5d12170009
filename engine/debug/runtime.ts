// The debug runtime: runs one task under the engine's hooks and decides where it stops. It knows
// nothing of the Debug Adapter Protocol: the session (session.ts) translates requests into calls
// of this class and its events into DAP events.
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
//   `call` instruction, on the same thread (see docs/debugging.md for why).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluate, evaluateViews, type ExpressionScope } from '../expr/expression';
import type { FinalRunStatus, JournalEvent, ReceivedEvent, RunError, TransitionCause } from '../journal/events';
import { replay, type RunState } from '../journal/replay';
import type { InstructionHandler } from '../instructions/types';
import { lintText } from '../lint/index';
import { elementKey, locateTaskFiles, type LocatedFile } from '../model/locate';
import type { InstructionModel, StateModel } from '../model/types';
import { realClock, virtualClock, type Clock, type VirtualClock } from '../runtime/clock';
import { createEngine, type Engine } from '../runtime/engine';
import { InputError, resolveInput, TaskLoadError } from '../runtime/load';
import { MocksError, NO_MOCKS, parseMocks, type MockOutcome, type Mocks } from '../runtime/mocks';
import { MASK, redact } from '../runtime/redact';
import { newRunId } from '../runtime/run-id';
import type { FailureWhere, LoadedTask, OutputChunk, RecordedOutcomes, Run, RunHooks } from '../runtime/run';
import { fileStore } from '../store/file';
import { memoryStore } from '../store/memory';
import type { RunStore } from '../store/store';
import { Breakpoints, hitConditionMet, interpolate, type Breakpoint, type BreakpointResult, type FunctionBreakpointSpec, type LineBreakpointSpec } from './breakpoints';
import { caseMocks, CaseLaunchError, loadCaseLaunch, type CaseLaunch } from './test-case';
import { describeWaits, waitText, type Wait } from './waits';

/** How the debugger reads files: the extension passes one that sees unsaved editors. */
export interface FileAccess {
  /** A file's text; throws (with `code: 'ENOENT'` for a missing file) when it cannot be read. */
  readFile(file: string): string;
}

export const nodeFileAccess: FileAccess = { readFile: (file) => fs.readFileSync(file, 'utf8') };

/** The launch attributes (launch.json) the debugger understands. */
export interface LaunchConfig {
  /** The task file to debug (relative paths start at `cwd`). */
  program: string;
  /** Input values, checked against the task's declarations. */
  input?: Record<string, unknown>;
  /** A mocks file (see docs/format.md). */
  mocks?: string;
  /** `real` (default) or `virtual`: timers jump; "step in" stops where the run waits. */
  clock?: 'real' | 'virtual';
  /** Stop before the first state. */
  stopOnEntry?: boolean;
  /** `memory` (default) or a folder for the journals (e.g. `.stepwise/runs`). */
  store?: string;
  /** Where relative paths start; default: the program's folder. */
  cwd?: string;
  /** Values of `secrets.*` in addition to the STEPWISE_SECRET_* environment variables. */
  secrets?: Record<string, string>;
  /** After a step back, reuse the recorded http/exec results while the run takes the same steps (default true). */
  reuseResults?: boolean;
  /** Run without debugging (VS Code's Ctrl+F5): no stops at all. */
  noDebug?: boolean;
  /** Debug a case of a test file instead of `program`: its task, input and mocks, on the virtual clock. */
  test?: { file: string; case: string };
  /** With `test`: stop where the run enters a state other than the one the case's `path` has there. */
  stopOnDivergence?: boolean;
}

/** A launch that cannot start: the message names the file, line and problem. */
export class LaunchError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number, readonly column?: number) {
    super(message);
    this.name = 'LaunchError';
  }
}

export type StopReason = 'entry' | 'breakpoint' | 'function breakpoint' | 'step' | 'pause' | 'exception';

/** Where a run stands when it stops. */
export type StopKind = 'state' | 'instruction' | 'transition' | 'catch' | 'failure' | 'wait' | 'paused';

export interface StopInfo {
  reason: StopReason;
  /** Short text for the UI ("Breakpoint on state collect"). */
  description: string;
  /** Longer text (the error, or what the run waits for). */
  text?: string;
  hitBreakpointIds?: number[];
  runId: string;
  at: StopKind;
  state?: string;
  /** Index of the instruction, transition or catch entry. */
  index?: number;
  attempt?: number;
  to?: string;
  cause?: TransitionCause;
  /** The event that fires the transition stopped at. */
  event?: ReceivedEvent;
  /** The failure stopped at (exception stops) or routed by a catch entry. */
  error?: RunError & { where?: FailureWhere };
}

export interface Frame {
  /** 1-based, valid until the run moves on. */
  id: number;
  name: string;
  file?: string;
  /** 0-based. */
  line: number;
  column: number;
  runId: string;
  kind: 'state' | 'instruction' | 'transition' | 'catch' | 'wait' | 'timeout';
}

export interface OutputInfo {
  category: 'stdout' | 'stderr' | 'console' | 'important';
  text: string;
  file?: string;
  /** 0-based. */
  line?: number;
}

/** The run's position, for the graph editor (custom event `stepwise/state`). */
export interface RunPosition {
  runId: string;
  /** The launched run (a called task's run has its caller here). */
  rootRunId: string;
  parentRunId?: string;
  task: string;
  file?: string;
  state?: string;
  phase: RunState['phase'];
  status: RunState['status'];
  stopped: boolean;
  reason?: StopReason;
  /** What the run stopped at: `state`, `instruction:2`, `transition:0`, … */
  at?: string;
  /**
   * The states entered, from `historyStart` on: events carry only the entries added since the
   * previous event for the same run (append them); the `position` request carries them all.
   */
  history: Array<{ state: string; enteredAt: number; seq: number }>;
  historyStart: number;
  /** The runs from the launched one to the innermost called one. */
  stack: Array<{ runId: string; task: string; file?: string; state?: string }>;
}

export interface RuntimeEvents {
  stopped: (stop: StopInfo) => void;
  /** The run moved on by itself (an event or a timer) after a stop where it was waiting. */
  continued: () => void;
  output: (o: OutputInfo) => void;
  position: (p: RunPosition) => void;
  breakpoint: (b: BreakpointResult) => void;
  /** The launched run ended (or was cancelled). */
  ended: (e: { runId: string; status: FinalRunStatus; reason?: string }) => void;
}

export interface DebugRuntimeOptions {
  files?: FileAccess;
  /** Where STEPWISE_SECRET_* come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Opens the store a launch names (`memory` or a folder, resolved against `cwd`). */
  openStore?: (spec: string, cwd: string) => RunStore;
  /** Custom instruction kinds, as in createEngine. */
  instructions?: Record<string, InstructionHandler>;
}

export const EXCEPTION_FILTERS = [
  { filter: 'instruction-failed', label: 'Instruction failed', description: 'Stop when an instruction fails after its retries (caught or not).', default: false },
  { filter: 'state-timeout', label: 'State timeout', description: "Stop when a state's timeout passes.", default: false },
  { filter: 'run-failed', label: 'Run failed', description: 'Stop before a run ends failed.', default: true },
] as const;

const SECRET_PREFIX = 'STEPWISE_SECRET_';
/** Instruction kinds whose recorded results a forked run may reuse (their effects are outside the run). */
const NOT_REUSED = new Set(['set', 'log', 'emit', 'sleep', 'call']);
const EMPTY_SCOPE: ExpressionScope = {};
const NO_VIEWS = { clear: EMPTY_SCOPE, shown: EMPTY_SCOPE };

type Mode =
  | { kind: 'run' }
  | { kind: 'stepIn' }
  | { kind: 'next'; runId: string }
  | { kind: 'stepOut'; runId: string }
  /** Stop at the next step of any of these runs (the callers of a run that ended or is stepped out of). */
  | { kind: 'caller'; runIds: Set<string> }
  /** After a rewind: pass `remaining` steps of the launched run silently, then stop. */
  | { kind: 'replay'; remaining: number; reason: StopReason; description: string; hitBreakpointIds?: number[] };

interface Point {
  runId: string;
  kind: 'state' | 'instruction' | 'transition' | 'catch';
  state: StateModel;
  index?: number;
  attempt?: number;
  to?: string;
  cause?: TransitionCause;
  event?: ReceivedEvent;
  error?: RunError;
}

/** A step of the launched run, remembered for step back. */
interface StepRecord {
  seq: number;
  kind: Point['kind'];
  state: string;
  index?: number;
  /** A place a forked run re-enters exactly: a state entry, or an instruction. */
  anchor: boolean;
}

interface CurrentStop extends StopInfo {
  resume: () => void;
  /** Index in `steps` when stopped at a step of the launched run. */
  step?: number;
}

type Listener<K extends keyof RuntimeEvents> = RuntimeEvents[K];

export class DebugRuntime {
  private readonly files: FileAccess;
  private readonly listeners: { [K in keyof RuntimeEvents]?: Array<Listener<K>> } = {};
  private config?: LaunchConfig;
  private task?: LoadedTask;
  private mocks: Mocks = NO_MOCKS;
  private secrets: Record<string, string> = {};
  private input: Record<string, unknown> = {};
  private store?: RunStore;
  private located = new Map<string, LocatedFile>();
  readonly breakpoints: Breakpoints;
  private exceptionFilters = new Set<string>(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.filter));

  private engine?: Engine;
  private clock?: Clock;
  /** Bumped whenever the runs are replaced (rewind, restart, end): hooks of older runs do nothing. */
  private generation = 0;
  private baseRunId = '';
  private rootRunId = '';
  private forks = 0;
  private mode: Mode = { kind: 'run' };
  private stop?: CurrentStop;
  private frameCache?: Frame[];
  private steps: StepRecord[] = [];
  /** True while a rewind replays forward to its target: no output, breakpoints or stops. */
  private silent = false;
  private stopOnEntry = false;
  /** A test case's `path`, while the run is to stop where it leaves it (stopOnDivergence). */
  private expectedPath?: string[];
  private noDebug = false;
  private recorded?: RecordedQueue;
  private finished = false;
  private rootDone?: Promise<unknown>;
  /** History entries already sent in position events, per run. */
  private readonly historySent = new Map<string, number>();

  constructor(private readonly options: DebugRuntimeOptions = {}) {
    this.files = options.files ?? nodeFileAccess;
    this.breakpoints = new Breakpoints(
      (file) => this.located.get(file),
      () => (this.located.size ? [...this.located.keys()].map((f) => path.basename(f)).join(', ') : 'the launched task file and the files it calls'),
    );
  }

  on<K extends keyof RuntimeEvents>(event: K, listener: Listener<K>): void {
    ((this.listeners[event] ??= []) as Array<Listener<K>>).push(listener);
  }

  private emit<K extends keyof RuntimeEvents>(event: K, ...args: Parameters<RuntimeEvents[K]>): void {
    for (const l of (this.listeners[event] ?? []) as Array<(...a: Parameters<RuntimeEvents[K]>) => void>) l(...args);
  }

  // ---- launch ----

  /** Reads, lints and checks everything a launch names; throws LaunchError. Does not start the run. */
  load(config: LaunchConfig): void {
    if (!config || typeof config !== 'object') throw new LaunchError('The launch configuration must be an object.');
    let testCase: CaseLaunch | undefined;
    if (config.test !== undefined) {
      try {
        testCase = loadCaseLaunch(config.test, path.resolve(typeof config.cwd === 'string' && config.cwd ? config.cwd : '.'), (f) => this.files.readFile(f));
      } catch (err) {
        if (err instanceof CaseLaunchError) throw new LaunchError(err.message, err.file, err.line);
        throw err;
      }
      // A case runs as `stepwise test` runs it: its own task, input and mocks, on the virtual clock.
      config = { ...config, program: testCase.taskFile, input: testCase.input, mocks: undefined, clock: 'virtual' };
    }
    if (typeof config.program !== 'string' || !config.program.trim()) {
      throw new LaunchError("The launch configuration needs 'program': the *.task.yaml file to debug.");
    }
    if (config.clock !== undefined && config.clock !== 'real' && config.clock !== 'virtual') {
      throw new LaunchError(`'clock' must be "real" or "virtual", not ${JSON.stringify(config.clock)}.`);
    }
    if (config.input !== undefined && (!config.input || typeof config.input !== 'object' || Array.isArray(config.input))) {
      throw new LaunchError("'input' must be an object of input names to values.");
    }
    const cwd = path.resolve(typeof config.cwd === 'string' && config.cwd ? config.cwd : path.dirname(path.resolve(config.program)));
    const file = path.resolve(cwd, config.program);
    const task = this.loadTask(file, (message, line, column) => new LaunchError(message, file, line, column));
    let mocks = testCase ? caseMocks(testCase, task.model) : NO_MOCKS;
    if (config.mocks) {
      const mocksFile = path.resolve(cwd, config.mocks);
      let text: string;
      try {
        text = this.files.readFile(mocksFile);
      } catch (err) {
        throw new LaunchError(`${notFound(err) ? 'Mocks file not found' : 'Cannot read the mocks file'}: ${mocksFile}`, mocksFile);
      }
      try {
        mocks = parseMocks(text, mocksFile);
      } catch (err) {
        if (err instanceof MocksError) throw new LaunchError(err.message, mocksFile, err.line - 1, err.column - 1);
        throw err;
      }
    }
    let input: Record<string, unknown>;
    try {
      input = resolveInput(task.model, config.input ?? {});
    } catch (err) {
      if (err instanceof InputError) throw new LaunchError(`Invalid input for ${file}:\n  ${err.message.split('\n').join('\n  ')}`, file);
      throw err;
    }
    const secrets: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.options.env ?? process.env)) if (k.startsWith(SECRET_PREFIX) && typeof v === 'string') secrets[k.slice(SECRET_PREFIX.length)] = v;
    if (config.secrets && typeof config.secrets === 'object') for (const [k, v] of Object.entries(config.secrets)) if (typeof v === 'string') secrets[k] = v;

    this.config = config;
    this.task = task;
    this.mocks = mocks;
    this.input = input;
    this.secrets = secrets;
    this.stopOnEntry = config.stopOnEntry === true && config.noDebug !== true;
    this.expectedPath = config.stopOnDivergence === true && testCase?.path ? testCase.path : undefined;
    this.noDebug = config.noDebug === true;
    this.located = locateTaskFiles(file, (f) => this.files.readFile(f), task.model);
    this.store ??= (this.options.openStore ?? defaultOpenStore)(config.store ?? 'memory', cwd);
    for (const f of this.breakpoints.files()) for (const r of this.breakpoints.refresh(f)) this.emit('breakpoint', r);
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
    this.finished = false;
    this.steps = [];
    this.mode = { kind: 'run' };
    this.silent = false;
    this.recorded = undefined;
    this.forks = 0;
    const engine = this.newEngine(Date.now());
    const run = engine.start(this.task, { input: this.input, runId: newRunId() });
    this.baseRunId = this.rootRunId = run.id;
    this.watchRoot(run);
  }

  private loadTask(file: string, fail: (message: string, line?: number, column?: number) => Error): LoadedTask {
    let text: string;
    try {
      text = this.files.readFile(file);
    } catch (err) {
      throw fail(notFound(err) ? `Task file not found: ${file}` : `Cannot read ${file}: ${(err as Error).message}`);
    }
    const { model, diagnostics } = lintText(text);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      const first = errors[0];
      const lines = errors.map((d) => `${file}:${d.range.start.line + 1}:${d.range.start.column + 1}: ${d.message} [${d.code}]`);
      throw fail(`${file} does not lint clean (${errors.length} error${errors.length === 1 ? '' : 's'}), so it cannot run:\n${lines.join('\n')}`, first.range.start.line, first.range.start.column);
    }
    return { model, file };
  }

  /** How the engine loads a task a `call` names: through the same file access, linted. */
  private loadCalled = (file: string): LoadedTask => {
    const abs = path.resolve(file);
    const task = this.loadTask(abs, (message) => new TaskLoadError(abs, [], message));
    if (!this.located.has(abs)) {
      for (const [f, l] of locateTaskFiles(abs, (x) => this.files.readFile(x), task.model)) if (!this.located.has(f)) this.located.set(f, l);
      for (const r of this.breakpoints.refresh(abs)) this.emit('breakpoint', r);
    }
    return task;
  };

  private newEngine(start: number): Engine {
    const gen = this.generation;
    const clock = this.clockKind === 'virtual' ? virtualClock(start) : realClock();
    const engine = createEngine({
      store: this.store,
      clock,
      mocks: this.mocks,
      secrets: this.secrets,
      instructions: this.options.instructions,
      hooks: this.hooks(gen),
      loadTask: this.loadCalled,
    });
    engine.onJournal((run, e) => {
      if (gen === this.generation) this.onJournal(run, e);
    });
    engine.onOutput((chunk) => {
      if (gen === this.generation && !this.silent) this.onOutput(chunk);
    });
    if (clock.kind === 'virtual') (clock as VirtualClock).setGate((due) => gen !== this.generation || this.gate(due));
    this.engine = engine;
    this.clock = clock;
    return engine;
  }

  private watchRoot(run: Run): void {
    const gen = this.generation;
    this.rootDone = run.done.then((s) => {
      if (gen !== this.generation) return;
      this.finished = true;
      this.generation++;
      this.stop = undefined;
      this.frameCache = undefined;
      this.emit('position', this.position(run.id, s, true));
      this.emit('ended', { runId: run.id, status: s.status === 'running' ? 'cancelled' : s.status, reason: s.reason });
    });
  }

  // ---- hooks: where the run may stop ----

  private hooks(gen: number): RunHooks {
    return {
      beforeState: (i) => this.step(gen, { runId: i.runId, kind: 'state', state: i.state }),
      beforeInstruction: (i) => this.step(gen, { runId: i.runId, kind: 'instruction', state: i.state, index: i.instruction.index, attempt: i.attempt }),
      beforeTransition: (i) =>
        this.step(gen, {
          runId: i.runId,
          kind: i.catch ? 'catch' : 'transition',
          state: i.state,
          index: i.catch ? i.catch.index : i.transition?.index,
          to: i.to,
          cause: i.cause,
          event: i.event,
          error: i.error,
        }),
      onFailure: (i) => this.failure(gen, i.runId, i.state, i.error, i.where),
    };
  }

  /** Called before each step; returns a promise (a stop) only when the run must wait here. */
  private step(gen: number, p: Point): void | Promise<void> {
    if (gen !== this.generation || this.noDebug) return;
    const isRoot = p.runId === this.rootRunId;
    if (isRoot) {
      const run = this.engine!.get(p.runId);
      this.steps.push({ seq: run?.state.seq ?? 0, kind: p.kind, state: p.state.name, index: p.index, anchor: p.kind === 'state' || p.kind === 'instruction' });
    }
    if (this.stop?.at === 'wait') {
      // The run was shown waiting; an event or a fired timer moved it on.
      this.stop = undefined;
      this.frameCache = undefined;
      this.emit('continued');
    }
    const mode = this.mode;
    if (mode.kind === 'replay') {
      if (!isRoot) return;
      if (mode.remaining > 0) {
        mode.remaining--;
        return;
      }
      this.silent = false;
      this.mode = { kind: 'run' };
      return this.stopAt(p, mode.reason, mode.description, mode.hitBreakpointIds, this.steps.length - 1);
    }
    let reason: StopReason | undefined;
    if (this.stopOnEntry && isRoot && p.kind === 'state') {
      this.stopOnEntry = false;
      reason = 'entry';
    } else if (mode.kind === 'stepIn') reason = 'step';
    else if (mode.kind === 'next' && mode.runId === p.runId && p.kind === 'state') reason = 'step';
    else if (mode.kind === 'stepOut' && mode.runId === p.runId && (p.kind === 'transition' || p.kind === 'catch')) reason = 'step';
    else if (mode.kind === 'caller' && mode.runIds.has(p.runId)) reason = 'step';
    if (isRoot && p.kind === 'state' && this.expectedPath) {
      const left = this.leavesPath(p.state.name);
      if (left) return this.stopAt(p, 'breakpoint', left, undefined, this.steps.length - 1);
    }
    const file = this.engine!.get(p.runId)?.task.file;
    const lineBps = this.breakpoints.at(file, elementKey(p.kind, p.state.name, p.index));
    const fnBps = p.kind === 'state' ? this.breakpoints.functionsFor(p.state.name, this.engine!.get(p.runId)?.task.model.name) : [];
    if (!reason && lineBps.length === 0 && fnBps.length === 0) return;
    return this.decide(p, reason, lineBps, fnBps, isRoot ? this.steps.length - 1 : undefined);
  }

  /** Where the run leaves the case's path, as the stop says it; once per launch. */
  private leavesPath(state: string): string | undefined {
    const expected = this.expectedPath!;
    const at = this.steps.filter((s) => s.kind === 'state').length - 1;
    if (expected[at] === state) return undefined;
    this.expectedPath = undefined;
    return at >= expected.length
      ? `The run leaves the case's path: it enters '${state}' after the path's last state, '${expected[expected.length - 1]}'`
      : `The run leaves the case's path: it enters '${state}' where the path has '${expected[at]}'`;
  }

  private async decide(p: Point, reason: StopReason | undefined, lineBps: readonly Breakpoint[], fnBps: readonly Breakpoint[], step: number | undefined): Promise<void> {
    const hit: number[] = [];
    let byFunction = false;
    const run = this.engine!.get(p.runId);
    const inspect = (source: string) => (run ? run.evaluate(source, p.event ? { event: p.event } : {}) : evaluateViews(source, NO_VIEWS));
    for (const bp of [...lineBps, ...fnBps]) {
      if (bp.condition) {
        let ok: boolean;
        try {
          ok = truthy((await inspect(bp.condition)).value);
        } catch (err) {
          this.emit('output', { category: 'console', text: `Breakpoint condition failed (stopping): ${(err as Error).message}\n`, ...this.placeOf(p) });
          ok = true;
        }
        if (!ok) continue;
      }
      bp.hits++;
      if (bp.hitCondition && !hitConditionMet(bp.hitCondition, bp.hits)) continue;
      if (bp.logMessage !== undefined) {
        const text = redact(await interpolate(bp.logMessage, inspect), this.secrets);
        this.emit('output', { category: 'console', text: text + '\n', ...this.placeOf(p) });
        continue;
      }
      hit.push(bp.id);
      if (fnBps.includes(bp) && !lineBps.includes(bp)) byFunction = true;
    }
    if (hit.length) {
      const what = p.kind === 'state' ? `state ${p.state.name}` : `${p.kind} ${p.index} of ${p.state.name}`;
      return this.stopAt(p, byFunction && hit.length === fnBps.length ? 'function breakpoint' : 'breakpoint', `Breakpoint on ${what}`, hit, step);
    }
    if (reason) return this.stopAt(p, reason, reason === 'entry' ? `Before the first state, ${p.state.name}` : describePoint(p), undefined, step);
  }

  private stopAt(p: Point, reason: StopReason, description: string, hitBreakpointIds: number[] | undefined, step: number | undefined): Promise<void> {
    return new Promise<void>((done) => {
      const resolve = this.chainPause(done);
      this.mode = { kind: 'run' };
      this.frameCache = undefined;
      this.stop = {
        reason,
        description,
        text: p.error ? `${p.error.kind}: ${p.error.message}` : undefined,
        hitBreakpointIds,
        runId: p.runId,
        at: p.kind,
        state: p.state.name,
        index: p.index,
        attempt: p.attempt,
        to: p.to,
        cause: p.cause,
        event: p.event,
        error: p.error,
        resume: resolve,
        step,
      };
      this.emitStopped();
    });
  }

  private failure(gen: number, runId: string, st: StateModel | undefined, error: RunError, where: FailureWhere): void | Promise<void> {
    if (gen !== this.generation || this.silent || this.noDebug || this.mode.kind === 'replay') return;
    const filter = where === 'instruction' ? 'instruction-failed' : where === 'timeout' ? 'state-timeout' : 'run-failed';
    if (!this.exceptionFilters.has(filter)) return;
    const run = this.engine!.get(runId);
    const stateName = st?.name ?? run?.state.state;
    const label = where === 'instruction' ? 'Instruction failed' : where === 'timeout' ? 'State timed out' : 'Run failed';
    return new Promise<void>((done) => {
      const resolve = this.chainPause(done);
      this.mode = { kind: 'run' };
      this.frameCache = undefined;
      this.stop = {
        reason: 'exception',
        description: `${label}: ${error.message}`,
        text: `${error.kind}: ${error.message}`,
        runId,
        at: 'failure',
        state: stateName,
        index: where === 'instruction' ? run?.state.nextInstruction : undefined,
        error: { ...error, where },
        resume: resolve,
      };
      this.emitStopped();
    });
  }

  /**
   * A stop reached while a pause was being set up (a hook that was evaluating a condition) takes
   * the pause's place: resuming it lifts the pause too.
   */
  private chainPause(resolve: () => void): () => void {
    const previous = this.stop;
    if (previous?.at !== 'paused') return resolve;
    return () => {
      previous.resume();
      resolve();
    };
  }

  /** The virtual clock asks before it jumps: "step in" stops where the run waits. */
  private gate(due: number): boolean {
    if (this.silent || this.finished) return true;
    if (this.stop) return this.stop.at !== 'wait';
    if (this.mode.kind !== 'stepIn') return true;
    const run = this.innermost();
    if (!run) return true;
    // The mode stays "step in": if an event (or a fired timer) moves the run on, it stops at the
    // step it leads to.
    this.frameCache = undefined;
    const waits = this.waitsOf(run);
    const next = waits.find((w) => w.due === due) ?? waits.find((w) => w.due !== undefined);
    this.stop = {
      reason: 'step',
      description: next ? `Waiting: ${waitText(next, this.clock!.now())}` : 'Waiting',
      text: waits.map((w) => waitText(w, this.clock!.now())).join('\n') || undefined,
      runId: run.id,
      at: 'wait',
      state: run.state.state,
      resume: () => (this.clock as VirtualClock).poke(),
    };
    this.emitStopped();
    return false;
  }

  private emitStopped(): void {
    const stop = this.stop!;
    const { resume: _r, step: _s, ...info } = stop;
    const run = this.engine?.get(stop.runId);
    if (run) this.emit('position', this.position(run.id, run.state, true));
    this.emit('stopped', info);
  }

  // ---- journal and output ----

  private onJournal(run: Run, e: JournalEvent): void {
    switch (e.type) {
      case 'state-entered':
        if (!this.silent) {
          this.emit('output', { category: 'console', text: `${run.id === this.rootRunId ? '' : `[${run.task.model.name}] `}● ${e.state}\n` });
          this.emit('position', this.position(run.id, run.state, true));
        }
        break;
      case 'transition-taken':
        if (!this.silent) this.emit('output', { category: 'console', text: `  → ${e.to} (${e.cause}${e.error ? `: ${e.error.kind}` : ''})\n` });
        break;
      case 'instruction-failed':
        if (!this.silent) this.emit('output', { category: 'console', text: `  ✗ ${e.kind} failed [${e.error.kind}]: ${e.error.message}${e.retryInMs !== undefined ? ` (retry in ${e.retryInMs}ms)` : ''}\n` });
        break;
      case 'event-received':
        if (!this.silent) this.emit('output', { category: 'console', text: `  ⚑ event ${e.name} ${JSON.stringify(e.data)}\n` });
        break;
      case 'data-set':
        this.emit('output', { category: 'console', text: `  ✎ data${e.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')} = ${JSON.stringify(e.value)}\n` });
        break;
      case 'run-ended': {
        if (!this.silent) this.emit('output', { category: 'console', text: `${run.id === this.rootRunId ? '' : `[${run.task.model.name}] `}■ run ${run.id} ${e.status}${e.error ? `: ${e.error.message}` : e.reason && e.reason !== e.status ? ` (${e.reason})` : ''}\n` });
        const mode = this.mode;
        // Stepping over or out of a run that ends goes on in its caller.
        if ((mode.kind === 'next' || mode.kind === 'stepOut') && mode.runId === run.id) this.mode = { kind: 'caller', runIds: new Set(this.ancestors(run.id)) };
        break;
      }
      default:
        break;
    }
  }

  private onOutput(chunk: OutputChunk): void {
    const run = this.engine?.get(chunk.runId);
    const place: { file?: string; line?: number } = {};
    if (run) {
      const st = chunk.state ? run.task.model.states.find((s) => s.name === chunk.state) : undefined;
      const ins = st?.do[run.state.nextInstruction];
      place.file = run.task.file;
      place.line = ins?.range.start.line ?? st?.keyRange.start.line;
    }
    const text = chunk.stream === 'log' ? chunk.text + '\n' : chunk.text;
    this.emit('output', { category: chunk.stream === 'stderr' ? 'stderr' : 'stdout', text, ...place });
  }

  // ---- requests ----

  setExceptionFilters(filters: readonly string[]): void {
    const known = new Set<string>(EXCEPTION_FILTERS.map((f) => f.filter));
    const unknown = filters.filter((f) => !known.has(f));
    if (unknown.length) throw new Error(`Unknown exception filter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: use ${[...known].join(', ')}.`);
    this.exceptionFilters = new Set(filters);
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
    return this.stop !== undefined;
  }

  get stopped(): StopInfo | undefined {
    return this.stop;
  }

  get hasEnded(): boolean {
    return this.finished;
  }

  continue(): void {
    this.mode = { kind: 'run' };
    this.resume();
  }

  /** Step over: to the next state of the run stopped in (or back in its caller when it ends). */
  next(): void {
    const stop = this.requireStop();
    this.mode = { kind: 'next', runId: stop.runId };
    this.resume();
  }

  /** Step in: to the very next step (instruction, transition, state, a called task's first state, a wait). */
  stepIn(): void {
    const stop = this.requireStop();
    this.mode = { kind: 'stepIn' };
    if (stop.at === 'wait') {
      this.stop = undefined;
      this.frameCache = undefined;
      (this.clock as VirtualClock).skipToNextTimer();
      return;
    }
    this.resume();
  }

  /** Step out: return from a called task; in the launched run, finish the state (stop at its transition). */
  stepOut(): void {
    const stop = this.requireStop();
    const parents = this.ancestors(stop.runId);
    if (parents.length) this.mode = { kind: 'caller', runIds: new Set(parents) };
    else if (stop.at === 'transition' || stop.at === 'catch') this.mode = { kind: 'next', runId: stop.runId };
    else this.mode = { kind: 'stepOut', runId: stop.runId };
    this.resume();
  }

  async pause(): Promise<void> {
    if (this.stop || this.finished || !this.engine) return;
    const run = this.innermost();
    if (!run) return;
    await run.pause();
    if (this.stop || run.ended) {
      await run.resume();
      return;
    }
    this.frameCache = undefined;
    const waits = this.waitsOf(run);
    const now = this.clock!.now();
    this.stop = {
      reason: 'pause',
      description: waits.length ? `Paused while waiting: ${waitText(waits[0], now)}` : 'Paused',
      text: waits.map((w) => waitText(w, now)).join('\n') || undefined,
      runId: run.id,
      at: 'paused',
      state: run.state.state,
      resume: () => void run.resume(),
    };
    this.emitStopped();
  }

  /** "Skip wait": fires the next timer of the virtual clock now, then stops at the next step or wait. */
  skipWait(): { skipped: string; due: number } {
    if (this.clockKind !== 'virtual') throw new Error('Skip wait needs the virtual clock: launch with "clock": "virtual".');
    const stop = this.requireStop();
    if (stop.at !== 'wait' && stop.at !== 'paused') throw new Error('The run is stopped at a step, not waiting: step or continue until it waits on a timer.');
    const clock = this.clock as VirtualClock;
    const due = clock.nextDue();
    if (due === undefined) throw new Error('Nothing to skip: no timer is pending (the run waits for an event).');
    const run = this.engine!.get(stop.runId);
    const wait = run ? this.waitsOf(run).find((w) => w.due === due) : undefined;
    this.recorded?.diverge();
    this.mode = { kind: 'stepIn' };
    this.stop = undefined;
    this.frameCache = undefined;
    clock.skipToNextTimer();
    if (stop.at === 'paused') stop.resume();
    return { skipped: wait?.text ?? 'timer', due };
  }

  /** Delivers an event to the innermost run (or the one named). */
  async sendEvent(name: string, data: unknown, runId?: string): Promise<{ runId: string; seq: number }> {
    if (typeof name !== 'string' || !name) throw new Error("sendEvent needs a 'name'.");
    const run = runId ? this.engine?.get(runId) : this.innermost();
    if (!run || run.ended) throw new Error(runId ? `No active run '${runId}'.` : 'No run is active.');
    this.recorded?.diverge();
    await run.send(name, data === undefined ? null : data, 'debugger');
    return { runId: run.id, seq: run.state.seq };
  }

  /** Sets a value in a run's data (journaled). */
  async setData(runId: string, dataPath: Array<string | number>, value: unknown): Promise<void> {
    const run = this.engine?.get(runId);
    if (!run || run.ended) throw new Error('The run has ended; its data can no longer change.');
    if (!this.stop) throw new Error('Pause the run before changing its data.');
    this.recorded?.diverge();
    await run.setData(dataPath, value, 'debugger');
    this.frameCache = undefined;
  }

  /**
   * Evaluates a JSONata expression over a run's context (the innermost run by default) as the run
   * does; a value computed from a secret comes back as the mask, with `secret` set.
   */
  async evaluate(expression: string, runId?: string, hover = false): Promise<{ value: unknown; secret: boolean }> {
    const run = runId ? this.engine?.get(runId) : this.innermost() ?? this.engine?.get(this.rootRunId);
    if (!run) throw new Error('No run to evaluate in.');
    const event = this.stop?.runId === run.id ? this.stop.event : undefined;
    const over = event ? { event } : {};
    let r = await run.evaluate(expression, over);
    if (r.value === undefined && hover && /^[A-Za-z_][\w.-]*$/.test(expression)) {
      // Hovering a name in the YAML (an `as` name, a data key) shows the data it names.
      r = await run.evaluate(`data.${expression.split('.').map((p) => (/^[A-Za-z_]\w*$/.test(p) ? p : `\`${p}\``)).join('.')}`, over);
    }
    return { value: r.secret ? MASK : redact(r.value, this.secrets), secret: r.secret };
  }

  // ---- going back ----

  /** Step back: to the previous step of the launched run (rebuilt from its journal). */
  async stepBack(): Promise<void> {
    const stop = this.requireStop();
    const current = stop.step ?? this.steps.length;
    if (current <= 0) throw new Error('This is the first step of the run: there is nothing before it.');
    const target = current - 1;
    const s = this.steps[target];
    await this.rewindTo(target, 'step', `Stepped back to ${describeRecord(s)}`);
  }

  /** Reverse continue: back to the latest earlier step with a breakpoint, or to the start. */
  async reverseContinue(): Promise<void> {
    const stop = this.requireStop();
    const current = stop.step ?? this.steps.length;
    const journal = await this.store!.read(this.rootRunId);
    const file = this.task!.file;
    for (let i = current - 1; i >= 0; i--) {
      const s = this.steps[i];
      const bps = [...this.breakpoints.at(file, elementKey(s.kind, s.state, s.index)), ...(s.kind === 'state' ? this.breakpoints.functionsFor(s.state, this.task!.model.name) : [])].filter((b) => b.logMessage === undefined);
      if (!bps.length) continue;
      const state = replay(journal.filter((e) => e.seq <= s.seq));
      const hit: number[] = [];
      for (const bp of bps) {
        if (bp.condition) {
          try {
            if (!truthy(await evaluate(bp.condition, this.scope(state)))) continue;
          } catch {
            // A condition that fails stops, as it does going forward.
          }
        }
        hit.push(bp.id);
      }
      if (hit.length) return this.rewindTo(i, 'breakpoint', `Breakpoint on ${describeRecord(s)} (going back)`, hit);
    }
    if (current === 0) throw new Error('This is the first step of the run: there is nothing before it.');
    return this.rewindTo(0, 'entry', 'Back at the start of the run');
  }

  private async rewindTo(target: number, reason: StopReason, description: string, hitBreakpointIds?: number[]): Promise<void> {
    let anchor = target;
    while (anchor > 0 && !this.steps[anchor].anchor) anchor--;
    const at = this.steps[anchor];
    const journal = await this.store!.read(this.rootRunId);
    const prefix = journal.filter((e) => e.seq <= at.seq);
    const future = journal.filter((e) => e.seq > at.seq);
    await this.disposeRuns('rewound by the debugger');
    this.finished = false;
    this.steps = this.steps.slice(0, anchor);
    this.mode = { kind: 'replay', remaining: target - anchor, reason, description, hitBreakpointIds };
    this.silent = target > anchor;
    this.recorded = this.config?.reuseResults === false ? undefined : new RecordedQueue(future);
    const engine = this.newEngine(prefix[prefix.length - 1].at);
    const runId = `${this.baseRunId}-r${++this.forks}`;
    this.rootRunId = runId;
    const run = await engine.fork(this.task!, prefix, { runId, recorded: this.recorded });
    this.watchRoot(run);
  }

  // ---- ending ----

  /** Restarts the run from the start (reloading the file and mocks); throws LaunchError. */
  async restart(config?: LaunchConfig): Promise<void> {
    await this.disposeRuns('restarted by the debugger');
    this.load(config ?? this.config!);
    this.breakpoints.resetHits();
    this.start();
  }

  /** Cancels the run (journaled as cancelled); resolves when it has ended. */
  async terminate(reason = 'terminated by the debugger'): Promise<void> {
    if (!this.engine || this.finished) return;
    const runs = this.engine.active();
    const stop = this.stop;
    this.mode = { kind: 'run' };
    for (const r of runs) r.cancel(reason);
    this.stop = undefined;
    stop?.resume();
    (this.clock as VirtualClock | undefined)?.poke?.();
    await withTimeout(Promise.all([...runs.map((r) => r.done), this.rootDone]), 5000);
  }

  /** Ends everything: cancels the runs and closes the store. */
  async dispose(reason = 'the debugger disconnected'): Promise<void> {
    await this.terminate(reason);
    this.generation++;
    const store = this.store;
    this.store = undefined;
    await store?.close();
  }

  private async disposeRuns(reason: string): Promise<void> {
    const engine = this.engine;
    if (!engine) return;
    const runs = engine.active();
    const stop = this.stop;
    this.generation++;
    this.stop = undefined;
    this.frameCache = undefined;
    this.silent = false;
    for (const r of runs) r.cancel(reason);
    stop?.resume();
    await withTimeout(Promise.all(runs.map((r) => r.done)), 5000);
  }

  private resume(): void {
    const stop = this.stop;
    if (!stop) return;
    this.stop = undefined;
    this.frameCache = undefined;
    if (stop.step !== undefined && this.steps[stop.step]) {
      // What was done while stopped here (data set, events sent) belongs to this step.
      const run = this.engine?.get(stop.runId);
      if (run) this.steps[stop.step].seq = run.state.seq;
    }
    stop.resume();
  }

  private requireStop(): CurrentStop {
    if (!this.stop) throw new Error(this.finished ? 'The run has ended.' : 'The run is not stopped: pause it first.');
    return this.stop;
  }

  // ---- inspection ----

  threadName(): string {
    const name = this.task?.model.name ?? 'task';
    return this.rootRunId ? `${name} (run ${this.rootRunId})` : name;
  }

  /** The stack: the stopped step, its state, then each caller's `call` instruction and state. */
  frames(): Frame[] {
    if (this.frameCache) return this.frameCache;
    const out: Frame[] = [];
    const stop = this.stop;
    if (!stop || !this.engine) return out;
    const chain = [stop.runId, ...this.ancestors(stop.runId)];
    const push = (f: Omit<Frame, 'id'>) => out.push({ ...f, id: out.length + 1 });
    for (const runId of chain) {
      const run = this.engine.get(runId);
      if (!run) continue;
      const { model, file } = run.task;
      const tag = runId === this.rootRunId ? '' : `${model.name} · `;
      const stateFrame = (name: string | undefined, suffix = '') => {
        const st = name === undefined ? undefined : model.states.find((s) => s.name === name);
        if (!st) return;
        push({ name: `${tag}${st.name}${suffix}`, file, line: st.keyRange.start.line, column: st.keyRange.start.column, runId, kind: 'state' });
      };
      const instructionFrame = (st: StateModel | undefined, index: number | undefined, note = '') => {
        const ins = st && index !== undefined ? st.do[index] : undefined;
        if (!st || !ins) return;
        push({ name: `${tag}${st.name} › ${describeInstruction(ins)}${note}`, file, line: ins.range.start.line, column: ins.range.start.column, runId, kind: 'instruction' });
      };
      const st = (name: string | undefined) => (name === undefined ? undefined : model.states.find((s) => s.name === name));
      if (runId !== stop.runId) {
        // A caller: inside its `call` instruction.
        instructionFrame(st(run.state.state), run.state.nextInstruction);
        stateFrame(run.state.state);
        continue;
      }
      switch (stop.at) {
        case 'state':
          stateFrame(stop.state, ' (entering)');
          break;
        case 'instruction':
          instructionFrame(st(stop.state), stop.index, stop.attempt && stop.attempt > 1 ? ` (attempt ${stop.attempt})` : '');
          stateFrame(stop.state);
          break;
        case 'transition':
        case 'catch': {
          const s = st(stop.state);
          const item = stop.at === 'catch' ? s?.catch[stop.index ?? 0] : s?.on[stop.index ?? 0];
          if (s && item) push({ name: `${tag}${s.name} → ${stop.to} (${stop.cause})`, file, line: item.range.start.line, column: item.range.start.column, runId, kind: stop.at });
          stateFrame(stop.state);
          break;
        }
        case 'failure': {
          const s = st(stop.state);
          if (stop.error?.where === 'timeout' && s?.fields.timeout) {
            const k = s.fields.timeout.key;
            push({ name: `${tag}${s.name} timed out after ${s.timeout}`, file, line: k.start.line, column: k.start.column, runId, kind: 'timeout' });
          } else if (stop.error?.where === 'instruction' || (run.state.phase === 'instructions' && s && run.state.nextInstruction < s.do.length)) {
            instructionFrame(s, stop.index ?? run.state.nextInstruction, ' (failed)');
          }
          stateFrame(stop.state);
          break;
        }
        case 'wait':
        case 'paused': {
          if (run.state.phase === 'between') {
            const target = run.state.target ?? model.start;
            stateFrame(target, ' (next)');
            break;
          }
          const s = st(run.state.state);
          if (s && run.state.phase === 'instructions' && run.state.nextInstruction < s.do.length) {
            instructionFrame(s, run.state.nextInstruction, run.state.retryAt !== undefined ? ' (waiting to retry)' : '');
          } else if (s) {
            const waits = this.waitsOf(run).filter((w) => w.state === s.name && w.line !== undefined);
            const w = waits.find((x) => x.due !== undefined) ?? waits[0];
            if (w) push({ name: `${tag}${s.name} · waiting: ${waitText(w, this.clock!.now())}`, file, line: w.line!, column: 0, runId, kind: 'wait' });
          }
          stateFrame(run.state.state);
          break;
        }
      }
    }
    this.frameCache = out;
    return out;
  }

  frame(id: number): Frame | undefined {
    return this.frames()[id - 1];
  }

  /** The values a run's scopes show; secrets are masked. */
  contexts(runId: string): { data: unknown; input: unknown; result: unknown; event: unknown; run: Record<string, unknown>; secrets: Record<string, string> } {
    const run = this.engine?.get(runId);
    if (!run) throw new Error(`No active run '${runId}'.`);
    const s = run.state;
    const stop = this.stop?.runId === runId ? this.stop : undefined;
    const now = this.clock?.now() ?? Date.now();
    const waits = this.waitsOf(run).map((w) => waitText(w, now));
    const info: Record<string, unknown> = {
      id: run.id,
      task: run.task.model.name,
      file: run.task.file,
      state: stop?.at === 'state' ? stop.state : s.state,
      phase: stop?.at === 'state' ? 'entering' : s.phase,
      status: s.paused ? 'paused' : s.status,
      attempt: stop?.attempt ?? s.attempts + 1,
      startedAt: new Date(s.startedAt).toISOString(),
      now: new Date(now).toISOString(),
      clock: this.clockKind,
      history: s.history.map((h) => h.state),
    };
    if (s.parentRunId) info.calledBy = s.parentRunId;
    if (stop?.to) info.transition = { to: stop.to, cause: stop.cause };
    if (stop?.error) info.error = stop.error;
    if (waits.length) info.waiting = waits;
    if (s.pendingEvents.length) info.pendingEvents = s.pendingEvents.map((e) => ({ name: e.name, data: e.data }));
    const secrets: Record<string, string> = {};
    for (const k of Object.keys(this.secrets)) secrets[k] = MASK;
    const event = stop?.event ?? s.event;
    return {
      data: redact(s.data, this.secrets),
      input: redact(s.input, this.secrets),
      result: redact(s.result, this.secrets),
      event: redact(event ? { name: event.name, data: event.data } : null, this.secrets),
      run: info,
      secrets,
    };
  }

  /** The element a 0-based line of a known file stands for. */
  elementAt(file: string, line: number): ReturnType<LocatedFile['lines']['at']> {
    return this.located.get(file)?.lines.at(line);
  }

  /** Where the run (the stopped one, else the innermost) stands now. */
  currentPosition(runId?: string): RunPosition | undefined {
    const run = (runId ? this.engine?.get(runId) : undefined) ?? this.innermost();
    return run ? this.position(run.id, run.state) : undefined;
  }

  /** The launched run's journal (for the graph editor and tests). */
  async journal(runId = this.rootRunId): Promise<JournalEvent[]> {
    if (!this.store) return [];
    return this.store.read(runId);
  }

  get currentRunId(): string {
    return this.rootRunId;
  }

  /** Where a run stands; `delta` gives only the history entries not sent before (for events). */
  position(runId: string, s: Readonly<RunState>, delta = false): RunPosition {
    const run = this.engine?.get(runId);
    const historyStart = delta ? Math.min(this.historySent.get(runId) ?? 0, s.history.length) : 0;
    if (delta) this.historySent.set(runId, s.history.length);
    const stop = this.stop?.runId === runId ? this.stop : undefined;
    const chain = [...this.ancestors(runId)].reverse().concat(runId);
    return {
      runId,
      rootRunId: this.rootRunId,
      parentRunId: s.parentRunId,
      task: s.task,
      file: s.file,
      state: stop?.at === 'state' ? stop.state : s.state,
      phase: s.phase,
      status: s.status,
      stopped: Boolean(stop),
      reason: stop?.reason,
      at: stop ? (stop.index !== undefined ? `${stop.at}:${stop.index}` : stop.at) : undefined,
      history: s.history.slice(historyStart).map((h) => ({ ...h })),
      historyStart,
      stack: chain.map((id) => {
        const r = id === runId ? undefined : this.engine?.get(id);
        const st = r?.state ?? (id === runId ? s : undefined);
        return { runId: id, task: st?.task ?? run?.task.model.name ?? '', file: st?.file, state: st?.state };
      }),
    };
  }

  private scope(s: Readonly<RunState>, event?: ReceivedEvent): ExpressionScope {
    return {
      input: s.input,
      data: s.data,
      result: s.result,
      event: event ?? s.event,
      run: { id: s.runId, state: s.state, attempt: s.attempts + 1, startedAt: new Date(s.startedAt).toISOString() },
      secrets: this.secrets,
    };
  }

  private waitsOf(run: Run): Wait[] {
    return describeWaits(run.task.model, run.state, this.clock?.now() ?? Date.now(), run.id === this.rootRunId || !run.state.parentRunId ? this.mocks.events : []);
  }

  /** The run deepest in the call chain (the one a pause or an event is for). */
  private innermost(): Run | undefined {
    const active = this.engine?.active().filter((r) => !r.ended) ?? [];
    if (!active.length) return undefined;
    const parents = new Set(active.map((r) => r.state.parentRunId).filter((x): x is string => Boolean(x)));
    return active.find((r) => !parents.has(r.id) && (r.id === this.rootRunId || this.ancestors(r.id).includes(this.rootRunId))) ?? active[0];
  }

  /** The callers of a run, nearest first. */
  private ancestors(runId: string): string[] {
    const out: string[] = [];
    let id = this.engine?.get(runId)?.state.parentRunId;
    while (id && out.length < 64) {
      out.push(id);
      id = this.engine?.get(id)?.state.parentRunId;
    }
    return out;
  }

  private placeOf(p: Point): { file?: string; line?: number } {
    const run = this.engine?.get(p.runId);
    const item = p.kind === 'instruction' ? p.state.do[p.index ?? 0] : p.kind === 'transition' ? p.state.on[p.index ?? 0] : p.kind === 'catch' ? p.state.catch[p.index ?? 0] : undefined;
    return { file: run?.task.file, line: item ? item.range.start.line : p.state.keyRange.start.line };
  }
}

/**
 * The outcomes a rewound run recorded after the fork point, offered in order to the forked run:
 * reused while the forked run asks for the same instruction (or poll) in the same order, dropped
 * at the first difference (or when the user changes data, sends an event or skips a wait).
 * Mocked outcomes and instructions with effects inside the run (set, log, emit, sleep, call)
 * are not reused: they run again and come out the same.
 */
class RecordedQueue implements RecordedOutcomes {
  private readonly outcomes: JournalEvent[];
  private i = 0;
  private diverged = false;

  constructor(future: readonly JournalEvent[]) {
    this.outcomes = future.filter((e) => e.type === 'instruction-finished' || e.type === 'instruction-failed' || e.type === 'poll-result');
  }

  diverge(): void {
    this.diverged = true;
  }

  instruction(state: string, index: number, kind: string, attempt: number): MockOutcome | undefined {
    if (this.diverged) return undefined;
    const e = this.outcomes[this.i];
    const same =
      e &&
      (e.type === 'instruction-finished' || e.type === 'instruction-failed') &&
      e.state === state &&
      e.index === index &&
      e.kind === kind &&
      (e.type === 'instruction-finished' || e.attempt === attempt);
    if (!same) {
      this.diverged = true;
      return undefined;
    }
    this.i++;
    if (e.mocked || NOT_REUSED.has(kind)) return undefined;
    return e.type === 'instruction-finished' ? { result: e.result } : { error: e.error };
  }

  poll(state: string, transition: number): MockOutcome | undefined {
    if (this.diverged) return undefined;
    const e = this.outcomes[this.i];
    if (!e || e.type !== 'poll-result' || e.state !== state || e.transition !== transition) {
      this.diverged = true;
      return undefined;
    }
    this.i++;
    if (e.mocked) return undefined;
    return e.error ? { error: e.error } : { result: e.result };
  }
}

function defaultOpenStore(spec: string, cwd: string): RunStore {
  return spec === 'memory' ? memoryStore() : fileStore(path.resolve(cwd, spec));
}

function notFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

export function describeInstruction(ins: InstructionModel): string {
  return `${ins.kind || 'instruction'}${ins.as ? ` as ${ins.as}` : ` #${ins.index}`}`;
}

function describePoint(p: Point): string {
  switch (p.kind) {
    case 'state':
      return `Entering state ${p.state.name}`;
    case 'instruction': {
      const ins = p.state.do[p.index ?? 0];
      return `Before ${ins ? describeInstruction(ins) : `instruction ${p.index}`} in ${p.state.name}${p.attempt && p.attempt > 1 ? ` (attempt ${p.attempt})` : ''}`;
    }
    default:
      return `${p.state.name} → ${p.to} (${p.cause})`;
  }
}

function describeRecord(s: StepRecord): string {
  return s.kind === 'state' ? `state ${s.state}` : `${s.kind} ${s.index} of ${s.state}`;
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
