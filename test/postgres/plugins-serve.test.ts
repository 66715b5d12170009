// `stepwise serve` runs the plugin sample (samples/plugins: the `checksum` instruction of its
// stepwise.config.json) on two workers sharing a real PostgreSQL: process A (the API, --tasks, one
// worker) and a worker-only process B, started in the sample's folder so that it finds the same
// config. Each worker runs release-notes; each run's journal holds the real sha256 of its notes,
// computed here. A served task with a misspelt plugin argument is refused with the lint error.
// A third, worker-only process started outside that folder has no plugins: it hands such a run back
// (and leaves that task version alone) instead of failing it, so that a worker with the plugin runs it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import type { JournalEvent } from '../../engine/journal/events';
import { call, until } from '../server/client';
import { freshDatabase } from './helpers';
import { serve, type ServeProcess } from './procs';
import { samplesDir } from './samples';

// Waits for an event, held by its worker (--release-after 1h): with --concurrency 1 it fills that
// worker, so that the next run has to go to the other one.
const HOLD = `version: 1
name: hold
start: wait
states:
  wait:
    on:
      - { to: done, event: go }
      - { to: done, after: 30m }
  done: { final: true }
`;
const MISSPELT = `version: 1
name: misspelt-notes
start: digest
states:
  digest:
    do:
      - checksum: { text: hi, algoritm: sha1 }
        as: sum
    next: done
  done: { final: true }
`;

const QUICK = `version: 1
name: quick
start: done
states:
  done: { final: true }
`;

let db: { url: string; drop: () => Promise<void> };
let client: pg.Client;
let dir = '';
let a: ServeProcess;
let b: ServeProcess;
let common: string[] = [];
const procs: ServeProcess[] = [];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

