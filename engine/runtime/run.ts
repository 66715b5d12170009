// One run of a task: walks the state machine, journals its steps (see run-journal.ts), and
// calls the hooks a debugger needs. It knows nothing of DAP or VS Code. Running an instruction is
// execution.ts, leaving a state waits.ts; what they need of the run is its host (run-host.ts).
import { durationMs } from '../expr/duration';
import { evaluateViews, type Evaluated, type ExpressionScope } from '../expr/expression';
import type { BranchTag, JournalEvent, ReceivedEvent, RunError, ScheduleTrigger, TransitionCause } from '../journal/events';
import type { RunState } from '../journal/replay';
import type { CallResult } from '../instructions/types';
import type { InstructionSite } from '../observe/observer';
import type { CatchModel, InstructionModel, StateModel, TaskModel, TransitionModel } from '../model/types';
import type { Clock } from './clock';
import { runInstruction, toRunError, type RecordedInstructions } from './execution';
import type { MockSession } from './mocks';
import type { InstructionRegistry } from '../instructions/registry';
import type { RunStore } from '../store/store';
import { pinSource } from './pinned';
import { RunHost } from './run-host';
import { Interrupt, Scope } from './scope';
import { chooseTransition, isArmed, offer, routeFailure, type Decision, type RecordedWaits } from './waits';

export interface StepInfo {
  runId: string;
  run: Readonly<RunState>;
  state: StateModel;
}

export interface TransitionInfo extends StepInfo {
  to: string;
  cause: TransitionCause;
  transition?: TransitionModel;
  catch?: CatchModel;
  /** The event that fires an event transition. */
  event?: ReceivedEvent;
  /** The failure a `catch` entry routes. */
  error?: RunError;
}

export type FailureWhere = 'instruction' | 'timeout' | 'run';

/**
 * Called before each step; a returned promise holds the run (and the virtual clock) there until it
 * settles, which is how a debugger stops on a breakpoint.
 */
export interface RunHooks {
  beforeState?(info: StepInfo): void | Promise<void>;
  beforeInstruction?(info: StepInfo & { instruction: InstructionModel; attempt: number }): void | Promise<void>;
  beforeTransition?(info: TransitionInfo): void | Promise<void>;
  onFailure?(info: Partial<StepInfo> & { runId: string; run: Readonly<RunState>; error: RunError; where: FailureWhere }): void | Promise<void>;
}

export interface OutputChunk {
  runId: string;
  state?: string;
  stream: 'stdout' | 'stderr' | 'log';
  text: string;
}

/**
 * Outcomes recorded by the run a forked run continues (the debugger's step back): while the two
 * runs take the same steps, an instruction or poll can reuse the recorded outcome instead of
 * running again. Returns undefined to run it (or take its mock) as usual.
 */
export interface RecordedOutcomes extends RecordedWaits, RecordedInstructions {}

export interface RunEnvironment {
  store: RunStore;
  clock: Clock;
  instructions: InstructionRegistry;
  mocks: MockSession;
  recorded?: RecordedOutcomes;
  secrets: Record<string, string>;
  hooks: RunHooks;
  /** Another run of the engine sent an event (`emit`). */
  broadcast(from: string, name: string, data: unknown): Promise<void>;
  /** Runs a child run; an abort of `signal` cancels it. */
  callTask(parent: Run, file: string, input: Record<string, unknown>, childId: string, signal: AbortSignal): Promise<CallResult>;
  /**
   * When set, the `call` of a fan-out branch is a run of the store that any process may execute
   * (PostgreSQL): started once under `childId` (again with the same id, it waits for the same run)
   * and waited for while the parent is parked. An abort of `signal` cancels it, unless the parent
   * was detached (whoever continues the parent waits for it again).
   */
  callChild?(parent: Run, file: string, input: Record<string, unknown>, childId: string, branch: BranchTag, signal: AbortSignal): Promise<CallResult>;
  onJournal(run: Run, event: JournalEvent): void;
  /** Headers an `http` instruction sends to carry the run's trace (see observe/traces.ts). */
  headers?(site: InstructionSite): Record<string, string>;
  onOutput(chunk: OutputChunk): void;
  onEnd(run: Run): void;
}

