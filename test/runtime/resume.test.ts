// Resuming a run from its journal: every prefix of a finished run's journal, copied to a new run,
// resumes to the same final data, with no duplicated seq, and redoes an instruction that had
// started but not finished.
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../engine/runtime/engine';
import { fileStore } from '../../engine/store/file';
import type { JournalEvent } from '../../engine/journal/events';
import { replay, type RunState } from '../../engine/journal/replay';
import { dedent, mocksFrom, parseOnlyLoader, rmDir, tmpDir, withTimeout, trace } from '../helpers/tasks';

const dir = tmpDir('stepwise-resume-');
after(() => rmDir(dir));
const runsDir = path.join(dir, 'runs');
const taskFile = path.join(dir, 'resumable.task.yaml');
const NODE = process.execPath.replace(/\\/g, '/');

fs.writeFileSync(
  taskFile,
  dedent(`
    version: 1
    name: resumable
    data: { a: 0, b: 0, c: null }
    start: s1
    states:
      s1:
        do:
          - set: { a: 1 }
          - exec: { command: "${NODE}", args: [ "-e", "console.log(JSON.stringify({x: 2}))" ] }
            as: out
          - sleep: 20ms
          - set: { b: "={{ data.a + $eval(data.out.stdout).x }}" }
        next: s2
      s2:
        on:
          - to: s3
            event: go
          - to: late
            after: 10s
      s3:
        do:
          - set: { c: "={{ event.data.v }}" }
          - http: { url: "https://x.example.com/flaky" }
            as: fl
            retry: { attempts: 2, delay: 10ms }
          - count: {}
            as: counted
        next: s4
      s4:
        on:
          - to: done
            poll:
              every: 15ms
              do: { http: { url: "https://x.example.com/ready" }, as: ready }
              until: "result.ready"
          - to: late
            after: 10s
      done: { final: true }
      late: { final: true, status: failed }
  `),
);

// The flaky http call is mocked by its `as` name: one failure, then a result.
const MOCKS = mocksFrom(`
  mocks:
    - { event: go, after: 60ms, data: { v: 7 } }
    - { state: s3, instruction: fl, error: { kind: http, message: "503" }, times: 1 }
    - { state: s3, instruction: fl, result: { status: 200, body: { fine: true } } }
    - { state: s4, poll: 0, results: [ { ready: false }, { ready: false }, { ready: true } ] }
`);

let realCounts = 0;
const makeEngine = () =>
  createEngine({
    store: fileStore(runsDir),
    mocks: MOCKS,
    loadTask: parseOnlyLoader,
    instructions: {
      count: async () => {
        realCounts++;
        return { counted: true };
      },
    },
  });

let full: JournalEvent[] = [];
let fullState: RunState;

function checkJournal(journal: JournalEvent[], label: string): void {
  assert.deepEqual(journal.map((e) => e.seq), journal.map((_, i) => i + 1), `${label}: seqs 1..n`);
  // No instruction finished twice in one entry of a state.
  let entry = 0;
  const finished = new Set<string>();
  for (const e of journal) {
    if (e.type === 'state-entered') entry = e.seq;
    if (e.type === 'instruction-finished') {
      const key = `${entry}:${e.index}`;
      assert.ok(!finished.has(key), `${label}: instruction ${e.state}[${e.index}] finished twice in one entry`);
      finished.add(key);
    }
  }
  assert.equal(journal.filter((e) => e.type === 'event-received').length, 1, `${label}: the mock event is received once`);
  // Polls are counted across the resume: the one after the crash is the next, not the first.
  const attempts = journal.flatMap((e) => (e.type === 'poll-result' ? [e.attempt] : []));
  assert.deepEqual(attempts, attempts.map((_, i) => i + 1), `${label}: poll attempts`);
  assert.equal(journal.filter((e) => e.type === 'run-ended').length, 1, `${label}: one end`);
}

describe('resume', () => {
  before(async () => {
    const engine = makeEngine();
    const run = engine.start({ model: parseOnlyLoader(taskFile).model, file: taskFile }, { runId: 'full' });
    fullState = await withTimeout(run.done, 10_000, 'full run');
    full = await engine.store.read('full');
    await engine.store.close();
  });

  test('the uninterrupted run succeeds with the expected data', () => {
    assert.equal(fullState.status, 'succeeded', JSON.stringify(fullState.error));
    assert.deepEqual(fullState.data, {
      a: 1,
      b: 3,
      c: 7,
      out: { exitCode: 0, stdout: '{"x":2}\n', stderr: '' },
      fl: { status: 200, body: { fine: true } },
      counted: { counted: true },
      ready: { ready: true },
    });
    checkJournal(full, 'full');
  });

  test('every prefix of the journal resumes to the same final data', async () => {
    assert.ok(full.length > 20, `journal of ${full.length} entries`);
    const problems: string[] = [];
    for (let k = 1; k < full.length; k++) {
      const id = `prefix-${k}`;
      const lines = full.slice(0, k).map((e) => JSON.stringify(e.type === 'run-started' ? { ...e, runId: id } : e));
      fs.writeFileSync(path.join(runsDir, `${id}.jsonl`), lines.join('\n') + '\n');
      const engine = makeEngine();
      const countsBefore = realCounts;
      const run = await engine.resume(id);
      const state = await withTimeout(run.done, 10_000, `resume of ${id}`);
      const journal = await engine.store.read(id);
      await engine.store.close();
      const label = `prefix ${k} (last: ${full[k - 1].type})`;
      try {
        assert.equal(state.status, 'succeeded', `${label}: ${JSON.stringify(state.error)}\n${trace(journal).join('\n')}`);
        assert.deepEqual(state.data, fullState.data, label);
        assert.deepStrictEqual(replay(journal), state, `${label}: the resumed run is its journal`);
        checkJournal(journal, label);
        assert.deepEqual(journal.slice(0, k), full.slice(0, k).map((e) => (e.type === 'run-started' ? { ...e, runId: id } : e)), `${label}: the prefix is kept`);
        assert.equal(journal[k].type, 'run-recovered', label);
        // An instruction started but not finished in the prefix runs again.
        const last = full[k - 1];
        if (last.type === 'instruction-started') {
          const again = journal.slice(k).find((e) => e.type === 'instruction-started' && e.state === last.state && e.index === last.index);
          assert.ok(again, `${label}: ${last.state}[${last.index}] started again`);
        }
        // The real `count` instruction ran again only if it had not finished in the prefix.
        const countDone = full.slice(0, k).some((e) => e.type === 'instruction-finished' && e.kind === 'count');
        assert.equal(realCounts - countsBefore, countDone ? 0 : 1, `${label}: count runs`);
      } catch (err) {
        problems.push((err as Error).message.split('\n').slice(0, 12).join('\n'));
      }
    }
    assert.deepEqual(problems, []);
  });

  test('resume refuses a run that has ended, and a journal without a task file', async () => {
    const engine = makeEngine();
    await assert.rejects(engine.resume('full'), /already ended/);
    const lines = full.slice(0, 3).map((e) => JSON.stringify(e.type === 'run-started' ? { ...e, runId: 'nofile', file: undefined } : e));
    fs.writeFileSync(path.join(runsDir, 'nofile.jsonl'), lines.join('\n') + '\n');
    await assert.rejects(engine.resume('nofile'), /no task file/);
  });
});
