// Stopping and stepping: the current stop and the step mode, what the engine's hooks do at each
// step (ask stops.ts whether to stop, then hold the run), the virtual clock's gate, and the
// requests that move a stopped run on (continue, next, step in/out, pause, skip wait).
import { evaluateViews, type ExpressionScope } from '../expr/expression';
import type { RunError } from '../journal/events';
import { elementKey } from '../model/locate';
import type { StateModel } from '../model/types';
import type { Clock, VirtualClock } from '../runtime/clock';
import type { Engine } from '../runtime/engine';
import { redact } from '../runtime/redact';
import type { FailureWhere } from '../runtime/run';
import type { Breakpoints } from './breakpoints';
import type { Timeline } from './rewind';
import { ancestors, describeWaiting, innermost, pointPlace, waitsOf, type View } from './show';
import { decideStop, EXCEPTION_FILTERS, exceptionFilter, stepReason, type Mode, type Point, type StopInfo, type StopReason } from './stops';

const EMPTY_SCOPE: ExpressionScope = {};
const NO_VIEWS = { clear: EMPTY_SCOPE, shown: EMPTY_SCOPE };

export interface CurrentStop extends StopInfo {
  resume: () => void;
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
  /** The run stopped (the stop is current already). */
  stopped(stop: CurrentStop): void;
  /** The run moved on by itself from a stop where it was waiting. */
  continued(): void;
  /** A Debug Console line about a step. */
  console(text: string, place: { file?: string; line?: number }): void;
}

export class Stepper {
  mode: Mode = { kind: 'run' };
  stop?: CurrentStop;
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

