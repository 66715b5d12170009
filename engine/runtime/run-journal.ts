// A run's journal as the run writes it: deterministic steps wait in memory and go to the store
// together with the next durability point, one append per point (docs/task-format.md, "Durability
// points"). The run decides over its live state, which may be ahead of the store by such steps;
// every view reads the shown state, which is only ever what the store has.
import type { JournalEvent, NewJournalEvent } from '../journal/events';
import { applyEvent, emptyRunState, type RunState } from '../journal/replay';
import type { RunStore } from '../store/store';
import type { ClearResult, SecretState } from './secret-state';

/** Instruction kinds whose steps are computed from the journal alone, with no effect outside. */
const DETERMINISTIC_KINDS: ReadonlySet<string> = new Set(['set', 'log']);

export function isDeterministicKind(kind: string): boolean {
  return DETERMINISTIC_KINDS.has(kind);
}

/**
 * Whether a step is a durability point: the store must have it (and every step before it) before
 * the run goes on. A run that crashes after a step that is not one computes it again, identically,
 * from the journal. The run also flushes before it waits (see RunJournal.flush).
 */
export function isDurabilityPoint(e: NewJournalEvent): boolean {
  switch (e.type) {
    case 'state-entered':
    case 'transition-taken':
    case 'log':
    case 'run-recovered':
    case 'run-forked':
      return false;
    case 'instruction-started':
    case 'instruction-finished':
    case 'instruction-failed':
      return !isDeterministicKind(e.kind);
    default:
      // Its start, results and errors of effects, events, pauses, changes from outside, its end.
      return true;
  }
}

export interface RunJournalHost {
  readonly runId: string;
  readonly store: RunStore;
  readonly secrets: SecretState;
  now(): number;
  /** Set once the run is detached: nothing more is journaled. */
  detached(): Error | undefined;
  /** The store failed an append: the run must not go on in this process. */
  onStoreError(err: unknown): void;
  /** Each step once the store has it, in order. */
  onJournaled(e: JournalEvent): void;
}

export class RunJournal {
  /** What the run decides over: every step recorded, journaled or not. */
  readonly live: RunState = emptyRunState();
  /** What the store has, folded when a view asks (see `shown`): a run nobody looks at has none. */
  private journaled: RunState | undefined;
  private unfolded: JournalEvent[];
  /** Steps recorded and not yet sent to the store, in seq order. */
  private pending: JournalEvent[] = [];
  private appending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: RunJournalHost,
    history: readonly JournalEvent[],
  ) {
    for (const e of history) applyEvent(this.live, e);
    this.unfolded = history.slice();
  }

  /** The run as the store has it: what every view shows. */
  get shown(): RunState {
    const journaled = (this.journaled ??= emptyRunState());
    if (this.unfolded.length > 0) for (const e of this.unfolded.splice(0)) applyEvent(journaled, e);
    return journaled;
  }

  /**
   * Records a step in the live state; a durability point resolves once the store has it and every
   * step before it, any other step at once. `clear` gives the values computed from secrets that the
   * journaled result holds masked; `point` overrides isDurabilityPoint (a log of an instruction
   * with effects is shown at once, so it is journaled at once).
   */
  add(event: NewJournalEvent, clear?: ClearResult, point = isDurabilityPoint(event)): Promise<JournalEvent> {
    const detached = this.host.detached();
    if (detached) return Promise.reject(detached);
    // The caller's object becomes the entry: a spread of entries of every shape would make V8
    // build a hidden class per entry (a copy is made only when a secret must be masked).
    const entry = event as JournalEvent;
    entry.seq = this.live.seq + 1;
    entry.at = this.host.now();
    const full = this.host.secrets.hide(entry);
    this.host.secrets.record(this.live, full, clear);
    applyEvent(this.live, full);
    this.pending.push(full);
    if (!point) return Promise.resolve(full);
    return this.flush().then(() => full);
  }

  /** Resolves once the store has every step recorded so far (one append, in turn with the others). */
  flush(): Promise<void> {
    const turn = this.appending.then(() => this.appendPending());
    this.appending = turn.catch(() => undefined);
    return turn;
  }

  private async appendPending(): Promise<void> {
    const detached = this.host.detached();
    if (detached) throw detached;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.host.store.append(this.host.runId, batch);
    } catch (err) {
      this.host.onStoreError(err);
      throw err;
    }
    for (const e of batch) {
      this.unfolded.push(e);
      this.host.onJournaled(e);
    }
  }
}
