// A worker counts and says a takeover only for a run it keeps: one it hands back because it lacks
// an instruction kind the task needs was never taken over (the worker that keeps it says so).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalEvent } from '../../engine/journal/events';
import { lintText } from '../../engine/lint/index';
import { executeFamily, newFamily, type FamilyHost } from '../../engine/server/family';
import type { Claim } from '../../engine/server/leases';
import { PassedTasks } from '../../engine/server/passed-tasks';

const TASK = 'version: 1\nname: notes\nstart: sum\nstates:\n  sum:\n    do:\n      - checksum: { text: hi }\n    next: done\n  done:\n    final: true\n';

function host(kinds: string[]): { host: FamilyHost; lines: string[]; statements: string[]; takenOver: () => number } {
  const lines: string[] = [];
  const statements: string[] = [];
  let observed = 0;
  const started: JournalEvent = { seq: 1, at: 1000, type: 'run-started', runId: 'r1', task: 'notes', input: {}, data: {}, clock: 'real' };
  const h = {
    o: {
      pool: { query: async (q: string | { name?: string }) => (statements.push(typeof q === 'string' ? q : (q.name ?? '')), { rowCount: 1, rows: [] }) },
      tasks: { forRun: async () => ({ model: lintText(TASK).model, source: TASK }) },
      releaseAfterMs: 1000,
      maxAttempts: 5,
      observer: { takenOver: () => observed++ },
    },
    owner: 'lacking',
    store: { read: async () => [started] },
    passed: new PassedTasks((k) => kinds.includes(k)),
    stats: { ended: 0, released: 0, takeovers: 0, lost: 0 },
    stopping: () => false,
    log: (line: string) => lines.push(line),
  } as unknown as FamilyHost;
  return { host: h, lines, statements, takenOver: () => observed };
}

const claim = (prevOwner: string | null): Claim =>
  ({ id: 'r1', task: 'notes', task_hash: 'h1', task_file: null, epoch: 2, attempts: 2, prev_owner: prevOwner, prev_reason: null, control: null, control_reason: null, virtual_until: null }) as unknown as Claim;

test('a run whose expired lease a worker claims, then hands back for a missing kind, is not counted or logged as taken over', async () => {
  const { host: h, lines, statements, takenOver } = host(['log']);
  await executeFamily(h, newFamily(claim('dead-worker')));
  assert.deepEqual(statements, ['stepwise_pass'], 'the claim is undone');
  assert.equal(h.stats.takeovers, 0);
  assert.equal(takenOver(), 0, 'stepwise_runs_taken_over_total is not counted');
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0], /^run r1 \(task 'notes'\) needs the instruction kind 'checksum'/);
});

test('a run taken over and then settled without running (cancelled meanwhile) is counted and logged once', async () => {
  const { host: h, lines, takenOver } = host(['log']);
  const appended: JournalEvent[][] = [];
  Object.assign(h.store, { append: async (_id: string, events: JournalEvent[]) => appended.push(events) });
  await executeFamily(h, newFamily({ ...claim('dead-worker'), control: 'cancel', control_reason: 'stop' } as Claim));
  assert.deepEqual(appended.flat().map((e) => [e.type, (e as { status?: string }).status]), [['run-ended', 'cancelled']]);
  assert.equal(h.stats.takeovers, 1);
  assert.equal(takenOver(), 1);
  assert.deepEqual(lines, ['took over run r1 from dead-worker (attempt 2)']);
});
