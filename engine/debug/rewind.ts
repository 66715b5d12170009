// Going back: a run is its journal, so going back to an earlier step of the launched run forks a
// new run from a prefix of the journal, at the nearest step where a run re-enters exactly (a state
// entry or an instruction), and replays forward to the step asked for. Re-running the steps after
// the fork point reproduces what the run did, but not what the user did while it was stopped (an
// event sent, a value set): those are taken from the abandoned journal and done again at the same
// place, so that going back and forth keeps the history. The place is the step the user was stopped
// at (a transition already chosen is not in the journal yet) and the entries journaled before it.
// The outcomes the abandoned run recorded can be reused while the new run takes the same steps.
import type { JournalEvent } from '../journal/events';
import type { MockOutcome } from '../runtime/mocks';
import type { RecordedOutcomes } from '../runtime/run';

/** A step of the launched run, remembered for step back. */
export interface StepRecord {
  /** The journal length at the step, and after what was done while stopped at it. */
  seq: number;
  /** The journal length when the run came to the step: what has a later seq was done at it or after. */
  at: number;
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
  /** What the user did after the fork point, to do again (none before the first step back). */
  private redo?: UserActions;
  /** The recorded run a replay walks through (see replay.ts); rewinds restart from its beginning. */
  private recording?: readonly JournalEvent[];

  /** A new launched run: no steps, no forks. */
  start(runId: string): void {
    this.list = [];
    this.base = runId;
    this.forks = 0;
    this.recorded = undefined;
    this.redo = undefined;
    this.recording = undefined;
  }

  /**
   * A replay of a recorded run: its outcomes are all taken from the recording (nothing outside the
   * run is done again), and the events and values it received are given again at the same places.
   */
  replay(runId: string, recording: readonly JournalEvent[]): RecordedOutcomes {
    this.start(runId);
    this.recording = recording;
    return this.replayFromStart();
  }

  get replaying(): boolean {
    return this.recording !== undefined;
  }

  private replayFromStart(): RecordedOutcomes {
    const after = this.recording!.slice(1);
    this.redo = new UserActions(after, isReceived);
    this.recorded = new RecordedQueue(after, true);
    return this.recorded;
  }

  get steps(): readonly StepRecord[] {
    return this.list;
  }

  /** Remembers a step of the launched run at journal length `seq`; returns its index. */
  record(kind: StepRecord['kind'], state: string, index: number | undefined, seq: number): number {
    this.list.push({ seq, at: seq, kind, state, index, anchor: kind === 'state' || kind === 'instruction' });
    return this.list.length - 1;
  }

  /** The launched run came to step `step`: what the user did at the same step of the abandoned run, to do again now. */
  arrived(step: number): UserAction[] {
    return this.redo?.arrived(step, this.list[step]) ?? [];
  }

  /** What was done while stopped at a step (data set, events sent) belongs to the step. */
  settle(step: number, seq: number): void {
    const s = this.list[step];
    if (s) s.seq = seq;
  }

  /**
   * The user changed the run (a value set, an event sent): a new history starts, and neither the
   * recorded outcomes nor what the user did in the abandoned one apply any more.
   */
  diverge(): void {
    this.recorded?.diverge();
    this.redo?.diverge();
  }

  /** A wait was skipped: time moves as it would have, but outcomes recorded with other timing are not reused. */
  skipped(): void {
    this.recorded?.diverge();
  }

  /** The launched run journaled `e`: what the user did right after the same entry in the abandoned run, to do again now. */
  journaled(e: JournalEvent): UserAction[] {
    return this.redo?.after(e) ?? [];
  }

  /**
   * Going back to step `target` of a run with this journal: the fork re-enters at the nearest
   * exact re-entry point at or before it (the anchor), continuing the journal up to there. The
   * steps from the anchor on are forgotten (the fork takes them again).
   */
  rewind(target: number, journal: readonly JournalEvent[], reuseResults: boolean): { anchor: number; prefix: JournalEvent[]; runId: string; recorded?: RecordedOutcomes } {
    if (this.recording) {
      // A replay costs nothing to run again: it restarts from the recording's first entry.
      this.list = [];
      return { anchor: 0, prefix: [this.recording[0]], runId: `${this.base}-r${++this.forks}`, recorded: this.replayFromStart() };
    }
    let anchor = target;
    while (anchor > 0 && !this.list[anchor].anchor) anchor--;
    const at = this.list[anchor].seq;
    const abandoned = this.list.slice(anchor);
    this.list = this.list.slice(0, anchor);
    const future = journal.filter((e) => e.seq > at);
    this.recorded = reuseResults ? new RecordedQueue(future) : undefined;
    this.redo = new UserActions(future, isUserAction, { first: anchor, steps: abandoned });
    return { anchor, prefix: journal.filter((e) => e.seq <= at), runId: `${this.base}-r${++this.forks}`, recorded: this.recorded };
  }
}

