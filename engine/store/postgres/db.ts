// Connections to PostgreSQL: a pool for queries, migrations applied under an advisory lock, and
// one listening connection per process for notifications (journal appends, events, wake-ups).
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { MIGRATIONS } from './migrations';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Keys of the advisory locks the service takes (arbitrary, fixed numbers). */
export const LOCK_MIGRATIONS = 724_100_001;
export const LOCK_RECOVERY = 724_100_002;

export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/** A URL with its password (if any) hidden, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@]*@/i, '$1:***@');
}

export function createPool(url: string, max = 10): Pool {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  // An idle client that loses its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/** Applies the migrations this version knows and the database has not seen yet; returns their versions. */
export async function migrate(pool: Pool): Promise<number[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_MIGRATIONS]);
    await client.query(`CREATE TABLE IF NOT EXISTS stepwise_migrations (
      version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM stepwise_migrations');
    const applied = new Set(rows.map((r) => r.version));
    const known = Math.max(0, ...MIGRATIONS.map((m) => m.version));
    const newer = [...applied].filter((v) => v > known);
    if (newer.length) {
      throw new Error(`The database has migrations this Stepwise does not know (${newer.join(', ')}): it was set up by a newer version.`);
    }
    const done: number[] = [];
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO stepwise_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      done.push(m.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * One connection that LISTENs to the channels somebody subscribed to, reconnecting when it drops.
 * Emits `reconnected` after a reconnection, since notifications sent meanwhile were missed.
 */
export class Listener extends EventEmitter {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private connecting: Promise<void> | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;

  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly url: string) {
    super();
    // Every inbox watcher listens for reconnections.
    this.setMaxListeners(0);
  }

  /** LISTEN commands one after the other on the one connection. */
  private listen(client: pg.Client, channel: string): Promise<unknown> {
    this.chain = this.chain.then(() => client.query(`LISTEN ${quoteIdent(channel)}`)).catch(() => undefined);
    return this.chain;
  }

  /** Calls back with each notification's payload on the channel until unsubscribed. */
  subscribe(channel: string, handler: (payload: string) => void): () => void {
    let set = this.handlers.get(channel);
    if (!set) {
      this.handlers.set(channel, (set = new Set()));
      if (this.client) void this.listen(this.client, channel);
    }
    set.add(handler);
    return () => set!.delete(handler);
  }

  async start(): Promise<void> {
    this.connecting ??= this.connect();
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    client.on('notification', (n) => {
      for (const h of this.handlers.get(n.channel) ?? []) h(n.payload ?? '');
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    for (const channel of this.handlers.keys()) await this.listen(client, channel);
    this.client = client;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.closed) return;
    const retry = (delay: number) => {
      this.retryTimer = setTimeout(() => {
        if (this.closed) return;
        this.connect().then(
          () => this.emit('reconnected'),
          () => retry(Math.min(delay * 2, 5_000)),
        );
      }, delay);
      this.retryTimer.unref();
    };
    retry(100);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}

function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}
