// Stopping and stepping: the stops of the threads and the step mode, what the engine's hooks do
// at each step (ask stops.ts whether to stop, then hold the run), the virtual clock's gate, and the
// requests that move a stopped run on (continue, next, step in/out, pause, skip wait).
//
// Threads (see threads.ts) stop together: once a stop is reported, every other thread is held at
// its next step, silently, and decides again when let go (so a breakpoint there still counts). A
// step request moves only the thread it names, with the threads inside its branches; continue
// moves them all. A held run does not hold the virtual clock: while every thread is stopped the
// clock's gate keeps time still, and while one thread steps time moves for it.
import { evaluateViews, type ExpressionScope } from '../expr/expression';
import type { RunError } from '../journal/events';
import { elementKey } from '../model/locate';
import type { StateModel } from '../model/types';
import type { Clock, VirtualClock } from '../runtime/clock';
import type { Engine } from '../runtime/engine';
import { redact } from '../runtime/redact';
import type { FailureWhere, Run } from '../runtime/run';
import type { Breakpoints } from './breakpoints';
import type { Timeline } from './rewind';
import { ancestors, describeWaiting, pointPlace, waitsOf, type View } from './show';
import { decideStop, EXCEPTION_FILTERS, exceptionFilter, stepReason, type Mode, type Point, type StopInfo, type StopReason } from './stops';
import { MAIN_THREAD, type BranchThread, type Threads } from './threads';

const EMPTY_SCOPE: ExpressionScope = {};
const NO_VIEWS = { clear: EMPTY_SCOPE, shown: EMPTY_SCOPE };

export interface CurrentStop extends StopInfo {
  thread: number;
  /** Lets the thread go on; a held step is decided again unless `again` is false. */
  resume: (again?: boolean) => void;
  /** Index in the timeline when stopped at a step of the launched run. */
  step?: number;
}

/** What the stepper sees of the runtime. */
export interface StepperHost {
  engine(): Engine | undefined;
  clock(): Clock | undefined;
  rootRunId(): string;
  /** The launched run has ended. */
  finished(): boolean;
  secrets(): Record<string, string>;
  view(): View;
  readonly timeline: Timeline;
  readonly breakpoints: Breakpoints;
  readonly threads: Threads;
  /** The deepest active run of a thread. */
  innermostOf(thread: number): Run | undefined;
  /** A thread stopped (the stop is current already). */
  stopped(stop: CurrentStop): void;
  /** A thread moved on by itself from a stop where it was waiting. */
  continued(thread: number): void;
  /** A Debug Console line about a step. */
  console(text: string, place: { file?: string; line?: number }): void;
  /** The launched run came to a step: what the user did there before a step back is done again (a promise while it is). */
  arrived(step: number): Promise<void> | undefined;
}

