// GET /metrics of a real `stepwise serve`, scraped over the wire and read strictly: what runs did
// shows in the counters and the histogram, waiting runs in the gauge; the token and the Host rule
// guard it like every other path.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JournalEvent } from '../../engine/journal/events';
import { serve, type ServeProcess } from '../postgres/procs';
import { call, rawRequest, until } from '../server/client';
import { tasksFolder } from '../server/tasks';
import { parsePrometheus, valueOf } from './prometheus';

const procs: ServeProcess[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
});

async function start(args: string[] = []): Promise<string> {
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-metrics-'));
  const p = await serve(['--store', store, '--tasks', tasksFolder(), '--port', '0', ...args]);
  procs.push(p);
  return p.url!;
}

async function scrape(base: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

async function ended(base: string, id: string, headers: Record<string, string> = {}): Promise<void> {
  await until(`run ${id} to end`, async () => (await call(base, 'GET', `/v1/runs/${id}`, undefined, headers)).json.run.endedAt !== null);
}

describe('GET /metrics', () => {
  let base = '';
  before(async () => (base = await start()));

  test('counts runs started and ended by task and status, times instructions, and gauges waiting runs', async () => {
    const before = (await scrape(base)).samples;
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await call(base, 'POST', '/v1/runs', { task: 'greet' })).json.run.id);
    for (const id of ids) await ended(base, id);
    const waiting = (await call(base, 'POST', '/v1/runs', { task: 'wait' })).json.run.id as string;
    await until('the run to wait', async () => (await call(base, 'GET', `/v1/runs/${waiting}`)).json.run.journal.some((e: JournalEvent) => e.type === 'instruction-finished'));

    const { samples, types } = await scrape(base);
    assert.equal(types.get('stepwise_runs_started_total'), 'counter');
    assert.equal(types.get('stepwise_instruction_duration_seconds'), 'histogram');
    assert.equal(types.get('stepwise_runs_waiting'), 'gauge');
    const delta = (name: string, labels: Record<string, string>) => valueOf(samples, name, labels) - valueOf(before, name, labels);
    assert.equal(delta('stepwise_runs_started_total', { task: 'greet' }), 2);
    assert.equal(delta('stepwise_runs_ended_total', { task: 'greet', status: 'succeeded' }), 2);
    assert.equal(delta('stepwise_runs_started_total', { task: 'wait' }), 1);
    assert.equal(delta('stepwise_instruction_duration_seconds_count', { task: 'greet', kind: 'set', outcome: 'succeeded' }), 2);
    assert.equal(delta('stepwise_transitions_total', { task: 'greet', cause: 'when' }) + delta('stepwise_transitions_total', { task: 'greet', cause: 'else' }), 2);
    assert.equal(valueOf(samples, 'stepwise_runs_waiting'), 1);
    assert.ok(valueOf(samples, 'process_cpu_seconds_total') > 0, 'the process figures are there too');

    assert.equal((await call(base, 'POST', `/v1/runs/${waiting}/events`, { name: 'go', data: { ok: true, by: 'test' } })).status, 202);
    await ended(base, waiting);
    const after = (await scrape(base)).samples;
    assert.equal(valueOf(after, 'stepwise_runs_waiting'), 0);
    assert.equal(valueOf(after, 'stepwise_runs_ended_total', { task: 'wait', status: 'succeeded' }) - valueOf(before, 'stepwise_runs_ended_total', { task: 'wait', status: 'succeeded' }), 1);
  });

  test('answers only the loopback Host names, like every path', async () => {
    const port = new URL(base).port;
    const a = await rawRequest(base, 'GET', '/metrics', { host: `rebind.attacker.example:${port}` });
    assert.equal(a.status, 403);
    assert.equal(a.json.error.code, 'host-not-allowed');
  });
});

describe('GET /metrics with a token', () => {
  test('needs the bearer token a Prometheus scrape config sends', async () => {
    const base = await start(['--token', 'metrics-token']);
    const refused = await call(base, 'GET', '/metrics');
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error.code, 'unauthorized');
    const { samples } = await scrape(base, { authorization: 'Bearer metrics-token' });
    assert.equal(valueOf(samples, 'stepwise_runs_waiting'), 0);
  });
});
