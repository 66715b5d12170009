// Traces of runs, received by an OTLP/HTTP receiver started here, from a real `stepwise serve` and
// from `stepwise run`: a span per run, state and instruction, parent to child; the `http` call
// carries its span as W3C traceparent; a secret the task sends never reaches the traces.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { cli } from '../postgres/samples';
import { serve, type ServeProcess } from '../postgres/procs';
import { call, until } from '../server/client';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
  status?: { code?: number; message?: string };
}

const SECRET = 'tr4ce-s3cret-value';

const PING = `version: 1
name: ping
input:
  url: { type: string }
start: call
states:
  call:
    do:
      - http:
          url: "{{ input.url }}"
          headers: { authorization: "Bearer {{ secrets.API }}" }
        as: answer
    next: done
  done: { final: true }
`;

/** An OTLP/HTTP (JSON) receiver and a service the task calls, both on loopback. */
class Receivers {
  readonly spans: OtlpSpan[] = [];
  readonly bodies: string[] = [];
  readonly traceparents: string[] = [];
  readonly authorizations: string[] = [];
  private readonly servers: http.Server[] = [];
  otlp = '';
  target = '';

  async start(): Promise<void> {
    const listen = async (handler: http.RequestListener): Promise<string> => {
      const server = http.createServer(handler);
      this.servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    this.otlp = await listen((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        assert.equal(req.url, '/v1/traces');
        assert.match(req.headers['content-type'] ?? '', /json/);
        this.bodies.push(body);
        for (const rs of JSON.parse(body).resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) this.spans.push(...ss.spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    this.target = await listen((req, res) => {
      this.traceparents.push(String(req.headers.traceparent ?? ''));
      this.authorizations.push(String(req.headers.authorization ?? ''));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"pong":true}');
    });
  }

  close(): void {
    for (const s of this.servers) s.close();
  }

  env(): NodeJS.ProcessEnv {
    return { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: this.otlp, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_SERVICE_NAME: 'stepwise-test', STEPWISE_SECRET_API: SECRET };
  }
}

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v ? Object.values(v)[0] : undefined;
};

function checkTrace(r: Receivers, runId: string): void {
  const run = r.spans.find((s) => s.name === 'run ping' && attr(s, 'stepwise.run.id') === runId);
  assert.ok(run, `a run span for ${runId}: ${r.spans.map((s) => s.name).join(', ')}`);
  assert.equal(run.parentSpanId || undefined, undefined, 'the run span is the root');
  const inTrace = r.spans.filter((s) => s.traceId === run.traceId);
  const state = inTrace.find((s) => s.name === 'state call');
  assert.ok(state, 'a span for the state');
  assert.equal(state.parentSpanId, run.spanId);
  const step = inTrace.find((s) => s.name === 'http call[0]');
  assert.ok(step, 'a span for the instruction');
  assert.equal(step.parentSpanId, state.spanId);
  assert.equal(step.kind, 3, 'the http call is a client span');
  assert.ok(inTrace.some((s) => s.name === 'state done' && s.parentSpanId === run.spanId));
  assert.ok(r.traceparents.includes(`00-${run.traceId}-${step.spanId}-01`), `the call carried its span: ${r.traceparents.join(', ')}`);
  assert.ok(r.authorizations.includes(`Bearer ${SECRET}`), 'the call sent the secret');
  assert.ok(!r.bodies.some((b) => b.includes(SECRET)), 'no secret in the traces');
}

describe('traces over OTLP/HTTP', () => {
  const r = new Receivers();
  const procs: ServeProcess[] = [];
  before(() => r.start());
  after(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    r.close();
  });

  test('stepwise serve sends a span per run, state and instruction, and the http call carries its traceparent', async () => {
    const tasks = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-traces-'));
    fs.writeFileSync(path.join(tasks, 'ping.task.yaml'), PING);
    const p = await serve(['--store', fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-traces-store-')), '--tasks', tasks, '--port', '0'], r.env());
    procs.push(p);
    const started = await call(p.url!, 'POST', '/v1/runs', { task: 'ping', input: { url: `${r.target}/ping` } });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const id = started.json.run.id as string;
    await until('the run span', async () => r.spans.some((s) => s.name === 'run ping' && attr(s, 'stepwise.run.id') === id));
    checkTrace(r, id);
    const run = r.spans.find((s) => attr(s, 'stepwise.run.id') === id)!;
    assert.equal(attr(run, 'stepwise.run.status'), 'succeeded');
  });

  test('stepwise run sends its run before it exits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-traces-cli-'));
    const file = path.join(dir, 'ping.task.yaml');
    fs.writeFileSync(file, PING);
    const child = spawn(process.execPath, [cli, 'run', file, '--store', path.join(dir, 'runs'), '--input', `url=${r.target}/cli`, '--json'], {
      env: { ...process.env, ...r.env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    const id = JSON.parse(out.split('\n')[0]).runId as string;
    // The CLI flushed before exiting: the spans are here without waiting.
    checkTrace(r, id);
  });

  test('without OTEL_* variables nothing is sent', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-traces-off-'));
    const file = path.join(dir, 'ping.task.yaml');
    fs.writeFileSync(file, PING);
    const received = r.bodies.length;
    const env: NodeJS.ProcessEnv = { ...process.env, STEPWISE_SECRET_API: SECRET };
    for (const k of Object.keys(env)) if (k.startsWith('OTEL_')) delete env[k];
    const child = spawn(process.execPath, [cli, 'run', file, '--store', path.join(dir, 'runs'), '--input', `url=${r.target}/off`], { env, stdio: 'ignore' });
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 0);
    assert.equal(r.bodies.length, received);
    assert.equal(r.traceparents.at(-1), '', 'no traceparent without traces');
  });
});
