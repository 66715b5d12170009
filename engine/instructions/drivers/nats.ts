// The `publish` and `consume` instructions' use of the NATS client, in a bundle of its own
// (scripts/build.mjs) that only a task with one of them loads. Each instruction opens a connection
// of its own and closes it when done or aborted. It throws plain errors: this bundle has its own
// copy of any class it imports.
import { connect, headers as natsHeaders, type ConnectionOptions, type Msg, type NatsConnection } from 'nats';

const CONNECT_TIMEOUT_MS = 10_000;
/**
 * A kept-alive subscription tries again at once (0.5 s after it connected, at the earliest), then
 * after 1 s, 2 s, 4 s, 8 s and every 10 s (each up to a fifth more) until the broker is back.
 */
const RECONNECT_FIRST_MS = 500;
const RECONNECT_MAX_MS = 10_000;

interface Broker {
  /** `host:port`: what a message may name (the URL may hold a password or a token). */
  where: string;
  auth: Pick<ConnectionOptions, 'user' | 'pass' | 'token'>;
}

/** `nats://user:password@host:4222`, or `nats://token@host:4222` as the NATS tools write a token. */
function broker(connection: string): Broker {
  let url: URL;
  try {
    url = new URL(connection.includes('://') ? connection : `nats://${connection}`);
  } catch {
    throw new Error("the 'connection' is not a NATS URL such as nats://user:password@host:4222.");
  }
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  return { where: `${url.hostname}:${url.port || 4222}`, auth: user && url.password ? { user, pass } : user ? { token: user } : {} };
}

/**
 * Fails at once when the broker cannot be reached; the connection closes when the broker goes away
 * for longer than a moment (the client tries once more), unless `reconnect` says otherwise.
 */
async function open(b: Broker, reconnect?: Pick<ConnectionOptions, 'maxReconnectAttempts' | 'reconnectDelayHandler'>): Promise<NatsConnection> {
  try {
    return await connect({ servers: b.where, timeout: CONNECT_TIMEOUT_MS, maxReconnectAttempts: 0, ...reconnect, ...b.auth });
  } catch (err) {
    throw new Error(`could not connect to NATS at ${b.where}: ${(err as Error).message}`);
  }
}

function encode(data: unknown): Uint8Array {
  if (data === undefined) return new Uint8Array();
  return new TextEncoder().encode(typeof data === 'string' ? data : JSON.stringify(data));
}

/** Publishes one message and waits until the server has it. */
export async function publish(connection: string, subject: string, data: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<{ subject: string }> {
  const nc = await open(broker(connection));
  const onAbort = () => void nc.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(headers)) h.set(k, v);
    nc.publish(subject, encode(data), Object.keys(headers).length ? { headers: h } : undefined);
    await nc.flush();
    return { subject };
  } finally {
    signal.removeEventListener('abort', onAbort);
    await nc.close();
  }
}

export interface Consumed {
  subject: string;
  /** Parsed when it is JSON, else the text. */
  data: unknown;
  headers: Record<string, string>;
}

/** Waits for one message on a subject (wildcards allowed); an abort stops the wait and closes the connection. */
export async function consume(connection: string, subject: string, signal: AbortSignal): Promise<Consumed> {
  for await (const m of messages(connection, subject, signal)) return m;
  throw new Error('stopped waiting');
}

/** A kept-alive subscription's broker went away (the client reconnects) or is back (subscribed again). */
export interface BrokerChange {
  reachable: boolean;
  /** `host:port`, never the URL. */
  broker: string;
}

/**
 * The messages on a subject (wildcards allowed), one by one as the caller reads them, until the
 * signal aborts or the caller stops reading; the subscription exists on the server once the first
 * read has begun. The connection closes with it. With `keepAlive`, a broker that goes away is
 * reconnected to (with backoff, for as long as the reading lasts) and subscribed to again, and
 * `keepAlive` hears of each change; a first connection that fails, or a login refused on
 * reconnecting, still ends the messages with an error.
 */
export async function* messages(connection: string, subject: string, signal: AbortSignal, keepAlive?: (change: BrokerChange) => void): AsyncGenerator<Consumed> {
  const b = broker(connection);
  const backoff = keepAlive && reconnectBackoff();
  const nc = await open(b, backoff && { maxReconnectAttempts: -1, reconnectDelayHandler: backoff.delay });
  if (keepAlive && backoff) void reportChanges(nc, b.where, backoff, keepAlive);
  const onAbort = () => void nc.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) return;
    const sub = nc.subscribe(subject);
    await nc.flush();
    for await (const m of sub) yield decode(m);
    if (signal.aborted) return;
    const why = nc.isClosed() ? await nc.closed() : undefined;
    throw new Error(`the subscription to '${subject}' ended before a message came${why ? `: the connection to NATS at ${b.where} closed (${why.message})` : ''}.`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await nc.close();
  }
}

interface Backoff {
  /** The client asks before each pass of its reconnection loop: the wait after the last attempt. */
  delay(): number;
  attempted(): void;
  reset(): void;
}

/**
 * The client asks for the delay several times between two attempts and compares it with the time
 * of the last one, so the delay changes only when an attempt is made (its `reconnecting` status).
 */
function reconnectBackoff(): Backoff {
  let base = RECONNECT_FIRST_MS;
  let wait = base;
  return {
    delay: () => wait,
    attempted: () => {
      base = Math.min(RECONNECT_MAX_MS, base * 2);
      // Up to a fifth more, so that the runs a broker restart disconnected do not all come back at once.
      wait = base * (1 + Math.random() / 5);
    },
    reset: () => {
      base = wait = RECONNECT_FIRST_MS;
    },
  };
}

/** Until the connection closes (which ends the client's status stream). */
async function reportChanges(nc: NatsConnection, where: string, backoff: Backoff, report: (change: BrokerChange) => void): Promise<void> {
  for await (const s of nc.status()) {
    if (s.type === 'disconnect') report({ reachable: false, broker: where });
    else if (s.type === 'reconnecting') backoff.attempted();
    else if (s.type === 'reconnect') {
      backoff.reset();
      report({ reachable: true, broker: where });
    }
  }
}

function decode(m: Msg): Consumed {
  const text = new TextDecoder().decode(m.data);
  let data: unknown = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  const headers: Record<string, string> = {};
  for (const [k] of m.headers ?? []) headers[k] = m.headers!.get(k);
  return { subject: m.subject, data, headers };
}
