// How a run leaves a state once its instructions are done: a `when` that holds or an `else` at
// once, else the race of the transitions that wait (`after` timers, polls, `event` subscribers,
// `consume` messages); a failure goes to the state's `catch`. The loop stays in run.ts; the
// WaitHost is the run's host (run-host.ts), made once per run rather than for each wait: a run
// may wait for a long time, and all it keeps meanwhile is memory a server pays per run.
import { durationMs } from '../expr/duration';
import type { ExpressionScope } from '../expr/expression';
import type { JournalEvent, NewJournalEvent, ReceivedEvent, RunError, TransitionCause } from '../journal/events';
import type { RunState } from '../journal/replay';
import { transitionKind, type CatchModel, type InstructionModel, type StateModel, type TransitionModel } from '../model/types';
import { abortError, type Clock } from './clock';
import { waitForMessage, type MessageWaitHost } from './consume';
import { retryDelay, toRunError } from './execution';
import type { MockOutcome, MockSession } from './mocks';
import { Scope, type Abortable } from './scope';

/** What a state decides: the transition it takes, or the run's failure. */
export type Decision =
  | { to: string; cause: TransitionCause; index: number; transition?: TransitionModel; catch?: CatchModel; event?: ReceivedEvent; error?: RunError }
  | { end: 'failed'; reason: string; error: RunError };

/**
 * Outcomes recorded by the run a forked run continues (the debugger's step back) that a wait can
 * reuse while the two runs take the same steps; undefined to wait as usual.
 */
export interface RecordedWaits {
  poll(state: string, transition: number): MockOutcome | undefined;
  /** The message the `consume` transition took, when the recorded run took it next. */
  message(state: string, transition: number): Extract<JournalEvent, { type: 'message-received' }> | undefined;
  /** A replay does nothing outside the run: a `consume` transition with no recorded message waits without subscribing. */
  readonly offline: boolean;
}

/** An event transition waiting: settled by offer() or by an abort of its scope. */
export interface EventSubscriber {
  transition: TransitionModel;
  resolve(d: Decision): void;
  reject(err: unknown): void;
}

/** What a run's waits keep between steps. */
interface Waits {
  readonly subscribers: EventSubscriber[];
  /** The events being offered, one after another. */
  deliveries: Promise<void> | undefined;
  /** Waits under way (transitions, retry delays, fan-out branches): see Run.parked. */
  parkedDepth: number;
  /** Live broker subscriptions of `consume` transitions (see Run.parked). */
  subscriptions: number;
}

export interface WaitHost extends Waits {
  readonly env: { readonly clock: Clock; readonly mocks: MockSession; readonly recorded?: RecordedWaits };
  /** The state the run decides over (values computed from secrets in clear: never show it). */
  readonly live: Readonly<RunState>;
  journal(e: NewJournalEvent): Promise<JournalEvent>;
  /** Journals what the run waits with. */
  flush(): Promise<void>;
  /** An expression's value over the live state. */
  evaluateValue(source: string, over?: Partial<ExpressionScope>): Promise<unknown>;
  /** The value with its templates resolved over the live state. */
  resolveValue(value: unknown): Promise<unknown>;
  /** Whether the run must stop at the gate before its next step; gate() waits there. */
  mustStop(): boolean;
  gate(): Promise<void>;
  /** Keep virtual time still (hold) or let it move (release) for the run. */
  hold(): void;
  release(): void;
  /** Runs an instruction for real (a poll's `do`). */
  execute(st: StateModel, ins: InstructionModel, signal: Scope): Promise<MockOutcome>;
}

/** A transition that waits: a timer, a poller or a subscription (to events or to a broker's messages). */
export function isArmed(t: TransitionModel): boolean {
  return t.to !== undefined && (t.after !== undefined || t.poll !== undefined || t.event !== undefined || t.consume !== undefined);
}

