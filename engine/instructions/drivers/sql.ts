// The `sql` instruction's use of `pg`, in a bundle of its own (scripts/build.mjs) that only a task
// with a `sql` instruction loads. One bounded pool per connection string, ended once its last
// connection has been idle for a while, so neither a long-lived `serve` nor a finished CLI run
// keeps connections open. It throws plain errors: this bundle has its own copy of any class it imports.
import pg from 'pg';

/** Connections one connection string may hold at once; further queries wait for a free one. */
const MAX_CONNECTIONS = 4;
const IDLE_MS = 5_000;
const CONNECT_TIMEOUT_MS = 10_000;

const pools = new Map<string, pg.Pool>();

function poolFor(connection: string): pg.Pool {
  const known = pools.get(connection);
  if (known) return known;
  const pool = new pg.Pool({
    connectionString: connection,
    max: MAX_CONNECTIONS,
    idleTimeoutMillis: IDLE_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    allowExitOnIdle: true,
    application_name: 'stepwise',
  });
  // An idle connection that breaks (a server restart) is dropped from the pool; the next query opens another.
  pool.on('error', () => undefined);
  pool.on('remove', () => {
    if (pool.totalCount > 0 || pool.waitingCount > 0 || pools.get(connection) !== pool) return;
    pools.delete(connection);
    void pool.end();
  });
  pools.set(connection, pool);
  return pool;
}

export interface SqlResult {
  rows: unknown[];
  rowCount: number;
}

/**
 * Runs one parameterised query. An abort ends the query's backend on the server (a closed socket
 * alone would leave it running) and drops its connection.
 */
export async function runQuery(connection: string, text: string, params: unknown[], signal: AbortSignal): Promise<SqlResult> {
  let client: pg.PoolClient;
  try {
    client = await poolFor(connection).connect();
  } catch (err) {
    throw new Error(`could not connect to PostgreSQL: ${(err as Error).message}`);
  }
  if (signal.aborted) {
    client.release();
    throw new Error('cancelled before the query was sent');
  }
  // `processID` is the backend's pid, which pg sets on connect but does not declare.
  const pid = (client as unknown as { processID: number }).processID;
  const terminate = () => void terminateBackend(connection, pid);
  signal.addEventListener('abort', terminate, { once: true });
  let broken: Error | undefined;
  try {
    const res = await client.query({ text, values: params });
    // As JSON: timestamps become ISO strings, so a journaled result reads back as it was returned.
    return { rows: JSON.parse(JSON.stringify(res.rows)) as unknown[], rowCount: res.rowCount ?? res.rows.length };
  } catch (err) {
    broken = err as Error;
    const e = err as Error & { code?: string };
    throw new Error(`${e.message}${e.code ? ` (SQLSTATE ${e.code})` : ''}`);
  } finally {
    signal.removeEventListener('abort', terminate);
    client.release(broken ?? signal.aborted);
  }
}

/** Ends a backend from a connection of its own (the pool's may all be busy). */
async function terminateBackend(connection: string, pid: number): Promise<void> {
  const c = new pg.Client({ connectionString: connection, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, application_name: 'stepwise-cancel' });
  try {
    await c.connect();
    await c.query('select pg_terminate_backend($1)', [pid]);
  } catch {
    // The query ended meanwhile, or the server is gone: nothing is left to end.
  } finally {
    await c.end().catch(() => undefined);
  }
}
