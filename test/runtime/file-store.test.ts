// The file store: JSON lines, torn tails, listing, and events left by another process.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileStore } from '../../engine/store/file';
import { memoryStore } from '../../engine/store/memory';
import { UnknownRunError, type InboxEvent, type RunStore } from '../../engine/store/store';
import { createEngine } from '../../engine/runtime/engine';
import type { JournalEvent } from '../../engine/journal/events';
import { ofType, rmDir, taskFrom, tmpDir, withTimeout, runToEnd, nextJournal } from '../helpers/tasks';

const root = tmpDir('stepwise-filestore-');
after(() => rmDir(root));
let n = 0;
const freshDir = () => path.join(root, `d${++n}`);

const ev = (seq: number, extra: Record<string, unknown> = {}): JournalEvent => ({ seq, at: 1000 + seq, type: 'log', state: 's', message: `m${seq}`, ...extra }) as JournalEvent;

describe('file store', () => {
  test('writes one valid JSON line per event and reads them back', async () => {
    const dir = freshDir();
    const store = fileStore(dir);
    await store.append('r1', [ev(1), ev(2)]);
    await store.append('r1', [ev(3)]);
    const text = fs.readFileSync(path.join(dir, 'r1.jsonl'), 'utf8');
    assert.ok(text.endsWith('\n'));
    const lines = text.split('\n').slice(0, -1);
    assert.equal(lines.length, 3);
    assert.deepEqual(lines.map((l) => JSON.parse(l).seq), [1, 2, 3]);
    assert.deepEqual(await store.read('r1'), [ev(1), ev(2), ev(3)]);
    await store.close();
  });

  test('a real run journals valid JSON lines, seq 1..n', async () => {
    const dir = freshDir();
    const engine = createEngine({ store: fileStore(dir) });
    const task = taskFrom(`
      version: 1
      name: lines
      start: a
      states:
        a:
          do:
            - set: { x: "line\\nbreak \\"quoted\\"" }
            - log: "unicode é ✓ {{ data.x }}"
          next: done
        done: { final: true }
    `);
    const { run, state } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded');
    const lines = fs.readFileSync(path.join(dir, `${run.id}.jsonl`), 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    const parsed = lines.map((l) => JSON.parse(l) as JournalEvent);
    assert.deepEqual(parsed.map((e) => e.seq), parsed.map((_, i) => i + 1));
    assert.equal(parsed[0].type, 'run-started');
    assert.equal(parsed.at(-1)!.type, 'run-ended');
    assert.equal(state.data.x, 'line\nbreak "quoted"');
    await engine.store.close();
  });

  test('a torn last line is ignored by read and cut before the next append', async () => {
    const dir = freshDir();
    const first = fileStore(dir);
    await first.append('torn', [ev(1), ev(2)]);
    await first.close();
    const file = path.join(dir, 'torn.jsonl');
    fs.appendFileSync(file, '{"seq":3,"at":10,"type":"TORN-GARBAGE');
    // Another process (a new store) reads it after the crash.
    const second = fileStore(dir);
    assert.deepEqual((await second.read('torn')).map((e) => e.seq), [1, 2]);
    await second.append('torn', [ev(3)]);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(!text.includes('TORN-GARBAGE'), 'the torn bytes are gone');
    assert.deepEqual(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).seq), [1, 2, 3]);
    assert.deepEqual((await second.read('torn')).map((e) => e.seq), [1, 2, 3]);
    await second.close();
  });

  test('read of an unknown run and sendEvent to it fail with UnknownRunError', async () => {
    const store = fileStore(freshDir());
    await assert.rejects(store.read('nope'), UnknownRunError);
    await assert.rejects(store.sendEvent('nope', 'x', null), UnknownRunError);
    assert.deepEqual(await store.list(), []);
    assert.throws(() => store.append('../escape', [ev(1)]), /Invalid run id/);
  });

  test('list() gives run ids without inbox files', async () => {
    const dir = freshDir();
    const store = fileStore(dir);
    for (const id of ['20240101-120000-aaaaaa', '20240101-120001-000000', '20240101-120002-ffffff']) await store.append(id, [ev(1)]);
    await store.sendEvent('20240101-120001-000000', 'x', 1);
    assert.deepEqual(await store.list(), ['20240101-120000-aaaaaa', '20240101-120001-000000', '20240101-120002-ffffff']);
    await store.close();
  });

  // RunStore.list() says "oldest first", whatever the ids.
  for (const [name, make] of [
    ['memory', () => memoryStore()],
    ['file', () => fileStore(freshDir())],
  ] as Array<[string, () => RunStore]>) {
    test(`list() is oldest first (${name} store)`, async () => {
      const store = make();
      await store.append('run-b', [ev(1)]);
      await new Promise((r) => setTimeout(r, 20));
      await store.append('run-a', [ev(1)]);
      await new Promise((r) => setTimeout(r, 20));
      await store.append('run-c', [ev(1)]);
      assert.deepEqual(await store.list(), ['run-b', 'run-a', 'run-c']);
      await store.close();
    });
  }

  test('watchInbox gives events left before and after it subscribes, each once', async () => {
    const dir = freshDir();
    const a = fileStore(dir, { inboxPollMs: 20 });
    const b = fileStore(dir, { inboxPollMs: 20 });
    await a.append('r', [ev(1)]);
    await b.sendEvent('r', 'early', 1);
    const got: InboxEvent[] = [];
    const stop = a.watchInbox('r', (e) => got.push(e));
    assert.deepEqual(got.map((e) => e.name), ['early']);
    // Leave the watcher time to take its first look (see the next test for what happens otherwise).
    await new Promise((r) => setTimeout(r, 150));
    await b.sendEvent('r', 'late', 2);
    const deadline = Date.now() + 1500;
    while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    stop();
    assert.deepEqual(got.map((e) => [e.name, e.data]), [
      ['early', 1],
      ['late', 2],
    ]);
    await a.close();
    await b.close();
  });

  test('watchInbox does not miss an event left right after it subscribes (10 tries)', async () => {
    const missed: number[] = [];
    for (let i = 0; i < 10; i++) {
      const dir = freshDir();
      const a = fileStore(dir, { inboxPollMs: 20 });
      const b = fileStore(dir, { inboxPollMs: 20 });
      await a.append('r', [ev(1)]);
      await b.sendEvent('r', 'before', i);
      const got: InboxEvent[] = [];
      const stop = a.watchInbox('r', (e) => got.push(e));
      await b.sendEvent('r', 'now', i);
      const deadline = Date.now() + 250;
      while (got.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      stop();
      if (got.map((e) => e.name).join() !== 'before,now') missed.push(i);
      await a.close();
      await b.close();
    }
    assert.deepEqual(missed, [], 'tries whose event was never delivered');
  });

  test("an event left through a second store on the same folder reaches a waiting run (another process's view)", async () => {
    const dir = freshDir();
    const engine = createEngine({ store: fileStore(dir, { inboxPollMs: 20 }) });
    const task = taskFrom(`
      version: 1
      name: inbox
      data: { got: null }
      start: wait
      states:
        wait:
          on:
            - to: got
              event: go
            - to: late
              after: 10s
        got:
          do: [ { set: { got: "={{ event.data }}" } } ]
          next: done
        done: { final: true }
        late: { final: true, status: failed }
    `);
    const run = engine.start(task);
    await nextJournal(engine, (r, e) => r === run && e.type === 'state-entered');
    await new Promise((r) => setTimeout(r, 150)); // past the inbox watcher's first look (see above)
    const other = fileStore(dir);
    const sent = await other.sendEvent(run.id, 'go', { from: 'outside' });
    const state = await withTimeout(run.done, 8000, 'run');
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(state.data.got, { from: 'outside' });
    const [received] = ofType(await engine.store.read(run.id), 'event-received');
    assert.equal(received.source, `inbox:${sent.id}`);
    await engine.store.close();
  });

  test('engine.send from a second engine on the same folder goes through the inbox', async () => {
    const dir = freshDir();
    const engine = createEngine({ store: fileStore(dir, { inboxPollMs: 20 }) });
    const second = createEngine({ store: fileStore(dir) });
    const task = taskFrom(`
      version: 1
      name: inbox2
      start: wait
      states:
        wait:
          on: [ { to: done, event: go }, { to: late, after: 10s } ]
        done: { final: true }
        late: { final: true, status: failed }
    `);
    const run = engine.start(task);
    await nextJournal(engine, (r, e) => r === run && e.type === 'state-entered');
    await new Promise((r) => setTimeout(r, 150)); // past the inbox watcher's first look (see above)
    await second.send(run.id, 'go', null);
    const state = await withTimeout(run.done, 8000, 'run');
    assert.equal(state.status, 'succeeded');
  });
});