export interface LoadedTask {
  model: TaskModel;
  /** Absolute path of the task file; relative paths in the task start at its folder. */
  file?: string;
  /** The text the model was parsed from: a run started with it is pinned to it (see pinned.ts). */
  source?: string;
}

/**
 * How a run that continues from its journal says so: by default a `run-recovered` entry (resume
 * after a crash); a server's worker that continues a run it released while it waited journals
 * nothing (`false`), and one that takes over or retries a run journals who and why.
 */
export type ResumeJournal = false | { reason?: string; worker?: string; attempt?: number };

export class Run {
  /** The run's journal, pause gate and clock hold, and what its waits and instructions need (see run-host.ts). */
  private readonly host: RunHost;
  readonly done: Promise<RunState>;
  private resolveDone!: (s: RunState) => void;
  private pauseHold: (() => void) | undefined;
  private unwatchInbox: (() => void) | undefined;
  private readonly statesByName: ReadonlyMap<string, StateModel>;
  private checkedHistoryFailure = false;
  /** Why the run was detached: the store's error when an append failed, else the reason given. */
  detachError: unknown;

  constructor(
    readonly id: string,
    readonly task: LoadedTask,
    readonly env: RunEnvironment,
    private readonly history: readonly JournalEvent[] = [],
    /** Set when the history is a prefix of another run's journal (a fork), not this run's own. */
    private readonly forkedFrom?: { runId: string; atSeq: number },
    /** What a run continued from its journal (not a fork) journals first; see ResumeJournal. */
    private readonly resumeJournal?: ResumeJournal,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.statesByName = statesOf(task.model);
    this.host = new RunHost(this, env, history);
  }

  /** The run as its journal has it (values computed from secrets masked): what every view shows. */
  get state(): Readonly<RunState> {
    return this.host.shown();
  }

  get ended(): boolean {
    return this.host.live.phase === 'ended';
  }

  /** True while a transition of the current state waits for this event name. */
  isWaitingFor(name: string): boolean {
    return this.host.subscribers.some((s) => s.transition.event === name);
  }

  /** The event names the current state's transitions wait for. */
  waitingEvents(): string[] {
    return [...new Set(this.host.subscribers.map((s) => s.transition.event!))];
  }

  /**
   * True while the run waits for a transition (timers, polls, events) or for a retry delay: a
   * point from which it can be detached and later continued from its journal with the same result.
   * (Work in flight meanwhile, such as a poll's request, holds the clock.) A run subscribed to a
   * broker is not: a message published while no process subscribes would be lost.
   */
  get parked(): boolean {
    return this.host.parkedDepth > 0 && this.host.subscriptions === 0 && !this.ended;
  }

  /** True once the run was detached (see detach); it journals nothing more. */
  get detached(): boolean {
    return this.host.detachReason !== undefined;
  }

  /**
   * Stops the run in this process without journaling anything: its journal stays as it is, so the
   * run can be continued from it elsewhere (a server releases a run that waits, or drops one whose
   * lease it lost). `done` settles with the state as it was.
   */
  detach(reason = 'detached', error?: unknown): void {
    if (this.ended || this.host.detachReason) return;
    this.host.detachReason = new Interrupt('detached', reason);
    this.detachError = error ?? this.host.detachReason;
    this.host.runAbort.abort(this.host.detachReason);
    this.host.resumeGate?.open();
  }

