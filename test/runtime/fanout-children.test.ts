// Fan-out calls as runs of the store (the engine's `callChild`, which PostgreSQL workers give): the
// run is parked while every branch waits for its child, and a run continued from its journal waits
// again for the children its branches started instead of starting others, without journaling the
// fan-out's start a second time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallResult } from '../../engine/instructions/types';
import type { BranchTag } from '../../engine/journal/events';
import { realClock } from '../../engine/runtime/clock';
import { createEngine } from '../../engine/runtime/engine';
import type { RunEnvironment } from '../../engine/runtime/run';
import { memoryStore } from '../../engine/store/memory';
import { ofType, taskFrom, withTimeout } from '../helpers/tasks';

const TASK = taskFrom(`
  version: 1
  name: p
  start: s
  states:
    s:
      do:
        - parallel:
            a: { call: { task: ./child.task.yaml, input: { n: 1 } } }
            b: { call: { task: ./child.task.yaml, input: { n: 2 } } }
          as: out
      next: done
    done: { final: true }
`);

/** A `callChild` whose children end when the test says so. */
function children() {
  const asked: Array<{ childId: string; branch: BranchTag; end: (r: CallResult) => void }> = [];
  let changed: () => void = () => undefined;
  const callChild: NonNullable<RunEnvironment['callChild']> = (_parent, _file, input, childId, branch, signal) =>
    new Promise<CallResult>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      asked.push({ childId, branch, end: (r) => resolve({ ...r, data: { ...r.data, n: input.n } }) });
      changed();
    });
  const until = async (n: number) => {
    while (asked.length < n) await new Promise<void>((r) => (changed = r));
  };
  return { asked, callChild, until };
}

test('a run continued mid fan-out waits again for the children it started and journals the fan-out once', async () => {
  const store = memoryStore();
  const first = children();
  const engine = createEngine({ store, clock: realClock(), callChild: first.callChild });
  const run = engine.start(TASK);
  await withTimeout(first.until(2), 5_000, 'both branches call');
  assert.deepEqual(first.asked.map((c) => c.branch.branch), ['a', 'b']);
  // Both branches wait for their child: the run can be left and continued from its journal.
  assert.equal(run.parked, true);
  first.asked[0].end({ status: 'succeeded', data: {}, runId: first.asked[0].childId });
  await withTimeout(
    (async () => {
      while (!ofType(await store.read(run.id), 'branch-finished').length) await new Promise((r) => setImmediate(r));
    })(),
    5_000,
    'branch a finishes',
  );
  run.detach('released while it waits');
  await run.done;

  const second = children();
  const again = createEngine({ store, clock: realClock(), callChild: second.callChild });
  const resumed = await again.resume(run.id, { task: TASK, journal: false });
  await withTimeout(second.until(1), 5_000, 'branch b calls again');
  // Only b, and for the child its journal started before.
  assert.deepEqual(second.asked.map((c) => [c.branch.branch, c.childId]), [['b', first.asked[1].childId]]);
  second.asked[0].end({ status: 'succeeded', data: {}, runId: second.asked[0].childId });
  const state = await withTimeout(resumed.done, 5_000, 'the run ends');
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(state.data.out, {
    a: { status: 'succeeded', data: { n: 1 }, runId: first.asked[0].childId },
    b: { status: 'succeeded', data: { n: 2 }, runId: first.asked[1].childId },
  });
  const journal = await store.read(run.id);
  assert.equal(ofType(journal, 'instruction-started').length, 1);
  assert.deepEqual(ofType(journal, 'branch-started').map((e) => e.branch), ['a', 'b']);
  assert.deepEqual(ofType(journal, 'branch-finished').map((e) => e.branch), ['a', 'b']);
});