  /** Called before each step; returns a promise (a stop) only when the run must wait here. */
  step(p: Point): void | Promise<void> {
    if (this.noDebug) return;
    const isRoot = p.runId === this.host.rootRunId();
    const run = this.host.engine()!.get(p.runId);
    const step = isRoot ? this.host.timeline.record(p.kind, p.state.name, p.index, run?.state.seq ?? 0) : undefined;
    if (this.stop?.at === 'wait') {
      // The run was shown waiting; an event or a fired timer moved it on.
      this.stop = undefined;
      this.host.continued();
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
      return this.stopAt(p, mode.reason, mode.description, mode.hitBreakpointIds, step);
    }
    if (isRoot && p.kind === 'state' && this.expectedPath) {
      const left = this.leavesPath(p.state.name);
      if (left) return this.stopAt(p, 'breakpoint', left, undefined, step);
    }
    const reason = stepReason(mode, p, isRoot, this.stopOnEntry);
    if (reason === 'entry') this.stopOnEntry = false;
    const { breakpoints } = this.host;
    const lineBps = breakpoints.at(run?.task.file, elementKey(p.kind, p.state.name, p.index));
    const fnBps = p.kind === 'state' ? breakpoints.functionsFor(p.state.name, run?.task.model.name) : [];
    if (!reason && lineBps.length === 0 && fnBps.length === 0) return;
    const secrets = this.host.secrets();
    const inspect = (source: string) => (run ? run.evaluate(source, p.event ? { event: p.event } : {}) : evaluateViews(source, NO_VIEWS));
    return decideStop(p, reason, lineBps, fnBps, inspect, (text) => redact(text, secrets)).then(({ stop, messages }) => {
      for (const text of messages) this.host.console(text, pointPlace(this.host.engine()?.get(p.runId), p));
      if (stop) return this.stopAt(p, stop.reason, stop.description, stop.hitBreakpointIds, step);
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

  private stopAt(p: Point, reason: StopReason, description: string, hitBreakpointIds: number[] | undefined, step: number | undefined): Promise<void> {
    return new Promise<void>((done) => {
      this.hold({
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
        resume: done,
        step,
      });
    });
  }

  /** Before a failure is routed or ends the run: stops when its exception filter is on. */
  failure(runId: string, st: StateModel | undefined, error: RunError, where: FailureWhere): void | Promise<void> {
    if (this.silent || this.noDebug || this.mode.kind === 'replay') return;
    const { filter, label } = exceptionFilter(where);
    if (!this.exceptionFilters.has(filter)) return;
    const run = this.host.engine()!.get(runId);
    return new Promise<void>((done) => {
      this.hold({
        reason: 'exception',
        description: `${label}: ${error.message}`,
        text: `${error.kind}: ${error.message}`,
        runId,
        at: 'failure',
        state: st?.name ?? run?.state.state,
        index: where === 'instruction' ? run?.state.nextInstruction : undefined,
        error: { ...error, where },
        resume: done,
      });
    });
  }

  /**
   * Makes a stop current. A stop reached while a pause was being set up (a hook that was
   * evaluating a condition) takes the pause's place: resuming it lifts the pause too.
   */
  private hold(stop: CurrentStop): void {
    const previous = this.stop;
    if (previous?.at === 'paused') {
      const resume = stop.resume;
      stop.resume = () => {
        previous.resume();
        resume();
      };
    }
    this.mode = { kind: 'run' };
    this.stop = stop;
    this.host.stopped(stop);
  }

  /** The virtual clock asks before it jumps: "step in" stops where the run waits. */
  gate(due: number): boolean {
    if (this.silent || this.host.finished()) return true;
    if (this.stop) return this.stop.at !== 'wait';
    if (this.mode.kind !== 'stepIn') return true;
    const run = innermost(this.host.engine(), this.host.rootRunId());
    if (!run) return true;
    // The mode stays "step in": if an event (or a fired timer) moves the run on, it stops at the
    // step it leads to.
    this.stop = {
      reason: 'step',
      ...describeWaiting(this.host.view(), run, 'Waiting', due),
      runId: run.id,
      at: 'wait',
      state: run.state.state,
      resume: () => (this.host.clock() as VirtualClock).poke(),
    };
    this.host.stopped(this.stop);
    return false;
  }

  /** A run ended: stepping over or out of it goes on in its caller. */
  ended(runId: string): void {
    const mode = this.mode;
    if ((mode.kind === 'next' || mode.kind === 'stepOut') && mode.runId === runId) this.mode = { kind: 'caller', runIds: new Set(ancestors(this.host.engine(), runId)) };
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
      (this.host.clock() as VirtualClock).skipToNextTimer();
      return;
    }
    this.resume();
  }

  /** Step out: return from a called task; in the launched run, finish the state (stop at its transition). */
  stepOut(): void {
    const stop = this.requireStop();
    const parents = ancestors(this.host.engine(), stop.runId);
    if (parents.length) this.mode = { kind: 'caller', runIds: new Set(parents) };
    else if (stop.at === 'transition' || stop.at === 'catch') this.mode = { kind: 'next', runId: stop.runId };
    else this.mode = { kind: 'stepOut', runId: stop.runId };
    this.resume();
  }

  async pause(): Promise<void> {
    const engine = this.host.engine();
    if (this.stop || this.host.finished() || !engine) return;
    const run = innermost(engine, this.host.rootRunId());
    if (!run) return;
    await run.pause();
    if (this.stop || run.ended) {
      await run.resume();
      return;
    }
    this.stop = {
      reason: 'pause',
      ...describeWaiting(this.host.view(), run, 'Paused'),
      runId: run.id,
      at: 'paused',
      state: run.state.state,
      resume: () => void run.resume(),
    };
    this.host.stopped(this.stop);
  }

  /** "Skip wait": fires the next timer of the virtual clock now, then stops at the next step or wait. */
  skipWait(): { skipped: string; due: number } {
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
    this.mode = { kind: 'stepIn' };
    this.stop = undefined;
    virtual.skipToNextTimer();
    if (stop.at === 'paused') stop.resume();
    return { skipped: wait?.text ?? 'timer', due };
  }

  /** Lets the stopped run go on; what was done while stopped at a step belongs to that step. */
  resume(): void {
    const stop = this.stop;
    if (!stop) return;
    this.stop = undefined;
    const run = this.host.engine()?.get(stop.runId);
    if (stop.step !== undefined && run) this.host.timeline.settle(stop.step, run.state.seq);
    stop.resume();
  }

  /** Lets go of the current stop without stepping (the runs are being cancelled). */
  release(): void {
    const stop = this.stop;
    this.stop = undefined;
    this.mode = { kind: 'run' };
    stop?.resume();
  }

  requireStop(): CurrentStop {
    if (!this.stop) throw new Error(this.host.finished() ? 'The run has ended.' : 'The run is not stopped: pause it first.');
    return this.stop;
  }
}