export async function chooseTransition(host: WaitHost, st: StateModel, signal: Scope): Promise<Decision> {
  try {
    for (const t of st.on) {
      if (transitionKind(t) !== 'when' || t.to === undefined) continue;
      if (truthy(await host.evaluateValue(t.when!))) return { to: t.to, cause: 'when', index: t.index, transition: t };
    }
    const armed = st.on.filter(isArmed);
    if (armed.length === 0) {
      const otherwise = st.on.find((t) => transitionKind(t) === 'else' && t.to !== undefined);
      if (otherwise) return { to: otherwise.to!, cause: 'else', index: otherwise.index, transition: otherwise };
      return routeFailure(st, { kind: 'task', message: `No transition of state '${st.name}' applies: no 'when' is true and there is nothing to wait for.` });
    }
    await host.flush();
    // Stopped while the store took the steps: the abort below would never be heard.
    if (signal.aborted) throw abortError(signal);
    // Ended once a transition is taken: the others' timers, polls and subscriptions go. A lone
    // transition waits in the state's scope, which ends as the state is left.
    const race = armed.length === 1 ? signal : new Scope(signal);
    try {
      const racers = armed.length === 1 ? arm(host, st, armed[0], race) : Promise.race(armed.map((t) => arm(host, st, t, race)));
      // Events that arrived before the state subscribed wait in the journal for it.
      for (const e of [...host.live.pendingEvents]) void offer(host, e);
      host.parkedDepth++;
      host.release();
      try {
        return await racers;
      } finally {
        host.hold();
        host.parkedDepth--;
      }
    } finally {
      if (race !== signal) race.end();
    }
  } catch (err) {
    if (signal.aborted) throw err;
    return routeFailure(st, toRunError(err));
  }
}

/** The state's `catch` for the failure, else the run's failure. */
export async function routeFailure(st: StateModel, error: RunError): Promise<Decision> {
  const c = st.catch.find((k) => k.to !== undefined && (k.error === undefined || k.error === 'any' || k.error === error.kind));
  if (c?.to) return { to: c.to, cause: 'catch', index: c.index, catch: c, error };
  return { end: 'failed', reason: error.kind === 'timeout' ? 'timeout' : 'error', error };
}

function arm(host: WaitHost, st: StateModel, t: TransitionModel, signal: Scope): Promise<Decision> {
  const kind = transitionKind(t);
  if (kind === 'after') return after(host, t, signal);
  if (kind === 'event') return waitForEvent(host, t, signal);
  if (kind === 'consume') return consume(host, st, t, signal);
  return poll(host, st, t, signal);
}

async function after(host: WaitHost, t: TransitionModel, signal: Scope): Promise<Decision> {
  const { clock } = host.env;
  const deadline = (host.live.stateEnteredAt ?? clock.now()) + durationMs(t.after!);
  await clock.sleep(Math.max(0, deadline - clock.now()), signal);
  if (t.when !== undefined && !truthy(await held(clock, () => host.evaluateValue(t.when!)))) return waitForAbort(signal);
  return { to: t.to!, cause: 'after', index: t.index, transition: t };
}

// A run can wait for a long time: what it keeps while it waits is the subscriber, its promise's
// functions and one listener on the wait's scope.
function waitForEvent(waits: Waits, t: TransitionModel, signal: Scope): Promise<Decision> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<Decision>((resolve, reject) => {
    const sub: EventSubscriber = { transition: t, resolve, reject };
    const onAbort = () => {
      if (unsubscribe(waits, sub)) reject(abortError(signal));
    };
    signal.addEventListener('abort', onAbort);
    waits.subscribers.push(sub);
  });
}

/** Removes a subscriber; false when it was already gone (it was settled). */
function unsubscribe(waits: Waits, sub: EventSubscriber): boolean {
  const i = waits.subscribers.indexOf(sub);
  if (i < 0) return false;
  waits.subscribers.splice(i, 1);
  return true;
}

/**
 * Offers an event to the waiting transitions, one event at a time, in `on` order: when two
 * transitions accept it, the first one written wins.
 */
export function offer(host: WaitHost, e: ReceivedEvent): Promise<void> {
  host.deliveries = (host.deliveries ?? Promise.resolve()).then(async () => {
    const candidates = host.subscribers.filter((s) => s.transition.event === e.name).sort((a, b) => a.transition.index - b.transition.index);
    for (const sub of candidates) {
      if (!host.subscribers.includes(sub)) continue;
      const t = sub.transition;
      try {
        if (t.when === undefined || truthy(await host.evaluateValue(t.when, { event: e }))) {
          // Its scope's listener finds it gone and stays until the scope ends.
          if (unsubscribe(host, sub)) sub.resolve({ to: t.to!, cause: 'event', index: t.index, transition: t, event: e });
          return;
        }
      } catch (err) {
        if (unsubscribe(host, sub)) sub.reject(err);
        return;
      }
    }
  });
  return host.deliveries;
}

