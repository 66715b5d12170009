// Who may talk to `stepwise serve`, over the wire, with the requests a web page makes: a page that
// rebinds its own name to 127.0.0.1 (its name comes as Host), and a page that posts to the server
// from another origin (Origin, Sec-Fetch-Site). Clients that are not browsers keep working.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import type { JournalEvent } from '../../engine/journal/events';
import { ServerClient } from '../../extension/server/client';
import { serve, type ServeProcess } from '../postgres/procs';
import { call, rawRequest, until, type Answer } from './client';
import { tasksFolder } from './tasks';

const procs: ServeProcess[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
});

async function start(args: string[] = []): Promise<{ base: string; port: string }> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-trust-store-'));
  const p = await serve(['--store', store, '--tasks', tasksFolder(), '--port', '0', ...args]);
  procs.push(p);
  return { base: p.url!, port: new URL(p.url!).port };
}

function assertRefused(a: Answer, code: string, message: RegExp): void {
  assert.equal(a.status, 403, JSON.stringify(a.json));
  assert.equal(a.json?.error?.code, code, JSON.stringify(a.json));
  assert.match(a.json.error.message, message);
}

const json = { 'content-type': 'application/json' };

describe('a server without a token, on loopback', () => {
  let base = '';
  let port = '';
  before(async () => ({ base, port } = await start()));

  const startWait = async (): Promise<string> => {
    const a = await call(base, 'POST', '/v1/runs', { task: 'wait' });
    assert.equal(a.status, 201, JSON.stringify(a.json));
    const id = a.json.run.id as string;
    await until('the run to wait', async () => (await call(base, 'GET', `/v1/runs/${id}`)).json.run.journal.some((e: JournalEvent) => e.type === 'instruction-finished'));
    return id;
  };

  test('refuses a foreign Host (DNS rebinding): it lists nothing and starts nothing', async () => {
    const host = `rebind.attacker.example:${port}`;
    const listed = (await call(base, 'GET', '/v1/runs')).json.runs.length;
    assertRefused(await rawRequest(base, 'GET', '/v1/runs', { host }), 'host-not-allowed', /rebind\.attacker\.example.*127\.0\.0\.1.*token/s);
    assertRefused(await rawRequest(base, 'POST', '/v1/runs', { host, ...json }, JSON.stringify({ task: 'greet' })), 'host-not-allowed', /loopback/);
    assertRefused(await rawRequest(base, 'GET', '/v1/watch', { host }), 'host-not-allowed', /loopback/);
    assertRefused(await rawRequest(base, 'GET', '/v1/health', { host }), 'host-not-allowed', /loopback/);
    assert.equal((await call(base, 'GET', '/v1/runs')).json.runs.length, listed, 'no run was started');
  });

  test('answers the loopback names, with or without the port, in any case', async () => {
    for (const host of ['127.0.0.1', `127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`, `127.0.0.2:${port}`]) {
      assert.equal((await rawRequest(base, 'GET', '/v1/runs', { host })).status, 200, host);
    }
  });

  test('refuses a request from a page of another origin that would change a run', async () => {
    const id = await startWait();
    const host = `127.0.0.1:${port}`;
    // What a page's `fetch(url, { method: 'POST', mode: 'no-cors' })` or a form sends: no content type.
    assertRefused(await rawRequest(base, 'POST', `/v1/runs/${id}/cancel`, { host, origin: 'https://evil.example' }), 'cross-site-request', /another origin/);
    assertRefused(await rawRequest(base, 'POST', `/v1/runs/${id}/pause`, { host, origin: 'null' }), 'cross-site-request', /another origin/);
    // Another port of the same machine is another origin (a local dev server's page).
    assertRefused(await rawRequest(base, 'POST', `/v1/runs/${id}/pause`, { host, origin: 'http://127.0.0.1:1' }), 'cross-site-request', /another origin/);
    assertRefused(await rawRequest(base, 'POST', `/v1/runs/${id}/cancel`, { host, 'sec-fetch-site': 'cross-site' }), 'cross-site-request', /another/);
    assertRefused(await rawRequest(base, 'POST', `/v1/runs/${id}/cancel`, { host, 'sec-fetch-site': 'same-site' }), 'cross-site-request', /another/);
    assertRefused(
      await rawRequest(base, 'POST', `/v1/runs/${id}/events`, { host, origin: 'https://evil.example', ...json }, JSON.stringify({ name: 'go', data: { ok: true } })),
      'cross-site-request',
      /another origin/,
    );
    assertRefused(await rawRequest(base, 'POST', '/v1/runs', { host, origin: 'https://evil.example', 'content-type': 'text/plain' }, '{"task":"greet"}'), 'cross-site-request', /another origin/);
    const run = (await call(base, 'GET', `/v1/runs/${id}`)).json.run;
    assert.equal(run.status, 'running', 'the run was neither paused nor cancelled');
    assert.equal(run.endedAt ?? null, null);
    // The same request from the server's own origin, or from a tool that sends no Origin, is fine.
    const same = await rawRequest(base, 'POST', `/v1/runs/${id}/pause`, { host, origin: `http://${host}`, 'sec-fetch-site': 'same-origin' });
    assert.equal(same.status, 200, JSON.stringify(same.json));
    const plain = await rawRequest(base, 'POST', `/v1/runs/${id}/cancel`, { host });
    assert.equal(plain.status, 200, JSON.stringify(plain.json));
    assert.equal(plain.json.run.status, 'cancelled');
  });

  test("reads from another origin stay open (a browser does not let the page read them); the extension's client works", async () => {
    assert.equal((await rawRequest(base, 'GET', '/v1/runs', { host: `127.0.0.1:${port}`, origin: 'https://evil.example' })).status, 200);
    const client = new ServerClient({ url: base });
    assert.equal((await client.health()).ok, true);
    const run = await client.startRun('wait');
    const seen: JournalEvent[] = [];
    const stream = await client.watchRun(run.id, (e) => seen.push(e));
    await until('the run to wait', async () => seen.some((e) => e.type === 'instruction-finished'));
    assert.equal((await client.control(run.id, 'pause')).run.status, 'paused');
    assert.equal((await client.control(run.id, 'cancel')).run.status, 'cancelled');
    await stream.closed;
    assert.equal(seen[seen.length - 1].type, 'run-ended');
    assert.ok((await client.listRuns()).runs.some((r) => r.id === run.id));
  });

  test('property: any Host but a loopback name is refused', async () => {
    const loopback = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i;
    const hosts = fc.oneof(
      fc.constantFrom('localhost', '127.0.0.1', '[::1]', '127.255.0.9').chain((h) => fc.option(fc.integer({ min: 1, max: 65535 })).map((p) => (p === null ? h : `${h}:${p}`))),
      fc.domain().map((d) => `${d}:${port}`),
      fc.constantFrom('localhost.attacker.example', '127.0.0.1.nip.io', 'attacker.example:127.0.0.1', '[::1].evil', 'localhost:80@evil', '0.0.0.0', '[::]'),
      fc.ipV4().map((ip) => `${ip}:${port}`),
      fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
    );
    await fc.assert(
      fc.asyncProperty(hosts, async (host) => {
        const a = await rawRequest(base, 'GET', '/v1/runs?limit=1', { host });
        if (loopback.test(host)) assert.equal(a.status, 200, `${host}: ${JSON.stringify(a.json)}`);
        else assert.equal(a.json?.error?.code, 'host-not-allowed', `${host} was let through: ${a.status} ${JSON.stringify(a.json)}`);
      }),
      { numRuns: 150 },
    );
  });
});

