// One run of a task: walks the state machine, journals its steps (see run-journal.ts), and
// calls the hooks a debugger needs. It knows nothing of DAP or VS Code.
import * as path from 'node:path';
import { durationMs } from '../expr/duration';
import { evaluateViews, resolveTemplates, type Evaluated, type ExpressionScope, type ValuePath } from '../expr/expression';
import type { BranchTag, JournalEvent, NewJournalEvent, ReceivedEvent, RunError, ScheduleTrigger, TransitionCause } from '../journal/events';
import type { RunState } from '../journal/replay';
import { InstructionFailure, type CallResult, type InstructionContext } from '../instructions/types';
import type { InstructionSite } from '../observe/observer';
import { transitionKind, type CatchModel, type InstructionModel, type StateModel, type TaskModel, type TransitionModel } from '../model/types';
import { abortError, type Clock } from './clock';
import type { MockOutcome, MockSession } from './mocks';
import type { InstructionRegistry } from '../instructions/registry';
import type { RunStore } from '../store/store';
import { SecretState, type ClearResult } from './secret-state';
import { runFanout, type BranchRun, type FanoutHost } from './fanout';
import { pinSource } from './pinned';
import { isDeterministicKind, RunJournal } from './run-journal';
import { Interrupt, Scope, type Abortable } from './scope';
import { waitForMessage, type MessageWaitHost } from './consume';

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
export interface RecordedOutcomes {
  instruction(state: string, index: number, kind: string, attempt: number): MockOutcome | undefined;
  poll(state: string, transition: number): MockOutcome | undefined;
  /** The message the `consume` transition took, when the recorded run took it next. */
  message(state: string, transition: number): Extract<JournalEvent, { type: 'message-received' }> | undefined;
  /** A replay does nothing outside the run: a `consume` transition with no recorded message waits without subscribing. */
  readonly offline: boolean;
}

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

/** An event transition waiting: settled by offer() or by an abort of its scope. */
interface EventSubscriber {
  transition: TransitionModel;
  resolve(d: Decision): void;
  reject(err: unknown): void;
}

/** An instruction's outcome; `secret` when its result is its arguments and some came from secrets. */
type Outcome = MockOutcome & { secret?: { shown: unknown; paths: ValuePath[] } };

type Decision =
  | { to: string; cause: TransitionCause; index: number; transition?: TransitionModel; catch?: CatchModel; event?: ReceivedEvent; error?: RunError }
  | { end: 'failed'; reason: string; error: RunError };

export class Run {
  /** Every step recorded, journaled or not (see RunJournal): what the run decides over. */
  private readonly live: RunState;
  private readonly steps: RunJournal;
  private readonly secrets: SecretState;
  readonly done: Promise<RunState>;
  private resolveDone!: (s: RunState) => void;
  private readonly runAbort = new Scope();
  private releaseHold: (() => void) | undefined;
  private pauseHold: (() => void) | undefined;
  private resumeGate: { promise: Promise<void>; open: () => void } | undefined;
  private readonly subscribers: EventSubscriber[] = [];
  private deliveries: Promise<void> | undefined;
  private unwatchInbox: (() => void) | undefined;
  private readonly statesByName: ReadonlyMap<string, StateModel>;
  private parkedDepth = 0;
  /** Live broker subscriptions of `consume` transitions (see `parked`). */
  private subscriptions = 0;
  private checkedHistoryFailure = false;
  private detachReason: Interrupt | undefined;
  /** Why the run was detached: the store's error when an append failed, else the reason given. */
  detachError: unknown;

