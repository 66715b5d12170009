// PostgreSQL for the tests: STEPWISE_PG_URL when set, else the server test/postgres/ensure-postgres.sh
// starts (installing Debian's package when it is missing and we are root). Each test file works in
// a database of its own, created here and dropped at the end.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import pg from 'pg';

const root = path.resolve(__dirname, '../../..');

let baseUrl: string | undefined;

/** The URL of a PostgreSQL server for the tests (its `postgres` database). */
export function postgresUrl(): string {
  if (baseUrl) return baseUrl;
  if (process.env.STEPWISE_PG_URL) {
    baseUrl = process.env.STEPWISE_PG_URL;
    return baseUrl;
  }
  const script = path.join(root, 'test', 'postgres', 'ensure-postgres.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 }).trim();
  baseUrl = out.split('\n').pop()!;
  return baseUrl;
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = '/' + db;
  return u.toString();
}

/** A fresh, empty database; `drop` removes it (ending its connections first). */
export async function freshDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = withDatabase(postgresUrl(), 'postgres');
  const name = `stepwise_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  try {
    await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return {
    url: withDatabase(postgresUrl(), name),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      try {
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await d.end();
      }
    },
  };
}