  /** Starts (or, with a journal history, continues) the run; settles with its final state. */
  async start(start?: { input: Record<string, unknown>; data: Record<string, unknown>; parentRunId?: string; trigger?: ScheduleTrigger }): Promise<RunState> {
    this.host.hold();
    try {
      if (this.history.length === 0) {
        if (!start) throw new Error('a new run needs its input and data');
        const taskHash = await pinSource(this.env.store, this.task);
        await this.host.journal({
          type: 'run-started',
          runId: this.id,
          task: this.task.model.name ?? 'task',
          file: this.task.file,
          taskHash,
          ...(start.trigger ? { trigger: start.trigger } : {}),
          input: start.input,
          data: start.data,
          clock: this.env.clock.kind,
          parentRunId: start.parentRunId,
          pid: process.pid,
        });
      } else if (this.forkedFrom) {
        await this.host.secrets.recompute(this.history, this.statesByName);
        await this.host.journal({ type: 'run-forked', from: this.forkedFrom.runId, atSeq: this.forkedFrom.atSeq, pid: process.pid });
        if (this.host.live.paused) await this.host.journal({ type: 'run-resumed' });
      } else {
        await this.host.secrets.recompute(this.history, this.statesByName);
        const as = this.resumeJournal;
        if (as === undefined) await this.host.journal({ type: 'run-recovered', pid: process.pid });
        else if (as) await this.host.journal({ type: 'run-recovered', pid: process.pid, reason: as.reason, worker: as.worker, attempt: as.attempt });
        if (this.host.live.paused) await this.host.journal({ type: 'run-resumed' });
      }
      this.listen();
      await this.loop();
    } catch (err) {
      if (!this.ended && !this.host.detachReason) {
        try {
          await this.endFromError(err);
        } catch (e) {
          // A store that fails while the end is journaled detaches the run: its journal is the truth.
          if (!this.host.detachReason) throw e;
        }
      }
    } finally {
      this.unwatchInbox?.();
      this.host.runAbort.end();
      this.host.release();
      this.pauseHold?.();
      this.env.onEnd(this);
      this.resolveDone(this.state);
    }
    return this.state;
  }

  async pause(): Promise<void> {
    if (this.ended || this.host.live.paused) return;
    this.pauseHold = this.env.clock.hold();
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.host.resumeGate = { promise, open };
    await this.host.journal({ type: 'run-paused' });
  }

  async resume(): Promise<void> {
    if (this.ended || !this.host.live.paused) return;
    await this.host.journal({ type: 'run-resumed' });
    const gate = this.host.resumeGate;
    this.host.resumeGate = undefined;
    gate?.open();
    this.pauseHold?.();
    this.pauseHold = undefined;
  }

  /**
   * Lets virtual time move while something outside holds the run at a step (a debugger stop): the
   * debugger keeps time still itself while every thread is stopped, and lets it move for the one it steps.
   */
  waitOutside<T>(p: Promise<T>): Promise<T> {
    return this.host.idle(p);
  }

  cancel(reason = 'cancelled by the user'): void {
    if (this.ended) return;
    this.host.runAbort.abort(new Interrupt('cancelled', reason));
    // A paused run must wake up to journal its end.
    this.host.resumeGate?.open();
  }

  /**
   * Sets a value in the run's `data` from outside the task (a debugger's "set value"), journaled so
   * that a replay of the journal sees it. `path` is keys and array indices; empty replaces `data`.
   */
  async setData(path: Array<string | number>, value: unknown, source?: string): Promise<JournalEvent> {
    if (this.ended) throw new Error(`Run ${this.id} has ended (${this.host.live.status}); its data can no longer change.`);
    if (path.length === 0 && (!value || typeof value !== 'object' || Array.isArray(value))) throw new Error('data must stay an object.');
    return this.host.journal({ type: 'data-set', path, value, source });
  }

  /** Delivers an event to the run: journaled, then offered to the transitions waiting for it. */
  async send(name: string, data: unknown, source?: string): Promise<void> {
    if (this.ended) throw new Error(`Run ${this.id} has ended (${this.host.live.status}); it takes no more events.`);
    const release = this.env.clock.hold();
    try {
      const entry = await this.host.journal({ type: 'event-received', name, data, source });
      const received = this.host.live.pendingEvents.find((p) => p.seq === entry.seq);
      if (received) await offer(this.host, received);
    } finally {
      release();
    }
  }

  // ---- the state machine ----

