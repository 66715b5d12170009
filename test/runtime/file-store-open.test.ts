// The file store under many concurrent runs: each journal is opened (and its tail checked for a
// torn line) once while its run is live, not again at every write once more than a few hundred
// runs write at once; a run's file is closed when the run ends.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileStore } from '../../engine/store/file';
import type { JournalEvent } from '../../engine/journal/events';
import { rmDir, tmpDir } from '../helpers/tasks';

const root = tmpDir('stepwise-fileopen-');
after(() => rmDir(root));

// The module object itself (an `import * as` copy is read-only): the store calls through it.
const realFs = require('node:fs') as { openSync: typeof fs.openSync; closeSync: typeof fs.closeSync };

const ev = (seq: number): JournalEvent => ({ seq, at: 1000 + seq, type: 'log', state: 's', message: `m${seq}` }) as JournalEvent;

/** Counts the opens of journal files (not inboxes) while `fn` runs. */
async function countingOpens(fn: () => Promise<void>): Promise<{ opens: Map<string, number>; closes: number }> {
  const opens = new Map<string, number>();
  let closes = 0;
  const open = realFs.openSync;
  const close = realFs.closeSync;
  realFs.openSync = ((file: fs.PathLike, ...rest: unknown[]) => {
    const name = path.basename(String(file));
    if (name.endsWith('.jsonl') && !name.endsWith('.inbox.jsonl')) opens.set(name, (opens.get(name) ?? 0) + 1);
    return (open as (...a: unknown[]) => number)(file, ...rest);
  }) as typeof fs.openSync;
  realFs.closeSync = ((fd: number) => {
    closes++;
    close(fd);
  }) as typeof fs.closeSync;
  try {
    await fn();
  } finally {
    realFs.openSync = open;
    realFs.closeSync = close;
  }
  return { opens, closes };
}

test('1,000 runs writing at once open each journal once, and close it when the run ends', async () => {
  const dir = path.join(root, 'many');
  const store = fileStore(dir);
  const runs = Array.from({ length: 1000 }, (_, i) => `r${i}`);
  const { opens, closes } = await countingOpens(async () => {
    for (let seq = 1; seq <= 4; seq++) await Promise.all(runs.map((id) => store.append(id, [ev(seq)])));
    await Promise.all(runs.map((id) => store.append(id, [{ seq: 5, at: 1005, type: 'run-ended', status: 'succeeded' } as JournalEvent])));
  });
  assert.equal(opens.size, 1000);
  assert.deepEqual([...new Set(opens.values())], [1], 'each journal opened once');
  assert.equal(closes, 1000, 'each journal closed once, when its run ended');
  assert.deepEqual((await store.read('r999')).map((e) => e.seq), [1, 2, 3, 4, 5]);
  await store.close();
});
