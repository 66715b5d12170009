// Run ids: unique however many runs start at once, ordered by start time as plain text, and safe
// as file names (the file store names a run's journal after its id).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine } from '../../engine/runtime/engine';
import { newRunId } from '../../engine/runtime/run-id';
import { checkRunId } from '../../engine/store/file';
import { taskFrom } from '../helpers/tasks';

describe('run ids', () => {
  test('10,000 ids made in a tight loop are all different and in the order they were made', () => {
    const ids = Array.from({ length: 10_000 }, () => newRunId());
    assert.equal(new Set(ids).size, ids.length);
    const outOfOrder = ids.findIndex((id, i) => i > 0 && ids[i - 1] >= id);
    assert.equal(outOfOrder, -1, `id ${outOfOrder} (${ids[outOfOrder]}) does not sort after ${ids[outOfOrder - 1]}`);
    for (const id of ids.slice(0, 100)) checkRunId(id);
  });

  test('ids sort by start time, to the millisecond, and start with it', () => {
    const times = ['2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.001Z', '2025-01-01T00:00:00.999Z', '2025-01-01T00:00:01.000Z', '2031-06-30T23:59:59.500Z'];
    const ids = times.map((t) => newRunId(new Date(t)));
    assert.deepEqual([...ids].sort(), ids);
    assert.match(ids[2], /^20250101-000000-999-[0-9a-f]{16}$/);
  });

  test('1,000 runs started at once in one engine all start, under ids of their own', async () => {
    const engine = createEngine();
    const task = taskFrom(`
      version: 1
      name: quick
      start: done
      states:
        done: { final: true }
    `);
    const runs = Array.from({ length: 1000 }, () => engine.start(task));
    assert.equal(new Set(runs.map((r) => r.id)).size, 1000);
    const ended = await engine.settle();
    assert.deepEqual(new Set(ended.map((s) => s.status)), new Set(['succeeded']));
    assert.equal((await engine.store.list()).length, 1000);
  });
});