  private async loop(): Promise<void> {
    const { model } = this.task;
    while (!this.ended) {
      if (this.host.mustStop()) await this.host.gate();
      if (this.host.live.phase === 'between') {
        const name = this.host.live.target ?? model.start;
        const st = name === undefined ? undefined : this.statesByName.get(name);
        if (!st) {
          await this.end('failed', 'unknown-state', { kind: 'task', message: `State '${name}' is not defined in the task.` });
          return;
        }
        if (this.env.hooks.beforeState) {
          await this.host.flush();
          await this.env.hooks.beforeState({ runId: this.id, run: this.state, state: st });
        }
        if (this.host.mustStop()) await this.host.gate();
        await this.host.journal({ type: 'state-entered', state: st.name });
        continue;
      }
      const st = this.host.live.state === undefined ? undefined : this.statesByName.get(this.host.live.state);
      if (!st) {
        await this.end('failed', 'unknown-state', { kind: 'task', message: `State '${this.host.live.state}' is not defined in the task.` });
        return;
      }
      const decision = await this.runState(st);
      if (!decision) return;
      if ('end' in decision) {
        await this.fail(decision.reason, decision.error, st);
        return;
      }
      if (this.host.mustStop()) await this.host.gate();
      if (this.env.hooks.beforeTransition) {
        await this.host.flush();
        await this.env.hooks.beforeTransition({
          runId: this.id,
          run: this.state,
          state: st,
          to: decision.to,
          cause: decision.cause,
          transition: decision.transition,
          catch: decision.catch,
          event: decision.event,
          error: decision.error,
        });
      }
      if (this.host.mustStop()) await this.host.gate();
      await this.host.journal({
        type: 'transition-taken',
        from: st.name,
        to: decision.to,
        cause: decision.cause,
        index: decision.index,
        event: decision.event,
        error: decision.error,
      });
    }
  }

  /** Runs the state's remaining instructions, then waits for a transition; bounded by its timeout. */
  private async runState(st: StateModel): Promise<Decision | undefined> {
    // Continued from a journal that ends with an instruction's final failure: route it (once more
    // would be an attempt the task did not ask for).
    const failed = this.unroutedFailure(st);
    if (failed) return routeFailure(st, failed);
    // Continued from a journal that ends with the poll result that ended the wait: its transition
    // is decided (polling again would journal a result the interrupted run never had).
    const polled = st.on.find((t) => t.poll !== undefined && t.to !== undefined && this.host.live.polls[t.index]?.done);
    if (polled) return { to: polled.to!, cause: 'poll', index: polled.index, transition: polled };
    // Likewise with the message a `consume` transition took.
    const message = this.host.live.message;
    const consumed = message && st.on[message.transition];
    if (consumed?.to !== undefined) return { to: consumed.to, cause: 'consume', index: consumed.index, transition: consumed, event: message!.event };
    // A state with nothing to run or wait for needs no timers or abort wiring of its own.
    if (!st.timeout && this.host.live.nextInstruction >= st.do.length && !st.on.some(isArmed)) {
      if (!st.final) return chooseTransition(this.host, st, this.host.runAbort);
      await this.end(st.status ?? 'succeeded');
      return undefined;
    }
    const stateAbort = new Scope(this.host.runAbort);
    if (st.timeout) {
      const deadline = (this.host.live.stateEnteredAt ?? this.env.clock.now()) + durationMs(st.timeout);
      this.env.clock
        .sleep(Math.max(0, deadline - this.env.clock.now()), stateAbort)
        .then(() => stateAbort.abort(new Interrupt('state-timeout', `State '${st.name}' timed out after ${st.timeout}.`)))
        .catch(() => undefined);
    }
    try {
      for (let i = this.host.live.nextInstruction; i < st.do.length; i++) {
        const failure = await runInstruction(this.host, st, st.do[i], stateAbort);
        if (failure) {
          await this.failureHook(st, failure, 'instruction');
          return routeFailure(st, failure);
        }
      }
      if (st.final) {
        await this.end(st.status ?? 'succeeded');
        return undefined;
      }
      return await chooseTransition(this.host, st, stateAbort);
    } catch (err) {
      const reason = stateAbort.reason;
      if (reason instanceof Interrupt && reason.why === 'state-timeout' && !this.host.runAbort.aborted) {
        const error = { kind: 'timeout', message: reason.message };
        await this.failureHook(st, error, 'timeout');
        return routeFailure(st, error);
      }
      throw err;
    } finally {
      stateAbort.end();
    }
  }

