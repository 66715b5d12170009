// Fan-out on PostgreSQL: each `call` of a branch or map item is a child run any worker may claim,
// and the parent waits parked. Three `stepwise serve` worker processes run a map of 200 calls; one
// is killed with SIGKILL in the middle of it: the map completes with every item's result in order,
// no item's child run started twice, no finished item run again, the work spread over the workers.
// Also: a failed branch cancels its siblings' child runs, and `tolerate` keeps failed items.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import type { JournalEvent } from '../../engine/journal/events';
import { freshDatabase } from './helpers';
import { serve, type ServeProcess } from './procs';

const ITEMS = 200;
let db: { url: string; drop: () => Promise<void> };
let dir: string;
let client: pg.Client;
let api: ServeProcess;
let workers: ServeProcess[] = [];
let hits: http.Server;
/** Requests of the items' first state, by item: the side effect a finished item must not repeat. */
const hitCount = new Map<number, number>();

const task = (name: string, text: string) => fs.writeFileSync(path.join(dir, `${name}.task.yaml`), text);

before(async () => {
  db = await freshDatabase('fanout');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-pg-fanout-'));
  hits = http.createServer((req, res) => {
    const n = Number(/\/hit\/(\d+)$/.exec(req.url ?? '')?.[1]);
    hitCount.set(n, (hitCount.get(n) ?? 0) + 1);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ n }));
  });
  await new Promise<void>((resolve) => hits.listen(0, '127.0.0.1', resolve));
  const port = (hits.address() as AddressInfo).port;
  task(
    'item',
    `version: 1
name: item
input:
  n: { type: integer, default: 0 }
data: { n: null }
start: hit
states:
  hit:
    do:
      - http: { url: "http://127.0.0.1:${port}/hit/{{ input.n }}", method: POST }
        as: hit
    next: work
  work:
    do:
      - sleep: 300ms
      - set: { n: "={{ input.n * 10 }}" }
    next: done
  done: { final: true }
`,
  );
  task(
    'many',
    `version: 1
name: many
start: fan
states:
  fan:
    do:
      - map:
          items: "={{ [0..${ITEMS - 1}] }}"
          do: { call: { task: ./item.task.yaml, input: { n: "={{ item }}" } } }
        as: results
    next: done
  done: { final: true }
`,
  );
  task(
    'slow',
    `version: 1
name: slow
start: wait
states:
  wait:
    do: [ { sleep: 1h } ]
    next: done
  done: { final: true }
`,
  );
  task(
    'ask',
    `version: 1
name: ask
start: wait
states:
  wait:
    on:
      - { to: done, event: go }
  done: { final: true }
`,
  );
  task(
    'patient',
    `version: 1
name: patient
start: fan
states:
  fan:
    do:
      - parallel:
          first: { call: { task: ./ask.task.yaml } }
          second: { call: { task: ./ask.task.yaml } }
        as: answers
    next: done
  done: { final: true }
`,
  );
  task(
    'siblings',
    `version: 1
name: siblings
start: build
states:
  build:
    do:
      - parallel:
          quick: { call: { task: ./slow.task.yaml }, timeout: 1s }
          long: { call: { task: ./slow.task.yaml } }
    next: done
  done: { final: true }
`,
  );
  task(
    'tolerant',
    `version: 1
name: tolerant
start: fan
states:
  fan:
    do:
      - map:
          items: [0, 1, 2, 3]
          tolerate: 1
          do: { call: { task: ./item.task.yaml, input: { n: "={{ index = 2 ? 'two' : item }}" } } }
        as: results
    next: done
  done: { final: true }
`,
  );
  const common = ['--store', db.url, '--lease-ttl', '2s', '--poll-every', '200ms', '--recovery-retry-after', '10m', '--recovery-scan-every', '1s'];
  api = await serve([...common, '--tasks', dir, '--workers', '0', '--port', '0']);
  workers = await Promise.all([0, 1, 2].map(() => serve([...common, '--no-api', '--concurrency', '8'])));
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

