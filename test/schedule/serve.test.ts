// Schedules in `stepwise serve` with the embedded file store, on a clock the test moves: one run per
// tick with its trigger journaled, claims that survive a restart, one catch-up after downtime,
// the overlap policies, and the REST endpoints.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { JournalEvent } from '../../engine/journal/events';
import { resolveConfig } from '../../engine/server/config';
import { startServer, type Server } from '../../engine/server/serve';
import { parsePrometheus, valueOf } from '../observe/prometheus';
import { call, until } from '../server/client';
import { manualClock, type ManualClock } from './manual-clock';

const T0 = Date.UTC(2026, 0, 1, 0, 0, 30);
const MIN = 60_000;
const servers: Server[] = [];
after(async () => {
  for (const s of servers) await s.close();
});

const quick = `version: 1
name: quick
schedule:
  - every: 1m
    input: { env: prod }
input:
  env: { type: string }
start: done
states:
  done: { final: true }
`;

/** Runs wait for an event, so that the next tick finds them running. */
const slow = `version: 1
name: slow
schedule:
  - every: 1m
    overlap: skip
  - every: 1m
    overlap: allow
  - every: 1m
    overlap: cancel
start: wait
states:
  wait:
    on: [ { to: done, event: go } ]
  done: { final: true }
`;

function folder(tasks: Record<string, string>): { dir: string; store: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-schedules-'));
  const dir = path.join(root, 'tasks');
  const store = path.join(root, 'store');
  fs.mkdirSync(dir);
  fs.mkdirSync(store);
  for (const [name, text] of Object.entries(tasks)) fs.writeFileSync(path.join(dir, `${name}.task.yaml`), text);
  return { dir, store };
}

async function serve(dir: string, store: string, clock: ManualClock): Promise<Server> {
  const s = await startServer(resolveConfig({ env: {}, flags: { store, tasks: dir, port: '0' } }), () => undefined, { scheduleClock: clock });
  servers.push(s);
  return s;
}

interface Started {
  id: string;
  status: string;
  trigger?: { schedule: number; tick: string };
  input: Record<string, unknown>;
}

async function runs(server: Server): Promise<Started[]> {
  const page = await server.service!.list({ limit: 500 });
  const out: Started[] = [];
  for (const r of page.runs) {
    const d = await server.service!.get(r.id);
    const started = d.journal[0] as Extract<JournalEvent, { type: 'run-started' }>;
    out.push({ id: r.id, status: r.status, trigger: started.trigger, input: started.input });
  }
  return out.sort((a, b) => (a.trigger?.tick ?? '').localeCompare(b.trigger?.tick ?? '') || (a.trigger?.schedule ?? 0) - (b.trigger?.schedule ?? 0));
}

/** Moves the clock and waits until the scheduler has acted on it and sleeps again. */
async function moveTo(server: Server, clock: ManualClock, at: number): Promise<void> {
  clock.set(at);
  await server.scheduler!.pass();
  await until('the scheduler sleeps', async () => clock.sleeping() > 0);
}

