// /metrics of `stepwise serve` processes on a real PostgreSQL: a worker that takes over the run of
// a killed process counts it, and runs parked in the store show in the waiting gauge.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JournalEvent } from '../../engine/journal/events';
import { call, until } from '../server/client';
import { tasksFolder } from '../server/tasks';
import { parsePrometheus, valueOf } from '../observe/prometheus';
import { freshDatabase } from './helpers';
import { serve, type ServeProcess } from './procs';

let db: Awaited<ReturnType<typeof freshDatabase>>;
const procs: ServeProcess[] = [];
before(async () => {
  db = await freshDatabase('metrics');
});
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  await db.drop();
});

async function metrics(base: string) {
  const res = await fetch(`${base}/metrics`);
  assert.equal(res.status, 200);
  return parsePrometheus(await res.text()).samples;
}

test('a takeover after a SIGKILL is counted, and a run parked in the store is waiting', async () => {
  const tasks = tasksFolder();
  const common = ['--store', db.url, '--tasks', tasks, '--port', '0', '--lease-ttl', '1s', '--recovery-scan-every', '200ms', '--poll-every', '100ms'];
  // The first process keeps its waiting run (no release for an hour), so it dies holding it.
  const a = await serve([...common, '--release-after', '1h']);
  procs.push(a);
  const id = (await call(a.url!, 'POST', '/v1/runs', { task: 'wait' })).json.run.id as string;
  await until('the run to wait in the first process', async () => (await call(a.url!, 'GET', `/v1/runs/${id}`)).json.run.journal.some((e: JournalEvent) => e.type === 'instruction-finished'));
  assert.equal(valueOf(await metrics(a.url!), 'stepwise_runs_waiting'), 1, 'held and waiting in the first process');
  await a.kill('SIGKILL');

  const b = await serve([...common, '--release-after', '100ms']);
  procs.push(b);
  await until('the second process to take the run over', async () => valueOf(await metrics(b.url!), 'stepwise_runs_taken_over_total') === 1);
  await until('the run to be parked in the store', async () => (await call(b.url!, 'GET', `/v1/runs/${id}`)).json.run.worker === null);
  assert.equal(valueOf(await metrics(b.url!), 'stepwise_runs_waiting'), 1);

  assert.equal((await call(b.url!, 'POST', `/v1/runs/${id}/events`, { name: 'go', data: { ok: true, by: 'metrics' } })).status, 202);
  await until('the run to end', async () => (await call(b.url!, 'GET', `/v1/runs/${id}`)).json.run.endedAt !== null);
  const samples = await metrics(b.url!);
  assert.equal(valueOf(samples, 'stepwise_runs_waiting'), 0);
  assert.equal(valueOf(samples, 'stepwise_runs_ended_total', { task: 'wait', status: 'succeeded' }), 1);
  assert.equal(valueOf(samples, 'stepwise_runs_started_total', { task: 'wait' }), 0, 'the run was started by the first process');
});