after(async () => {
  await client?.end();
  await Promise.all([api, ...workers].filter(Boolean).map((p) => p.kill('SIGKILL')));
  await new Promise((resolve) => hits?.close(resolve));
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function start(name: string): Promise<string> {
  const res = await fetch(`${api.url}/v1/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: name }) });
  assert.equal(res.status, 201, await res.clone().text());
  return ((await res.json()) as { run: { id: string } }).run.id;
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function ended(id: string, timeoutMs?: number): Promise<{ status: string }> {
  return until(`run ${id} to end`, async () => (await client.query('SELECT status FROM runs WHERE id = $1 AND ended_at IS NOT NULL', [id])).rows[0], timeoutMs);
}

async function journal(id: string): Promise<JournalEvent[]> {
  return (await client.query<{ event: JournalEvent }>('SELECT event FROM journal_entries WHERE run_id = $1 ORDER BY seq', [id])).rows.map((r) => r.event);
}

interface Child {
  id: string;
  status: string;
  parent_branch: string | null;
  parent_index: number | null;
}

async function childrenOf(id: string): Promise<Child[]> {
  return (await client.query<Child>('SELECT id, status, parent_branch, parent_index FROM runs WHERE parent_id = $1 ORDER BY id', [id])).rows;
}

test('a parent waits released, holding no worker, and is woken by the end of its children', { timeout: 60_000 }, async () => {
  const id = await start('patient');
  const children = await until('both child runs waiting, the parent released', async () => {
    const parent = (await client.query<{ lease_owner: string | null; waiting_children: string[] }>('SELECT lease_owner, waiting_children FROM runs WHERE id = $1', [id])).rows[0];
    const c = (await client.query<{ id: string; waiting_events: string[] }>('SELECT id, waiting_events FROM runs WHERE parent_id = $1 ORDER BY id', [id])).rows;
    const ready = c.length === 2 && c.every((x) => x.waiting_events.includes('go')) && parent.lease_owner === null && parent.waiting_children.length === 2;
    return ready ? c.map((x) => x.id) : undefined;
  });
  for (const child of children) {
    const res = await fetch(`${api.url}/v1/runs/${child}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'go' }) });
    assert.equal(res.status, 202, await res.clone().text());
  }
  assert.equal((await ended(id)).status, 'succeeded');
  const finished = (await journal(id)).find((e) => e.type === 'instruction-finished');
  assert.ok(finished?.type === 'instruction-finished');
  assert.deepEqual(Object.entries(finished.result as Record<string, { status: string; runId: string }>).map(([k, v]) => [k, v.status]), [
    ['first', 'succeeded'],
    ['second', 'succeeded'],
  ]);
});

test('a failed branch cancels the child run of its sibling, and the parent fails with the branch named', { timeout: 60_000 }, async () => {
  const id = await start('siblings');
  assert.equal((await ended(id)).status, 'failed');
  const end = (await journal(id)).at(-1)!;
  assert.ok(end.type === 'run-ended');
  assert.equal(end.error?.kind, 'timeout');
  assert.equal(end.error?.branch, 'quick');
  const children = await childrenOf(id);
  assert.deepEqual(children.map((c) => c.parent_branch).sort(), ['long', 'quick']);
  for (const c of children) assert.equal((await ended(c.id)).status, 'cancelled', `child ${c.id} (${c.parent_branch})`);
});

test('tolerate: the failed item is kept as its error, the others are child runs with their results', { timeout: 60_000 }, async () => {
  const id = await start('tolerant');
  assert.equal((await ended(id)).status, 'succeeded');
  const finished = (await journal(id)).find((e) => e.type === 'instruction-finished' && e.kind === 'map');
  assert.ok(finished?.type === 'instruction-finished');
  const results = finished.result as Array<{ status?: string; data?: { n: number }; runId?: string; error?: { kind: string; message: string } }>;
  assert.deepEqual(results.map((r) => r.data?.n ?? null), [0, 10, null, 30]);
  assert.match(results[2].error?.message ?? '', /input 'n' must be of type integer/);
  const children = await childrenOf(id);
  assert.deepEqual(children.map((c) => c.parent_index).sort(), [0, 1, 3]);
  assert.deepEqual(children.map((c) => c.status), ['succeeded', 'succeeded', 'succeeded']);
  for (const r of [results[0], results[1], results[3]]) assert.ok(children.some((c) => c.id === r.runId), `result names child ${r.runId}`);
});

