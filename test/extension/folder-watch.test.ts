// The Runs view's watch of a store folder: journals another process writes, also into a folder
// that did not exist when the watch began (a new workspace before its first run).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { watchFolder } from '../../extension/folderWatch';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-folder-watch-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Resolves at the next call of the watch's callback after `act`. */
function changeAfter(watch: { next: () => Promise<void> }, act: () => void): Promise<void> {
  const seen = watch.next();
  act();
  return seen;
}

function watching(dir: string) {
  let waiters: Array<() => void> = [];
  const w = watchFolder(dir, () => {
    const now = waiters;
    waiters = [];
    for (const resolve of now) resolve();
  });
  return { next: () => new Promise<void>((resolve) => waiters.push(resolve)), dispose: () => w.dispose() };
}

describe('watchFolder', () => {
  it('reports a journal written into a folder that exists', async () => {
    const dir = path.join(root, 'a');
    fs.mkdirSync(dir);
    const w = watching(dir);
    await changeAfter(w, () => fs.writeFileSync(path.join(dir, 'r1.jsonl'), '{}\n'));
    await changeAfter(w, () => fs.appendFileSync(path.join(dir, 'r1.jsonl'), '{}\n'));
    w.dispose();
  });

  it('reports journals in a folder created after the watch began, several levels down', async () => {
    const dir = path.join(root, 'b', '.stepwise', 'runs');
    fs.mkdirSync(path.join(root, 'b'));
    const w = watching(dir);
    await changeAfter(w, () => {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'r1.jsonl'), '{}\n');
    });
    await changeAfter(w, () => fs.writeFileSync(path.join(dir, 'r2.jsonl'), '{}\n'));
    w.dispose();
  });

  it('goes on after the folder is deleted and made again', async () => {
    const dir = path.join(root, 'c', 'runs');
    fs.mkdirSync(dir, { recursive: true });
    const w = watching(dir);
    await changeAfter(w, () => fs.rmSync(dir, { recursive: true }));
    await changeAfter(w, () => {
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'r3.jsonl'), '{}\n');
    });
    await changeAfter(w, () => fs.writeFileSync(path.join(dir, 'r4.jsonl'), '{}\n'));
    w.dispose();
  });
});