async function consume(host: WaitHost, st: StateModel, t: TransitionModel, signal: Scope): Promise<Decision> {
  const event = await waitForMessage(messageHost(host, st, t), st, t, signal);
  return { to: t.to!, cause: 'consume', index: t.index, transition: t, event };
}

function messageHost(host: WaitHost, st: StateModel, t: TransitionModel): MessageWaitHost {
  const { clock, mocks, recorded } = host.env;
  return {
    clock,
    startedAt: host.live.startedAt,
    mocks: recorded?.offline ? { ...mocks, offline: true } : mocks,
    recorded: recorded && (() => recorded.message(host.live.state!, t.index)),
    resolve: (value) => host.resolveValue(value),
    accepts: async (event) => t.when === undefined || truthy(await host.evaluateValue(t.when, { event })),
    journal: (e) => host.journal(e),
    held: (fn) => held(clock, fn),
    subscribed: () => {
      host.subscriptions++;
      let done = false;
      return () => {
        if (!done) host.subscriptions--;
        done = true;
      };
    },
    // A run that waits has flushed its steps: this entry goes to the store, and out, on its own.
    // A run detached meanwhile journals nothing more, and its wait ends with it.
    log: (message) => void held(clock, () => host.journal({ type: 'log', state: st.name, message }).then(() => host.flush())).catch(() => undefined),
  };
}

async function poll(host: WaitHost, st: StateModel, t: TransitionModel, signal: Scope): Promise<Decision> {
  const { clock } = host.env;
  const p = t.poll!;
  const every = durationMs(p.every ?? '0s');
  const previous = host.live.polls[t.index];
  if (previous) await clock.sleep(Math.max(0, previous.lastAt + every - clock.now()), signal);
  for (;;) {
    if (host.mustStop()) await host.gate();
    const { outcome, mocked, replayed } = await pollAttempt(host, st, t, signal);
    const done = await held(clock, async () => {
      const ok = 'result' in outcome && (p.until === undefined || truthy(await host.evaluateValue(p.until, { result: outcome.result })));
      await host.journal({
        type: 'poll-result',
        state: st.name,
        transition: t.index,
        attempt: (host.live.polls[t.index]?.count ?? 0) + 1,
        as: p.do?.as,
        done: ok,
        mocked: mocked ? true : undefined,
        replayed: replayed ? true : undefined,
        ...('result' in outcome ? { result: outcome.result } : { error: outcome.error }),
      });
      return ok;
    });
    if (done) return { to: t.to!, cause: 'poll', index: t.index, transition: t };
    await clock.sleep(every, signal);
  }
}

/** One poll: the instruction with its own retries, which are part of the poll, not journaled. */
async function pollAttempt(host: WaitHost, st: StateModel, t: TransitionModel, signal: Scope): Promise<{ outcome: MockOutcome; mocked: boolean; replayed?: boolean }> {
  const { clock, mocks, recorded } = host.env;
  const ins = t.poll!.do;
  const replayed = recorded?.poll(st.name, t.index);
  if (replayed) return { outcome: replayed, mocked: false, replayed: true };
  for (let attempt = 1; ; attempt++) {
    const mock = mocks.poll(st.name, t.index);
    const outcome: MockOutcome = mock ?? (ins ? await held(clock, () => host.execute(st, ins, signal)) : { result: null });
    if ('error' in outcome && ins?.retry && attempt < ins.retry.attempts) {
      await clock.sleep(retryDelay(ins.retry, attempt), signal);
      continue;
    }
    return { outcome, mocked: Boolean(mock) };
  }
}

/** Keeps virtual time still while work of a waiting run is in flight. */
async function held<T>(clock: Clock, fn: () => Promise<T>): Promise<T> {
  const release = clock.hold();
  try {
    return await fn();
  } finally {
    release();
  }
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

function waitForAbort(signal: Abortable): Promise<never> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(abortError(signal)), { once: true }));
}
