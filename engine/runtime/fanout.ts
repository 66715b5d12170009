// `parallel` and `map`: one instruction that runs other instructions concurrently inside a state.
// Each branch (or item) journals its own steps with its name (or index), so that a resumed run runs
// again only what has no outcome in the journal, and a retry of the whole instruction only what did
// not succeed. The clock moves only when every running branch waits (each holds it while it works).
import { setMaxListeners } from 'node:events';
import { durationMs } from '../expr/duration';
import { resolveTemplates, type ExpressionScope } from '../expr/expression';
import type { ScopeViews } from '../expr/taint';
import type { BranchTag, JournalEvent, NewJournalEvent, RunError } from '../journal/events';
import type { RunState } from '../journal/replay';
import type { InstructionModel, StateModel } from '../model/types';
import { abortError, type Clock } from './clock';
import type { MockOutcome, MockSession } from './mocks';

/** How a branch runs its instruction: its scope additions, its own clock hold, its child run's id. */
export interface BranchRun {
  tag: BranchTag;
  scope: Pick<ExpressionScope, 'item' | 'index'>;
  /** Lets virtual time move while the branch waits (a sleep, a child run). */
  idle<T>(p: Promise<T>): Promise<T>;
  /**
   * Like idle, for a wait the run can leave and take up again from its journal (a child run in the
   * store, see FanoutHost.reattachCalls): while every running branch waits so, the run is parked.
   */
  park<T>(p: Promise<T>): Promise<T>;
  childId: string;
  /** When the attempt started: its timeout counts from there, also after a resume. */
  startedAt: number;
}

/** What the fan-out needs of its run. */
export interface FanoutHost {
  readonly runId: string;
  readonly state: Readonly<RunState>;
  readonly clock: Clock;
  readonly mocks: MockSession;
  journal(event: NewJournalEvent): Promise<JournalEvent>;
  /** The run's context for expressions (clear and shown, see expr/taint.ts). */
  views(): ScopeViews;
  /** Runs an instruction for real; failures are data, an abort of `signal` throws. */
  execute(ins: InstructionModel, signal: AbortSignal, branch: BranchRun): Promise<MockOutcome>;
  /** Waits while the run is paused; throws once it is cancelled. */
  checkpoint(): Promise<void>;
  retryDelay(retry: NonNullable<InstructionModel['retry']>, attempt: number): number;
  /** Marks the run parked (see Run.parked) until the returned function is called. */
  park(): () => void;
  /**
   * True when a branch's `call` is a run of the store that outlives this process (PostgreSQL): a
   * resumed run waits again for the child its journal started instead of starting another.
   */
  readonly reattachCalls: boolean;
}

/** Parks the run while every running branch waits in a way the run can leave (BranchRun.park). */
class ParkGauge {
  private running = 0;
  private parked = 0;
  private unpark: (() => void) | undefined;
  constructor(private readonly host: FanoutHost) {}

  enter(): () => void {
    this.running++;
    this.settle();
    return once(() => {
      this.running--;
      this.settle();
    });
  }

  async park<T>(p: Promise<T>): Promise<T> {
    this.parked++;
    this.settle();
    try {
      return await p;
    } finally {
      this.parked--;
      this.settle();
    }
  }

