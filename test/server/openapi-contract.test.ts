// The OpenAPI document against a real `stepwise serve`: every operation is called, and every
// answer (status, and body where it is JSON) must be one the document describes; every route the
// server registers is in the document, and every path of the document is a route.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildApp, routesOf } from '../../engine/server/http';
import type { RunService } from '../../engine/server/service';
import { serve, type ServeProcess } from '../postgres/procs';
import { parsePrometheus, valueOf } from '../observe/prometheus';
import { root } from '../postgres/samples';
import { call, readSse, until, type Answer } from './client';
import { GREET, NIGHTLY, tasksFolder } from './tasks';

const doc = JSON.parse(fs.readFileSync(path.join(root, 'engine', 'server', 'openapi.json'), 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: doc.components }, 'openapi');

const TOKEN = 'contract-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };
/** Operations answered, as `METHOD /path/template`. */
const covered = new Set<string>();

/** `/v1/runs/{id}/events` for `/v1/runs/abc/events`: the document's path a URL is an instance of. */
function template(urlPath: string): string | undefined {
  const paths = Object.keys(doc.paths);
  const exact = paths.find((p) => p === urlPath);
  if (exact) return exact;
  return paths.find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(urlPath));
}

function deref(obj: any): any {
  while (obj?.$ref) obj = obj.$ref.split('/').slice(1).reduce((o: any, k: string) => o[k], doc);
  return obj;
}

/** Fails unless the document has this status for the operation, with a body schema the answer fits. */
function conforms(method: string, urlPath: string, a: { status: number; json?: unknown; contentType: string | null }): void {
  const p = template(urlPath);
  const where = `${method} ${urlPath} → ${a.status} ${JSON.stringify(a.json)?.slice(0, 300)}`;
  assert.ok(p, `${where}: no path of the document`);
  const op = doc.paths[p][method.toLowerCase()];
  if (!op) {
    // A method the path does not have: the document's shared answer for that.
    assert.equal(a.status, 405, where);
    assert.ok(doc.components.responses.MethodNotAllowed, 'the document describes 405');
    return check(doc.components.responses.MethodNotAllowed, a, where);
  }
  covered.add(`${method} ${p}`);
  const response = op.responses[String(a.status)];
  assert.ok(response, `${where}: the document does not list ${a.status} for ${method} ${p} (it lists ${Object.keys(op.responses).join(', ')})`);
  check(response, a, where);
}

function check(response: any, a: { json?: unknown; contentType: string | null }, where: string): void {
  const r = deref(response);
  const types = Object.keys(r.content ?? {});
  const type = types.find((t) => sameMediaType(t, a.contentType ?? ''));
  assert.ok(type, `${where}: content type ${a.contentType} is not among ${types.join(', ')}`);
  const schema = r.content[type].schema;
  if (type !== 'application/json' || !schema) return;
  // The document's references are relative to it; here they go through the schema added as `openapi`.
  const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')));
  assert.ok(validate(a.json), `${where}: ${ajv.errorsText(validate.errors)}`);
}

/** The base type and parameters of a Content-Type, lowercase and without spaces. */
function mediaType(header: string): { base: string; params: string[] } {
  const [base, ...params] = header.toLowerCase().split(';').map((s) => s.replace(/\s+/g, ''));
  return { base, params };
}

/** Whether an answer's Content-Type is the document's: its base type, and every parameter the document names. */
function sameMediaType(documented: string, actual: string): boolean {
  const d = mediaType(documented);
  const a = mediaType(actual);
  return d.base === a.base && d.params.every((p) => a.params.includes(p));
}