describe('schedules on the embedded file store', () => {
  it('each tick starts one run that journals its trigger; a restart claims nothing twice; downtime gives one catch-up', async () => {
    const { dir, store } = folder({ quick });
    const clock = manualClock(T0);
    let server = await serve(dir, store, clock);
    await until('the scheduler sleeps', async () => clock.sleeping() > 0);
    // Ticks before the schedule was first seen start nothing.
    assert.deepEqual(await runs(server), []);

    await moveTo(server, clock, T0 + 30_000);
    await until('a run for 00:01 that ended', async () => (await runs(server)).filter((r) => r.status === 'succeeded').length === 1);
    let all = await runs(server);
    assert.deepEqual(all[0].trigger, { schedule: 0, tick: '2026-01-01T00:01:00.000Z' });
    assert.deepEqual(all[0].input, { env: 'prod' });
    // More passes at the same time start nothing more.
    await server.scheduler!.pass();
    await server.scheduler!.pass();
    assert.equal((await runs(server)).length, 1);

    await server.close();
    server = await serve(dir, store, clock);
    await server.scheduler!.pass();
    assert.equal((await runs(server)).length, 1, 'a restart at the same time does not start the tick again');

    await server.close();
    // Down from 00:01:00 to 00:05:40: the ticks 00:02 .. 00:05 are missed.
    clock.set(T0 + 5 * MIN + 10_000);
    server = await serve(dir, store, clock);
    await until('the catch-up run', async () => (await runs(server)).length === 2);
    await server.scheduler!.pass();
    all = await runs(server);
    assert.deepEqual(all.map((r) => r.trigger?.tick), ['2026-01-01T00:01:00.000Z', '2026-01-01T00:05:00.000Z']);
    // The catch-up of 00:05 started at 00:05:40: /metrics says how late.
    const lag = parsePrometheus((await server.metrics.scrape()).text).samples;
    assert.equal(valueOf(lag, 'stepwise_schedule_lag_seconds_count', { task: 'quick' }), 1);
    assert.equal(valueOf(lag, 'stepwise_schedule_lag_seconds_sum', { task: 'quick' }), 40);

    await moveTo(server, clock, T0 + 6 * MIN);
    await until('the run of 00:06', async () => (await runs(server)).length === 3);
  });

  it('overlap: skip starts nothing, allow starts another, cancel cancels the previous run', async () => {
    const { dir, store } = folder({ slow });
    const clock = manualClock(T0);
    const server = await serve(dir, store, clock);
    await moveTo(server, clock, T0 + 30_000);
    await until('three runs for 00:01', async () => (await runs(server)).length === 3);
    await moveTo(server, clock, T0 + MIN + 30_000);
    await until('the second tick acted on', async () => {
      const r = await runs(server);
      return r.length === 5 && r.filter((x) => x.status === 'cancelled').length === 1;
    });
    const all = await runs(server);
    const by = (i: number) => all.filter((r) => r.trigger?.schedule === i).map((r) => `${r.trigger?.tick.slice(11, 16)} ${r.status}`);
    assert.deepEqual(by(0), ['00:01 running']);
    assert.deepEqual(by(1), ['00:01 running', '00:02 running']);
    assert.deepEqual(by(2), ['00:01 cancelled', '00:02 running']);
  });
});

describe('schedules through REST', () => {
  it('lists schedules with their next tick and last run; pause and resume', async () => {
    const { dir, store } = folder({ quick, slow });
    const clock = manualClock(T0);
    const server = await serve(dir, store, clock);
    const base = server.url!;
    await moveTo(server, clock, T0 + 30_000);
    await until('runs for 00:01', async () => (await runs(server)).length === 4);

    const list = await call(base, 'GET', '/v1/schedules');
    assert.equal(list.status, 200);
    assert.deepEqual(list.json.schedules.map((s: { id: string }) => s.id), ['quick:0', 'slow:0', 'slow:1', 'slow:2']);
    const q = list.json.schedules[0];
    assert.deepEqual(
      { ...q, lastRun: { ...q.lastRun, id: typeof q.lastRun.id } },
      {
        id: 'quick:0',
        task: 'quick',
        index: 0,
        cron: null,
        every: '1m',
        timezone: 'UTC',
        overlap: 'skip',
        paused: false,
        nextTick: '2026-01-01T00:02:00.000Z',
        lastRun: { id: 'string', tick: '2026-01-01T00:01:00.000Z', status: 'succeeded' },
      },
    );

    const paused = await call(base, 'POST', '/v1/schedules/quick:0/pause');
    assert.equal(paused.status, 200);
    assert.equal(paused.json.schedule.paused, true);
    assert.equal(paused.json.schedule.nextTick, null);
    await moveTo(server, clock, T0 + 3 * MIN);
    assert.equal((await runs(server)).filter((r) => r.trigger && r.input.env === 'prod').length, 1, 'no run while paused');

    const resumed = await call(base, 'POST', '/v1/schedules/quick:0/resume');
    assert.equal(resumed.json.schedule.paused, false);
    await server.scheduler!.pass();
    assert.equal((await runs(server)).filter((r) => r.input.env === 'prod').length, 1, 'the ticks while paused start no catch-up');
    await moveTo(server, clock, T0 + 4 * MIN);
    await until('the first tick after the resume', async () => (await runs(server)).filter((r) => r.input.env === 'prod').length === 2);

    const unknown = await call(base, 'POST', '/v1/schedules/nope:0/pause');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'schedule-not-found');
    assert.match(unknown.json.error.message, /Known: quick:0, slow:0, slow:1, slow:2/);
  });

  it('refuses cross-site and foreign-host requests like the rest of the API', async () => {
    const { dir, store } = folder({ quick });
    const server = await serve(dir, store, manualClock(T0));
    const cross = await call(server.url!, 'POST', '/v1/schedules/quick:0/pause', undefined, { origin: 'https://evil.example' });
    assert.equal(cross.status, 403);
    assert.equal(cross.json.error.code, 'cross-site-request');
    const list = await call(server.url!, 'GET', '/v1/schedules');
    assert.equal(list.json.schedules[0].paused, false);
  });
});
