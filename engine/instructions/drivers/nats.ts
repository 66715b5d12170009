// The `publish` and `consume` instructions' use of the NATS client, in a bundle of its own
// (scripts/build.mjs) that only a task with one of them loads. Each instruction opens a connection
// of its own and closes it when done or aborted. It throws plain errors: this bundle has its own
// copy of any class it imports.
import { connect, headers as natsHeaders, type Msg, type NatsConnection } from 'nats';

const CONNECT_TIMEOUT_MS = 10_000;

/** `nats://user:password@host:4222`, or `nats://token@host:4222` as the NATS tools write a token. */
async function open(connection: string): Promise<NatsConnection> {
  let url: URL;
  try {
    url = new URL(connection.includes('://') ? connection : `nats://${connection}`);
  } catch {
    throw new Error("the 'connection' is not a NATS URL such as nats://user:password@host:4222.");
  }
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  const auth = user && url.password ? { user, pass } : user ? { token: user } : {};
  try {
    return await connect({ servers: `${url.hostname}:${url.port || 4222}`, timeout: CONNECT_TIMEOUT_MS, maxReconnectAttempts: 0, ...auth });
  } catch (err) {
    const e = err as Error & { code?: string };
    throw new Error(`could not connect to NATS at ${url.hostname}:${url.port || 4222}: ${e.message}`);
  }
}

function encode(data: unknown): Uint8Array {
  if (data === undefined) return new Uint8Array();
  return new TextEncoder().encode(typeof data === 'string' ? data : JSON.stringify(data));
}

/** Publishes one message and waits until the server has it. */
export async function publish(connection: string, subject: string, data: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<{ subject: string }> {
  const nc = await open(connection);
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

/**
 * The messages on a subject (wildcards allowed), one by one as the caller reads them, until the
 * signal aborts or the caller stops reading; the subscription exists on the server once the first
 * read has begun. The connection closes with it.
 */
export async function* messages(connection: string, subject: string, signal: AbortSignal): AsyncGenerator<Consumed> {
  const nc = await open(connection);
  const onAbort = () => void nc.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) return;
    const sub = nc.subscribe(subject);
    await nc.flush();
    for await (const m of sub) yield decode(m);
    if (!signal.aborted) throw new Error(`the subscription to '${subject}' ended before a message came.`);
  } finally {
    signal.removeEventListener('abort', onAbort);
    await nc.close();
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
