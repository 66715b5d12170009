// A worker releases a run while it waits (real clock): the row says when it is due and which
// events it waits for, and a worker continues it when the timer is due or an event (here from
// another run's `emit`) arrives.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import type { JournalEvent } from '../../engine/journal/events';
import { resolveConfig } from '../../engine/server/config';
import { startServer, type Server } from '../../engine/server/serve';
import { call, until } from '../server/client';
import { freshDatabase } from './helpers';

let db: { url: string; drop: () => Promise<void> };
let server: Server;
let client: pg.Client;

const TIMER = `version: 1
name: timer
start: first
states:
  first:
    do: [ { log: "waiting two seconds" } ]
    on:
      - { to: second, after: 2s }
  second: { final: true }
`;
const LISTENER = `version: 1
name: listener
start: listen
states:
  listen:
    on:
      - { to: heard, event: ping }
      - { to: deaf, after: 1h }
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

before(async () => {
  db = await freshDatabase('release');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-release-'));
  fs.writeFileSync(path.join(dir, 'timer.task.yaml'), TIMER);
  fs.writeFileSync(path.join(dir, 'listener.task.yaml'), LISTENER);
  fs.writeFileSync(path.join(dir, 'pinger.task.yaml'), PINGER);
  server = await startServer(resolveConfig({ env: {}, flags: { store: db.url, tasks: dir, port: '0', workers: '2', pollEvery: '100ms' } }));
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

after(async () => {
  await client?.end();
  await server?.close();
  await db?.drop();
});

test('a run waiting on a timer is released, then continued when it is due', { timeout: 20_000 }, async () => {
  const t0 = Date.now();
  const id = (await call(server.url!, 'POST', '/v1/runs', { task: 'timer' })).json.run.id as string;
  const row = await until('the run to be released', async () => {
    const r = (await client.query('SELECT lease_owner, next_due_at, waiting_events, last_seq FROM runs WHERE id = $1', [id])).rows[0];
    return r && r.last_seq > 1 && r.lease_owner === null && r.next_due_at ? r : undefined;
  });
  // `after` counts from the entry of the waiting state (under load, well after the run's start).
  const journal = (await call(server.url!, 'GET', `/v1/runs/${id}`)).json.run.journal as JournalEvent[];
  const entered = journal.filter((e) => e.type === 'state-entered').at(-1)!.at;
  assert.ok(Math.abs(row.next_due_at.getTime() - (entered + 2000)) < 250, `due ${row.next_due_at.toISOString()}, state entered ${new Date(entered).toISOString()}`);
  const timers = (await client.query('SELECT due_at FROM timers WHERE run_id = $1', [id])).rows;
  assert.equal(timers.length, 1);
  const run = await until('the run to end', async () => {
    const r = (await call(server.url!, 'GET', `/v1/runs/${id}`)).json.run;
    return r.endedAt ? r : undefined;
  });
  assert.equal(run.status, 'succeeded');
  assert.ok(Date.now() - t0 >= 2000);
  const taken = (run.journal as JournalEvent[]).find((e) => e.type === 'transition-taken');
  assert.equal(taken?.type === 'transition-taken' && taken.cause, 'after');
  // Continued without a recovery entry: a release is not a crash.
  assert.equal((run.journal as JournalEvent[]).filter((e) => e.type === 'run-recovered').length, 0);
  const epochs = (await client.query('SELECT DISTINCT epoch FROM journal_entries WHERE run_id = $1 AND worker <> $2', [id, 'api'])).rows;
  assert.equal(epochs.length, 2, 'two claims: before and after the wait');
});

test("emit reaches a released run that waits for the event, through the store", { timeout: 20_000 }, async () => {
  const listener = (await call(server.url!, 'POST', '/v1/runs', { task: 'listener' })).json.run.id as string;
  await until('the listener to wait', async () => {
    const r = (await client.query('SELECT waiting_events FROM runs WHERE id = $1 AND lease_owner IS NULL', [listener])).rows[0];
    return r?.waiting_events?.includes('ping');
  });
  await call(server.url!, 'POST', '/v1/runs', { task: 'pinger' });
  const run = await until('the listener to end', async () => {
    const r = (await call(server.url!, 'GET', `/v1/runs/${listener}`)).json.run;
    return r.endedAt ? r : undefined;
  });
  assert.equal(run.status, 'succeeded');
  assert.equal(run.data.from, 'pinger');
});