  constructor(
    readonly id: string,
    readonly task: LoadedTask,
    private readonly env: RunEnvironment,
    private readonly history: readonly JournalEvent[] = [],
    /** Set when the history is a prefix of another run's journal (a fork), not this run's own. */
    private readonly forkedFrom?: { runId: string; atSeq: number },
    /** What a run continued from its journal (not a fork) journals first; see ResumeJournal. */
    private readonly resumeJournal?: ResumeJournal,
  ) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.statesByName = statesOf(task.model);
    this.secrets = new SecretState(id, env.secrets);
    this.steps = new RunJournal(
      {
        runId: id,
        store: env.store,
        secrets: this.secrets,
        now: () => env.clock.now(),
        detached: () => this.detachReason,
        // The live state is now ahead of the journal: this process must not go on with the run.
        onStoreError: (err) => this.detach(`the store failed: ${(err as Error)?.message ?? err}`, err),
        onJournaled: (e) => {
          env.onJournal(this, e);
          if (e.type === 'log') env.onOutput({ runId: id, state: e.state, stream: 'log', text: e.message });
        },
      },
      history,
    );
    this.live = this.steps.live;
  }

  /** The run as its journal has it (values computed from secrets masked): what every view shows. */
  get state(): Readonly<RunState> {
    return this.steps.shown;
  }

  get ended(): boolean {
    return this.live.phase === 'ended';
  }

  /** True while a transition of the current state waits for this event name. */
  isWaitingFor(name: string): boolean {
    return this.subscribers.some((s) => s.transition.event === name);
  }

  /** The event names the current state's transitions wait for. */
  waitingEvents(): string[] {
    return [...new Set(this.subscribers.map((s) => s.transition.event!))];
  }

  /**
   * True while the run waits for a transition (timers, polls, events) or for a retry delay: a
   * point from which it can be detached and later continued from its journal with the same result.
   * (Work in flight meanwhile, such as a poll's request, holds the clock.) A run subscribed to a
   * broker is not: a message published while no process subscribes would be lost.
   */
  get parked(): boolean {
    return this.parkedDepth > 0 && this.subscriptions === 0 && !this.ended;
  }

  /** True once the run was detached (see detach); it journals nothing more. */
  get detached(): boolean {
    return this.detachReason !== undefined;
  }

  /**
   * Stops the run in this process without journaling anything: its journal stays as it is, so the
   * run can be continued from it elsewhere (a server releases a run that waits, or drops one whose
   * lease it lost). `done` settles with the state as it was.
   */
  detach(reason = 'detached', error?: unknown): void {
    if (this.ended || this.detachReason) return;
    this.detachReason = new Interrupt('detached', reason);
    this.detachError = error ?? this.detachReason;
    this.runAbort.abort(this.detachReason);
    this.resumeGate?.open();
  }

  /** Starts (or, with a journal history, continues) the run; settles with its final state. */
  async start(start?: { input: Record<string, unknown>; data: Record<string, unknown>; parentRunId?: string; trigger?: ScheduleTrigger }): Promise<RunState> {
    this.hold();
    try {
      if (this.history.length === 0) {
        if (!start) throw new Error('a new run needs its input and data');
        const taskHash = await pinSource(this.env.store, this.task);
        await this.journal({
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
        await this.secrets.recompute(this.history, this.statesByName);
        await this.journal({ type: 'run-forked', from: this.forkedFrom.runId, atSeq: this.forkedFrom.atSeq, pid: process.pid });
        if (this.live.paused) await this.journal({ type: 'run-resumed' });
      } else {
        await this.secrets.recompute(this.history, this.statesByName);
        const as = this.resumeJournal;
        if (as === undefined) await this.journal({ type: 'run-recovered', pid: process.pid });
        else if (as) await this.journal({ type: 'run-recovered', pid: process.pid, reason: as.reason, worker: as.worker, attempt: as.attempt });
        if (this.live.paused) await this.journal({ type: 'run-resumed' });
      }
      this.listen();
      await this.loop();
    } catch (err) {
      if (!this.ended && !this.detachReason) {
        try {
          await this.endFromError(err);
        } catch (e) {
          // A store that fails while the end is journaled detaches the run: its journal is the truth.
          if (!this.detachReason) throw e;
        }
      }
    } finally {
      this.unwatchInbox?.();
      this.runAbort.end();
      this.release();
      this.pauseHold?.();
      this.env.onEnd(this);
      this.resolveDone(this.state);
    }
    return this.state;
  }

  async pause(): Promise<void> {
    if (this.ended || this.live.paused) return;
    this.pauseHold = this.env.clock.hold();
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.resumeGate = { promise, open };
    await this.journal({ type: 'run-paused' });
  }

  async resume(): Promise<void> {
    if (this.ended || !this.live.paused) return;
    await this.journal({ type: 'run-resumed' });
    const gate = this.resumeGate;
    this.resumeGate = undefined;
    gate?.open();
    this.pauseHold?.();
    this.pauseHold = undefined;
  }

  /**
   * Lets virtual time move while something outside holds the run at a step (a debugger stop): the
   * debugger keeps time still itself while every thread is stopped, and lets it move for the one it steps.
   */
  waitOutside<T>(p: Promise<T>): Promise<T> {
    return this.idle(p);
  }

  cancel(reason = 'cancelled by the user'): void {
    if (this.ended) return;
    this.runAbort.abort(new Interrupt('cancelled', reason));
    // A paused run must wake up to journal its end.
    this.resumeGate?.open();
  }

  /**
   * Sets a value in the run's `data` from outside the task (a debugger's "set value"), journaled so
   * that a replay of the journal sees it. `path` is keys and array indices; empty replaces `data`.
   */
  async setData(path: Array<string | number>, value: unknown, source?: string): Promise<JournalEvent> {
    if (this.ended) throw new Error(`Run ${this.id} has ended (${this.live.status}); its data can no longer change.`);
    if (path.length === 0 && (!value || typeof value !== 'object' || Array.isArray(value))) throw new Error('data must stay an object.');
    return this.journal({ type: 'data-set', path, value, source });
  }

  /** Delivers an event to the run: journaled, then offered to the transitions waiting for it. */
  async send(name: string, data: unknown, source?: string): Promise<void> {
    if (this.ended) throw new Error(`Run ${this.id} has ended (${this.live.status}); it takes no more events.`);
    const release = this.env.clock.hold();
    try {
      const entry = await this.journal({ type: 'event-received', name, data, source });
      const received = this.live.pendingEvents.find((p) => p.seq === entry.seq);
      if (received) await this.offer(received);
    } finally {
      release();
    }
  }

  // ---- the state machine ----

  private async loop(): Promise<void> {
    const { model } = this.task;
    while (!this.ended) {
      if (this.mustStop()) await this.gate();
      if (this.live.phase === 'between') {
        const name = this.live.target ?? model.start;
        const st = name === undefined ? undefined : this.statesByName.get(name);
        if (!st) {
          await this.end('failed', 'unknown-state', { kind: 'task', message: `State '${name}' is not defined in the task.` });
          return;
        }
        if (this.env.hooks.beforeState) {
          await this.flush();
          await this.env.hooks.beforeState({ runId: this.id, run: this.state, state: st });
        }
        if (this.mustStop()) await this.gate();
        await this.journal({ type: 'state-entered', state: st.name });
        continue;
      }
      const st = this.live.state === undefined ? undefined : this.statesByName.get(this.live.state);
      if (!st) {
        await this.end('failed', 'unknown-state', { kind: 'task', message: `State '${this.live.state}' is not defined in the task.` });
        return;
      }
      const decision = await this.runState(st);
      if (!decision) return;
      if ('end' in decision) {
        await this.fail(decision.reason, decision.error, st);
        return;
      }
      if (this.mustStop()) await this.gate();
      if (this.env.hooks.beforeTransition) {
        await this.flush();
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
      if (this.mustStop()) await this.gate();
      await this.journal({
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
    if (failed) return this.routeFailure(st, failed);
    // Continued from a journal that ends with the poll result that ended the wait: its transition
    // is decided (polling again would journal a result the interrupted run never had).
    const polled = st.on.find((t) => t.poll !== undefined && t.to !== undefined && this.live.polls[t.index]?.done);
    if (polled) return { to: polled.to!, cause: 'poll', index: polled.index, transition: polled };
    // Likewise with the message a `consume` transition took.
    const message = this.live.message;
    const consumed = message && st.on[message.transition];
    if (consumed?.to !== undefined) return { to: consumed.to, cause: 'consume', index: consumed.index, transition: consumed, event: message!.event };
    // A state with nothing to run or wait for needs no timers or abort wiring of its own.
    if (!st.timeout && this.live.nextInstruction >= st.do.length && !st.on.some(isArmed)) {
      if (!st.final) return this.chooseTransition(st, this.runAbort);
      await this.end(st.status ?? 'succeeded');
      return undefined;
    }
    const stateAbort = new Scope(this.runAbort);
    if (st.timeout) {
      const deadline = (this.live.stateEnteredAt ?? this.env.clock.now()) + durationMs(st.timeout);
      this.env.clock
        .sleep(Math.max(0, deadline - this.env.clock.now()), stateAbort)
        .then(() => stateAbort.abort(new Interrupt('state-timeout', `State '${st.name}' timed out after ${st.timeout}.`)))
        .catch(() => undefined);
    }
    try {
      for (let i = this.live.nextInstruction; i < st.do.length; i++) {
        const failure = await this.runInstruction(st, st.do[i], stateAbort);
        if (failure) return this.routeFailure(st, failure);
      }
      if (st.final) {
        await this.end(st.status ?? 'succeeded');
        return undefined;
      }
      return await this.chooseTransition(st, stateAbort);
    } catch (err) {
      const reason = stateAbort.reason;
      if (reason instanceof Interrupt && reason.why === 'state-timeout' && !this.runAbort.aborted) {
        const error = { kind: 'timeout', message: reason.message };
        await this.failureHook(st, error, 'timeout');
        return this.routeFailure(st, error);
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
    const s = this.live;
    if (s.attempts === 0 || s.retryAt !== undefined || s.phase !== 'instructions' || s.state !== st.name) return undefined;
    for (let i = this.history.length - 1; i >= 0; i--) {
      const e = this.history[i];
      if (e.type === 'instruction-failed') return e.state === st.name && e.index === s.nextInstruction && e.retryInMs === undefined ? e.error : undefined;
      if (e.type === 'instruction-started' || e.type === 'instruction-finished' || e.type === 'state-entered' || e.type === 'transition-taken') return undefined;
    }
    return undefined;
  }

  /** Returns the error that survived the retries, or undefined when the instruction succeeded. */
  private async runInstruction(st: StateModel, ins: InstructionModel, stateSignal: Scope): Promise<RunError | undefined> {
    const retry = ins.retry;
    for (;;) {
      if (this.mustStop()) await this.gate();
      if (this.live.retryAt !== undefined) {
        await this.flush();
        this.parkedDepth++;
        try {
          await this.idle(this.env.clock.sleep(Math.max(0, this.live.retryAt - this.env.clock.now()), stateSignal));
        } finally {
          this.parkedDepth--;
        }
      }
      const attempt = this.live.attempts + 1;
      // A fan-out whose attempt the journal started and did not end goes on where it was.
      const open = ins.fanout !== undefined && this.live.fanout?.index === ins.index && this.live.fanout.attempt === attempt;
      if (this.env.hooks.beforeInstruction && !open) {
        await this.flush();
        await this.env.hooks.beforeInstruction({ runId: this.id, run: this.state, state: st, instruction: ins, attempt });
      }
      if (this.mustStop()) await this.gate();
      const started = open ? { seq: this.state.seq } : await this.journal({ type: 'instruction-started', state: st.name, index: ins.index, kind: ins.kind, attempt });
      const replayed = this.env.recorded?.instruction(st.name, ins.index, ins.kind, attempt);
      const mock = replayed ? undefined : this.env.mocks.instruction(st.name, ins.index, ins.as);
      let outcome: Outcome;
      if (replayed) outcome = replayed;
      else if (mock) outcome = mock;
      else if (ins.fanout) outcome = await this.idle(runFanout(this.fanoutHost(st), st, ins, stateSignal.signal));
      else outcome = await this.execute(st, ins, stateSignal, started.seq);
      const how = { mocked: mock ? true : undefined, replayed: replayed ? true : undefined };
      if ('result' in outcome) {
        const { secret } = outcome;
        await this.journal(
          { type: 'instruction-finished', state: st.name, index: ins.index, kind: ins.kind, as: ins.as, result: secret ? secret.shown : outcome.result, secret: secret?.paths, ...how },
          secret && { result: outcome.result, paths: secret.paths },
        );
        return undefined;
      }
      const error = outcome.error;
      const retryInMs = retry && attempt < retry.attempts ? retryDelay(retry, attempt) : undefined;
      await this.journal({ type: 'instruction-failed', state: st.name, index: ins.index, kind: ins.kind, as: ins.as, attempt, error, retryInMs, ...how });
      if (retryInMs === undefined) {
        await this.failureHook(st, error, 'instruction');
        return error;
      }
    }
  }

  private fanoutHost(st: StateModel): FanoutHost {
    return {
      runId: this.id,
      state: this.live,
      clock: this.env.clock,
      mocks: this.env.mocks,
      journal: (e) => this.journal(e),
      views: () => this.secrets.views(this.live),
      execute: (ins, signal, branch) => this.execute(st, ins, signal, undefined, branch),
      checkpoint: async () => (this.mustStop() ? this.gate() : undefined),
      retryDelay,
      park: () => {
        this.parkedDepth++;
        let done = false;
        return () => {
          if (!done) this.parkedDepth--;
          done = true;
        };
      },
      reattachCalls: this.env.callChild !== undefined,
    };
  }

  /**
   * Runs an instruction for real, turning any failure (but a run or state interrupt) into data; a
   * fan-out's branch runs it with its own scope, clock hold and child id.
   */
  private async execute(st: StateModel, ins: InstructionModel, stateSignal: Abortable, startedSeq = this.live.seq, branch?: BranchRun): Promise<Outcome> {
    const handler = this.env.instructions.get(ins.kind);
    if (!handler) return { error: { kind: 'task', message: `Unknown instruction kind '${ins.kind}'.` } };
    const insAbort = new Scope(stateSignal);
    if (ins.timeout) {
      const startedAt = branch?.startedAt ?? this.env.clock.now();
      this.env.clock
        .sleep(Math.max(0, startedAt + durationMs(ins.timeout) - this.env.clock.now()), insAbort)
        .then(() => insAbort.abort(new Interrupt('instruction-timeout', `Instruction ${ins.index} (${ins.kind}) of state '${st.name}' timed out after ${ins.timeout}.`)))
        .catch(() => undefined);
    }
    try {
      const args = await resolveTemplates(ins.args, this.secrets.views(this.live, branch?.scope));
      this.secrets.learn(args.texts);
      const ctx = this.context(st, ins, args.value, args.shown, insAbort, startedSeq, branch);
      const result = await raceAbort(handler(ctx), insAbort);
      // A result that is the arguments themselves (`set`) is shown as they are.
      if (result === args.value && args.secret.length) return { result, secret: { shown: args.shown, paths: args.secret } };
      return { result: result === undefined ? null : result };
    } catch (err) {
      const reason = insAbort.reason;
      if (reason instanceof Interrupt && reason.why === 'instruction-timeout') return { error: { kind: 'timeout', message: reason.message } };
      if (insAbort.aborted) throw reason ?? err;
      return { error: toRunError(err) };
    } finally {
      insAbort.end();
    }
  }

  private context(st: StateModel, ins: InstructionModel, args: unknown, shownArgs: unknown, scope: Scope, startedSeq: number, branch?: BranchRun): InstructionContext {
    const idle = branch?.idle ?? (<T>(p: Promise<T>) => this.idle(p));
    return {
      args,
      shownArgs,
      // Made when the handler asks: `set` and `log` never do.
      get signal() {
        return scope.signal;
      },
      runId: this.id,
      state: st.name,
      index: ins.index,
      propagation: this.env.headers?.({ runId: this.id, state: st.name, index: ins.index, ...branch?.tag }) ?? {},
      baseDir: this.task.file ? path.dirname(this.task.file) : process.cwd(),
      clock: this.env.clock,
      log: async (message) => {
        // Its output goes out once the entry is journaled (onJournaled, in the constructor): at
        // once when an instruction with effects logs, with the next durability point from `log`.
        await this.journal({ type: 'log', state: st.name, message, ...branch?.tag }, undefined, !isDeterministicKind(ins.kind));
      },
      emit: async (event, data) => {
        await this.journal({ type: 'emitted', state: st.name, event, data });
        await this.env.broadcast(this.id, event, data);
      },
      sleep: (ms) => idle(this.env.clock.sleep(ms, scope)),
      output: (stream, text) => this.env.onOutput({ runId: this.id, state: st.name, stream, text: this.secrets.hide(text) }),
      // The child's id comes from the journal entry that started the call, so that a resumed
      // parent never reuses the id of a child started before the crash.
      callTask: (file, input) => {
        const childId = branch?.childId ?? `${this.id}.${startedSeq}`;
        if (branch && this.env.callChild) return branch.park(this.env.callChild(this, file, input, childId, branch.tag, scope.signal));
        return idle(this.env.callTask(this, file, input, childId, scope.signal));
      },
    };
  }

  private async routeFailure(st: StateModel, error: RunError): Promise<Decision> {
    const c = st.catch.find((k) => k.to !== undefined && (k.error === undefined || k.error === 'any' || k.error === error.kind));
    if (c?.to) return { to: c.to, cause: 'catch', index: c.index, catch: c, error };
    return { end: 'failed', reason: error.kind === 'timeout' ? 'timeout' : 'error', error };
  }

  private async chooseTransition(st: StateModel, signal: Scope): Promise<Decision> {
    try {
      for (const t of st.on) {
        if (transitionKind(t) !== 'when' || t.to === undefined) continue;
        if (truthy(await this.evaluateValue(t.when!))) return { to: t.to, cause: 'when', index: t.index, transition: t };
      }
      const armed = st.on.filter(isArmed);
      if (armed.length === 0) {
        const otherwise = st.on.find((t) => transitionKind(t) === 'else' && t.to !== undefined);
        if (otherwise) return { to: otherwise.to!, cause: 'else', index: otherwise.index, transition: otherwise };
        return this.routeFailure(st, { kind: 'task', message: `No transition of state '${st.name}' applies: no 'when' is true and there is nothing to wait for.` });
      }
      await this.flush();
      // Stopped while the store took the steps: the abort below would never be heard.
      if (signal.aborted) throw abortError(signal);
      // Ended once a transition is taken: the others' timers, polls and subscriptions go. A lone
      // transition waits in the state's scope, which ends as the state is left.
      const race = armed.length === 1 ? signal : new Scope(signal);
      try {
        const racers = armed.length === 1 ? this.arm(st, armed[0], race) : Promise.race(armed.map((t) => this.arm(st, t, race)));
        // Events that arrived before the state subscribed wait in the journal for it.
        for (const e of [...this.live.pendingEvents]) void this.offer(e);
        this.parkedDepth++;
        this.release();
        try {
          return await racers;
        } finally {
          this.hold();
          this.parkedDepth--;
        }
      } finally {
        if (race !== signal) race.end();
      }
    } catch (err) {
      if (signal.aborted) throw err;
      return this.routeFailure(st, toRunError(err));
    }
  }

  private arm(st: StateModel, t: TransitionModel, signal: Scope): Promise<Decision> {
    const kind = transitionKind(t);
    if (kind === 'after') return this.after(t, signal);
    if (kind === 'event') return this.waitForEvent(t, signal);
    if (kind === 'consume') return this.consume(st, t, signal);
    return this.poll(st, t, signal);
  }

  private async consume(st: StateModel, t: TransitionModel, signal: Scope): Promise<Decision> {
    const event = await waitForMessage(this.messageHost(t), st, t, signal);
    return { to: t.to!, cause: 'consume', index: t.index, transition: t, event };
  }

  private async after(t: TransitionModel, signal: Scope): Promise<Decision> {
    const deadline = (this.live.stateEnteredAt ?? this.env.clock.now()) + durationMs(t.after!);
    await this.env.clock.sleep(Math.max(0, deadline - this.env.clock.now()), signal);
    if (t.when !== undefined && !truthy(await this.held(() => this.evaluateValue(t.when!)))) return waitForAbort(signal);
    return { to: t.to!, cause: 'after', index: t.index, transition: t };
  }

  // A run can wait for a long time: what it keeps while it waits is the subscriber, its promise's
  // functions and one listener on the wait's scope.
  private waitForEvent(t: TransitionModel, signal: Scope): Promise<Decision> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    return new Promise<Decision>((resolve, reject) => {
      const sub: EventSubscriber = { transition: t, resolve, reject };
      const onAbort = () => {
        if (this.unsubscribe(sub)) reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort);
      this.subscribers.push(sub);
    });
  }

  /** Removes a subscriber; false when it was already gone (it was settled). */
  private unsubscribe(sub: EventSubscriber): boolean {
    const i = this.subscribers.indexOf(sub);
    if (i < 0) return false;
    this.subscribers.splice(i, 1);
    return true;
  }

  private messageHost(t: TransitionModel): MessageWaitHost {
    const recorded = this.env.recorded;
    return {
      clock: this.env.clock,
      startedAt: this.live.startedAt,
      mocks: recorded?.offline ? { ...this.env.mocks, offline: true } : this.env.mocks,
      recorded: recorded && (() => recorded.message(this.live.state!, t.index)),
      resolve: async (value) => (await resolveTemplates(value, this.secrets.views(this.live))).value,
      accepts: async (event) => t.when === undefined || truthy(await this.evaluateValue(t.when, { event })),
      journal: (e) => this.journal(e),
      held: (fn) => this.held(fn),
      subscribed: () => {
        this.subscriptions++;
        let done = false;
        return () => {
          if (!done) this.subscriptions--;
          done = true;
        };
      },
    };
  }

  /**
   * Offers an event to the waiting transitions, one event at a time, in `on` order: when two
   * transitions accept it, the first one written wins.
   */
  private offer(e: ReceivedEvent): Promise<void> {
    this.deliveries = (this.deliveries ?? Promise.resolve()).then(async () => {
      const candidates = this.subscribers.filter((s) => s.transition.event === e.name).sort((a, b) => a.transition.index - b.transition.index);
      for (const sub of candidates) {
        if (!this.subscribers.includes(sub)) continue;
        const t = sub.transition;
        try {
          if (t.when === undefined || truthy(await this.evaluateValue(t.when, { event: e }))) {
            // Its scope's listener finds it gone and stays until the scope ends.
            if (this.unsubscribe(sub)) sub.resolve({ to: t.to!, cause: 'event', index: t.index, transition: t, event: e });
            return;
          }
        } catch (err) {
          if (this.unsubscribe(sub)) sub.reject(err);
          return;
        }
      }
    });
    return this.deliveries;
  }

  private async poll(st: StateModel, t: TransitionModel, signal: Scope): Promise<Decision> {
    const p = t.poll!;
    const every = durationMs(p.every ?? '0s');
    const previous = this.live.polls[t.index];
    if (previous) await this.env.clock.sleep(Math.max(0, previous.lastAt + every - this.env.clock.now()), signal);
    for (;;) {
      if (this.mustStop()) await this.gate();
      const { outcome, mocked, replayed } = await this.pollAttempt(st, t, signal);
      const done = await this.held(async () => {
        const ok = 'result' in outcome && (p.until === undefined || truthy(await this.evaluateValue(p.until, { result: outcome.result })));
        await this.journal({
          type: 'poll-result',
          state: st.name,
          transition: t.index,
          attempt: (this.live.polls[t.index]?.count ?? 0) + 1,
          as: p.do?.as,
          done: ok,
          mocked: mocked ? true : undefined,
          replayed: replayed ? true : undefined,
          ...('result' in outcome ? { result: outcome.result } : { error: outcome.error }),
        });
        return ok;
      });
      if (done) return { to: t.to!, cause: 'poll', index: t.index, transition: t };
      await this.env.clock.sleep(every, signal);
    }
  }

  /** One poll: the instruction with its own retries, which are part of the poll, not journaled. */
  private async pollAttempt(st: StateModel, t: TransitionModel, signal: Scope): Promise<{ outcome: MockOutcome; mocked: boolean; replayed?: boolean }> {
    const ins = t.poll!.do;
    const replayed = this.env.recorded?.poll(st.name, t.index);
    if (replayed) return { outcome: replayed, mocked: false, replayed: true };
    for (let attempt = 1; ; attempt++) {
      const mock = this.env.mocks.poll(st.name, t.index);
      const outcome: MockOutcome = mock ?? (ins ? await this.held(() => this.execute(st, ins, signal)) : { result: null });
      if ('error' in outcome && ins?.retry && attempt < ins.retry.attempts) {
        await this.env.clock.sleep(retryDelay(ins.retry, attempt), signal);
        continue;
      }
      return { outcome, mocked: Boolean(mock) };
    }
  }

  // ---- ending ----

  private async fail(reason: string, error: RunError, st?: StateModel): Promise<void> {
    await this.failureHook(st, error, 'run');
    await this.end('failed', reason, error);
  }

  private async failureHook(st: StateModel | undefined, error: RunError, where: FailureWhere): Promise<void> {
    if (!this.env.hooks.onFailure) return;
    await this.flush();
    await this.env.hooks.onFailure({ runId: this.id, run: this.state, state: st, error, where });
  }

  private async end(status: 'succeeded' | 'failed' | 'cancelled', reason?: string, error?: RunError): Promise<void> {
    if (this.ended) return;
    await this.journal({ type: 'run-ended', status, reason, error });
  }

  private async endFromError(err: unknown): Promise<void> {
    const reason = this.runAbort.reason;
    if (reason instanceof Interrupt && reason.why === 'cancelled') return this.end('cancelled', 'cancelled', { kind: 'cancelled', message: reason.message });
    if (reason instanceof Interrupt && reason.why === 'task-timeout') return this.fail('timeout', { kind: 'timeout', message: reason.message });
    return this.fail('error', toRunError(err));
  }

  // ---- plumbing ----

  private listen(): void {
    const { model } = this.task;
    if (model.timeout) {
      const deadline = this.live.startedAt + durationMs(model.timeout);
      const ms = Math.max(0, deadline - this.env.clock.now());
      this.env.clock
        .sleep(ms, this.runAbort)
        .then(() => this.runAbort.abort(new Interrupt('task-timeout', `The run timed out after ${model.timeout}.`)))
        .catch(() => undefined);
    }
    // Sources of the events journaled: an event from the inbox or a mock is journaled once.
    let journaled: Set<string> | undefined;
    for (const e of this.history) if (e.type === 'event-received' && e.source) (journaled ??= new Set()).add(e.source);
    for (const m of this.env.mocks.events) {
      const source = `mock:${m.index}`;
      if (journaled?.has(source)) continue;
      const due = this.live.startedAt + m.afterMs;
      this.env.clock
        .sleep(Math.max(0, due - this.env.clock.now()), this.runAbort)
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

  /** Records a step; see RunJournal.add for when it resolves. */
  private journal(event: NewJournalEvent, clear?: ClearResult, point?: boolean): Promise<JournalEvent> {
    return this.steps.add(event, clear, point);
  }

  /** Before the run waits or a debugger may stop it: what it waits with, or shows, is journaled. */
  private flush(): Promise<void> {
    return this.steps.flush();
  }

  /**
   * Evaluates an expression over the run's context as its task does (with the values computed
   * from secrets in clear); `secret` says whether the value is one of them, which a view must
   * then show as the mask.
   */
  evaluate(source: string, over: Partial<ExpressionScope> = {}): Promise<Evaluated> {
    return evaluateViews(source, this.secrets.views(this.state, over));
  }

  /** As `evaluate`, over the live state: how the run decides. */
  private async evaluateValue(source: string, over: Partial<ExpressionScope> = {}): Promise<unknown> {
    return (await evaluateViews(source, this.secrets.views(this.live, over))).value;
  }

  /** Whether the run must wait at the gate (paused) or leave (cancelled) before its next step. */
  private mustStop(): boolean {
    return this.live.paused || this.runAbort.aborted;
  }

  /** Waits for a pause to be lifted (a cancel lifts it too). */
  private async gate(): Promise<void> {
    while (this.live.paused && this.resumeGate && !this.runAbort.aborted) await this.resumeGate.promise;
    if (this.runAbort.aborted) throw abortError(this.runAbort);
  }

  private hold(): void {
    this.releaseHold ??= this.env.clock.hold();
  }

  private release(): void {
    this.releaseHold?.();
    this.releaseHold = undefined;
  }

  /** Lets virtual time move while the run waits on timers, events or a child run. */
  private idle<T>(p: Promise<T>): Promise<T> {
    this.release();
    return p.finally(() => this.hold());
  }

  /** Keeps virtual time still while work of a waiting run is in flight. */
  private async held<T>(fn: () => Promise<T>): Promise<T> {
    const release = this.env.clock.hold();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const STATES = new WeakMap<TaskModel, ReadonlyMap<string, StateModel>>();

/** A task's states by name, made once per task rather than once per run. */
function statesOf(model: TaskModel): ReadonlyMap<string, StateModel> {
  let states = STATES.get(model);
  if (!states) STATES.set(model, (states = new Map(model.states.map((s) => [s.name, s]))));
  return states;
}

export function retryDelay(retry: NonNullable<InstructionModel['retry']>, attempt: number): number {
  const base = retry.delay ? durationMs(retry.delay) : 1000;
  const factor = retry.backoff ?? 1;
  const delay = base * Math.pow(factor, attempt - 1);
  return retry.max_delay ? Math.min(delay, durationMs(retry.max_delay)) : delay;
}

/** A transition that waits: a timer, a poller or a subscription (to events or to a broker's messages). */
function isArmed(t: TransitionModel): boolean {
  return t.to !== undefined && (t.after !== undefined || t.poll !== undefined || t.event !== undefined || t.consume !== undefined);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function toRunError(err: unknown): RunError {
  if (err instanceof InstructionFailure) return { kind: err.kind, message: err.message };
  const e = err as { name?: string; message?: string };
  if (e?.name === 'ExpressionError') return { kind: 'expression', message: e.message ?? 'expression failed' };
  return { kind: 'task', message: e?.message ?? String(err) };
}

function raceAbort<T>(p: Promise<T>, signal: Abortable): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function waitForAbort(signal: Abortable): Promise<never> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(abortError(signal)), { once: true }));
}