export class Stepper {
  mode: Mode = { kind: 'run' };
  /** Each stopped thread's stop. */
  private readonly stops = new Map<number, CurrentStop>();
  /** The thread of the stop last reported, until something moves. */
  private focus?: number;
  /** From a reported stop until continue: threads other than the stepped one are held at their next step. */
  private halted = false;
  /** The thread a step request moves (with the threads inside its branches). */
  private stepping?: number;
  /** True while a rewind replays forward to its target: no output, breakpoints or stops. */
  silent = false;
  stopOnEntry = false;
  /** A test case's `path`, while the run is to stop where it leaves it (stopOnDivergence). */
  expectedPath?: string[];
  noDebug = false;
  private exceptionFilters = new Set<string>(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.filter));

  constructor(private readonly host: StepperHost) {}

  setExceptionFilters(filters: readonly string[]): void {
    const known = new Set<string>(EXCEPTION_FILTERS.map((f) => f.filter));
    const unknown = filters.filter((f) => !known.has(f));
    if (unknown.length) throw new Error(`Unknown exception filter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: use ${[...known].join(', ')}.`);
    this.exceptionFilters = new Set(filters);
  }

  /** The stop of the last thread reported stopped, while every thread is stopped. */
  get stop(): CurrentStop | undefined {
    return this.focus === undefined ? undefined : this.stops.get(this.focus);
  }

  stopOf(thread: number): CurrentStop | undefined {
    return this.stops.get(thread);
  }

  /** A stop was reported and nothing was asked to move since. */
  get allStopped(): boolean {
    return this.halted && this.stepping === undefined;
  }

  /** Called before each step; returns a promise (a stop) only when the run must wait here. */
  step(p: Point): void | Promise<void> {
    if (this.noDebug) return;
    const isRoot = p.runId === this.host.rootRunId();
    const run = this.host.engine()!.get(p.runId);
    const step = isRoot ? this.host.timeline.record(p.kind, p.state.name, p.index, run?.state.seq ?? 0) : undefined;
    const redone = step === undefined ? undefined : this.host.arrived(step);
    if (redone) return redone.then(() => this.decide(p, this.host.threads.threadOf(p.runId), step));
    return this.decide(p, this.host.threads.threadOf(p.runId), step);
  }

  private decide(p: Point, thread: number, step: number | undefined): void | Promise<void> {
    const isRoot = p.runId === this.host.rootRunId();
    if (this.stops.get(thread)?.at === 'wait') {
      // The thread was shown waiting; an event or a fired timer moved it on: its step in goes on,
      // unless another thread steps (time moved for that one): then it is held below, silently.
      this.drop(thread);
      if (this.stepping === undefined) {
        this.stepping = thread;
        this.host.continued(thread);
      }
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
      return this.stopAt(p, thread, mode.reason, mode.description, mode.hitBreakpointIds, step);
    }
    if (this.mustHold(thread)) return this.holdWith(p, thread, step, true);
    if (isRoot && p.kind === 'state' && this.expectedPath) {
      const left = this.leavesPath(p.state.name);
      if (left) return this.stopAt(p, thread, 'breakpoint', left, undefined, step);
    }
    const reason = stepReason(mode, p, isRoot, this.stopOnEntry);
    if (reason === 'entry') this.stopOnEntry = false;
    const { breakpoints } = this.host;
    const run = this.host.engine()?.get(p.runId);
    const lineBps = breakpoints.at(run?.task.file, elementKey(p.kind, p.state.name, p.index));
    const fnBps = p.kind === 'state' ? breakpoints.functionsFor(p.state.name, run?.task.model.name) : [];
    if (!reason && lineBps.length === 0 && fnBps.length === 0) return;
    const secrets = this.host.secrets();
    const inspect = (source: string) => (run ? run.evaluate(source, p.event ? { event: p.event } : {}) : evaluateViews(source, NO_VIEWS));
    return decideStop(p, reason, lineBps, fnBps, inspect, (text) => redact(text, secrets)).then(({ stop, messages }) => {
      for (const text of messages) this.host.console(text, pointPlace(this.host.engine()?.get(p.runId), p));
      // Another thread may have stopped while the conditions were evaluated: this one stops with it
      // (its breakpoints were counted already).
      if (!stop) return this.mustHold(thread) ? this.holdWith(p, thread, step, false) : undefined;
      return this.stopAt(p, thread, stop.reason, stop.description, stop.hitBreakpointIds, step);
    });
  }

  /** Where the run leaves the case's path, as the stop says it; once per launch. */
  private leavesPath(state: string): string | undefined {
    const expected = this.expectedPath!;
    const at = this.host.timeline.steps.filter((s) => s.kind === 'state').length - 1;
    if (expected[at] === state) return undefined;
    this.expectedPath = undefined;
    return at >= expected.length
      ? `The run leaves the case's path: it enters '${state}' after the path's last state, '${expected[expected.length - 1]}'`
      : `The run leaves the case's path: it enters '${state}' where the path has '${expected[at]}'`;
  }

  private pointStop(p: Point, reason: StopReason, description: string): StopInfo {
    return {
      reason,
      description,
      text: p.error ? `${p.error.kind}: ${p.error.message}` : undefined,
      runId: p.runId,
      at: p.kind,
      state: p.state.name,
      index: p.index,
      attempt: p.attempt,
      to: p.to,
      cause: p.cause,
      event: p.event,
      error: p.error,
    };
  }

  private stopAt(p: Point, thread: number, reason: StopReason, description: string, hitBreakpointIds: number[] | undefined, step: number | undefined): Promise<void> {
    const held = new Promise<void>((done) => this.report({ ...this.pointStop(p, reason, description), hitBreakpointIds, thread, resume: () => done(), step }));
    return this.outside(p.runId, held);
  }

  /** Every thread is stopped, or another one steps: this one must not move. */
  private mustHold(thread: number): boolean {
    return this.halted && !(this.stepping !== undefined && this.host.threads.within(thread, this.stepping));
  }

  /** Holds a thread at a step because another stopped; when let go, the step is decided (again). */
  private holdWith(p: Point, thread: number, step: number | undefined, decide: boolean): Promise<void> {
    const held = new Promise<boolean>((done) => {
      this.put({ ...this.pointStop(p, 'pause', 'Stopped with the other threads'), thread, resume: (again = true) => done(again), step });
    });
    return this.outside(
      p.runId,
      held.then((again) => (again && decide ? this.decide(p, thread, step) : undefined)),
    );
  }

  /** A held run does not hold the virtual clock (see the top of this file). */
  private outside(runId: string, held: Promise<void>): Promise<void> {
    return this.host.engine()?.get(runId)?.waitOutside(held) ?? held;
  }

  /** Before a failure is routed or ends the run: stops when its exception filter is on. */
  failure(runId: string, st: StateModel | undefined, error: RunError, where: FailureWhere): void | Promise<void> {
    if (this.silent || this.noDebug || this.mode.kind === 'replay') return;
    const { filter, label } = exceptionFilter(where);
    if (!this.exceptionFilters.has(filter)) return;
    const run = this.host.engine()!.get(runId);
    const held = new Promise<void>((done) => {
      this.report({
        reason: 'exception',
        description: `${label}: ${error.message}`,
        text: `${error.kind}: ${error.message}`,
        runId,
        at: 'failure',
        state: st?.name ?? run?.state.state,
        index: where === 'instruction' ? run?.state.nextInstruction : undefined,
        error: { ...error, where },
        thread: this.host.threads.threadOf(runId),
        resume: () => done(),
      });
    });
    return this.outside(runId, held);
  }

  /**
   * Makes a thread's stop current. A stop reached while a pause was being set up (a hook that was
   * evaluating a condition), or while the thread was held, takes its place: resuming it lets both go.
   */
  private put(stop: CurrentStop): void {
    const previous = this.stops.get(stop.thread);
    if (previous && previous.at !== 'wait') {
      const resume = stop.resume;
      stop.resume = (again) => {
        previous.resume(again);
        resume(again);
      };
    }
    this.stops.set(stop.thread, stop);
  }

  /** Reports a thread stopped: every thread stops with it. */
  private report(stop: CurrentStop, keepMode = false): void {
    this.put(stop);
    if (!keepMode) this.mode = { kind: 'run' };
    this.halted = true;
    this.stepping = undefined;
    this.focus = stop.thread;
    this.host.stopped(stop);
  }

  /** Forgets a thread's stop without letting it go. */
  private drop(thread: number): void {
    this.stops.delete(thread);
    if (this.focus === thread) this.focus = undefined;
  }

  /** The virtual clock asks before it jumps: "step in" stops where the run waits. */
  gate(due: number): boolean {
    if (this.silent || this.host.finished()) return true;
    // A thread shown waiting keeps time still until it is moved on; a step of another thread
    // (which may itself be waiting, with no stop of its own) lets time move for that one.
    if (this.stepping === undefined && [...this.stops.values()].some((s) => s.at === 'wait')) return false;
    if (!this.halted) return true;
    // Every thread stopped: time stays still, but what is due now happens (a sibling whose sleep
    // ends at this instant goes on to its next step, where it stops too).
    if (this.stepping === undefined) return due <= (this.host.clock()?.now() ?? due);
    if (this.mode.kind !== 'stepIn') return true;
    const run = this.host.innermostOf(this.stepping);
    if (!run) return true;
    // The mode stays "step in": if an event (or a fired timer) moves the run on, it stops at the
    // step it leads to.
    const stop: CurrentStop = {
      reason: 'step',
      ...describeWaiting(this.host.view(), run, 'Waiting', due),
      runId: run.id,
      at: 'wait',
      state: run.state.state,
      thread: this.stepping,
      resume: () => (this.host.clock() as VirtualClock).poke(),
    };
    this.report(stop, true);
    return false;
  }

  /** A run ended: stepping over or out of it goes on in its caller. */
  ended(runId: string): void {
    const mode = this.mode;
    if ((mode.kind === 'next' || mode.kind === 'stepOut') && mode.runId === runId) this.mode = { kind: 'caller', runIds: new Set(ancestors(this.host.engine(), runId)) };
  }

  /**
   * A branch's thread ended: what held it is let go (its run ended or was cancelled). A step of it
   * goes on in the thread that runs the fan-out; while other branches of it still run (and stay
   * stopped), that thread stops where it waits for them.
   */
  threadExited(t: BranchThread, othersLive: boolean): void {
    this.stops.get(t.id)?.resume(false);
    this.drop(t.id);
    if (this.stepping !== t.id) return;
    this.stepping = t.parent;
    const owner = this.host.engine()?.get(t.ownerRunId);
    if (!othersLive || !owner || owner.ended) return;
    this.report({
      reason: 'step',
      description: `${t.name} ended; the other branches are stopped`,
      runId: owner.id,
      at: 'paused',
      state: owner.state.state,
      index: owner.state.nextInstruction,
      thread: t.parent,
      resume: () => undefined,
    });
  }

  continue(): void {
    this.mode = { kind: 'run' };
    this.halted = false;
    this.stepping = undefined;
    for (const thread of [...this.stops.keys()]) this.resumeThread(thread);
    this.wake();
  }

  /** Step over: to the next state of the run stopped in (or back in its caller when it ends). */
  next(thread?: number): void {
    const t = this.chosen(thread);
    this.move(t, { kind: 'next', runId: this.runOf(t) });
  }

  /** Step in: to the very next step (instruction, transition, state, a called task's first state, a wait). */
  stepIn(thread?: number): void {
    const t = this.chosen(thread);
    if (this.stops.get(t)?.at === 'wait') {
      this.drop(t);
      this.move(t, { kind: 'stepIn' });
      (this.host.clock() as VirtualClock).skipToNextTimer();
      return;
    }
    this.move(t, { kind: 'stepIn' });
  }

  /** Step out: return from a called task; in the launched run, finish the state (stop at its transition). */
  stepOut(thread?: number): void {
    const t = this.chosen(thread);
    const stop = this.stops.get(t);
    const runId = this.runOf(t);
    const parents = ancestors(this.host.engine(), runId);
    if (parents.length) this.move(t, { kind: 'caller', runIds: new Set(parents) });
    else if (stop?.at === 'transition' || stop?.at === 'catch') this.move(t, { kind: 'next', runId });
    else this.move(t, { kind: 'stepOut', runId });
  }

  /** Lets a thread (and the threads inside its branches) go on in `mode`; the others stay stopped. */
  private move(thread: number, mode: Mode): void {
    this.mode = mode;
    this.stepping = thread;
    this.focus = undefined;
    for (const id of [...this.stops.keys()]) if (this.host.threads.within(id, thread)) this.resumeThread(id);
    this.wake();
  }

  /** The thread a step request names (every thread must be stopped): by default the last one reported. */
  private chosen(thread: number | undefined): number {
    this.requireStop();
    const t = thread ?? this.focus ?? MAIN_THREAD;
    if (!this.host.threads.has(t)) throw new Error(`Unknown thread ${t}: ask for the threads again (its branch may have ended).`);
    return t;
  }

  /** The run a thread stands in: where it stopped, else its innermost run. */
  private runOf(thread: number): string {
    const runId = this.stops.get(thread)?.runId ?? this.host.innermostOf(thread)?.id;
    if (!runId) throw new Error(`Thread ${thread} has no run to step.`);
    return runId;
  }

  /** Lets time move again after the gate kept it still. */
  private wake(): void {
    const clock = this.host.clock();
    if (clock?.kind === 'virtual') (clock as VirtualClock).poke();
  }

  async pause(thread?: number): Promise<void> {
    const engine = this.host.engine();
    if (this.allStopped || this.host.finished() || !engine) return;
    const t = thread !== undefined && this.host.threads.has(thread) ? thread : (this.stepping ?? MAIN_THREAD);
    const run = this.host.innermostOf(t);
    if (!run) return;
    await run.pause();
    if (this.allStopped || run.ended) {
      await run.resume();
      return;
    }
    this.report({
      reason: 'pause',
      ...describeWaiting(this.host.view(), run, 'Paused'),
      runId: run.id,
      at: 'paused',
      state: run.state.state,
      thread: this.host.threads.threadOf(run.id),
      resume: () => void run.resume(),
    });
  }

  /** "Skip wait": fires the next timer of the virtual clock now, then stops at the next step or wait. */
  skipWait(): { skipped: string; due: number; thread: number } {
    const clock = this.host.clock();
    if (clock?.kind !== 'virtual') throw new Error('Skip wait needs the virtual clock: launch with "clock": "virtual".');
    const stop = this.requireStop();
    if (stop.at !== 'wait' && stop.at !== 'paused') throw new Error('The run is stopped at a step, not waiting: step or continue until it waits on a timer.');
    const virtual = clock as VirtualClock;
    const due = virtual.nextDue();
    if (due === undefined) throw new Error('Nothing to skip: no timer is pending (the run waits for an event).');
    const run = this.host.engine()!.get(stop.runId);
    const wait = run ? waitsOf(this.host.view(), run).find((w) => w.due === due) : undefined;
    this.host.timeline.skipped();
    this.drop(stop.thread);
    this.mode = { kind: 'stepIn' };
    this.stepping = stop.thread;
    virtual.skipToNextTimer();
    if (stop.at === 'paused') stop.resume();
    return { skipped: wait?.text ?? 'timer', due, thread: stop.thread };
  }

  /** Lets a stopped thread go on; what was done while stopped at a step belongs to that step. */
  private resumeThread(thread: number): void {
    const stop = this.stops.get(thread);
    if (!stop) return;
    this.drop(thread);
    const run = this.host.engine()?.get(stop.runId);
    if (stop.step !== undefined && run) this.host.timeline.settle(stop.step, run.state.seq);
    stop.resume();
  }

  /** Lets go of every stop without stepping (the runs are being cancelled or have ended). */
  release(): void {
    const stops = [...this.stops.values()];
    this.stops.clear();
    this.focus = undefined;
    this.halted = false;
    this.stepping = undefined;
    this.mode = { kind: 'run' };
    for (const s of stops) s.resume(false);
  }

  /** The stop last reported (else any), while every thread is stopped; throws unless they are. */
  requireStop(): CurrentStop {
    const stop = this.allStopped ? (this.stop ?? this.stops.values().next().value) : undefined;
    if (!stop) throw new Error(this.host.finished() ? 'The run has ended.' : 'The run is not stopped: pause it first.');
    return stop;
  }
}
