// The older-version mark of server runs (extension/server/versions.ts) against a real
// `stepwise serve` (dist/cli.js): a run's pinned `taskHash` against the hash the server serves its
// task with now, after the served file is edited and after it is removed.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServerClient } from '../../extension/server/client';
import { ServerTaskVersions } from '../../extension/server/versions';
import { serve, type ServeProcess } from '../postgres/procs';
import { samplesDir } from '../postgres/samples';

const procs: ServeProcess[] = [];
after(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
});

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a server run is marked older once the server serves an edited or no task file of its task', async () => {
  const tasks = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-versions-tasks-'));
  fs.copyFileSync(path.join(samplesDir, 'approval.task.yaml'), path.join(tasks, 'approval.task.yaml'));
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-versions-store-'));
  const p = await serve(['--quiet', '--store', store, '--tasks', tasks, '--port', '0']);
  procs.push(p);
  const client = new ServerClient({ url: p.url! });
  let clock = 0;
  let changes = 0;
  const versions = new ServerTaskVersions({ client: () => client, changed: () => changes++, maxAgeMs: 5000, now: () => clock });

  const run = await client.startRun('approval', { change: 'versions test' });
  assert.match(String(run.taskHash), /^[0-9a-f]{64}$/);
  // Nothing is known before the first read: no mark, and the read is under way.
  assert.equal(versions.older(run), undefined);
  await until('the first read of the served tasks', () => changes === 1);
  assert.equal(versions.older(run), undefined, 'the server serves the text the run started with');

  fs.appendFileSync(path.join(tasks, 'approval.task.yaml'), '# edited after the run started\n');
  const served = await until('the server to serve the edited file', async () => {
    const t = (await client.tasks()).tasks.find((x) => x.name === 'approval');
    return t && t.hash !== run.taskHash ? t.hash : undefined;
  });
  assert.match(served, /^[0-9a-f]{64}$/);
  // Within maxAgeMs the served hashes are not read again…
  assert.equal(versions.older(run), undefined);
  // …after it they are, and the view is told to draw again.
  clock += 5000;
  versions.older(run);
  await until('the second read', () => changes === 2);
  assert.match(String(versions.older(run)), /^Task 'approval' has changed on the server since this run started; the run keeps the version it started with \([0-9a-f]{12}\)\.$/);
  assert.equal(versions.older({ task: 'approval', taskHash: served }), undefined, 'a run of the file as served now is not older');
  assert.equal(versions.older({ task: 'approval', taskHash: null }), undefined, 'a run that keeps no version is not marked');

  // A task file changed here: invalidate() reads again at once, whatever the clock says.
  fs.rmSync(path.join(tasks, 'approval.task.yaml'));
  await until('the server to stop serving it', async () => (await client.tasks()).tasks.length === 0);
  versions.invalidate();
  versions.older(run);
  await until('the read after invalidate()', () => changes === 3);
  assert.match(String(versions.older(run)), /^The server no longer serves task 'approval'/);
  await client.control(run.id, 'cancel');
});
