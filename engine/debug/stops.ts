// Where a run stops: the decision at each step over the step mode, stop-on-entry and the
// breakpoints (conditions, hit counts, logpoints), and the search for the breakpoint behind the
// current step (reverse continue). Nothing here holds a run or waits on one.
import { evaluate, type Evaluated, type ExpressionScope } from '../expr/expression';
import type { JournalEvent, ReceivedEvent, RunError, TransitionCause } from '../journal/events';
import { replay, type RunState } from '../journal/replay';
import { elementKey } from '../model/locate';
import type { StateModel } from '../model/types';
import type { FailureWhere } from '../runtime/run';
import { hitConditionMet, interpolate, type Breakpoint, type Breakpoints } from './breakpoints';
import type { StepRecord } from './rewind';
import { describeInstruction } from './show';

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

export const EXCEPTION_FILTERS = [
  { filter: 'instruction-failed', label: 'Instruction failed', description: 'Stop when an instruction fails after its retries (caught or not).', default: false },
  { filter: 'state-timeout', label: 'State timeout', description: "Stop when a state's timeout passes.", default: false },
  { filter: 'run-failed', label: 'Run failed', description: 'Stop before a run ends failed.', default: true },
] as const;

/** The exception filter that covers a failure, and how a stop on it is labelled. */
export function exceptionFilter(where: FailureWhere): { filter: string; label: string } {
  if (where === 'instruction') return { filter: 'instruction-failed', label: 'Instruction failed' };
  if (where === 'timeout') return { filter: 'state-timeout', label: 'State timed out' };
  return { filter: 'run-failed', label: 'Run failed' };
}

export type Mode =
  | { kind: 'run' }
  | { kind: 'stepIn' }
  | { kind: 'next'; runId: string }
  | { kind: 'stepOut'; runId: string }
  /** Stop at the next step of any of these runs (the callers of a run that ended or is stepped out of). */
  | { kind: 'caller'; runIds: Set<string> }
  /** After a rewind: pass `remaining` steps of the launched run silently, then stop. */
  | { kind: 'replay'; remaining: number; reason: StopReason; description: string; hitBreakpointIds?: number[] };

/** A step of a run: a place it may stop. */
export interface Point {
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

/** Why the step mode (or stop-on-entry) stops at this step, if it does. */
export function stepReason(mode: Mode, p: Point, isRoot: boolean, stopOnEntry: boolean): StopReason | undefined {
  if (stopOnEntry && isRoot && p.kind === 'state') return 'entry';
  if (mode.kind === 'stepIn') return 'step';
  if (mode.kind === 'next' && mode.runId === p.runId && p.kind === 'state') return 'step';
  if (mode.kind === 'stepOut' && mode.runId === p.runId && (p.kind === 'transition' || p.kind === 'catch')) return 'step';
  if (mode.kind === 'caller' && mode.runIds.has(p.runId)) return 'step';
  return undefined;
}

export interface Decision {
  stop?: { reason: StopReason; description: string; hitBreakpointIds?: number[] };
  /** Console lines for the step: logpoint messages, conditions that failed to evaluate. */
  messages: string[];
}

/**
 * Whether to stop at a step, given the step mode's reason and the breakpoints on it: conditions
 * are evaluated by `inspect` (as the run evaluates, so a value computed from a secret is masked),
 * hits are counted on the breakpoints, logpoints give messages. `mask` hides secrets in logpoint
 * messages.
 */
export async function decideStop(
  p: Point,
  reason: StopReason | undefined,
  lineBps: readonly Breakpoint[],
  fnBps: readonly Breakpoint[],
  inspect: (source: string) => Promise<Evaluated>,
  mask: (text: string) => string,
): Promise<Decision> {
  const hit: number[] = [];
  const messages: string[] = [];
  let byFunction = false;
  for (const bp of [...lineBps, ...fnBps]) {
    if (bp.condition) {
      let ok: boolean;
      try {
        ok = truthy((await inspect(bp.condition)).value);
      } catch (err) {
        messages.push(`Breakpoint condition failed (stopping): ${(err as Error).message}\n`);
        ok = true;
      }
      if (!ok) continue;
    }
    bp.hits++;
    if (bp.hitCondition && !hitConditionMet(bp.hitCondition, bp.hits)) continue;
    if (bp.logMessage !== undefined) {
      messages.push(mask(await interpolate(bp.logMessage, inspect)) + '\n');
      continue;
    }
    hit.push(bp.id);
    if (fnBps.includes(bp) && !lineBps.includes(bp)) byFunction = true;
  }
  if (hit.length) {
    const what = p.kind === 'state' ? `state ${p.state.name}` : `${p.kind} ${p.index} of ${p.state.name}`;
    return { stop: { reason: byFunction && hit.length === fnBps.length ? 'function breakpoint' : 'breakpoint', description: `Breakpoint on ${what}`, hitBreakpointIds: hit }, messages };
  }
  if (reason) return { stop: { reason, description: reason === 'entry' ? `Before the first state, ${p.state.name}` : describePoint(p) }, messages };
  return { messages };
}

/**
 * Reverse continue: the latest step before `from` with a breakpoint whose condition holds on the
 * state of then (hit counts and logpoints do not count), with the breakpoints hit.
 */
export async function breakpointBehind(
  steps: readonly StepRecord[],
  from: number,
  journal: readonly JournalEvent[],
  breakpoints: Breakpoints,
  task: { file: string; name?: string },
  scopeOf: (state: Readonly<RunState>) => ExpressionScope,
): Promise<{ index: number; hit: number[] } | undefined> {
  for (let i = from - 1; i >= 0; i--) {
    const s = steps[i];
    const bps = [...breakpoints.at(task.file, elementKey(s.kind, s.state, s.index)), ...(s.kind === 'state' ? breakpoints.functionsFor(s.state, task.name) : [])].filter((b) => b.logMessage === undefined);
    if (!bps.length) continue;
    const state = replay(journal.filter((e) => e.seq <= s.seq));
    const hit: number[] = [];
    for (const bp of bps) {
      if (bp.condition) {
        try {
          if (!truthy(await evaluate(bp.condition, scopeOf(state)))) continue;
        } catch {
          // A condition that fails stops, as it does going forward.
        }
      }
      hit.push(bp.id);
    }
    if (hit.length) return { index: i, hit };
  }
  return undefined;
}

export function describePoint(p: Point): string {
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

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}
