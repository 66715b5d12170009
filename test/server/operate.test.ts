// Operating runs through the REST API, on PostgreSQL and on the embedded file store: retry from a
// step (what came before is not done again: a side-effect file proves it), bulk actions over a
// filter, and a run that keeps its task version across a kill of the server and an edit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalEvent } from '../../engine/journal/events';
import { freshDatabase } from '../postgres/helpers';
import { serve, type ServeProcess } from '../postgres/procs';
import { call, until } from './client';

const procs: ServeProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  for (const c of cleanups) await c();
});

const NODE = process.execPath.replace(/\\/g, '/');

/** prep appends to side.txt; work fails until the file `ok` exists. */
const flaky = (dir: string) => `version: 1
name: flaky
start: prep
states:
  prep:
    do: [ { exec: { command: "${NODE}", args: [ "-e", "require('fs').appendFileSync(process.argv[1], 'prep\\\\n')", "${dir}/side.txt" ] } } ]
    next: work
  work:
    do: [ { exec: { command: "${NODE}", args: [ "-e", "process.exit(require('fs').existsSync(process.argv[1]) ? 0 : 3)", "${dir}/ok" ] } } ]
    next: done
  done: { final: true }
`;

const waiting = (final: string, message: string) => `version: 1
name: pinned
start: waiting
states:
  waiting:
    on: [ { to: ${final}, event: go } ]
  ${final}:
    do: [ { log: "${message}" } ]
    final: true
`;

for (const kind of ['postgres', 'file'] as const) {
  describe(`operating runs through REST on the ${kind} store`, () => {
    let base = '';
    let dir = '';
    let store = '';
    const start = async () => {
      const p = await serve(['--store', store, '--tasks', dir, '--port', '0', '--poll-every', '200ms', '--lease-ttl', '2s']);
      procs.push(p);
      base = p.url!;
      return p;
    };
    let server: ServeProcess;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-operate-'));
      fs.writeFileSync(path.join(dir, 'flaky.task.yaml'), flaky(dir));
      fs.writeFileSync(path.join(dir, 'pinned.task.yaml'), waiting('done', 'version one'));
      if (kind === 'postgres') {
        const db = await freshDatabase('operate');
        cleanups.push(db.drop);
        store = db.url;
      } else {
        store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-operate-store-'));
      }
      server = await start();
    });

    const get = (p: string) => call(base, 'GET', p);
    const post = (p: string, body?: unknown) => call(base, 'POST', p, body);
    const ended = (id: string) => until(`run ${id} to end`, async () => ((await get(`/v1/runs/${id}`)).json.run.endedAt ? (await get(`/v1/runs/${id}`)).json.run : undefined));
    const side = () => fs.readFileSync(path.join(dir, 'side.txt'), 'utf8');

    test('POST /v1/runs/{id}/retry continues from where the run failed without doing prep again', async () => {
      const a = await post('/v1/runs', { task: 'flaky' });
      assert.equal(a.status, 201, JSON.stringify(a.json));
      const id = a.json.run.id as string;
      assert.equal((await ended(id)).status, 'failed');
      assert.equal(side(), 'prep\n');

      const running = await post('/v1/runs', { task: 'pinned' });
      const refused = await post(`/v1/runs/${running.json.run.id}/retry`);
      assert.equal(refused.status, 409, JSON.stringify(refused.json));
      assert.match(refused.json.error.message, /has not ended/);
      assert.equal((await post(`/v1/runs/${id}/retry`, { from: 'nowhere' })).json.error.code, 'cannot-retry');
      assert.equal((await post(`/v1/runs/${id}/retry`, { from: 7 })).status, 400);

      fs.writeFileSync(path.join(dir, 'ok'), '');
      const r = await post(`/v1/runs/${id}/retry`);
      assert.equal(r.status, 201, JSON.stringify(r.json));
      assert.equal(r.json.retryOf, id);
      assert.equal(r.json.from, 'work');
      const newId = r.json.run.id as string;
      assert.notEqual(newId, id);
      assert.equal((await ended(newId)).status, 'succeeded');
      assert.equal(side(), 'prep\n', 'prep was taken from the journal');
      const journal = (await get(`/v1/runs/${newId}`)).json.run.journal as JournalEvent[];
      assert.equal(journal[0].type === 'run-started' && journal[0].retryOf, id);
      fs.rmSync(path.join(dir, 'ok'));
      await post(`/v1/runs/${running.json.run.id}/cancel`);
    });

    test('POST /v1/runs/bulk acts on every run that matches the filter, and needs a filter', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await post('/v1/runs', { task: 'pinned' })).json.run.id);
      await until('the runs to wait', async () => {
        for (const id of ids) if ((await get(`/v1/runs/${id}`)).json.run.state !== 'waiting') return false;
        return true;
      });
      assert.equal((await post('/v1/runs/bulk', { action: 'cancel' })).status, 400);
      assert.equal((await post('/v1/runs/bulk', { action: 'explode', task: 'pinned' })).status, 400);
      const paused = await post('/v1/runs/bulk', { action: 'pause', task: 'pinned', status: 'running' });
      assert.equal(paused.status, 200, JSON.stringify(paused.json));
      assert.deepEqual(new Set(paused.json.results.map((r: { id: string }) => r.id)), new Set(ids));
      await until('the runs to pause', async () => {
        for (const id of ids) if ((await get(`/v1/runs/${id}`)).json.run.status !== 'paused') return false;
        return true;
      });
      const cancelled = await post('/v1/runs/bulk', { action: 'cancel', task: 'pinned', status: 'paused', reason: 'bulk test' });
      assert.equal(cancelled.json.matched, 3);
      assert.ok(cancelled.json.results.every((r: { ok: boolean }) => r.ok), JSON.stringify(cancelled.json));
      for (const id of ids) assert.equal((await ended(id)).status, 'cancelled');

      const retried = await post('/v1/runs/bulk', { action: 'retry', task: 'pinned', status: 'cancelled', from: 'waiting' });
      const results = retried.json.results as Array<{ id: string; ok: boolean; run: { id: string } }>;
      for (const id of ids) assert.ok(results.some((r) => r.id === id && r.ok), `${id} retried: ${JSON.stringify(retried.json)}`);
      const fresh = results.map((r) => r.run.id);
      for (const id of fresh) {
        await until(`retry ${id} to wait`, async () => (await get(`/v1/runs/${id}`)).json.run.state === 'waiting');
        assert.equal((await post(`/v1/runs/${id}/cancel`)).status < 300, true);
      }
    });

    test('a run keeps its task version across a kill of the server and an edit of the file', async () => {
      const id = (await post('/v1/runs', { task: 'pinned' })).json.run.id as string;
      await until('the run to wait', async () => (await get(`/v1/runs/${id}`)).json.run.state === 'waiting');
      await server.kill('SIGKILL');
      fs.writeFileSync(path.join(dir, 'pinned.task.yaml'), waiting('finished', 'version two'));
      server = await start();
      await until('the event to be taken', async () => (await post(`/v1/runs/${id}/events`, { name: 'go' })).status === 202);
      const final = await ended(id);
      assert.equal(final.status, 'succeeded');
      const journal = (await get(`/v1/runs/${id}`)).json.run.journal as JournalEvent[];
      assert.deepEqual(journal.filter((e) => e.type === 'state-entered').map((e) => (e as { state: string }).state), ['waiting', 'done']);
      assert.deepEqual(journal.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message), ['version one']);
    });
  });
}
