// Schedules on PostgreSQL: two servers on one database never start a tick twice; after both stop,
// one catch-up run for the latest missed tick. First with two servers in this process on clocks
// the test moves (exact ticks), then with two `stepwise serve` processes on the real clock.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { resolveConfig } from '../../engine/server/config';
import { startServer, type Server } from '../../engine/server/serve';
import { call, until } from '../server/client';
import { manualClock } from '../schedule/manual-clock';
import { freshDatabase } from './helpers';
import { serve, type ServeProcess } from './procs';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const task = (every: string, overlap = 'allow') => `version: 1
name: tick
schedule:
  - every: ${every}
    overlap: ${overlap}
start: done
states:
  done: { final: true }
`;

function tasksDir(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-pg-schedules-'));
  fs.writeFileSync(path.join(dir, 'tick.task.yaml'), text);
  return dir;
}

/** Tick (ISO) → how many runs journaled it, read from the database. */
async function runsByTick(url: string): Promise<Map<string, number>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ tick: string; n: string }>(
      `SELECT e.event->'trigger'->>'tick' AS tick, count(*) AS n FROM journal_entries e
        WHERE e.seq = 1 AND e.event ? 'trigger' GROUP BY 1 ORDER BY 1`,
    );
    return new Map(r.rows.map((x) => [x.tick, Number(x.n)]));
  } finally {
    await c.end();
  }
}

describe('schedules on PostgreSQL', () => {
  it('two servers on driven clocks: each tick one run, one catch-up after both stop', async () => {
    const db = await freshDatabase('schedules_driven');
    cleanups.push(db.drop);
    const dir = tasksDir(task('1m'));
    const T0 = Date.UTC(2026, 0, 1, 0, 0, 30);
    const clocks = [manualClock(T0), manualClock(T0)];
    const start = async (i: number) => {
      const s = await startServer(resolveConfig({ env: {}, flags: { store: db.url, tasks: dir, port: '0', workers: '1', pollEvery: '100ms' } }), () => undefined, { scheduleClock: clocks[i] });
      cleanups.push(() => s.close());
      return s;
    };
    let servers: Server[] = [await start(0), await start(1)];
    // Both servers pass every minute from 00:01 to 00:10, several times each, at once.
    for (let m = 1; m <= 10; m++) {
      for (const c of clocks) c.set(T0 + m * 60_000);
      await Promise.all(servers.flatMap((s) => [s.scheduler!.pass(), s.scheduler!.pass()]));
    }
    let ticks = await runsByTick(db.url);
    assert.deepEqual([...ticks.values()], Array(10).fill(1), JSON.stringify([...ticks]));
    assert.equal([...ticks.keys()][0], '2026-01-01T00:01:00.000Z');

    for (const s of servers) await s.close();
    // Down from 00:10:30 to 00:15:30: 00:11 .. 00:15 missed; the restarted servers start one run, for 00:15.
    for (const c of clocks) c.set(T0 + 15 * 60_000);
    servers = [await start(0), await start(1)];
    await Promise.all(servers.map((s) => s.scheduler!.pass()));
    ticks = await runsByTick(db.url);
    assert.equal(ticks.size, 11);
    assert.deepEqual([...ticks.keys()].slice(-2), ['2026-01-01T00:10:00.000Z', '2026-01-01T00:15:00.000Z']);
    assert.equal(ticks.get('2026-01-01T00:15:00.000Z'), 1);

    // A pause through one server holds the other too.
    const paused = await call(servers[0].url!, 'POST', '/v1/schedules/tick:0/pause');
    assert.equal(paused.status, 200);
    for (const c of clocks) c.set(T0 + 16 * 60_000);
    await Promise.all(servers.map((s) => s.scheduler!.pass()));
    assert.equal((await runsByTick(db.url)).size, 11);
    const listed = await call(servers[1].url!, 'GET', '/v1/schedules');
    assert.equal(listed.json.schedules[0].paused, true);
    assert.equal(listed.json.schedules[0].lastRun.tick, '2026-01-01T00:15:00.000Z');
  });

  it('two serve processes on the real clock: no tick twice, one catch-up after a stop', async () => {
    const db = await freshDatabase('schedules_procs');
    cleanups.push(db.drop);
    const dir = tasksDir(task('1s'));
    const args = ['--store', db.url, '--tasks', dir, '--port', '0', '--poll-every', '100ms'];
    const procs: ServeProcess[] = [await serve(args), await serve(args)];
    cleanups.push(async () => {
      await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    });
    await until('five ticks', async () => (await runsByTick(db.url)).size >= 5, 30_000);
    await Promise.all(procs.map((p) => p.kill()));
    const stoppedAt = Date.now();
    const before = await runsByTick(db.url);
    assert.ok([...before.values()].every((n) => n === 1), `a tick ran twice: ${JSON.stringify([...before])}`);
    const lastBefore = Math.max(...[...before.keys()].map((t) => Date.parse(t)));

    // Three ticks pass while no server runs.
    await until('three ticks missed', async () => Date.now() >= stoppedAt + 3_500, 10_000);
    const restartAt = Date.now();
    procs.push(await serve(args));
    await until('a run after the restart', async () => (await runsByTick(db.url)).size > before.size, 30_000);
    const after = await runsByTick(db.url);
    assert.ok([...after.values()].every((n) => n === 1), `a tick ran twice: ${JSON.stringify([...after])}`);
    const caughtUp = [...after.keys()].map((t) => Date.parse(t)).filter((t) => t > lastBefore && t < restartAt - 1000);
    // The missed ticks before the restart started nothing: the first run is for the latest tick.
    assert.deepEqual(caughtUp, [], `ticks from the downtime ran: ${caughtUp.map((t) => new Date(t).toISOString())}`);
    const first = Math.min(...[...after.keys()].map((t) => Date.parse(t)).filter((t) => t > lastBefore));
    assert.ok(first >= restartAt - 1000, 'the catch-up run is for the latest missed tick');
  });
});