describe('a server with a token', () => {
  test('takes any Host with the token (the name a reverse proxy passes on); still refuses other origins', async () => {
    const { base } = await start(['--token', 's3cret']);
    const auth = { authorization: 'Bearer s3cret' };
    assert.equal((await rawRequest(base, 'GET', '/v1/runs', { host: 'stepwise.example.com', ...auth })).status, 200);
    assert.equal((await rawRequest(base, 'GET', '/v1/runs', { host: 'stepwise.example.com' })).status, 401);
    const started = await rawRequest(base, 'POST', '/v1/runs', { host: 'stepwise.example.com', origin: 'https://evil.example', ...auth, ...json }, '{"task":"greet"}');
    assertRefused(started, 'cross-site-request', /another origin/);
  });

  test('--allowed-hosts: only those names and loopback ones, token or not', async () => {
    const { base, port } = await start(['--token', 's3cret', '--allowed-hosts', 'stepwise.example.com, Other.Example']);
    const auth = { authorization: 'Bearer s3cret' };
    for (const host of ['stepwise.example.com', 'STEPWISE.example.com:443', `other.example:${port}`, `localhost:${port}`]) {
      assert.equal((await rawRequest(base, 'GET', '/v1/runs', { host, ...auth })).status, 200, host);
    }
    assertRefused(await rawRequest(base, 'GET', '/v1/runs', { host: 'rebind.attacker.example', ...auth }), 'host-not-allowed', /allowed-hosts/);

    const open = await start(['--allowed-hosts', 'stepwise.internal']);
    assert.equal((await rawRequest(open.base, 'GET', '/v1/runs', { host: `stepwise.internal:${open.port}` })).status, 200);
    assertRefused(await rawRequest(open.base, 'GET', '/v1/runs', { host: `rebind.attacker.example:${open.port}` }), 'host-not-allowed', /allowed-hosts/);
  });

  test('--allowed-hosts refuses an entry that is not a host name', async () => {
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-trust-store-'));
    await assert.rejects(serve(['--store', store, '--port', '0', '--allowed-hosts', 'https://stepwise.example.com/']), (err: Error) => {
      assert.match(err.message, /exited \(2\)/);
      assert.match(err.message, /--allowed-hosts.*host name/);
      return true;
    });
  });
});
