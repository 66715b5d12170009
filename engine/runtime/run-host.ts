// What a run's waits (waits.ts), its instructions (execution.ts) and its journal (run-journal.ts)
// need of it: one object each run makes, so that none of it is a member of the Run that users of
// the engine see. It keeps what those need between steps (the journal and the secrets, the pause
// gate, the clock hold, what the waits keep); the Run's state machine goes through it for the same.
// Its methods are the class's rather than closures made for each run: a run may wait for a long
// time, and what it keeps meanwhile is memory a server pays per run.
import { evaluateViews, resolveTemplates, type ExpressionScope } from '../expr/expression';
import type { CallResult } from '../instructions/types';
import type { BranchTag, JournalEvent, NewJournalEvent } from '../journal/events';
import type { RunState } from '../journal/replay';
import type { InstructionModel, StateModel } from '../model/types';
import type { RunStore } from '../store/store';
import { abortError } from './clock';
import { execute, type ExecutionEnvironment, type ExecutionHost, type RecordedInstructions } from './execution';
import type { MockOutcome } from './mocks';
import { RunJournal, type RunJournalHost } from './run-journal';
import { Scope, type Interrupt } from './scope';
import { SecretState, type ClearResult } from './secret-state';
import type { EventSubscriber, RecordedWaits, WaitHost } from './waits';

/** The run a host serves, as far as the host needs it. */
export interface HostedRun {
  readonly id: string;
  readonly task: { readonly file?: string };
  detach(reason: string, error: unknown): void;
}

/** What the host needs of the run's environment (see RunEnvironment, which says what each is). */
export interface HostEnvironment extends ExecutionEnvironment {
  readonly store: RunStore;
  readonly secrets: Record<string, string>;
  readonly recorded?: RecordedWaits & RecordedInstructions;
  onJournal(run: HostedRun, event: JournalEvent): void;
  callTask(parent: HostedRun, file: string, input: Record<string, unknown>, childId: string, signal: AbortSignal): Promise<CallResult>;
  callChild?(parent: HostedRun, file: string, input: Record<string, unknown>, childId: string, branch: BranchTag, signal: AbortSignal): Promise<CallResult>;
}

export class RunHost implements WaitHost, ExecutionHost, RunJournalHost {
  /** Every step recorded, journaled or not (see RunJournal): what the run decides over. */
  readonly live: RunState;
  private readonly steps: RunJournal;
  readonly secrets: SecretState;
  /** Aborted as the run is cancelled, times out or is detached: every wait and instruction ends. */
  readonly runAbort = new Scope();
  /** Set while the run is paused; a resume, a cancel or a detach opens it (see gate). */
  resumeGate: { promise: Promise<void>; open: () => void } | undefined;
  /** Set once the run is detached (see Run.detach): it journals nothing more. */
  detachReason: Interrupt | undefined;
  private releaseHold: (() => void) | undefined;
  readonly subscribers: EventSubscriber[] = [];
  deliveries: Promise<void> | undefined;
  parkedDepth = 0;
  /** Live broker subscriptions of `consume` transitions (see Run.parked). */
  subscriptions = 0;

  constructor(
    private readonly run: HostedRun,
    readonly env: HostEnvironment,
    history: readonly JournalEvent[],
  ) {
    this.secrets = new SecretState(run.id, env.secrets);
    this.steps = new RunJournal(this, history);
    this.live = this.steps.live;
  }

  get runId(): string {
    return this.run.id;
  }

  get taskFile(): string | undefined {
    return this.run.task.file;
  }

  get store(): RunStore {
    return this.env.store;
  }

  get reattachCalls(): boolean {
    return this.env.callChild !== undefined;
  }

  /** The run as its journal has it (values computed from secrets masked): what every view shows. */
  shown(): Readonly<RunState> {
    return this.steps.shown;
  }

  now(): number {
    return this.env.clock.now();
  }

  detached(): Interrupt | undefined {
    return this.detachReason;
  }

  // The live state is now ahead of the journal: this process must not go on with the run.
  onStoreError(err: unknown): void {
    this.run.detach(`the store failed: ${(err as Error)?.message ?? err}`, err);
  }

  onJournaled(e: JournalEvent): void {
    this.env.onJournal(this.run, e);
    if (e.type === 'log') this.env.onOutput({ runId: this.run.id, state: e.state, stream: 'log', text: e.message });
  }

  /** Records a step; see RunJournal.add for when it resolves. */
  journal(event: NewJournalEvent, clear?: ClearResult, point?: boolean): Promise<JournalEvent> {
    return this.steps.add(event, clear, point);
  }

  /** Before the run waits or a debugger may stop it: what it waits with, or shows, is journaled. */
  flush(): Promise<void> {
    return this.steps.flush();
  }

  /** An expression's value over the live state (secrets in clear): how the run decides. */
  async evaluateValue(source: string, over: Partial<ExpressionScope> = {}): Promise<unknown> {
    return (await evaluateViews(source, this.secrets.views(this.live, over))).value;
  }

  /** A value with its templates resolved over the live state (secrets in clear: never journal it). */
  async resolveValue(value: unknown): Promise<unknown> {
    return (await resolveTemplates(value, this.secrets.views(this.live))).value;
  }

  /** Whether the run must wait at the gate (paused) or leave (cancelled) before its next step. */
  mustStop(): boolean {
    return this.live.paused || this.runAbort.aborted;
  }

  /** Waits for a pause to be lifted (a cancel lifts it too). */
  async gate(): Promise<void> {
    while (this.live.paused && this.resumeGate && !this.runAbort.aborted) await this.resumeGate.promise;
    if (this.runAbort.aborted) throw abortError(this.runAbort);
  }

  hold(): void {
    this.releaseHold ??= this.env.clock.hold();
  }

  release(): void {
    this.releaseHold?.();
    this.releaseHold = undefined;
  }

  /** Lets virtual time move while the run waits on timers, events or a child run. */
  idle<T>(p: Promise<T>): Promise<T> {
    this.release();
    return p.finally(() => this.hold());
  }

  park(): () => void {
    this.parkedDepth++;
    let done = false;
    return () => {
      if (!done) this.parkedDepth--;
      done = true;
    };
  }

  /** Runs an instruction for real (a poll's `do`). */
  execute(st: StateModel, ins: InstructionModel, signal: Scope): Promise<MockOutcome> {
    return execute(this, st, ins, signal);
  }

  callTask(file: string, input: Record<string, unknown>, childId: string, signal: AbortSignal): Promise<CallResult> {
    return this.env.callTask(this.run, file, input, childId, signal);
  }

  callChild(file: string, input: Record<string, unknown>, childId: string, branch: BranchTag, signal: AbortSignal): Promise<CallResult> {
    return this.env.callChild!(this.run, file, input, childId, branch, signal);
  }
}
