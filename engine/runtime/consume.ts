// A `consume` transition: waits for a message on a NATS subject as an `event` transition waits for
// an event. A message its `when` accepts is journaled (`message-received`, a durability point)
// before the transition is taken, so a run continued from its journal, a replay and the debugger's
// step back take it again without the broker; one the `when` refuses is dropped. A broker that goes
// away does not end the wait: the client reconnects and subscribes again, and the run's log says
// when the broker is unreachable and when it is back. Mocked messages stand in for the broker: a
// transition whose subject a mock matches, or any in a task test, never subscribes.
import { subscribe } from '../instructions/consume';
import type { BrokerChange } from '../instructions/drivers/nats';
import { InstructionFailure } from '../instructions/types';
import type { JournalEvent, NewJournalEvent, ReceivedEvent } from '../journal/events';
import type { StateModel, TransitionModel } from '../model/types';
import { abortError, type Clock } from './clock';
import type { Abortable, Scope } from './scope';
import type { MockSession } from './mocks';
import { subjectMatches } from './subjects';

export interface MessageWaitHost {
  clock: Clock;
  /** When the run started: a mocked message's `after` counts from it, as a mocked event's does. */
  startedAt: number;
  mocks: MockSession;
  /** A message the run took before (the debugger's step back replays it), else undefined. */
  recorded?(): Extract<JournalEvent, { type: 'message-received' }> | undefined;
  /** The value with its templates resolved (secrets in clear: never journal it). */
  resolve(value: unknown): Promise<unknown>;
  /** Whether the transition's `when` holds with this message as `event`. */
  accepts(event: Omit<ReceivedEvent, 'seq'>): Promise<boolean>;
  journal(e: NewJournalEvent): Promise<JournalEvent>;
  /** Runs `fn` with virtual time kept still. */
  held<T>(fn: () => Promise<T>): Promise<T>;
  /** A live subscription begins (the run must stay with this process); returns its end. */
  subscribed(): () => void;
  /** Says something in the run's log at once (never a secret: it is journaled as it is). */
  log(message: string): void;
}

interface Message {
  subject: string;
  data: unknown;
  headers?: Record<string, string>;
}

/** Waits until a message is taken (resolves with it as journaled) or `signal` aborts. */
export async function waitForMessage(host: MessageWaitHost, st: StateModel, t: TransitionModel, signal: Scope): Promise<ReceivedEvent> {
  const where = `the consume of transition ${t.index} of state '${st.name}'`;
  const settings = (t.consume?.args ?? {}) as Record<string, unknown>;
  const subject = await host.resolve(settings.subject);
  if (typeof subject !== 'string' || !subject) throw new InstructionFailure('consume', `${capital(where)} needs a 'subject', such as orders.created (wildcards allowed).`);
  const take = (m: Message, source?: string) =>
    host.held(async () => {
      const headers = m.headers && Object.keys(m.headers).length ? m.headers : undefined;
      if (!(await host.accepts({ name: m.subject, data: m.data, ...(headers ? { headers } : {}) }))) return undefined;
      const e = await host.journal({ type: 'message-received', state: st.name, transition: t.index, subject: m.subject, data: m.data, headers, source });
      return e.type === 'message-received' ? taken(e) : undefined;
    });

  // Step back: the message the run took here before, unless its `when` now refuses it.
  const recorded = host.recorded?.();
  const again = recorded && (await take(recorded, recorded.source));
  if (again) return again;

  const mocked = host.mocks.messages.filter((m) => subjectMatches(subject, m.subject));
  if (mocked.length > 0 || host.mocks.offline) {
    for (const m of mocked) {
      await host.clock.sleep(Math.max(0, host.startedAt + m.afterMs - host.clock.now()), signal);
      if (!host.mocks.takeMessage(m)) continue;
      const e = await take(m, `mock:${m.index}`);
      if (e) return e;
    }
    return waitForAbort(signal);
  }

  const connection = await host.resolve(settings.connection);
  if (typeof connection !== 'string' || !connection) {
    throw new InstructionFailure('consume', `${capital(where)} needs a 'connection': a NATS URL from a secret, such as "{{ secrets.NATS_URL }}".`);
  }
  const unsubscribed = host.subscribed();
  // The client may report a change it saw just before the wait ended: the run has moved on by then.
  let waiting = true;
  const onBroker = (c: BrokerChange) => {
    if (!waiting) return;
    host.log(
      c.reachable
        ? `The NATS broker at ${c.broker} is back: ${where} is subscribed again.`
        : `The NATS broker at ${c.broker} is unreachable: ${where} reconnects and subscribes again once it is back (a message published meanwhile is not seen).`,
    );
  };
  try {
    for await (const m of subscribe(connection, subject, signal.signal, onBroker)) {
      const e = await take(m);
      if (e) return e;
    }
  } finally {
    waiting = false;
    unsubscribed();
  }
  throw abortError(signal);
}

function taken(e: Extract<JournalEvent, { type: 'message-received' }>): ReceivedEvent {
  return { name: e.subject, data: e.data, ...(e.headers ? { headers: e.headers } : {}), seq: e.seq };
}

function capital(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

function waitForAbort(signal: Abortable): Promise<never> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(abortError(signal)), { once: true }));
}
