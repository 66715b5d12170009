// `npm run bench`, the server part: runs completed per second by `stepwise serve --no-api` worker
// processes on PostgreSQL (1 and 3 workers), with the embedded file store (one process) as the
// reference, all on the same 10-state task with the virtual clock.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { virtualClock } from '../engine/runtime/clock';
import { createEngine } from '../engine/runtime/engine';
import { fileStore } from '../engine/store/file';
import { createPool, Listener, migrate } from '../engine/store/postgres/db';
import { PgService } from '../engine/server/pg-service';
import { compileTask } from '../engine/server/tasks';
import { freshDatabase } from '../test/postgres/helpers';
import { row } from './measure';

/**
 * Ten states, each with a `set` and a `log`; the fifth waits ten (virtual) minutes, so that every
 * run is released by its worker and continued by whichever worker claims it next.
 */
export function tenStateTask(): string {
  const lines = ['version: 1', 'name: bench10', 'data: { n: 0 }', 'start: s0', 'states:'];
  for (let i = 0; i < 10; i++) {
    lines.push(`  s${i}:`);
    lines.push(`    do:`);
    lines.push(`      - set: { n: "={{ data.n + 1 }}" }`);
    lines.push(`      - log: "state ${i}, n = {{ data.n }}"`);
    if (i === 9) lines.push('    next: done');
    else if (i === 4) lines.push(`    on:\n      - { to: s${i + 1}, after: 10m }`);
    else lines.push(`    next: s${i + 1}`);
  }
  lines.push('  done: { final: true }');
  return lines.join('\n') + '\n';
}

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function startWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'serve', '--no-api', '--store', url, '--concurrency', '32', '--poll-every', '200ms', '-q'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Stepwise workers running')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}): ${err}`)));
  });
}

/** Runs completed per second by `workers` worker processes on a fresh database. */
export async function pgRunsPerSecond(workers: number, runs: number): Promise<number> {
  const db = await freshDatabase('bench');
  const pool = createPool(db.url, 8);
  const listener = new Listener(db.url);
  const children: ChildProcess[] = [];
  try {
    await migrate(pool);
    await listener.start();
    const file = path.join(os.tmpdir(), 'bench10.task.yaml');
    const compiled = compileTask(tenStateTask(), file);
    if (!('ok' in compiled)) throw new Error('the benchmark task does not lint clean');
    const service = new PgService({ pool, listener, clock: 'virtual' });
    for (let i = 0; i < workers; i++) children.push(await startWorker(db.url));
    // Queue every run first (not yet due), then make them all due at once: the clock starts there.
    const ids: string[] = [];
    for (let i = 0; i < runs; i++) ids.push((await service.start(compiled.ok, {})).id);
    // (The workers may have picked up some already: that only makes the figure conservative.)
    const t0 = performance.now();
    await pool.query(`SELECT pg_notify('stepwise_wake', '')`);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      for (;;) {
        const r = await c.query<{ n: number; bad: number }>(
          `SELECT count(*) FILTER (WHERE ended_at IS NOT NULL)::int AS n, count(*) FILTER (WHERE status IN ('failed', 'cancelled'))::int AS bad FROM runs`,
        );
        if (r.rows[0].bad) throw new Error(`${r.rows[0].bad} benchmark runs failed`);
        if (r.rows[0].n >= runs) break;
        await new Promise((res) => setTimeout(res, 20));
      }
    } finally {
      await c.end();
    }
    const seconds = (performance.now() - t0) / 1000;
    await service.close();
    return runs / seconds;
  } finally {
    for (const ch of children) ch.kill('SIGKILL');
    await listener.close();
    await pool.end();
    await db.drop();
  }
}

/** The reference: the same runs in one process on the embedded file store (one engine, one virtual clock). */
export async function fileStoreRunsPerSecond(runs: number): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-server-'));
  try {
    const compiled = compileTask(tenStateTask(), path.join(dir, 'bench10.task.yaml'));
    if (!('ok' in compiled)) throw new Error('the benchmark task does not lint clean');
    const store = fileStore(dir);
    const engine = createEngine({ store, clock: virtualClock() });
    const t0 = performance.now();
    const started = Array.from({ length: runs }, () => engine.start(compiled.ok.task));
    const finals = await Promise.all(started.map((r) => r.done));
    const seconds = (performance.now() - t0) / 1000;
    await store.close();
    if (finals.some((f) => f.status !== 'succeeded')) throw new Error('benchmark runs failed on the file store');
    return runs / seconds;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchServer(runs = 600): Promise<void> {
  const fmt = (r: number) => `${Math.round(r).toLocaleString('en')} runs/s`;
  const file = await fileStoreRunsPerSecond(runs);
  let one: number;
  let three: number;
  try {
    one = await pgRunsPerSecond(1, runs);
    three = await pgRunsPerSecond(3, runs);
  } catch (e) {
    console.log(`server benchmark skipped: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  row(`server, PostgreSQL, 1 worker (${runs} runs, 10 states)`, fmt(one), `file ${fmt(file)}`, one / file, 'reported', true);
  row(`server, PostgreSQL, 3 workers (${runs} runs, 10 states)`, fmt(three), `1 wk ${fmt(one)}`, three / one, '> 1× (grows)', three > one);
}

if (require.main === module) {
  benchServer(Number(process.argv[2] ?? 600)).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
