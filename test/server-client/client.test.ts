// The extension's server client (extension/server/client.ts, mirror.ts) against a real
// `stepwise serve` process (dist/cli.js) over a copy of samples/: REST calls, the watch stream's
// order, reconnection after the server restarts, 401 without the token, an unknown task.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServerClient, ServerError, SseParser, parseServerUrl, type SseMessage, type WatchedEvent } from '../../extension/server/client';
import { ServerRunsMirror, type ConnectionState } from '../../extension/server/mirror';
import { serve, type ServeProcess } from '../postgres/procs';
import { samplesDir } from '../postgres/samples';

const procs: ServeProcess[] = [];
const mirrors: ServerRunsMirror[] = [];
after(async () => {
  for (const m of mirrors) m.stop();
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
});

function samplesCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-client-tasks-'));
  fs.cpSync(samplesDir, dir, { recursive: true });
  return dir;
}

function tempStore(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-client-store-'));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const p = await serve(['--quiet', ...args], env);
  procs.push(p);
  return p;
}

function mirrorOf(client: ServerClient): ServerRunsMirror {
  const m = new ServerRunsMirror(client, { minBackoffMs: 100, maxBackoffMs: 1000 });
  mirrors.push(m);
  return m;
}

describe('SseParser', () => {
  test('parses events split anywhere, CRLF and LF, multi-line data, comments and ids', () => {
    const text = ': stepwise event stream\r\n\r\nid: a:1\r\nevent: journal\r\ndata: {"x":1}\r\n\r\n: ping\n\nevent: end\ndata: line1\ndata: line2\n\ndata\n\n';
    for (const size of [1, 2, 3, 7, text.length]) {
      const got: SseMessage[] = [];
      const p = new SseParser((m) => got.push(m));
      for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
      assert.deepEqual(
        got,
        [
          { event: 'journal', id: 'a:1', data: '{"x":1}' },
          { event: 'end', id: 'a:1', data: 'line1\nline2' },
          { event: 'message', id: 'a:1', data: '' },
        ],
        `chunks of ${size}`,
      );
    }
  });

  test('a server URL setting is checked with a message that says what is wrong', () => {
    assert.equal(parseServerUrl('http://127.0.0.1:8080/').href, 'http://127.0.0.1:8080/');
    assert.equal(parseServerUrl(' https://ops.example.com/stepwise/ ').pathname, '/stepwise');
    assert.throws(() => parseServerUrl('localhost:8080'), /not an http:\/\/ or https:\/\/ URL/);
    assert.throws(() => parseServerUrl('not a url'), /is not a URL/);
    assert.throws(() => parseServerUrl('http://me:pw@host:1'), /Set Server Token/);
  });
});