  /**
   * When the run continues from its journal (once, at its first state) and the journal's last step
   * in this state is the final failure (no retry follows) of its next instruction, that failure.
   */
  private unroutedFailure(st: StateModel): RunError | undefined {
    if (this.checkedHistoryFailure) return undefined;
    this.checkedHistoryFailure = true;
    const s = this.host.live;
    if (s.attempts === 0 || s.retryAt !== undefined || s.phase !== 'instructions' || s.state !== st.name) return undefined;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const e = this.history[i];
      if (e.type === 'instruction-failed') return e.state === st.name && e.index === s.nextInstruction && e.retryInMs === undefined ? e.error : undefined;
      if (e.type === 'instruction-started' || e.type === 'instruction-finished' || e.type === 'state-entered' || e.type === 'transition-taken') return undefined;
    }
    return undefined;
  }

  // ---- ending ----

  private async fail(reason: string, error: RunError, st?: StateModel): Promise<void> {
    await this.failureHook(st, error, 'run');
    await this.end('failed', reason, error);
  }

  private async failureHook(st: StateModel | undefined, error: RunError, where: FailureWhere): Promise<void> {
    if (!this.env.hooks.onFailure) return;
    await this.host.flush();
    await this.env.hooks.onFailure({ runId: this.id, run: this.state, state: st, error, where });
  }

  private async end(status: 'succeeded' | 'failed' | 'cancelled', reason?: string, error?: RunError): Promise<void> {
    if (this.ended) return;
    await this.host.journal({ type: 'run-ended', status, reason, error });
  }

  private async endFromError(err: unknown): Promise<void> {
    const reason = this.host.runAbort.reason;
    if (reason instanceof Interrupt && reason.why === 'cancelled') return this.end('cancelled', 'cancelled', { kind: 'cancelled', message: reason.message });
    if (reason instanceof Interrupt && reason.why === 'task-timeout') return this.fail('timeout', { kind: 'timeout', message: reason.message });
    return this.fail('error', toRunError(err));
  }

  // ---- plumbing ----

  private listen(): void {
    const { model } = this.task;
    if (model.timeout) {
      const deadline = this.host.live.startedAt + durationMs(model.timeout);
      const ms = Math.max(0, deadline - this.env.clock.now());
      this.env.clock
        .sleep(ms, this.host.runAbort)
        .then(() => this.host.runAbort.abort(new Interrupt('task-timeout', `The run timed out after ${model.timeout}.`)))
        .catch(() => undefined);
    }
    // Sources of the events journaled: an event from the inbox or a mock is journaled once.
    let journaled: Set<string> | undefined;
    for (const e of this.history) if (e.type === 'event-received' && e.source) (journaled ??= new Set()).add(e.source);
    for (const m of this.env.mocks.events) {
      const source = `mock:${m.index}`;
      if (journaled?.has(source)) continue;
      const due = this.host.live.startedAt + m.afterMs;
      this.env.clock
        .sleep(Math.max(0, due - this.env.clock.now()), this.host.runAbort)
        .then(() => (this.ended ? undefined : this.send(m.event, m.data, source)))
        .catch(() => undefined);
    }
    this.unwatchInbox = this.env.store.watchInbox(this.id, (e) => {
      if (e.control === 'cancel') return this.cancel(String(e.data));
      const source = `inbox:${e.id}`;
      if (journaled?.has(source) || this.ended) return;
      (journaled ??= new Set()).add(source);
      this.send(e.name, e.data, source).catch(() => undefined);
    });
  }

  /**
   * Evaluates an expression over the run's context as its task does (with the values computed
   * from secrets in clear); `secret` says whether the value is one of them, which a view must
   * then show as the mask.
   */
  evaluate(source: string, over: Partial<ExpressionScope> = {}): Promise<Evaluated> {
    return evaluateViews(source, this.host.secrets.views(this.state, over));
  }
}

const STATES = new WeakMap<TaskModel, ReadonlyMap<string, StateModel>>();

/** A task's states by name, made once per task rather than once per run. */
function statesOf(model: TaskModel): ReadonlyMap<string, StateModel> {
  let states = STATES.get(model);
  if (!states) STATES.set(model, (states = new Map(model.states.map((s) => [s.name, s]))));
  return states;
}
