// http for real, against a node:http server on 127.0.0.1.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEngine } from '../../engine/runtime/engine';
import type { LoadedTask } from '../../engine/runtime/run';
import { ofType, taskFrom, runToEnd } from '../helpers/tasks';

let server: http.Server;
let base = '';
const hits = new Map<string, number>();

before(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-served-by': 'test' });
        res.end(JSON.stringify(value));
      };
      const key = url.searchParams.get('key') ?? '';
      const hit = (hits.get(`${url.pathname}:${key}`) ?? 0) + 1;
      hits.set(`${url.pathname}:${key}`, hit);
      switch (url.pathname) {
        case '/json':
          return json(200, { hello: 'world', n: 1 });
        case '/echo':
          return json(200, {
            method: req.method,
            query: Object.fromEntries(url.searchParams),
            token: req.headers['x-token'] ?? null,
            contentType: req.headers['content-type'] ?? null,
            body: body ? JSON.parse(body) : null,
          });
        case '/flaky':
          return hit <= 2 ? json(500, { error: 'try again' }) : json(200, { hit });
        case '/always500':
          return json(503, { error: 'down' });
        case '/missing':
          res.writeHead(404, { 'content-type': 'text/plain' });
          return res.end('no such thing');
        case '/slow':
          setTimeout(() => json(200, { slow: true }), 3000).unref();
          return;
        default:
          return json(400, { error: 'unknown path' });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => {
  server.closeAllConnections();
  server.close();
});

function httpTask(httpArgs: string, extra = ''): LoadedTask {
  return taskFrom(`
    version: 1
    name: web
    input:
      base: { type: string }
    start: a
    states:
      a:
        do:
          - http: ${httpArgs}
            as: res
            ${extra}
        next: done
        catch:
          - { to: viaHttp, error: http }
          - { to: viaTimeout, error: timeout }
      done: { final: true }
      viaHttp: { final: true, status: failed }
      viaTimeout: { final: true, status: cancelled }
  `);
}

type Res = { status: number; headers: Record<string, string>; body: unknown };
const res = (s: { data: Record<string, unknown> }) => s.data.res as Res;

describe('http', () => {
  test('GET a JSON endpoint: { status, headers, body } with the body parsed', async () => {
    const { state } = await runToEnd(createEngine(), httpTask(`{ url: "{{ input.base }}/json" }`), { base });
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    const r = res(state);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { hello: 'world', n: 1 });
    assert.equal(r.headers['x-served-by'], 'test');
  });

  test('method, query, headers and a JSON body reach the server', async () => {
    const { state } = await runToEnd(
      createEngine(),
      httpTask(`{ method: put, url: "{{ input.base }}/echo", query: { a: 1, b: "x y" }, headers: { X-Token: "tok-{{ 20 + 22 }}" }, body: { n: "={{ 1 + 1 }}", list: [1, "two"] } }`),
      { base },
    );
    assert.deepEqual(res(state).body, {
      method: 'PUT',
      query: { a: '1', b: 'x y' },
      token: 'tok-42',
      contentType: 'application/json',
      body: { n: 2, list: [1, 'two'] },
    });
  });

  test('a 5xx answer fails the attempt with kind http, and retry tries again', async () => {
    const { state, journal } = await runToEnd(
      createEngine(),
      httpTask(`{ url: "{{ input.base }}/flaky?key=retry1" }`, 'retry: { attempts: 3, delay: 20ms }'),
      { base },
    );
    const failed = ofType(journal, 'instruction-failed');
    assert.deepEqual(failed.map((f) => [f.attempt, f.error.kind, f.retryInMs]), [
      [1, 'http', 20],
      [2, 'http', 20],
    ]);
    assert.match(failed[0].error.message, /500/);
    assert.ok(failed[1].at - failed[0].at >= 15, 'waited about the retry delay');
    assert.equal(res(state).status, 200);
    assert.deepEqual(res(state).body, { hit: 3 });
    assert.equal(state.status, 'succeeded');
  });

  test('a 5xx that lasts goes to `catch: error: http`', async () => {
    const { state, journal } = await runToEnd(createEngine(), httpTask(`{ url: "{{ input.base }}/always500" }`, 'retry: { attempts: 2, delay: 10ms }'), { base });
    assert.equal(ofType(journal, 'instruction-failed').length, 2);
    assert.equal(state.state, 'viaHttp');
  });

  test('a 404 is a result, not a failure', async () => {
    const { state, journal } = await runToEnd(createEngine(), httpTask(`{ url: "{{ input.base }}/missing" }`), { base });
    assert.equal(state.status, 'succeeded');
    assert.equal(res(state).status, 404);
    assert.equal(res(state).body, 'no such thing');
    assert.equal(ofType(journal, 'instruction-failed').length, 0);
  });

  test("http's own timeout: a slow answer fails with kind timeout", async () => {
    const t0 = Date.now();
    const { state, journal } = await runToEnd(createEngine(), httpTask(`{ url: "{{ input.base }}/slow", timeout: 200ms }`), { base });
    assert.ok(Date.now() - t0 < 2500);
    assert.equal(ofType(journal, 'instruction-failed')[0].error.kind, 'timeout');
    assert.equal(state.state, 'viaTimeout');
  });

  test('the instruction timeout also fails a slow request with kind timeout', async () => {
    const t0 = Date.now();
    const { state } = await runToEnd(createEngine(), httpTask(`{ url: "{{ input.base }}/slow" }`, 'timeout: 200ms'), { base });
    assert.ok(Date.now() - t0 < 2500);
    assert.equal(state.state, 'viaTimeout');
  });

  test('a network error fails with kind http', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const { state, journal } = await runToEnd(createEngine(), httpTask(`{ url: "http://127.0.0.1:${port}/x" }`), { base });
    assert.equal(ofType(journal, 'instruction-failed')[0].error.kind, 'http');
    assert.equal(state.state, 'viaHttp');
  });
});
