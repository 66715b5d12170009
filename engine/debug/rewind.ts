// Going back: a run is its journal, so going back to an earlier step of the launched run forks a
// new run from a prefix of the journal, at the nearest step where a run re-enters exactly (a state
// entry or an instruction), and replays forward to the step asked for. The outcomes the abandoned
// run recorded after the fork point can be reused while the new run takes the same steps.
import type { JournalEvent } from '../journal/events';
import type { MockOutcome } from '../runtime/mocks';
import type { RecordedOutcomes } from '../runtime/run';

/** A step of the launched run, remembered for step back. */
export interface StepRecord {
  /** The journal length at the step, and after what was done while stopped at it. */
  seq: number;
  kind: 'state' | 'instruction' | 'transition' | 'catch';
  state: string;
  index?: number;
  /** A place a forked run re-enters exactly: a state entry, or an instruction. */
  anchor: boolean;
}

/**
 * The steps of the launched run, and the runs forked from it to go back: the run ids
 * (`<first>-r<N>`) and the outcomes a fork may reuse.
 */
export class Timeline {
  private list: StepRecord[] = [];
  private base = '';
  private forks = 0;
  /** The outcomes the current fork may reuse (none before the first step back). */
  private recorded?: RecordedQueue;

  /** A new launched run: no steps, no forks. */
  start(runId: string): void {
    this.list = [];
    this.base = runId;
    this.forks = 0;
    this.recorded = undefined;
  }

  get steps(): readonly StepRecord[] {
    return this.list;
  }

  /** Remembers a step of the launched run at journal length `seq`; returns its index. */
  record(kind: StepRecord['kind'], state: string, index: number | undefined, seq: number): number {
    this.list.push({ seq, kind, state, index, anchor: kind === 'state' || kind === 'instruction' });
    return this.list.length - 1;
  }

  /** What was done while stopped at a step (data set, events sent) belongs to the step. */
  settle(step: number, seq: number): void {
    const s = this.list[step];
    if (s) s.seq = seq;
  }

  /** The user changed the run (data, an event, a skipped wait): recorded outcomes no longer apply. */
  diverge(): void {
    this.recorded?.diverge();
  }

  /**
   * Going back to step `target` of a run with this journal: the fork re-enters at the nearest
   * exact re-entry point at or before it (the anchor), continuing the journal up to there. The
   * steps from the anchor on are forgotten (the fork takes them again).
   */
  rewind(target: number, journal: readonly JournalEvent[], reuseResults: boolean): { anchor: number; prefix: JournalEvent[]; runId: string; recorded?: RecordedOutcomes } {
    let anchor = target;
    while (anchor > 0 && !this.list[anchor].anchor) anchor--;
    const at = this.list[anchor].seq;
    this.list = this.list.slice(0, anchor);
    this.recorded = reuseResults ? new RecordedQueue(journal.filter((e) => e.seq > at)) : undefined;
    return { anchor, prefix: journal.filter((e) => e.seq <= at), runId: `${this.base}-r${++this.forks}`, recorded: this.recorded };
  }
}

export function describeStep(s: StepRecord): string {
  return s.kind === 'state' ? `state ${s.state}` : `${s.kind} ${s.index} of ${s.state}`;
}

/** Instruction kinds whose recorded results a forked run may reuse (their effects are outside the run). */
const NOT_REUSED = new Set(['set', 'log', 'emit', 'sleep', 'call']);

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
