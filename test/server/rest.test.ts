// The REST service end to end, on PostgreSQL and on the embedded file store: every endpoint,
// bad input answered with clear 4xx JSON errors, the watch streams, the bearer token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalEvent } from '../../engine/journal/events';
import { freshDatabase } from '../postgres/helpers';
import { serve, type ServeProcess } from '../postgres/procs';
import { root } from '../postgres/samples';
import { call, readSse, until, type Answer } from './client';
import { GREET, tasksFolder } from './tasks';

const procs: ServeProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  for (const c of cleanups) await c();
});

function assertError(a: Answer, status: number, code: string, message?: RegExp): void {
  assert.equal(a.status, status, JSON.stringify(a.json));
  assert.equal(typeof a.json, 'object', `not JSON: ${a.json}`);
  assert.equal(a.json.error?.code, code, JSON.stringify(a.json));
  assert.equal(typeof a.json.error.message, 'string');
  assert.ok(a.json.error.message.length > 10, 'the message says something');
  if (message) assert.match(a.json.error.message, message);
}

for (const kind of ['postgres', 'file'] as const) {
  describe(`REST on the ${kind} store`, () => {
    let base = '';
    let dir = '';
    before(async () => {
      dir = tasksFolder();
      let store: string;
      if (kind === 'postgres') {
        const db = await freshDatabase('rest');
        cleanups.push(db.drop);
        store = db.url;
      } else {
        store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-rest-store-'));
      }
      const p = await serve(['--store', store, '--tasks', dir, '--port', '0', '--poll-every', '200ms', '--lease-ttl', '5s']);
      procs.push(p);
      base = p.url!;
    });

    const get = (p: string) => call(base, 'GET', p);
    const post = (p: string, body?: unknown, headers?: Record<string, string>) => call(base, 'POST', p, body, headers);
    const ended = (id: string) => until(`run ${id} to end`, async () => ((await get(`/v1/runs/${id}`)).json.run.endedAt ? (await get(`/v1/runs/${id}`)).json.run : undefined));
    const startWait = async () => {
      const a = await post('/v1/runs', { task: 'wait' });
      assert.equal(a.status, 201, JSON.stringify(a.json));
      const id = a.json.run.id as string;
      // Wait until it is in its waiting state (and, on PostgreSQL, released by its worker).
      await until('the run to wait', async () => (await get(`/v1/runs/${id}`)).json.run.journal.some((e: JournalEvent) => e.type === 'instruction-finished'));
      return id;
    };

    test('health, the OpenAPI document and the tasks', async () => {
      const h = await get('/v1/health');
      assert.equal(h.status, 200);
      assert.equal(h.json.ok, true);
      assert.equal(h.json.store, kind);
      const doc = await get('/v1/openapi.json');
      assert.equal(doc.status, 200);
      assert.deepEqual(doc.json, JSON.parse(fs.readFileSync(path.join(root, 'engine', 'server', 'openapi.json'), 'utf8')));
      for (const p of ['/v1/runs', '/v1/runs/{id}', '/v1/runs/{id}/events', '/v1/runs/{id}/pause', '/v1/runs/{id}/resume', '/v1/runs/{id}/cancel', '/v1/runs/{id}/watch', '/v1/watch', '/v1/tasks']) {
        assert.ok(doc.json.paths[p], `the document describes ${p}`);
      }
      const t = await get('/v1/tasks');
      assert.equal(t.status, 200);
      assert.deepEqual(t.json.tasks.map((x: { name: string }) => x.name), ['greet', 'wait']);
      assert.deepEqual(t.json.tasks[0].inputs.map((i: { name: string }) => i.name), ['name', 'times']);
      assert.equal(t.json.rejected.length, 1);
      assert.equal(t.json.rejected[0].name, 'broken');
      assert.ok(t.json.rejected[0].errors.length >= 1);
      assert.ok(t.json.rejected[0].errors.every((e: { line: number; message: string; code: string }) => e.line >= 1 && e.message && e.code));
    });

    test('start a run, read it with its journal, list it with filters and paging', async () => {
      const a = await post('/v1/runs', { task: 'greet', input: { name: 'Ada' } });
      assert.equal(a.status, 201, JSON.stringify(a.json));
      assert.equal(a.headers.get('location'), `/v1/runs/${a.json.run.id}`);
      assert.equal(a.json.run.task, 'greet');
      const run = await ended(a.json.run.id);
      assert.equal(run.status, 'succeeded');
      assert.equal(run.state, 'done');
      assert.deepEqual(run.input, { name: 'Ada', times: 1 });
      assert.equal(run.data.greeting, 'Hello, Ada!');
      assert.deepEqual(run.journal.map((e: JournalEvent) => e.seq), run.journal.map((_: unknown, i: number) => i + 1));
      assert.equal(run.journal[0].type, 'run-started');
      assert.equal(run.journal[run.journal.length - 1].type, 'run-ended');

      const b = await post('/v1/runs', { task: 'greet' });
      await ended(b.json.run.id);
      const all = await get('/v1/runs?task=greet&status=succeeded&state=done');
      assert.equal(all.status, 200);
      assert.ok(all.json.runs.length >= 2);
      assert.ok(all.json.runs.every((r: { task: string; status: string }) => r.task === 'greet' && r.status === 'succeeded'));
      // Newest first, one per page, the cursor leading through all of them.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Answer = await get(`/v1/runs?task=greet&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        assert.equal(page.status, 200, JSON.stringify(page.json));
        assert.ok(page.json.runs.length <= 1);
        seen.push(...page.json.runs.map((r: { id: string }) => r.id));
        cursor = page.json.next;
      } while (cursor);
      assert.deepEqual(seen, all.json.runs.map((r: { id: string }) => r.id));
      assert.equal(seen[0], b.json.run.id);
      assert.deepEqual((await get('/v1/runs?task=nothing-like-it')).json.runs, []);
    });

    test('GET /v1/runs/{id}/source answers the task text the run started with', async () => {
      const a = await post('/v1/runs', { task: 'greet', input: { name: 'Bo' } });
      const run = await ended(a.json.run.id);
      const got = await get(`/v1/runs/${run.id}/source`);
      assert.equal(got.status, 200, JSON.stringify(got.json));
      assert.equal(got.json.source.text, GREET);
      assert.equal(got.json.source.hash, run.journal[0].taskHash);
      assert.equal(got.json.source.file, path.join(dir, 'greet.task.yaml'));
      assertError(await get('/v1/runs/no-such-run/source'), 404, 'run-not-found');
    });

    test("a run's taskHash names the version it started with; once the served file changes, the task's hash differs", async () => {
      const hashOf = async () => (await get('/v1/tasks')).json.tasks.find((t: { name: string }) => t.name === 'wait').hash as string;
      const served = await hashOf();
      assert.match(served, /^[0-9a-f]{64}$/);
      const id = await startWait();
      const detail = (await get(`/v1/runs/${id}`)).json.run;
      assert.equal(detail.taskHash, served);
      assert.equal(detail.journal[0].taskHash, served);
      const listed = (await get('/v1/runs?task=wait&status=running')).json.runs.find((r: { id: string }) => r.id === id);
      assert.equal(listed.taskHash, served);

      fs.appendFileSync(path.join(dir, 'wait.task.yaml'), '# edited while a run of it waits\n');
      const now = await until("the server to serve the edited file", async () => ((await hashOf()) !== served ? hashOf() : undefined));
      assert.match(now, /^[0-9a-f]{64}$/);
      const after = (await get('/v1/runs?task=wait&status=running')).json.runs.find((r: { id: string }) => r.id === id);
      assert.equal(after.taskHash, served, 'the run keeps the version it started with');
      assert.ok([200, 202].includes((await post(`/v1/runs/${id}/cancel`)).status));
    });

    test('bad input to POST /v1/runs: clear 4xx JSON errors', async () => {
      assertError(await post('/v1/runs', '{"task": "greet",'), 400, 'malformed-json', /not valid JSON/);
      assertError(await post('/v1/runs', {}), 400, 'invalid-request', /'task'/);
      assertError(await post('/v1/runs', { task: 42 }), 400, 'invalid-request', /'task'/);
      assertError(await post('/v1/runs', { task: 'greet', input: [1] }), 400, 'invalid-request', /'input'/);
      assertError(await post('/v1/runs', { task: 'greet', inputs: {} }), 400, 'invalid-request', /Unknown field 'inputs'/);
      assertError(await post('/v1/runs', '[]'), 400, 'invalid-request', /JSON object/);
      assertError(await post('/v1/runs', 'task=greet', { 'content-type': 'text/plain' }), 415, 'unsupported-media-type');
      assertError(await post('/v1/runs', { task: 'nope' }), 404, 'task-not-found', /greet, wait/);
      const broken = await post('/v1/runs', { task: 'broken' });
      assertError(broken, 422, 'task-invalid', /lint/);
      assert.ok(Array.isArray(broken.json.error.details) && broken.json.error.details.length >= 1);
      const bad = await post('/v1/runs', { task: 'greet', input: { name: 42, times: 1.5, colour: 'red' } });
      assertError(bad, 422, 'invalid-input');
      assert.equal(bad.json.error.details.length, 3, JSON.stringify(bad.json));
      assert.match(bad.json.error.message, /'colour' is not an input/);
      assert.match(bad.json.error.message, /input 'name' must be of type string/);
    });

    test('bad queries and unknown things', async () => {
      assertError(await get('/v1/runs?status=done'), 400, 'invalid-query', /status/);
      assertError(await get('/v1/runs?limit=0'), 400, 'invalid-query', /limit/);
      assertError(await get('/v1/runs?limit=ten'), 400, 'invalid-query', /limit/);
      assertError(await get('/v1/runs?cursor=bogus'), 400, 'invalid-query', /cursor/);
      assertError(await get('/v1/runs?colour=red'), 400, 'invalid-query', /colour/);
      assertError(await get('/v1/runs/no-such-run'), 404, 'run-not-found');
      assertError(await get('/v1/runs/..%2Fetc'), 404, 'run-not-found');
      assertError(await get('/v1/nothing'), 404, 'not-found');
      assertError(await post('/v1/runs/no-such-run/events', { name: 'go' }), 404, 'run-not-found');
      assertError(await post('/v1/runs/no-such-run/pause'), 404, 'run-not-found');
      assertError(await get('/v1/runs/no-such-run/watch'), 404, 'run-not-found');
    });

    test('send an event; an event to a finished run is refused', async () => {
      const id = await startWait();
      assertError(await post(`/v1/runs/${id}/events`, {}), 400, 'invalid-request', /'name'/);
      assertError(await post(`/v1/runs/${id}/events`, { name: '' }), 400, 'invalid-request', /'name'/);
      assertError(await post(`/v1/runs/${id}/events`, { name: 'go', date: 1 }), 400, 'invalid-request', /'date'/);
      // An event the transition does not accept stays pending; the next one moves the run on.
      const a = await post(`/v1/runs/${id}/events`, { name: 'go', data: { ok: false } });
      assert.equal(a.status, 202, JSON.stringify(a.json));
      assert.equal(a.json.event.name, 'go');
      const b = await post(`/v1/runs/${id}/events`, { name: 'go', data: { ok: true, by: 'ada' } });
      assert.equal(b.status, 202);
      const run = await ended(id);
      assert.equal(run.status, 'succeeded');
      assert.equal(run.data.by, 'ada');
      assertError(await post(`/v1/runs/${id}/events`, { name: 'go', data: { ok: true } }), 409, 'run-ended', /ended/);
    });

    test('pause, resume and cancel', async () => {
      const id = await startWait();
      const p = await post(`/v1/runs/${id}/pause`);
      assert.equal(p.status, 200, JSON.stringify(p.json));
      assert.equal(p.json.run.status, 'paused');
      assert.equal((await post(`/v1/runs/${id}/pause`)).json.run.status, 'paused');
      assertError(await post(`/v1/runs/${id}/pause`, { reason: 7 }), 400, 'invalid-request', /'reason'/);
      // An event sent while paused waits for the resume.
      assert.equal((await post(`/v1/runs/${id}/events`, { name: 'go', data: { ok: false } })).status, 202);
      const r = await post(`/v1/runs/${id}/resume`);
      assert.equal(r.status, 200, JSON.stringify(r.json));
      assert.equal(r.json.run.status, 'running');
      assertError(await post(`/v1/runs/${id}/resume`), 409, 'not-paused');
      // The resumed run takes the waiting event from its inbox (on PostgreSQL, after the resume has
      // answered): a cancel sent before that would rightly end it without the event.
      await until('the event sent while paused to be received', async () => (await get(`/v1/runs/${id}`)).json.run.journal.some((e: JournalEvent) => e.type === 'event-received'));
      const c = await post(`/v1/runs/${id}/cancel`, { reason: 'not needed' });
      assert.equal(c.status, 200, JSON.stringify(c.json));
      assert.equal(c.json.run.status, 'cancelled');
      const run = (await get(`/v1/runs/${id}`)).json.run;
      const types = run.journal.map((e: JournalEvent) => e.type);
      assert.ok(types.includes('run-paused') && types.includes('run-resumed') && types.includes('event-received'), types.join(' '));
      assert.equal(types[types.length - 1], 'run-ended');
      assertError(await post(`/v1/runs/${id}/cancel`), 409, 'run-ended');
      assertError(await post(`/v1/runs/${id}/pause`), 409, 'run-ended');
    });

    test('the watch stream delivers every event of a run, in order, then ends', async () => {
      const id = await startWait();
      const stream = readSse(`${base}/v1/runs/${id}/watch`, (e) => e.event === 'end', {
        onOpen: async () => {
          await post(`/v1/runs/${id}/events`, { name: 'go', data: { ok: true, by: 'watcher' } });
        },
      });
      const { status, events, contentType } = await stream;
      assert.equal(status, 200);
      assert.match(contentType ?? 'text/event-stream', /text\/event-stream/);
      const journal = events.filter((e) => e.event === 'journal');
      const stored = (await get(`/v1/runs/${id}`)).json.run.journal as JournalEvent[];
      assert.deepEqual(journal.map((e) => e.data), stored, 'the stream is the journal, entry by entry');
      assert.deepEqual(journal.map((e) => Number(e.id)), stored.map((e) => e.seq));
      assert.deepEqual(events[events.length - 1], { event: 'end', data: { runId: id, status: 'succeeded', reason: null } });

      // From a given seq (and with Last-Event-ID), only what follows it.
      const from = await readSse(`${base}/v1/runs/${id}/watch?from=3`, (e) => e.event === 'end');
      assert.deepEqual(from.events.filter((e) => e.event === 'journal').map((e) => e.data.seq), stored.slice(3).map((e) => e.seq));
      const resumed = await readSse(`${base}/v1/runs/${id}/watch`, (e) => e.event === 'end', { headers: { 'last-event-id': String(stored.length - 1) } });
      assert.deepEqual(resumed.events.map((e) => e.event), ['journal', 'end']);
      const none = await readSse(`${base}/v1/runs/${id}/watch?from=${stored.length}`, (e) => e.event === 'end');
      assert.deepEqual(none.events.map((e) => e.event), ['end']);
      assertError(await get(`/v1/runs/${id}/watch?from=-1`), 400, 'invalid-query', /from/);
    });

    test('GET /v1/watch streams the runs started while it is open', async () => {
      let runId = '';
      const { events } = await readSse(
        `${base}/v1/watch?task=greet`,
        (e) => e.event === 'journal' && e.data.runId === runId && e.data.type === 'run-ended',
        {
          onOpen: async () => {
            // A run of another task first: filtered out.
            await post('/v1/runs', { task: 'wait' });
            runId = (await post('/v1/runs', { task: 'greet', input: { name: 'stream' } })).json.run.id;
          },
        },
      );
      const mine = events.filter((e) => e.data.runId === runId);
      assert.ok(events.every((e) => e.data.runId === runId), 'only runs of the task asked for');
      const stored = (await get(`/v1/runs/${runId}`)).json.run.journal as JournalEvent[];
      assert.deepEqual(mine.map((e) => e.data.seq), stored.map((e) => e.seq));
      assert.equal(mine[0].data.type, 'run-started');
      assert.equal(mine[0].id, `${runId}:1`);
    });

    test('task files are reloaded when they change; a file that stops linting is rejected', async () => {
      fs.writeFileSync(path.join(dir, 'later.task.yaml'), GREET.replace('name: greet', 'name: later'));
      await until('the new task', async () => (await get('/v1/tasks')).json.tasks.some((t: { name: string }) => t.name === 'later'), 10_000);
      const a = await post('/v1/runs', { task: 'later' });
      assert.equal(a.status, 201);
      assert.equal((await ended(a.json.run.id)).status, 'succeeded');
      fs.writeFileSync(path.join(dir, 'later.task.yaml'), GREET.replace('name: greet', 'name: later').replace('start: hello', 'start: nowhere'));
      await until('the task to be rejected', async () => (await get('/v1/tasks')).json.rejected.some((t: { name: string }) => t.name === 'later'), 10_000);
      assertError(await post('/v1/runs', { task: 'later' }), 422, 'task-invalid');
      fs.rmSync(path.join(dir, 'later.task.yaml'));
    });
  });
}

