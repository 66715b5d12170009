// Pinned versions in every store: the text a run started with is kept by its hash, and whatever
// continues the run reads it back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { createEngine } from '../../engine/runtime/engine';
import { loadTaskFile } from '../../engine/runtime/load';
import { pinnedTask, sourceHash } from '../../engine/runtime/pinned';
import { fileStore } from '../../engine/store/file';
import { memoryStore } from '../../engine/store/memory';
import type { RunStore } from '../../engine/store/store';
import { dedent, rmDir, tmpDir } from '../helpers/tasks';

const dir = tmpDir('stepwise-pinned-');
after(() => rmDir(dir));

const version = (message: string) =>
  dedent(`
    version: 1
    name: pinned
    start: waiting
    states:
      waiting:
        on: [ { to: done, event: go } ]
      done:
        do: [ { log: "${message}" } ]
        final: true
  `);

for (const [kind, open] of [
  ['memory', () => memoryStore()],
  ['file', () => fileStore(path.join(dir, `runs-${Math.random().toString(36).slice(2)}`))],
] as Array<[string, () => RunStore]>) {
  test(`${kind} store: a resumed run continues the version it started with, and the change is reported`, async () => {
    const file = path.join(dir, `${kind}.task.yaml`);
    fs.writeFileSync(file, version('one'));
    const store = open();
    const first = createEngine({ store });
    const run = first.start(loadTaskFile(file));
    while (run.state.state !== 'waiting') await new Promise((r) => setImmediate(r));
    run.detach('the process stops');
    await run.done;
    const started = (await store.read(run.id))[0];
    assert.equal(started.type === 'run-started' && started.taskHash, sourceHash(version('one')));
    assert.equal(await store.readSource(sourceHash(version('one'))), version('one'));

    fs.writeFileSync(file, version('two'));
    const changes: string[] = [];
    const second = createEngine({ store });
    const logs: string[] = [];
    second.onOutput((c) => logs.push(c.text));
    const resumed = await second.resume(run.id, { onChanged: (m) => changes.push(m) });
    await resumed.send('go', null);
    assert.equal((await resumed.done).status, 'succeeded');
    assert.deepEqual(logs, ['one']);
    assert.equal(changes.length, 1);
    assert.match(changes[0], /has changed since run .* started/);
  });
}

test('a run whose version the store lost does not continue with another one', async () => {
  const file = path.join(dir, 'lost.task.yaml');
  fs.writeFileSync(file, version('one'));
  const store = memoryStore();
  const run = createEngine({ store }).start(loadTaskFile(file));
  while (run.state.state !== 'waiting') await new Promise((r) => setImmediate(r));
  run.detach();
  const history = await store.read(run.id);
  await assert.rejects(pinnedTask(memoryStore(), history, loadTaskFile), /that run .* started with \([0-9a-f]{12}\) is not in the store/);
});

test('the file store keeps any text byte for byte, and refuses a hash that is not one', async () => {
  const store = fileStore(path.join(dir, 'sources-prop'));
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: 'binary' }), async (source) => {
      const hash = sourceHash(source);
      await store.keepSource({ hash, source, name: 't' });
      assert.equal(await store.readSource(hash), source);
    }),
    { numRuns: 50 },
  );
  await assert.rejects(store.keepSource({ hash: '../escape', source: 'x', name: 't' }), /Invalid task version/);
});
