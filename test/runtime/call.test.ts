// `call`: a child run of another task file; the parent gets { status, data }.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../engine/runtime/engine';
import { virtualClock } from '../../engine/runtime/clock';
import { fileStore } from '../../engine/store/file';
import { dedent, ofType, rmDir, taskFrom, tmpDir, virtualEngine, runToEnd, withTimeout, T0 } from '../helpers/tasks';

const dir = tmpDir('stepwise-call-');
after(() => rmDir(dir));

const PARENT = `
  version: 1
  name: parent
  input:
    who: { type: string, default: bob }
  start: call
  states:
    call:
      do:
        - call: { task: ./sub/child.task.yaml, input: { who: "={{ input.who }}" } }
          as: child
      on:
        - to: ok
          when: "data.child.status = 'succeeded'"
        - to: bad
    ok: { final: true }
    bad: { final: true, status: failed }
`;

const CHILD = `
  version: 1
  name: child
  input:
    who: { type: string, required: true }
  data: { greeting: null }
  start: greet
  states:
    greet:
      do:
        - sleep: 1m
        - set: { greeting: "hello {{ input.who }}" }
      on:
        - to: refused
          when: "input.who = 'mallory'"
        - to: done
    done: { final: true }
    refused: { final: true, status: failed }
`;

fs.mkdirSync(path.join(dir, 'sub'));
fs.writeFileSync(path.join(dir, 'sub', 'child.task.yaml'), dedent(CHILD));
const parentFile = path.join(dir, 'parent.task.yaml');
fs.writeFileSync(parentFile, dedent(PARENT));

describe('call', () => {
  test('the parent gets the child status and data; the child has its own journal', async () => {
    const { engine } = virtualEngine();
    const { run, state, journal } = await runToEnd(engine, taskFrom(PARENT, parentFile), { who: 'bob' });
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    const child = state.data.child as { status: string; data: Record<string, unknown>; runId: string };
    assert.equal(child.status, 'succeeded');
    assert.deepEqual(child.data, { greeting: 'hello bob' });
    const [fin] = ofType(journal, 'instruction-finished');
    assert.equal(fin.kind, 'call');
    assert.equal(fin.t, 60_000, 'the parent waited for the child (1m on the virtual clock)');

    const ids = await engine.store.list();
    assert.ok(ids.includes(child.runId), `child ${child.runId} in store (${ids.join(', ')})`);
    const childJournal = await engine.store.read(child.runId);
    const start = childJournal[0];
    assert.equal(start.type, 'run-started');
    if (start.type === 'run-started') {
      assert.equal(start.parentRunId, run.id);
      assert.equal(start.task, 'child');
      assert.equal(start.file, path.join(dir, 'sub', 'child.task.yaml'));
      assert.deepEqual(start.input, { who: 'bob' });
    }
    assert.deepEqual(ofType(childJournal, 'run-ended').map((e) => e.status), ['succeeded']);
  });

  test('a failed child is a result, not a failure: the parent branches on it', async () => {
    const { engine } = virtualEngine();
    const { state, journal } = await runToEnd(engine, taskFrom(PARENT, parentFile), { who: 'mallory' });
    assert.equal((state.data.child as { status: string }).status, 'failed');
    assert.equal(state.state, 'bad');
    assert.equal(ofType(journal, 'instruction-failed').length, 0);
  });

  test('two calls of one parent get distinct child run ids', async () => {
    const twice = PARENT.replace(
      '          as: child',
      '          as: child\n        - call: { task: ./sub/child.task.yaml, input: { who: carol } }\n          as: second',
    );
    const { engine } = virtualEngine();
    const { state } = await runToEnd(engine, taskFrom(twice, parentFile));
    const a = state.data.child as { runId: string; data: unknown };
    const b = state.data.second as { runId: string; data: unknown };
    assert.notEqual(a.runId, b.runId);
    assert.deepEqual(b.data, { greeting: 'hello carol' });
  });
});

describe('call and resume', () => {
  test("resuming a parent whose `call` had started does not corrupt the first child's journal", async () => {
    // A first engine runs the parent to its end: the child run is in the store.
    const first = path.join(dir, 'runs-first');
    const e1 = createEngine({ store: fileStore(first), clock: virtualClock(T0) });
    const done = await withTimeout(e1.start(taskFrom(PARENT, parentFile), { runId: 'P' }).done, 5000, 'parent');
    assert.equal(done.status, 'succeeded');
    const parentLines = fs.readFileSync(path.join(first, 'P.jsonl'), 'utf8').split('\n').filter(Boolean);
    const cut = parentLines.findIndex((l) => JSON.parse(l).type === 'instruction-started') + 1;
    // The crash: the parent's journal stops after `call` started; the child had run (partly).
    const second = path.join(dir, 'runs-second');
    fs.mkdirSync(second, { recursive: true });
    fs.writeFileSync(path.join(second, 'P.jsonl'), parentLines.slice(0, cut).join('\n') + '\n');
    const childId = (done.data.child as { runId: string }).runId;
    const childLines = fs.readFileSync(path.join(first, `${childId}.jsonl`), 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(path.join(second, `${childId}.jsonl`), childLines.slice(0, 4).join('\n') + '\n');

    const e2 = createEngine({ store: fileStore(second), clock: virtualClock(T0) });
    const resumed = await withTimeout((await e2.resume('P')).done, 5000, 'resumed parent');
    await e2.settle();
    assert.equal(resumed.status, 'succeeded');
    for (const id of await e2.store.list()) {
      const journal = await e2.store.read(id);
      assert.deepEqual(journal.map((e) => e.seq), journal.map((_, i) => i + 1), `${id}: seqs 1..n`);
      assert.equal(journal.filter((e) => e.type === 'run-started').length, 1, `${id}: one run-started`);
    }
  });
});