before(async () => {
  db = await freshDatabase('plugins_serve');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-plugins-serve-'));
  for (const f of fs.readdirSync(path.join(samplesDir, 'plugins'))) fs.copyFileSync(path.join(samplesDir, 'plugins', f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'hold.task.yaml'), HOLD);
  fs.writeFileSync(path.join(dir, 'misspelt.task.yaml'), MISSPELT);
  fs.writeFileSync(path.join(dir, 'quick.task.yaml'), QUICK);
  common = ['--store', db.url, '--workers', '1', '--concurrency', '1', '--release-after', '1h', '--poll-every', '100ms'];
  a = await serve([...common, '--tasks', dir, '--port', '0']);
  procs.push(a);
  b = await serve([...common, '--no-api'], {}, { cwd: dir });
  procs.push(b);
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

after(async () => {
  await client?.end();
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await db?.drop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(task: string, input?: Record<string, unknown>): Promise<string> {
  const r = await call(a.url!, 'POST', '/v1/runs', { task, input });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json.run.id as string;
}

async function ended(id: string): Promise<{ status: string; data: Record<string, unknown>; journal: JournalEvent[] }> {
  return until(`run ${id} to end`, async () => {
    const r = (await call(a.url!, 'GET', `/v1/runs/${id}`)).json.run;
    return r.endedAt ? r : undefined;
  }, 30_000);
}

/** The workers that journaled the run's steps (the API journals its start). */
async function workersOf(id: string): Promise<string[]> {
  return (await client.query(`SELECT DISTINCT worker FROM journal_entries WHERE run_id = $1 AND worker <> 'api'`, [id])).rows.map((r) => r.worker);
}

/** Starts a `hold` run and resolves with the worker that holds it, waiting (as the API shows it). */
async function hold(): Promise<{ id: string; worker: string }> {
  const id = await start('hold');
  const worker = await until(`hold run ${id} to wait, held`, async () => {
    const run = (await call(a.url!, 'GET', `/v1/runs/${id}`)).json.run;
    return run.state === 'wait' && run.worker ? (run.worker as string) : undefined;
  }, 30_000);
  return { id, worker };
}

async function release(id: string): Promise<void> {
  const sent = await call(a.url!, 'POST', `/v1/runs/${id}/events`, { name: 'go' });
  assert.equal(sent.status, 202, JSON.stringify(sent.json));
  assert.equal((await ended(id)).status, 'succeeded');
}

/** Runs release-notes with these notes; asserts the journaled checksum result; resolves with its workers. */
async function releaseNotes(notes: string): Promise<string[]> {
  const id = await start('release-notes', { notes });
  const run = await ended(id);
  assert.equal(run.status, 'succeeded', JSON.stringify(run.journal));
  const finished = run.journal.find((e) => e.type === 'instruction-finished' && e.kind === 'checksum');
  assert.deepEqual(finished && 'result' in finished ? finished.result : undefined, { algorithm: 'sha256', digest: sha256(notes) }, `the checksum of run ${id}`);
  assert.deepEqual(run.data.sum, { algorithm: 'sha256', digest: sha256(notes) });
  return workersOf(id);
}

test('both processes load the sample plugin from its stepwise.config.json', () => {
  const config = path.join(dir, 'stepwise.config.json');
  for (const p of [a, b]) assert.ok(p.stderr().includes(`plugins from ${config}: checksum`), p.stderr());
});

test('release-notes runs on each of the two workers, with the real sha256 of its notes', { timeout: 120_000 }, async () => {
  const workerA = /worker (\S+) started/.exec(a.stderr())![1];
  const [workerB] = b.workers;
  assert.notEqual(workerA, workerB);

  // One worker is filled by a held run: release-notes goes to the other. Then that other one is
  // filled and the first freed: the next release-notes goes to the first.
  const first = await hold();
  const other = first.worker === workerA ? workerB : workerA;
  assert.deepEqual(await releaseNotes('Stepwise 1.0: fan-out, task tests, plugins.'), [other]);
  const second = await hold();
  assert.equal(second.worker, other, 'the free worker took the second hold');
  await release(first.id);
  assert.deepEqual(await releaseNotes('Stepwise 1.1 — ünïcode ✓'), [first.worker]);
  await release(second.id);

  // Several at once, each checked against its own notes.
  const notes = Array.from({ length: 6 }, (_, i) => `notes #${i}: ${'x'.repeat(i * 7)}`);
  const ran = await Promise.all(notes.map((n) => releaseNotes(n)));
  for (const w of ran.flat()) assert.ok([workerA, workerB].includes(w), w);
});

test('a served task with a misspelt plugin argument is refused with the plugin-arguments error', async () => {
  const tasks = (await call(a.url!, 'GET', '/v1/tasks')).json;
  const rejected = tasks.rejected.find((r: { name?: string }) => r.name === 'misspelt-notes');
  assert.ok(rejected, JSON.stringify(tasks.rejected));
  assert.deepEqual(rejected.errors.map((e: { code: string; line: number }) => [e.code, e.line]), [['plugin-arguments', 7]]);
  assert.match(rejected.errors[0].message, /'algoritm' is not an argument of 'checksum': did you mean 'algorithm'\?/);

  const r = await call(a.url!, 'POST', '/v1/runs', { task: 'misspelt-notes' });
  assert.equal(r.status, 422, JSON.stringify(r.json));
  assert.equal(r.json.error.code, 'task-invalid');
  assert.equal(r.json.error.details[0].code, 'plugin-arguments');
});

test('a worker without the plugin hands its run back, never failing it; a worker with the plugin runs it', { timeout: 120_000 }, async () => {
  // Both plugin workers are filled, then a worker without plugins starts (its folder has no config).
  const holds = [await hold(), await hold()];
  assert.notEqual(holds[0].worker, holds[1].worker);
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-no-plugins-'));
  const c = await serve([...common, '--no-api'], {}, { cwd: elsewhere });
  procs.push(c);
  assert.ok(!c.stderr().includes('plugins from'), c.stderr());

  const notes = 'Stepwise 1.2: workers without plugins leave their runs.';
  const id = await start('release-notes', { notes });
  const warning = await until('the worker without plugins to hand the run back', async () => c.stderr().split('\n').find((l) => l.includes(id)), 30_000);
  assert.match(warning, /needs the instruction kind 'checksum', which this worker does not have/);
  assert.match(warning, /stepwise\.config\.json/);
  assert.match(warning, /--tasks/);

  // The worker goes on taking other runs and does not claim that one again (its epoch counts claims).
  const quick = await start('quick');
  assert.equal((await ended(quick)).status, 'succeeded');
  assert.deepEqual(await workersOf(quick), c.workers);
  const queued = (await call(a.url!, 'GET', `/v1/runs/${id}`)).json.run;
  assert.deepEqual([queued.status, queued.endedAt, queued.worker, queued.attempts], ['running', null, null, 1], JSON.stringify(queued));
  assert.ok(queued.nextDueAt, 'due for another worker');
  const listed = (await call(a.url!, 'GET', '/v1/runs?task=release-notes&status=running')).json.runs.map((r: { id: string }) => r.id);
  assert.ok(listed.includes(id), JSON.stringify(listed));
  const epoch = (await client.query('SELECT lease_epoch FROM runs WHERE id = $1', [id])).rows[0].lease_epoch;
  assert.equal(epoch, 1, 'claimed once, by the worker without plugins');
  assert.equal(c.stderr().split(id).length - 1, 1, c.stderr());

  // A plugin worker is freed: it runs release-notes, with the real checksum.
  await release(holds[0].id);
  const run = await ended(id);
  assert.equal(run.status, 'succeeded', JSON.stringify(run.journal));
  assert.deepEqual(run.data.sum, { algorithm: 'sha256', digest: sha256(notes) });
  assert.deepEqual(await workersOf(id), [holds[0].worker]);
  assert.ok(!run.journal.some((e) => e.type === 'run-recovered'), 'the hand-back is no recovery');
  await release(holds[1].id);
  fs.rmSync(elsewhere, { recursive: true, force: true });
});