test(`3 workers, a map of ${ITEMS} calls, one worker SIGKILLed mid-map: every item once, in order`, { timeout: 240_000 }, async () => {
  hitCount.clear();
  const id = await start('many');
  const victim = workers[1];
  const victimName = victim.workers[0];
  // Kill the victim while the map is under way and it holds child runs.
  const finishedBeforeKill = await until('the victim to hold child runs mid-map', async () => {
    const r = await client.query<{ ended: number; held: number }>(
      `SELECT count(*) FILTER (WHERE ended_at IS NOT NULL)::int AS ended,
              count(*) FILTER (WHERE lease_owner = $2 AND ended_at IS NULL)::int AS held
         FROM runs WHERE parent_id = $1`,
      [id, victimName],
    );
    const { ended: n, held } = r.rows[0];
    assert.ok(n < ITEMS, 'the map ended before the worker could be killed');
    return n >= ITEMS / 5 && held > 0 ? n : undefined;
  });
  const endedIds = new Set((await client.query<{ parent_index: number }>('SELECT parent_index FROM runs WHERE parent_id = $1 AND ended_at IS NOT NULL', [id])).rows.map((r) => r.parent_index));
  await victim.kill('SIGKILL');
  const killedAt = (await client.query<{ t: Date }>('SELECT clock_timestamp() AS t')).rows[0].t;

  assert.equal((await ended(id, 180_000)).status, 'succeeded');
  const events = await journal(id);
  const finished = events.find((e) => e.type === 'instruction-finished' && e.kind === 'map');
  assert.ok(finished?.type === 'instruction-finished');
  const results = finished.result as Array<{ status: string; data: { n: number }; runId: string }>;
  // Every item's result, in item order.
  assert.equal(results.length, ITEMS);
  results.forEach((r, i) => {
    assert.equal(r.status, 'succeeded', `item ${i}`);
    assert.equal(r.data.n, i * 10, `item ${i}`);
  });
  // One child run per item, each the one its result names; the map journaled each item once.
  const children = await childrenOf(id);
  assert.deepEqual(children.map((c) => c.parent_index).sort((a, b) => a! - b!), Array.from({ length: ITEMS }, (_, i) => i));
  const byIndex = new Map(children.map((c) => [c.parent_index, c.id]));
  results.forEach((r, i) => assert.equal(r.runId, byIndex.get(i), `item ${i} result comes from its child run`));
  const perItem = (type: string) => {
    const m = new Map<number, number>();
    for (const e of events) if (e.type === type && 'item' in e && e.item !== undefined) m.set(e.item, (m.get(e.item) ?? 0) + 1);
    return [...m.values()];
  };
  assert.deepEqual(perItem('branch-started'), Array(ITEMS).fill(1), 'one branch-started per item');
  assert.deepEqual(perItem('branch-finished'), Array(ITEMS).fill(1), 'one branch-finished per item');
  assert.equal(events.filter((e) => e.type === 'instruction-started').length, 1, 'the map started once');
  // Side effects: an item that had finished before the kill ran once; the others at least once.
  for (let i = 0; i < ITEMS; i++) {
    const n = hitCount.get(i) ?? 0;
    if (endedIds.has(i)) assert.equal(n, 1, `item ${i} finished before the kill and ran ${n} times`);
    else assert.ok(n >= 1, `item ${i} never ran`);
  }
  // Each child run's journal: one start, one end, nothing from the dead worker after its death.
  const late = await client.query('SELECT run_id, seq FROM journal_entries WHERE worker = $1 AND appended_at > $2', [victimName, killedAt]);
  assert.deepEqual(late.rows, []);
  // The children ran on more than one worker (epoch 0 is their creation by the parent's worker).
  const ranOn = await client.query<{ worker: string; n: number }>(
    `SELECT worker, count(DISTINCT run_id)::int AS n FROM journal_entries
      WHERE run_id IN (SELECT id FROM runs WHERE parent_id = $1) AND epoch > 0 AND event->>'type' = 'run-ended'
      GROUP BY worker`,
    [id],
  );
  assert.ok(ranOn.rows.length >= 2, `child runs ended on ${ranOn.rows.map((r) => r.worker).join(', ')}`);
  const recovered = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM journal_entries WHERE run_id IN (SELECT id FROM runs WHERE parent_id = $1) AND event->>'type' = 'run-recovered'`, [id])).rows[0].n;
  assert.ok(recovered >= 1, 'no child run was taken over from the killed worker');
  process.stdout.write(
    `# ${ITEMS} items; killed ${victimName} after ${finishedBeforeKill} ended; ${recovered} child runs taken over; ended per worker: ${ranOn.rows.map((r) => `${r.worker}=${r.n}`).join(', ')}\n`,
  );
});