export function describeStep(s: StepRecord): string {
  return s.kind === 'state' ? `state ${s.state}` : `${s.kind} ${s.index} of ${s.state}`;
}

/** An entry the user made through the debugger. */
export type UserAction = Extract<JournalEvent, { type: 'event-received' | 'data-set' }>;

/** The debugger's own source of events and values (see DebugRuntime.sendEvent, setData). */
export const BY_DEBUGGER = 'debugger';

function isUserAction(e: JournalEvent): e is UserAction {
  return isReceived(e) && e.source === BY_DEBUGGER;
}

/** An event or value the run received from outside, whoever sent it: what a replay gives again. */
function isReceived(e: JournalEvent): e is UserAction {
  return e.type === 'event-received' || e.type === 'data-set';
}

/** Entries about the process, not the run's steps: a fork does not take them again in step. */
const BOOKKEEPING = new Set<JournalEvent['type']>(['run-forked', 'run-recovered', 'run-paused', 'run-resumed']);

/** What identifies an entry when two runs take the same steps. */
function stepSignature(e: JournalEvent): string {
  const x = e as Partial<Record<'state' | 'index' | 'to' | 'name' | 'kind' | 'attempt' | 'transition', unknown>>;
  return JSON.stringify([e.type, x.state, x.index, x.to, x.name, x.kind, x.attempt, x.transition]);
}

/** The abandoned run's steps from the fork's anchor on (index `first` of the timeline). */
interface AbandonedSteps {
  first: number;
  steps: readonly StepRecord[];
}

const sameStep = (a: StepRecord, b: StepRecord): boolean => a.kind === b.kind && a.state === b.state && a.index === b.index;

/**
 * What the user did after the fork point of the abandoned run, each placed after the run's own
 * entries that came before it and at the step the user was stopped at. The forked run's entries
 * and steps are followed in step with the abandoned run's: when the forked run has journaled the
 * same entries and come to the same step, the user's actions that came next are due. At the first
 * entry or step that differs (the runs took different steps) the rest is dropped, as it is when
 * the user does something new. A replay has no steps: its actions follow the entries only.
 */
class UserActions {
  private readonly isAction: (e: JournalEvent) => e is UserAction;
  /** The abandoned run's own entries after the fork point, in order. */
  private readonly entries: string[] = [];
  /** The user's actions, each with how many of `entries` came before it and the step it was done at. */
  private readonly actions: Array<{ after: number; step: number; action: UserAction }> = [];
  private readonly abandoned?: AbandonedSteps;
  private seen = 0;
  /** The last step the forked run came to. */
  private reached = -1;
  private next = 0;
  private diverged = false;

  constructor(future: readonly JournalEvent[], isAction: (e: JournalEvent) => e is UserAction = isUserAction, abandoned?: AbandonedSteps) {
    this.isAction = isAction;
    this.abandoned = abandoned;
    for (const e of future) {
      if (isAction(e)) this.actions.push({ after: this.entries.length, step: abandoned ? stepOf(abandoned, e.seq) : -1, action: e });
      else if (!BOOKKEEPING.has(e.type)) this.entries.push(stepSignature(e));
    }
  }

  diverge(): void {
    this.diverged = true;
  }

  /** The forked run journaled `e`; returns the actions due now. */
  after(e: JournalEvent): UserAction[] {
    if (this.diverged || this.isAction(e)) return [];
    if (!BOOKKEEPING.has(e.type)) {
      if (this.entries[this.seen] !== stepSignature(e)) {
        this.diverged = true;
        return [];
      }
      this.seen++;
    }
    return this.due();
  }

