// Events reach runs that a worker holds while they wait, not only released ones: `emit` from a run
// on worker C to runs held by worker B, and an event sent through the API of process A to a run
// held by B. Real processes (dist/cli.js serve) on a real PostgreSQL; `--release-after 1h` keeps
// waiting runs held.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import type { JournalEvent } from '../../engine/journal/events';
import { call, until } from '../server/client';
import { freshDatabase } from './helpers';
import { serve, type ServeProcess } from './procs';

const LISTENER = `version: 1
name: listener
start: listen
states:
  listen:
    on:
      - { to: heard, event: ping }
      - { to: deaf, after: 30m }
  heard:
    do: [ { set: { from: "={{ event.data.from }}" } } ]
    next: done
  done: { final: true }
  deaf: { final: true, status: failed }
`;
const PINGER = `version: 1
name: pinger
start: ping
states:
  ping:
    do:
      - emit: { event: ping, data: { from: pinger } }
    next: done
  done: { final: true }
`;

let db: { url: string; drop: () => Promise<void> };
let client: pg.Client;
const procs: ServeProcess[] = [];
let api = '';
let b: ServeProcess;
const common = ['--release-after', '1h', '--poll-every', '100ms', '--quiet'];

before(async () => {
  db = await freshDatabase('emit_held');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-emit-held-'));
  fs.writeFileSync(path.join(dir, 'listener.task.yaml'), LISTENER);
  fs.writeFileSync(path.join(dir, 'pinger.task.yaml'), PINGER);
  // A: the API alone (no worker); B: one worker with room for two runs.
  const a = await serve(['--store', db.url, '--tasks', dir, '--port', '0', '--workers', '0', ...common]);
  procs.push(a);
  api = a.url!;
  b = await serve(['--no-api', '--store', db.url, '--workers', '1', '--concurrency', '2', ...common]);
  procs.push(b);
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

after(async () => {
  await client?.end();
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await db?.drop();
});

async function start(task: string): Promise<string> {
  const r = await call(api, 'POST', '/v1/runs', { task });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json.run.id as string;
}

/** Waits until `id` waits in `listen`, held by `owner`. */
async function heldWaiting(id: string, owner: string): Promise<void> {
  await until(`run ${id} to wait, held by ${owner}`, async () => {
    const row = (await client.query('SELECT lease_owner FROM runs WHERE id = $1', [id])).rows[0];
    const journal = (await call(api, 'GET', `/v1/runs/${id}`)).json.run.journal as JournalEvent[];
    return row?.lease_owner === owner && journal.some((e) => e.type === 'state-entered' && e.state === 'listen');
  }, 30_000);
}

async function ended(id: string): Promise<{ status: string; data: Record<string, unknown>; journal: JournalEvent[] }> {
  return until(`run ${id} to end`, async () => {
    const r = (await call(api, 'GET', `/v1/runs/${id}`)).json.run;
    return r.endedAt ? r : undefined;
  }, 30_000);
}

test('emit from a run on worker C reaches runs held (not released) by worker B, once each', { timeout: 120_000 }, async () => {
  const [workerB] = b.workers;
  const listeners = [await start('listener'), await start('listener')];
  for (const id of listeners) await heldWaiting(id, workerB);

  // B is full: the pinger goes to a new worker, C.
  const c = await serve(['--no-api', '--store', db.url, '--workers', '1', ...common]);
  procs.push(c);
  const pinger = await start('pinger');
  assert.equal((await ended(pinger)).status, 'succeeded');
  const pingerWorkers = (await client.query(`SELECT DISTINCT worker FROM journal_entries WHERE run_id = $1 AND worker <> 'api'`, [pinger])).rows.map((r) => r.worker);
  assert.deepEqual(pingerWorkers, [c.workers[0]], 'the pinger ran on worker C');

  for (const id of listeners) {
    const run = await ended(id);
    assert.equal(run.status, 'succeeded', `listener ${id} heard the ping`);
    assert.equal(run.data.from, 'pinger');
    assert.equal(run.journal.filter((e) => e.type === 'event-received' && e.name === 'ping').length, 1, 'the event arrived once');
    const workers = (await client.query(`SELECT DISTINCT worker FROM journal_entries WHERE run_id = $1 AND worker <> 'api'`, [id])).rows.map((r) => r.worker);
    assert.deepEqual(workers, [workerB], 'the listener never left worker B');
  }
});

test("an event sent through process A's API reaches a run held by worker B", { timeout: 120_000 }, async () => {
  const id = await start('listener');
  const owner = await until('the run to be claimed', async () => (await client.query('SELECT lease_owner FROM runs WHERE id = $1', [id])).rows[0]?.lease_owner as string | undefined, 30_000);
  await heldWaiting(id, owner);
  const sent = await call(api, 'POST', `/v1/runs/${id}/events`, { name: 'ping', data: { from: 'the api' } });
  assert.equal(sent.status, 202, JSON.stringify(sent.json));
  const run = await ended(id);
  assert.equal(run.status, 'succeeded');
  assert.equal(run.data.from, 'the api');
});
