// PostgreSQL: 300 runs of a 10-state chain through `stepwise serve`'s workers (in process) against
// pg-boss doing the same work as 10 chained jobs per run, on the same server, interleaved, each
// round in a fresh database. Prints runs/s, statements per run (counted at the client) and the
// database's growth per run. Needs STEPWISE_PG_URL (test/postgres/ensure-postgres.sh prints one).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { DEFAULTS, type ServeConfig } from '../engine/server/config';
import { startServer } from '../engine/server/serve';
import { median, row } from './measure';

const RUNS = 300;
const STATES = 10;
/** Queries of the harness itself carry this marker and are not counted. */
const MARK = '/* bench */';

let statements = 0;
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const q = args[0] as string | { text?: string };
  const text = typeof q === 'string' ? q : q?.text ?? '';
  if (!text.startsWith(MARK)) statements++;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

function chainTask(): string {
  const lines = ['version: 1', 'name: chain', 'start: s1', 'states:'];
  for (let i = 1; i < STATES; i++) lines.push(`  s${i}: { do: [ { set: { n: ${i} } } ], next: s${i + 1} }`);
  lines.push(`  s${STATES}: { final: true }`);
  return lines.join('\n') + '\n';
}

interface Figures {
  runsPerSecond: number;
  statementsPerRun: number;
  bytesPerRun: number;
}

export async function withDatabase<T>(base: string, fn: (url: string, admin: pg.Client) => Promise<T>): Promise<T> {
  const u = new URL(base);
  const name = `stepwise_bench_${process.pid}_${Date.now()}`;
  u.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  await admin.query(`${MARK} CREATE DATABASE ${name}`);
  u.pathname = '/' + name;
  try {
    return await fn(u.toString(), admin);
  } finally {
    await admin.query(`${MARK} DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function databaseSize(admin: pg.Client, url: string): Promise<number> {
  const r = await admin.query<{ size: string }>(`${MARK} SELECT pg_database_size($1) AS size`, [new URL(url).pathname.slice(1)]);
  return Number(r.rows[0].size);
}

async function stepwiseRound(base: string, workers: number): Promise<Figures> {
  const tasks = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-pg-'));
  fs.writeFileSync(path.join(tasks, 'chain.task.yaml'), chainTask());
  try {
    return await withDatabase(base, async (url, admin) => {
      const config: ServeConfig = { ...structuredClone(DEFAULTS), store: url, tasks, port: 0, workers };
      const server = await startServer(config);
      const watcher = new pg.Client({ connectionString: url });
      await watcher.connect();
      try {
        const task = server.registry!.tasks()[0];
        const size0 = await databaseSize(admin, url);
        const statements0 = statements;
        const t0 = performance.now();
        await Promise.all(Array.from({ length: RUNS }, () => server.service!.start(task, {})));
        for (;;) {
          const r = await watcher.query<{ n: number }>(`${MARK} SELECT count(*)::integer AS n FROM runs WHERE ended_at IS NULL`);
          if (r.rows[0].n === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        const seconds = (performance.now() - t0) / 1000;
        const ended = await watcher.query<{ n: number }>(`${MARK} SELECT count(*)::integer AS n FROM runs WHERE status = 'succeeded'`);
        if (ended.rows[0].n !== RUNS) throw new Error(`${RUNS - ended.rows[0].n} runs did not succeed`);
        const figures = { runsPerSecond: RUNS / seconds, statementsPerRun: (statements - statements0) / RUNS, bytesPerRun: ((await databaseSize(admin, url)) - size0) / RUNS };
        return figures;
      } finally {
        await watcher.end();
        await server.close();
      }
    });
  } finally {
    fs.rmSync(tasks, { recursive: true, force: true });
  }
}

async function pgBossRound(base: string): Promise<Figures> {
  return withDatabase(base, async (url, admin) => {
    const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
    boss.on('error', () => undefined);
    await boss.start();
    await boss.createQueue('step');
    try {
      const size0 = await databaseSize(admin, url);
      const statements0 = statements;
      let done = 0;
      let finished!: () => void;
      const all = new Promise<void>((resolve) => (finished = resolve));
      // The same concurrency as a Stepwise worker (16); notified after each batch so that it fetches
      // again at once instead of after its polling interval.
      const worker = await boss.work<{ step: number }>('step', { batchSize: 16, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        for (const job of jobs) {
          if (job.data.step < STATES) await boss.send('step', { step: job.data.step + 1 });
          else if (++done === RUNS) finished();
        }
        boss.notifyWorker(worker);
      });
      const t0 = performance.now();
      for (let i = 0; i < RUNS; i++) await boss.send('step', { step: 1 });
      boss.notifyWorker(worker);
      await all;
      const seconds = (performance.now() - t0) / 1000;
      return { runsPerSecond: RUNS / seconds, statementsPerRun: (statements - statements0) / RUNS, bytesPerRun: ((await databaseSize(admin, url)) - size0) / RUNS };
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });
}

export async function benchPostgres(): Promise<void> {
  const base = process.env.STEPWISE_PG_URL;
  if (!base) {
    console.log('postgres: skipped (set STEPWISE_PG_URL, e.g. from test/postgres/ensure-postgres.sh)');
    return;
  }
  const rounds = 3;
  const ours: Figures[] = [];
  const theirs: Figures[] = [];
  for (let i = 0; i < rounds; i++) {
    ours.push(await stepwiseRound(base, 1));
    theirs.push(await pgBossRound(base));
  }
  const m = (xs: Figures[], k: keyof Figures) => median(xs.map((x) => x[k]));
  const a = m(ours, 'runsPerSecond');
  const b = m(theirs, 'runsPerSecond');
  row(`postgres runs/s (${RUNS} × ${STATES} states, 1 worker)`, `${a.toFixed(1)}/s`, `${b.toFixed(1)}/s pg-boss`, a / b, '≥ 1.5× pg-boss', a / b >= 1.5);
  const size = m(ours, 'bytesPerRun');
  row('postgres database growth per run', `${(size / 1024).toFixed(1)} KiB`, `${(m(theirs, 'bytesPerRun') / 1024).toFixed(1)} KiB pg-boss`, size / m(theirs, 'bytesPerRun'), '≤ 8 KiB', size <= 8 * 1024);
  console.log(`postgres statements per run: ${m(ours, 'statementsPerRun').toFixed(1)} (pg-boss ${m(theirs, 'statementsPerRun').toFixed(1)})`);
  for (const workers of [2, 4]) {
    const f = await stepwiseRound(base, workers);
    console.log(`postgres ${workers} workers: ${f.runsPerSecond.toFixed(1)} runs/s, ${f.statementsPerRun.toFixed(1)} statements/run, ${(f.bytesPerRun / 1024).toFixed(1)} KiB/run`);
  }
}
