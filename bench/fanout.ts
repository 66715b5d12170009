// Fan-out: a `map` of 1,000 items, each a `call` of a 3-state task, in items per second, against
// the same 1,000 child runs started side by side without a parent: on the memory store, and on
// PostgreSQL through `stepwise serve`'s workers (in this process), where each item is a child run
// any worker may claim (needs STEPWISE_PG_URL; test/postgres/ensure-postgres.sh prints one).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTask } from '../engine/model/parse';
import { virtualClock } from '../engine/runtime/clock';
import { createEngine } from '../engine/runtime/engine';
import { DEFAULTS, type ServeConfig } from '../engine/server/config';
import { startServer } from '../engine/server/serve';
import { memoryStore } from '../engine/store/memory';
import pg from 'pg';
import { median, row } from './measure';
import { withDatabase } from './pg';

const ITEMS = 1000;

const CHILD = `version: 1
name: step3
input:
  n: { type: integer, default: 0 }
data: { total: 0 }
start: a
states:
  a:
    do: [ { set: { total: "={{ input.n }}" } } ]
    next: b
  b:
    do: [ { set: { total: "={{ data.total + 1 }}" } } ]
    next: c
  c: { final: true }
`;

const PARENT = `version: 1
name: fan
data: { items: [] }
start: run
states:
  run:
    do:
      - set: { items: "={{ [1..${ITEMS}] }}" }
      - map:
          items: "={{ data.items }}"
          do: { call: { task: ./step3.task.yaml, input: { n: "={{ item }}" } } }
        as: results
    next: done
  done: { final: true }
`;

const ROUNDS = 3;

export async function benchFanout(): Promise<void> {
  await benchMemory();
  await benchPostgres();
}

async function benchMemory(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-fanout-'));
  try {
    const childFile = path.join(dir, 'step3.task.yaml');
    fs.writeFileSync(childFile, CHILD);
    const child = { model: parseTask(CHILD).model, file: childFile };
    const parent = { model: parseTask(PARENT).model, file: path.join(dir, 'fan.task.yaml') };
    const loadTask = () => child;
    const mapRates: number[] = [];
    const directRates: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const engine = createEngine({ store: memoryStore(), clock: virtualClock(), loadTask });
      let t0 = performance.now();
      const final = await engine.start(parent).done;
      mapRates.push(ITEMS / ((performance.now() - t0) / 1000));
      if (final.status !== 'succeeded' || (final.data.results as unknown[]).length !== ITEMS) throw new Error(`fan-out benchmark run ended ${final.status}: ${final.error?.message}`);
      const direct = createEngine({ store: memoryStore(), clock: virtualClock(), loadTask });
      t0 = performance.now();
      await Promise.all(Array.from({ length: ITEMS }, (_, n) => direct.start(child, { input: { n } }).done));
      directRates.push(ITEMS / ((performance.now() - t0) / 1000));
    }
    const a = median(mapRates);
    const b = median(directRates);
    row(`map of ${ITEMS} calls of a 3-state task (memory)`, `${Math.round(a).toLocaleString('en')} items/s`, `${Math.round(b).toLocaleString('en')} runs/s`, a / b, '≥ 0.5× the runs alone', a / b >= 0.5);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Items (or runs) per second from the start of `start` until no run of the store is going. */
async function pgRate(watcher: pg.Client, start: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await start();
  for (;;) {
    const r = await watcher.query<{ going: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE ended_at IS NULL)::int AS going, count(*) FILTER (WHERE status <> 'succeeded' AND ended_at IS NOT NULL)::int AS failed FROM runs`,
    );
    if (r.rows[0].failed) throw new Error(`${r.rows[0].failed} runs of the fan-out benchmark did not succeed`);
    if (r.rows[0].going === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return ITEMS / ((performance.now() - t0) / 1000);
}

async function benchPostgres(): Promise<void> {
  const base = process.env.STEPWISE_PG_URL;
  if (!base) {
    console.log('fanout postgres: skipped (set STEPWISE_PG_URL, e.g. from test/postgres/ensure-postgres.sh)');
    return;
  }
  const WORKERS = 2;
  const tasks = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-fanout-pg-'));
  fs.writeFileSync(path.join(tasks, 'step3.task.yaml'), CHILD);
  fs.writeFileSync(path.join(tasks, 'fan.task.yaml'), PARENT);
  const round = (which: 'map' | 'direct') =>
    withDatabase(base, async (url) => {
      const config: ServeConfig = { ...structuredClone(DEFAULTS), store: url, tasks, port: 0, workers: WORKERS };
      const server = await startServer(config);
      const watcher = new pg.Client({ connectionString: url });
      await watcher.connect();
      try {
        const task = (name: string) => server.registry!.tasks().find((t) => t.name === name)!;
        if (which === 'map') return await pgRate(watcher, () => server.service!.start(task('fan'), {}));
        return await pgRate(watcher, () => Promise.all(Array.from({ length: ITEMS }, (_, n) => server.service!.start(task('step3'), { n }))));
      } finally {
        await watcher.end();
        await server.close();
      }
    });
  try {
    const mapRates: number[] = [];
    const directRates: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      mapRates.push(await round('map'));
      directRates.push(await round('direct'));
    }
    const a = median(mapRates);
    const b = median(directRates);
    row(`map of ${ITEMS} calls of a 3-state task (postgres, ${WORKERS} workers)`, `${Math.round(a).toLocaleString('en')} items/s`, `${Math.round(b).toLocaleString('en')} runs/s`, a / b, '≥ 0.5× the runs alone', a / b >= 0.5);
  } finally {
    fs.rmSync(tasks, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchFanout().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