/** A raw request, for what fetch will not send (a Host header of our own). */
function raw(base: string, method: string, urlPath: string, headers: Record<string, string>, body?: string): Promise<{ status: number; json: unknown; contentType: string | null; headers: http.IncomingHttpHeaders }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, method, path: urlPath, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined, contentType: res.headers['content-type'] ?? null, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the OpenAPI document is the contract of stepwise serve', () => {
  let server: ServeProcess;
  let base = '';
  const answer = async (method: string, urlPath: string, body?: unknown, headers: Record<string, string> = auth): Promise<Answer> => {
    const a = await call(base, method, urlPath, body, headers);
    conforms(method, urlPath.split('?')[0], { status: a.status, json: a.json, contentType: a.headers.get('content-type') });
    return a;
  };

  before(async () => {
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-contract-store-'));
    const tasks = tasksFolder();
    fs.writeFileSync(path.join(tasks, 'nightly.task.yaml'), NIGHTLY);
    server = await serve(['--store', store, '--tasks', tasks, '--port', '0', '--token', TOKEN, '--allowed-hosts', 'stepwise.test', '--quiet']);
    base = server.url!;
  });
  after(() => server?.kill());

  test('every operation, with its successes and its refusals, answers as documented', async () => {
    await answer('GET', '/v1/health', undefined, {});
    await answer('GET', '/v1/openapi.json', undefined, {});
    await answer('GET', '/v1/tasks');
    await answer('GET', '/v1/tasks', undefined, {}); // 401
    await answer('GET', '/v1/tasks', undefined, { authorization: 'Bearer wrong' }); // 401

    const started = await answer('POST', '/v1/runs', { task: 'greet', input: { name: 'Ada' } });
    assert.equal(started.status, 201);
    const done = started.json.run.id as string;
    await until('the greet run to end', async () => (await call(base, 'GET', `/v1/runs/${done}`, undefined, auth)).json.run.endedAt);
    await answer('POST', '/v1/runs', {}); // 400 missing task
    await answer('POST', '/v1/runs', '{"task": ', auth); // 400 malformed JSON
    await answer('POST', '/v1/runs', { task: 'nope' }); // 404
    await answer('POST', '/v1/runs', { task: 'broken' }); // 422 task-invalid
    await answer('POST', '/v1/runs', { task: 'greet', input: { times: 'many' } }); // 422 invalid-input
    await answer('POST', '/v1/runs', 'task=greet', { ...auth, 'content-type': 'text/plain' }); // 415
    await answer('POST', '/v1/runs', JSON.stringify({ task: 'greet', input: { pad: 'x'.repeat(1024 * 1024 + 10) } })); // 413

    await answer('GET', '/v1/runs');
    await answer('GET', '/v1/runs?status=sleeping'); // 400
    await answer('GET', `/v1/runs/${done}`);
    await answer('GET', '/v1/runs/no-such-run'); // 404

    const waiting = (await answer('POST', '/v1/runs', { task: 'wait' })).json.run.id as string;
    await answer('POST', `/v1/runs/${waiting}/events`, { name: 'nudge', data: { ok: false } });
    await answer('POST', `/v1/runs/${waiting}/events`, { data: 1 }); // 400
    await answer('POST', `/v1/runs/${done}/events`, { name: 'late' }); // 409 run-ended
    await answer('POST', '/v1/runs/no-such-run/events', { name: 'x' }); // 404
    await answer('POST', `/v1/runs/${waiting}/pause`, {});
    await answer('POST', `/v1/runs/${waiting}/resume`, {});
    await answer('POST', `/v1/runs/${done}/resume`, {}); // 409
    await answer('POST', `/v1/runs/${waiting}/cancel`, { reason: 'contract test' });
    await answer('POST', `/v1/runs/${waiting}/cancel`, { reason: 7 }); // 400
    await answer('POST', `/v1/runs/${done}/retry`, {});
    await answer('POST', '/v1/runs/no-such-run/retry', {}); // 404
    await answer('POST', '/v1/runs/bulk', { action: 'cancel', task: 'wait' });
    await answer('POST', '/v1/runs/bulk', { action: 'explode' }); // 400

    const source = await answer('GET', `/v1/runs/${done}/source`);
    assert.equal(source.json.source.text, GREET);
    await answer('GET', '/v1/runs/no-such-run/source'); // 404 run-not-found

    const schedules = await answer('GET', '/v1/schedules');
    assert.deepEqual(schedules.json.schedules.map((s: { id: string }) => s.id), ['nightly:0']);
    assert.equal((await answer('POST', '/v1/schedules/nightly:0/pause', {})).json.schedule.paused, true);
    assert.equal((await answer('POST', '/v1/schedules/nightly:0/resume')).json.schedule.paused, false);
    const unknownSchedule = await answer('POST', '/v1/schedules/nightly:7/pause', {}); // 404
    assert.equal(unknownSchedule.json.error.code, 'schedule-not-found');
    await answer('POST', '/v1/schedules/nightly:0/resume', 'resume', { ...auth, 'content-type': 'text/plain' }); // 415
    await answer('GET', '/v1/schedules', undefined, {}); // 401

    const metrics = await answer('GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const { samples } = parsePrometheus(metrics.json);
    assert.ok(valueOf(samples, 'stepwise_runs_started_total', { task: 'greet' }) >= 1, 'the greet runs started are counted');
    assert.equal((await answer('GET', '/metrics', undefined, {})).status, 401, 'a scrape needs the token as any client does');

    const stream = await readSse(`${base}/v1/runs/${done}/watch`, (e) => e.event === 'end', { headers: auth });
    conforms('GET', `/v1/runs/${done}/watch`, { status: stream.status, contentType: stream.contentType });
    const notFound = await call(base, 'GET', '/v1/runs/no-such-run/watch', undefined, auth);
    conforms('GET', '/v1/runs/no-such-run/watch', { status: notFound.status, json: notFound.json, contentType: notFound.headers.get('content-type') });
    const all = await readSse(`${base}/v1/watch`, () => true, { headers: auth, onOpen: () => void call(base, 'POST', '/v1/runs', { task: 'greet' }, auth) });
    conforms('GET', '/v1/watch', { status: all.status, contentType: all.contentType });

    for (const op of Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item as object).map((m) => `${m.toUpperCase()} ${p}`))) {
      assert.ok(covered.has(op), `the test called ${op}`);
    }
  });

  test('refusals shared by every operation: foreign host, cross-site page, wrong method, no CORS, unknown path', async () => {
    const foreign = await raw(base, 'GET', '/v1/tasks', { ...auth, host: 'evil.test' });
    assert.equal((foreign.json as any).error.code, 'host-not-allowed');
    conforms('GET', '/v1/tasks', foreign);
    const page = await raw(base, 'POST', '/v1/runs', { ...auth, origin: 'http://evil.test', 'content-type': 'application/json' }, '{"task":"greet"}');
    assert.equal((page.json as any).error.code, 'cross-site-request');
    conforms('POST', '/v1/runs', page);

    const wrong = await raw(base, 'DELETE', '/v1/runs', auth);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'GET, POST');
    conforms('DELETE', '/v1/runs', wrong);
    const preflight = await raw(base, 'OPTIONS', '/v1/runs', { origin: 'http://evil.test', 'access-control-request-method': 'POST' });
    assert.equal((preflight.json as any).error.code, 'cross-site-request', 'a CORS preflight is refused');
    assert.equal(preflight.headers['access-control-allow-origin'], undefined, 'no CORS header');
    const options = await raw(base, 'OPTIONS', '/v1/runs', auth);
    assert.equal(options.status, 405);
    assert.equal(options.headers['access-control-allow-origin'], undefined, 'no CORS header');
    conforms('OPTIONS', '/v1/runs', options);
    assert.match(doc.info.description, /CORS/);

    const unknown = await call(base, 'GET', '/v1/nothing-here', undefined, auth);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.error.code, 'not-found');
    assert.ok(ajv.validate('openapi#/components/schemas/Error', unknown.json), ajv.errorsText());
  });

  test('every operation documents the answers any request may get', () => {
    const missing: string[] = [];
    for (const [p, item] of Object.entries<Record<string, { responses: Record<string, unknown> }>>(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const shared = ['400', '403', '500', '503'];
        if (!['/v1/health', '/v1/openapi.json'].includes(p)) shared.push('401');
        if (method === 'post') shared.push('413', '415');
        for (const status of shared) if (!op.responses[status]) missing.push(`${method.toUpperCase()} ${p} ${status}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  test('the routes the server registers are the paths of the document, and the other way round', () => {
    // Every optional part given, so that every route it can have is registered.
    const metrics = async () => ({ contentType: 'text/plain', text: '' });
    const app = buildApp({ service: {} as RunService, workers: 0, version: 'test', metrics });
    const registered = routesOf(app)
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([p, item]) => Object.keys(item as object).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    assert.deepEqual(registered, documented);
  });

  test('every error code the server can answer is in the document', () => {
    const codes = new Set<string>();
    // The server's routes and those it registers from other folders (schedules).
    for (const folder of ['server', 'schedule']) for (const file of fs.readdirSync(path.join(root, 'engine', folder)).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(root, 'engine', folder, file), 'utf8');
      for (const m of text.matchAll(/(?:ApiError\(\d{3}, |error: \{ code: )'([a-z-]+)'/g)) codes.add(m[1]);
    }
    const documented = new Set<string>(doc.components.schemas.Error.properties.error.properties.code.enum);
    assert.deepEqual([...codes].filter((c) => !documented.has(c)).sort(), []);
    assert.deepEqual([...documented].filter((c) => !codes.has(c)).sort(), []);
  });
});