  /** The forked run came to step `index` of the timeline; returns the actions due now. */
  arrived(index: number, step: StepRecord | undefined): UserAction[] {
    if (this.diverged || !this.abandoned) return [];
    const same = this.abandoned.steps[index - this.abandoned.first];
    if (same && (!step || !sameStep(same, step))) {
      this.diverged = true;
      return [];
    }
    this.reached = index;
    return this.due();
  }

  private due(): UserAction[] {
    const due: UserAction[] = [];
    for (let a = this.actions[this.next]; a && a.after <= this.seen && a.step <= this.reached; a = this.actions[++this.next]) due.push(a.action);
    return due;
  }
}

/** The step an entry at `seq` was made at: the last one the run had come to before it. */
function stepOf(abandoned: AbandonedSteps, seq: number): number {
  let i = abandoned.steps.length - 1;
  while (i > 0 && abandoned.steps[i].at >= seq) i--;
  return abandoned.first + i;
}

/** Instruction kinds whose recorded results a forked run may reuse (their effects are outside the run). */
const NOT_REUSED = new Set(['set', 'log', 'emit', 'sleep', 'call']);

/** Instruction kinds a replay runs again: their effects stay inside the replayed run. */
const INSIDE_THE_RUN = new Set(['set', 'log', 'emit', 'sleep']);

/**
 * The outcomes a rewound run recorded after the fork point, offered in order to the forked run:
 * reused while the forked run asks for the same instruction (or poll, or message) in the same order,
 * dropped at the first difference (or when the user changes data, sends an event or skips a wait).
 * Mocked outcomes and instructions with effects inside the run (set, log, emit, sleep, call)
 * are not reused: they run again and come out the same.
 */
class RecordedQueue implements RecordedOutcomes {
  private readonly outcomes: JournalEvent[];
  private i = 0;
  private diverged = false;

  /**
   * `strict` (a replay): every outcome comes from the recording, mocked or not, `call` included; at
   * a difference the instruction fails instead of running, so a replay never does anything outside.
   */
  constructor(future: readonly JournalEvent[], private readonly strict = false) {
    this.outcomes = future.filter((e) => e.type === 'instruction-finished' || e.type === 'instruction-failed' || e.type === 'poll-result' || e.type === 'message-received');
  }

  get offline(): boolean {
    return this.strict;
  }

  diverge(): void {
    this.diverged = true;
  }

  private departed(what: string): MockOutcome | undefined {
    this.diverged = true;
    if (!this.strict) return undefined;
    return { error: { kind: 'replay', message: `The replay left the recorded run at ${what}: it is not run, since a replay does nothing outside the run.` } };
  }

  instruction(state: string, index: number, kind: string, attempt: number): MockOutcome | undefined {
    if (this.diverged) return this.strict ? this.departed(`instruction ${index} (${kind}) of state '${state}'`) : undefined;
    const e = this.outcomes[this.i];
    const same =
      e &&
      (e.type === 'instruction-finished' || e.type === 'instruction-failed') &&
      e.state === state &&
      e.index === index &&
      e.kind === kind &&
      (e.type === 'instruction-finished' || e.attempt === attempt);
    if (!same) return this.departed(`instruction ${index} (${kind}) of state '${state}'`);
    this.i++;
    if (this.strict ? INSIDE_THE_RUN.has(kind) : e.mocked || NOT_REUSED.has(kind)) return undefined;
    return e.type === 'instruction-finished' ? { result: e.result } : { error: e.error };
  }

  poll(state: string, transition: number): MockOutcome | undefined {
    const what = `the poll of transition ${transition} of state '${state}'`;
    if (this.diverged) return this.strict ? this.departed(what) : undefined;
    const e = this.outcomes[this.i];
    if (!e || e.type !== 'poll-result' || e.state !== state || e.transition !== transition) return this.departed(what);
    this.i++;
    if (e.mocked && !this.strict) return undefined;
    return e.error ? { error: e.error } : { result: e.result };
  }

  /**
   * A transition that waits for a message asks whether the recorded run took one there next; not
   * taking it is no departure (another transition of the state may win as it did).
   */
  message(state: string, transition: number): Extract<JournalEvent, { type: 'message-received' }> | undefined {
    if (this.diverged) return undefined;
    const e = this.outcomes[this.i];
    if (!e || e.type !== 'message-received' || e.state !== state || e.transition !== transition) return undefined;
    this.i++;
    return e;
  }
}
