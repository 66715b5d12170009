// The task cache of workers: concurrent claims of runs of one task version share one lookup (one
// query, one lint), and what it keeps is bounded, least recently used first out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pool } from '../../engine/store/postgres/db';
import fc from 'fast-check';
import { Lru } from '../../engine/server/lru';
import { TaskCache } from '../../engine/server/task-cache';

const source = (name: string) => `version: 1\nname: ${name}\nstart: a\nstates:\n  a: { final: true }\n`;

/** A pool that answers task_sources queries from `sources` (hash -> file and source), counting them. */
function fakePool(sources: Map<string, { file: string; source: string }>) {
  const queries: Array<{ sql: string; params: unknown[] }> = [];
  const pool = {
    async query(sql: string, params: unknown[]) {
      queries.push({ sql, params });
      // Answer after a turn of the event loop, as a database would: concurrent callers overlap.
      await new Promise((resolve) => setImmediate(resolve));
      if (/WHERE hash = \$1/.test(sql)) {
        const row = sources.get(params[0] as string);
        return { rowCount: row ? 1 : 0, rows: row ? [row] : [] };
      }
      if (/WHERE file LIKE/.test(sql)) {
        const prefix = (params[0] as string).replace(/\\(.)/g, '$1').slice(0, -1);
        const rows = [...sources.entries()].filter(([, r]) => r.file.startsWith(prefix)).map(([hash, r]) => ({ hash, ...r }));
        return { rowCount: rows.length, rows };
      }
      if (/WHERE file = \$1/.test(sql)) {
        const rows = [...sources.entries()].filter(([, r]) => r.file === params[0]).map(([hash, r]) => ({ hash, ...r }));
        return { rowCount: rows.length, rows };
      }
      throw new Error(`unexpected query ${sql}`);
    },
  };
  return { pool: pool as unknown as Pool, queries };
}

test('concurrent claims of one task version share one lookup', async () => {
  const { pool, queries } = fakePool(new Map([['h1', { file: '/tasks/a.task.yaml', source: source('a') }]]));
  const cache = new TaskCache(pool);
  const tasks = await Promise.all(Array.from({ length: 16 }, () => cache.forRun('h1', null)));
  assert.equal(new Set(tasks).size, 1);
  assert.equal(tasks[0].model.name, 'a');
  assert.equal(queries.filter((q) => /WHERE hash/.test(q.sql)).length, 1);
  assert.equal(queries.filter((q) => /WHERE file LIKE/.test(q.sql)).length, 1);
});

test('concurrent claims of runs by file share the fetch of their folder', async () => {
  const { pool, queries } = fakePool(new Map([['h1', { file: '/tasks/a.task.yaml', source: source('a') }]]));
  const cache = new TaskCache(pool);
  const tasks = await Promise.all(Array.from({ length: 16 }, () => cache.forRun(null, '/tasks/a.task.yaml')));
  assert.ok(tasks.every((t) => t.model.name === 'a'));
  assert.equal(queries.length, 1, queries.map((q) => q.sql).join('\n'));
});

test('a failed lookup is not kept: the next claim asks again', async () => {
  const sources = new Map<string, { file: string; source: string }>();
  const { pool } = fakePool(sources);
  const cache = new TaskCache(pool);
  await assert.rejects(cache.forRun('h1', null), /not in the database/);
  sources.set('h1', { file: '/tasks/a.task.yaml', source: source('a') });
  assert.equal((await cache.forRun('h1', null)).model.name, 'a');
});

test('the versions kept are bounded, the least recently used going first', async () => {
  const sources = new Map(Array.from({ length: 4 }, (_, i) => [`h${i}`, { file: `/d${i}/t.task.yaml`, source: source(`t${i}`) }] as const));
  const { pool, queries } = fakePool(new Map(sources));
  const cache = new TaskCache(pool, undefined, { capacity: 2 });
  const lookups = (hash: string) => queries.filter((q) => q.params[0] === hash).length;
  await cache.forRun('h0', null);
  await cache.forRun('h1', null);
  await cache.forRun('h0', null); // h0 used last: h1 is the one to go
  await cache.forRun('h2', null);
  await cache.forRun('h0', null);
  assert.equal(lookups('h0'), 1);
  await cache.forRun('h1', null);
  assert.equal(lookups('h1'), 2);
});

test('Lru: after any gets and sets, it holds the most recently used keys, at most its capacity', () => {
  const op = fc.oneof(fc.record({ set: fc.integer({ min: 0, max: 9 }) }), fc.record({ get: fc.integer({ min: 0, max: 9 }) }), fc.record({ del: fc.integer({ min: 0, max: 9 }) }));
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
      const lru = new Lru<number, string>(capacity);
      let model: number[] = []; // keys, least recently used first
      for (const o of ops) {
        if ('set' in o) {
          lru.set(o.set, `v${o.set}`);
          model = [...model.filter((k) => k !== o.set), o.set].slice(-capacity);
        } else if ('get' in o) {
          assert.equal(lru.get(o.get), model.includes(o.get) ? `v${o.get}` : undefined);
          if (model.includes(o.get)) model = [...model.filter((k) => k !== o.get), o.get];
        } else {
          lru.delete(o.del);
          model = model.filter((k) => k !== o.del);
        }
      }
      for (let k = 0; k <= 9; k++) assert.equal(lru.get(k) !== undefined, model.includes(k));
    }),
  );
});