describe('client against stepwise serve (file store, samples)', () => {
  let server: ServeProcess;
  let client: ServerClient;
  before(async () => {
    server = await start(['--store', tempStore(), '--tasks', samplesCopy(), '--port', '0']);
    client = new ServerClient({ url: server.url! });
  });

  test('lists the served tasks; a rejected sample is reported with its errors', async () => {
    const t = await client.tasks();
    const names = t.tasks.map((x) => x.name);
    for (const n of ['hello', 'approval', 'deploy']) assert.ok(names.includes(n), `${n} in ${names}`);
    assert.ok(t.rejected.some((r) => r.file.endsWith('broken.task.yaml') && r.errors.length > 0));
  });

  test('an unknown task is a task-not-found error naming the known tasks', async () => {
    const err = await client.startRun('no-such-task').then(
      () => assert.fail('started'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ServerError);
    assert.equal(err.status, 404);
    assert.equal(err.code, 'task-not-found');
    assert.match(err.message, /No task named 'no-such-task'\. Known tasks: .*hello/);
  });

  test('bad input is invalid-input with the reason', async () => {
    const err = await client.startRun('hello', { name: 42 }).then(
      () => assert.fail('started'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ServerError);
    assert.equal(err.code, 'invalid-input');
    assert.match(err.message, /name/);
  });

  test('the watch stream delivers each run’s journal in order, and the mirror follows it live', async () => {
    const mirror = mirrorOf(client);
    const seen = new Map<string, WatchedEvent[]>();
    mirror.onJournal((e) => seen.set(e.runId, [...(seen.get(e.runId) ?? []), e]));
    mirror.start();
    await until('the mirror to connect', () => mirror.state.kind === 'connected');

    const hello = await client.startRun('hello', { name: 'Ada' });
    const approval = await client.startRun('approval');
    mirror.upsert(approval);
    // The run's status can reach the mirror (its summary) before the stream's last append does:
    // since durability points, the steps after run-started arrive together with run-ended.
    const done = await until('hello to succeed in the mirror, its end streamed', () => mirror.get(hello.id)?.status === 'succeeded' && seen.get(hello.id)?.some((e) => e.type === 'run-ended') && mirror.get(hello.id));
    assert.equal(done.task, 'hello');
    assert.equal(done.state, 'done');
    assert.ok(done.endedAt);

    const detail = await client.getRun(hello.id);
    // Every entry arrives once, in the journal's order, whichever way it arrived (stream or detail).
    const got = seen.get(hello.id)!.map((e) => `${e.seq}:${e.type}`);
    assert.deepEqual(got, detail.journal.map((e) => `${e.seq}:${e.type}`));
    assert.deepEqual(seen.get(hello.id)!.map((e) => e.seq), detail.journal.map((_, i) => i + 1));

    await until('approval to wait', () => mirror.get(approval.id)?.state === 'wait');
    assert.equal(mirror.get(approval.id)!.status, 'running');
    await client.sendEvent(approval.id, 'approved', { by: 'ada' });
    const ok = await until('approval to succeed', () => mirror.get(approval.id)?.status === 'succeeded' && mirror.get(approval.id));
    assert.equal(ok.state, 'done');
    const approvalSeqs = seen.get(approval.id)!.map((e) => e.seq);
    assert.deepEqual(approvalSeqs, approvalSeqs.map((_, i) => i + 1));
    assert.ok(seen.get(approval.id)!.some((e) => e.type === 'event-received' && e.name === 'approved'));

    // Runs in the list are newest first.
    const ids = mirror.list().map((r) => r.id);
    assert.ok(ids.indexOf(approval.id) < ids.indexOf(hello.id) || mirror.get(approval.id)!.createdAt === mirror.get(hello.id)!.createdAt);
    mirror.stop();
  });

  test('pause, resume and cancel through the API show in the mirror', async () => {
    const mirror = mirrorOf(client);
    mirror.start();
    await until('the mirror to connect', () => mirror.state.kind === 'connected');
    const run = await client.startRun('approval');
    await until('the run to wait', () => mirror.get(run.id)?.state === 'wait');
    assert.equal((await client.control(run.id, 'pause')).run.status, 'paused');
    await until('paused in the mirror', () => mirror.get(run.id)?.status === 'paused');
    assert.equal((await client.control(run.id, 'resume')).run.status, 'running');
    await until('running again in the mirror', () => mirror.get(run.id)?.status === 'running');
    await client.control(run.id, 'cancel', 'not needed');
    const r = await until('cancelled in the mirror', () => mirror.get(run.id)?.status === 'cancelled' && mirror.get(run.id));
    assert.equal(r.reason, 'cancelled');
    assert.equal(r.error, 'not needed');
    const err = await client.sendEvent(run.id, 'approved', { by: 'late' }).then(
      () => assert.fail('sent'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ServerError);
    assert.equal(err.code, 'run-ended');
    mirror.stop();
  });

  test('a run’s own watch stream ends with the run', async () => {
    const run = await client.startRun('hello');
    const events: string[] = [];
    const stream = await client.watchRun(run.id, (e) => events.push(e.type));
    await stream.closed;
    assert.equal(events[0], 'run-started');
    assert.equal(events.at(-1), 'run-ended');
  });
});

describe('reconnection', () => {
  test('the mirror says it is disconnected while the server is down, then reconnects and catches up', async () => {
    const port = await freePort();
    const store = tempStore();
    const tasks = samplesCopy();
    let server = await start(['--store', store, '--tasks', tasks, '--port', String(port)]);
    const client = new ServerClient({ url: server.url! });
    const mirror = mirrorOf(client);
    const states: ConnectionState['kind'][] = [];
    mirror.onDidChangeState((s) => states.push(s.kind));
    mirror.start();
    await until('the mirror to connect', () => mirror.state.kind === 'connected');
    const before = await client.startRun('hello');
    await until('the first run to succeed', () => mirror.get(before.id)?.status === 'succeeded');

    await server.kill('SIGTERM');
    const down = await until('the mirror to notice', () => mirror.state.kind === 'disconnected' && mirror.state);
    assert.match(down.error, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.ok(down.retryAt > 0);
    // While the server is down, retries fail and stay disconnected.
    await until('a failed retry', () => states.filter((s) => s === 'connecting').length >= 3);
    assert.equal(mirror.get(before.id)?.status, 'succeeded', 'the runs known stay listed while disconnected');

    server = await start(['--store', store, '--tasks', tasks, '--port', String(port)]);
    await until('the mirror to reconnect', () => mirror.state.kind === 'connected', 60_000);
    assert.equal(mirror.get(before.id)?.status, 'succeeded', 'the snapshot after reconnecting has the older run');
    const afterRun = await client.startRun('hello', { name: 'again' });
    await until('a run started after the restart to show live', () => mirror.get(afterRun.id)?.status === 'succeeded');
    mirror.stop();
    assert.equal(mirror.state.kind, 'stopped');
  });
});

describe('token', () => {
  let base = '';
  before(async () => {
    const server = await start(['--store', tempStore(), '--tasks', samplesCopy(), '--port', '0'], { STEPWISE_TOKEN: 's3cret-token' });
    base = server.url!;
  });

  test('without the token: 401 with a message that says to set it; the mirror stops at unauthorized', async () => {
    const anonymous = new ServerClient({ url: base });
    assert.equal((await anonymous.health()).ok, true, '/v1/health is public');
    for (const call of [() => anonymous.listRuns(), () => anonymous.startRun('hello'), () => anonymous.watch(() => undefined)]) {
      const err = await call().then(
        () => assert.fail('answered'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ServerError);
      assert.equal(err.status, 401);
      assert.equal(err.code, 'unauthorized');
      assert.match(err.message, /needs a token and none is set for it.*Set Server Token/);
    }
    const mirror = mirrorOf(anonymous);
    mirror.start();
    const s = await until('unauthorized', () => mirror.state.kind === 'unauthorized' && mirror.state);
    assert.match(s.error, /Set Server Token/);
    mirror.stop();
  });

  test('a wrong token is refused; the right one works, and is never in an error message', async () => {
    const wrong = new ServerClient({ url: base, token: 'wrong-token' });
    const err = await wrong.listRuns().then(
      () => assert.fail('answered'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ServerError);
    assert.match(err.message, /not the one it was started with/);
    assert.doesNotMatch(err.message, /wrong-token/);
    const right = new ServerClient({ url: base, token: 's3cret-token' });
    const run = await right.startRun('hello');
    const mirror = mirrorOf(right);
    mirror.start();
    await until('the run in the mirror', () => mirror.get(run.id)?.status === 'succeeded');
    mirror.stop();
  });
});