describe('the bearer token', () => {
  test('required when given: 401 without it or with another, public health and document', async () => {
    const dir = tasksFolder();
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-rest-store-'));
    const p = await serve(['--store', store, '--tasks', dir, '--port', '0', '--token', 's3cret']);
    procs.push(p);
    const none = await call(p.url!, 'GET', '/v1/runs');
    assertError(none, 401, 'unauthorized', /Bearer/);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assertError(await call(p.url!, 'GET', '/v1/runs', undefined, { authorization: 'Bearer wrong' }), 401, 'unauthorized', /not the one/);
    assertError(await call(p.url!, 'POST', '/v1/runs', { task: 'greet' }), 401, 'unauthorized');
    assert.equal((await call(p.url!, 'GET', '/v1/runs', undefined, { authorization: 'Bearer s3cret' })).status, 200);
    assert.equal((await call(p.url!, 'GET', '/v1/health')).status, 200);
    assert.equal((await call(p.url!, 'GET', '/v1/openapi.json')).status, 200);
    const watch = await readSse(`${p.url}/v1/watch`, () => true, { timeoutMs: 3000 });
    assert.equal(watch.status, 401);
    await p.kill();
  });

  test('a non-loopback bind without a token refuses to start; with STEPWISE_TOKEN it starts', async () => {
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-rest-store-'));
    await assert.rejects(serve(['--store', store, '--host', '0.0.0.0', '--port', '0']), (err: Error) => {
      assert.match(err.message, /exited \(2\)/);
      assert.match(err.message, /Refusing to listen on 0\.0\.0\.0 without a token/);
      return true;
    });
    const p = await serve(['--store', store, '--host', '0.0.0.0', '--port', '0'], { STEPWISE_TOKEN: 'from-env' });
    procs.push(p);
    const port = new URL(p.url!).port;
    const local = `http://127.0.0.1:${port}`;
    assert.equal((await call(local, 'GET', '/v1/runs')).status, 401);
    assert.equal((await call(local, 'GET', '/v1/runs', undefined, { authorization: 'Bearer from-env' })).status, 200);
    await p.kill();
  });
});