  private settle(): void {
    const all = this.running > 0 && this.parked === this.running;
    if (all && !this.unpark) this.unpark = this.host.park();
    else if (!all && this.unpark) {
      this.unpark();
      this.unpark = undefined;
    }
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

interface Unit {
  key: string;
  tag: BranchTag;
  ins: InstructionModel;
  scope: BranchRun['scope'];
}

/** Why the fan-out stopped its branches before they ended. */
class Stop extends Error {
  constructor(readonly why: 'sibling-failed' | 'timeout', message: string) {
    super(message);
    this.name = 'FanoutStop';
  }
}

/**
 * Runs a `parallel` or `map` instruction (one attempt of it) and returns its outcome: the results
 * by branch name or in item order, or the error of the branch that failed, tagged with its name or
 * index. Throws only when `signal` aborts (the state or the run stopped).
 */
export async function runFanout(host: FanoutHost, st: StateModel, ins: InstructionModel, signal: AbortSignal): Promise<MockOutcome> {
  // Held until the branches hold the clock themselves: resolving the items must not let time move.
  const release = host.clock.hold();
  const stop = new AbortController();
  // Every running branch listens to it, and a map may run thousands at once.
  setMaxListeners(0, stop.signal);
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort();
  try {
    const units = await unitsOf(host, st, ins);
    if ('error' in units) return units;
    if (ins.timeout) {
      const startedAt = host.state.fanout?.index === ins.index ? host.state.fanout.startedAt : host.clock.now();
      host.clock
        .sleep(Math.max(0, startedAt + durationMs(ins.timeout) - host.clock.now()), stop.signal)
        .then(() => stop.abort(new Stop('timeout', `Instruction ${ins.index} (${ins.kind}) of state '${st.name}' timed out after ${ins.timeout}.`)))
        .catch(() => undefined);
    }
    const f = ins.fanout!;
    const tolerate = f.kind === 'map' && isCount(f.tolerate, 0) ? f.tolerate : 0;
    const limit = f.kind === 'map' && isCount(f.concurrency, 1) ? f.concurrency : Math.max(1, units.length);
    const outcomes = new Map<string, MockOutcome>();
    const failures: Array<{ unit: Unit; error: RunError }> = [];
    const fail = (unit: Unit, error: RunError) => {
      failures.push({ unit, error });
      if (failures.length > tolerate) stop.abort(new Stop('sibling-failed', `branch ${unit.key} failed`));
    };
    const todo: Unit[] = [];
    for (const u of units) {
      const done = host.state.fanout?.branches[u.key]?.outcome;
      if (!done) todo.push(u);
      else {
        outcomes.set(u.key, done);
        if ('error' in done) fail(u, done.error);
      }
    }
    let next = 0;
    const gauge = new ParkGauge(host);
    const worker = async () => {
      while (!stop.signal.aborted && next < todo.length) {
        const unit = todo[next++];
        const outcome = await runBranch(host, gauge, st, ins, unit, stop.signal);
        if (!outcome) continue;
        outcomes.set(unit.key, outcome);
        if ('error' in outcome) fail(unit, outcome.error);
      }
    };
    const workers = Array.from({ length: Math.min(limit, todo.length) }, worker);
    release();
    const settled = await Promise.allSettled(workers);
    const crash = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (signal.aborted) throw abortError(signal);
    if (crash) throw crash.reason;
    const reason = stop.signal.reason;
    if (reason instanceof Stop && reason.why === 'timeout') return { error: { kind: 'timeout', message: reason.message } };
    if (failures.length > tolerate) {
      const { unit, error } = failures[tolerate];
      return { error: { ...error, ...(unit.tag.branch !== undefined ? { branch: unit.tag.branch } : { index: unit.tag.item }) } };
    }
    const valueOf = (u: Unit) => {
      const o = outcomes.get(u.key)!;
      return 'result' in o ? o.result : { error: { kind: o.error.kind, message: o.error.message } };
    };
    if (f.kind === 'parallel') return { result: Object.fromEntries(units.map((u) => [u.key, valueOf(u)])) };
    return { result: units.map(valueOf) };
  } finally {
    release();
    signal.removeEventListener('abort', onAbort);
    stop.abort(new Stop('sibling-failed', 'instruction done'));
  }
}

function isCount(value: unknown, min: number): value is number {
  return Number.isInteger(value) && (value as number) >= min;
}

/** The branches, or the items (resolved and journaled on the first attempt, read back after). */
async function unitsOf(host: FanoutHost, st: StateModel, ins: InstructionModel): Promise<Unit[] | { error: RunError }> {
  const f = ins.fanout!;
  const where = `${ins.kind} (instruction ${ins.index} of state '${st.name}')`;
  if (f.kind === 'parallel') return f.branches.map((b) => ({ key: b.name, tag: { branch: b.name }, ins: b.ins, scope: {} }));
  if (!f.do) return { error: { kind: 'task', message: `The ${where} has no 'do': give the instruction to run per item.` } };
  let items = host.state.fanout?.index === ins.index ? host.state.fanout.items : undefined;
  if (!items) {
    let resolved: unknown;
    try {
      const r = await resolveTemplates(f.items, host.views());
      // The items are journaled, where a value computed from a secret would be masked.
      if (r.secret.length) return { error: { kind: 'expression', message: `The items of ${where} are computed from secrets, and a map's items are journaled: map over names, and read the secrets inside 'do'.` } };
      resolved = r.value;
    } catch (err) {
      return { error: { kind: 'expression', message: (err as Error).message } };
    }
    if (!Array.isArray(resolved)) {
      return { error: { kind: 'expression', message: `The items of ${where} must be a list, not ${resolved === undefined ? 'nothing' : JSON.stringify(resolved)}.` } };
    }
    items = resolved;
    await host.journal({ type: 'map-items', state: st.name, index: ins.index, items });
  }
  const body = f.do;
  return items.map((item, i) => ({ key: String(i), tag: { item: i }, ins: body, scope: { item, index: i } }));
}

/** One branch with its own retries; undefined when a sibling's failure or the timeout stopped it. */
async function runBranch(host: FanoutHost, gauge: ParkGauge, st: StateModel, parent: InstructionModel, unit: Unit, signal: AbortSignal): Promise<MockOutcome | undefined> {
  let release = host.clock.hold();
  const leave = gauge.enter();
  const idle = async <T>(p: Promise<T>): Promise<T> => {
    release();
    try {
      return await p;
    } finally {
      release = host.clock.hold();
    }
  };
  const park = <T>(p: Promise<T>): Promise<T> => gauge.park(idle(p));
  const at = { state: st.name, index: parent.index, as: parent.as, ...unit.tag };
  const { ins } = unit;
  try {
    for (;;) {
      await host.checkpoint();
      const before = host.state.fanout?.branches[unit.key];
      if (before?.retryAt !== undefined) await park(host.clock.sleep(Math.max(0, before.retryAt - host.clock.now()), signal));
      if (signal.aborted) throw abortError(signal);
      const attempt = (before?.attempts ?? 0) + 1;
      // A child run started before the run stopped is still the branch's: wait for it again.
      const inFlight = host.reattachCalls && ins.kind === 'call' && before?.running && before.startedSeq !== undefined;
      const started = inFlight
        ? { seq: before.startedSeq!, at: before.startedAt! }
        : await host.journal({ type: 'branch-started', ...at, kind: ins.kind, attempt });
      const mock = host.mocks.branch(st.name, parent.index, parent.as, unit.tag);
      const branch: BranchRun = { tag: unit.tag, scope: unit.scope, idle, park, childId: `${host.runId}.${started.seq}`, startedAt: started.at };
      const outcome = mock ?? (await host.execute(ins, signal, branch));
      const mocked = mock ? true : undefined;
      if ('result' in outcome) {
        await host.journal({ type: 'branch-finished', ...at, kind: ins.kind, result: outcome.result, mocked });
        return outcome;
      }
      const retryInMs = ins.retry && attempt < ins.retry.attempts ? host.retryDelay(ins.retry, attempt) : undefined;
      await host.journal({ type: 'branch-failed', ...at, kind: ins.kind, attempt, error: outcome.error, retryInMs, mocked });
      if (retryInMs === undefined) return outcome;
    }
  } catch (err) {
    if (!(signal.reason instanceof Stop)) throw err;
    await host.journal({ type: 'branch-cancelled', state: st.name, index: parent.index, ...unit.tag });
    return undefined;
  } finally {
    leave();
    release();
  }
}
