// "Save as Test Case": a finished run's journal becomes a case of its test file that passes, added
// after what the file holds in the file's own indentation, with nothing already there changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import type { JournalEvent } from '../../engine/journal/events';
import { parseTestFile } from '../../engine/testing/parse';
import { loadTestFile } from '../../engine/testing/load';
import { saveRunAsCase, SaveCaseError } from '../../engine/testing/save-case';
import { dedent, mocksFrom, runToEnd, taskFrom, virtualEngine } from '../helpers/tasks';
import { HAPPY_MOCKS, PIPELINE, runAll, writeFiles } from './helpers';

/** A run of PIPELINE to its end with these mocks (a mocks file's list): its journal. */
async function pipelineRun(mocks: string, input?: Record<string, unknown>): Promise<JournalEvent[]> {
  const { engine } = virtualEngine({ mocks: mocksFrom(`mocks:\n${dedent(mocks).replace(/^(?=.)/gm, '  ')}`) });
  return (await runToEnd(engine, taskFrom(PIPELINE, 'pipeline.task.yaml'), input)).journal;
}

/** Writes the saved text as the test file beside PIPELINE, loads and runs it. */
async function runSaved(text: string) {
  const dir = writeFiles({ 'pipeline.task.yaml': PIPELINE });
  const file = path.join(dir, 'pipeline.test.yaml');
  fs.writeFileSync(file, text);
  const loaded = loadTestFile(file);
  assert.deepEqual(loaded.diagnostics.map((d) => d.message), [], text);
  return runAll(loaded);
}

test('a run becomes a new test file whose case passes: input, recorded results and events as mocks, status and path', async () => {
  const journal = await pipelineRun(HAPPY_MOCKS, { env: 'prod' });
  const saved = saveRunAsCase({ journal, taskRef: './pipeline.task.yaml' });
  const runId = (journal[0] as Extract<JournalEvent, { type: 'run-started' }>).runId;
  assert.equal(saved.name, `run ${runId} succeeded`);
  assert.equal(saved.text.split('\n')[saved.line], `  run ${runId} succeeded:`);
  assert.deepEqual([saved.offset, saved.insert], [0, saved.text]);
  const model = parseTestFile(saved.text).model;
  const c = model.cases[0];
  assert.deepEqual(c.input, { env: 'prod' });
  assert.deepEqual(c.expect.status?.value, 'succeeded');
  assert.deepEqual(c.expect.path?.states.map((s) => s.value), ['build', 'wait', 'ship', 'approve', 'done']);
  assert.deepEqual(
    c.mocks?.entries.map((m) => [m.state, m.instruction ?? m.poll ?? m.event]),
    [['build', 'build'], ['wait', 0], ['ship', 'deploy'], [undefined, 'approved']],
  );
  assert.match(saved.text, /after: 30m\n/);
  const result = await runSaved(saved.text);
  assert.deepEqual(result.cases.map((r) => [r.status, r.failures.map((f) => f.message)]), [['passed', []]]);
});

test('a failed attempt before a success (retry) is saved call by call, and the case passes', async () => {
  const task = PIPELINE.replace('as: build', 'as: build\n          retry: { attempts: 2, delay: 1s }');
  const { engine } = virtualEngine({
    mocks: mocksFrom(`
      mocks:
        - { state: build, instruction: build, error: { kind: http, message: "503" }, times: 1 }
        - { state: build, instruction: build, result: { status: 500, body: {} } }
    `),
  });
  const { journal } = await runToEnd(engine, taskFrom(task, 'pipeline.task.yaml'));
  const saved = saveRunAsCase({ journal, taskRef: './pipeline.task.yaml' });
  assert.match(saved.text, /error:\n\s+kind: http\n\s+message: "503"\n\s+times: 1\n/);
  const dir = writeFiles({ 'pipeline.task.yaml': task });
  fs.writeFileSync(path.join(dir, 'pipeline.test.yaml'), saved.text);
  const result = await runAll(loadTestFile(path.join(dir, 'pipeline.test.yaml')));
  assert.equal(result.cases[0].status, 'passed', result.cases[0].failures.map((f) => f.message).join('\n'));
  assert.deepEqual(result.cases[0].path, ['build', 'failed']);
});

test("a case is appended after the file's cases in its own indentation; comments, blank lines and later keys stay as they were", async () => {
  const journal = await pipelineRun(HAPPY_MOCKS);
  const existing = [
    '# my cases',
    'task: ./pipeline.task.yaml   # the task',
    'cases:',
    '    builds:',
    "        mocks: [ { state: build, instruction: build, error: { kind: http, message: down } } ]",
    '        expect: { status: failed }   # down',
    '',
    '    # a comment after the last case',
    '',
  ].join('\n');
  const saved = saveRunAsCase({ journal, testText: existing, taskRef: './ignored.task.yaml' });
  const lines = saved.text.split('\n');
  assert.ok(saved.text.startsWith(existing.split('\n').slice(0, 6).join('\n') + '\n'), saved.text);
  assert.ok(saved.text.endsWith('\n    # a comment after the last case\n'), saved.text);
  assert.match(lines[saved.line], /^ {4}run \S+ succeeded:$/);
  assert.equal(lines[saved.line + 1], '        input: { env: staging }');
  assert.equal(lines[saved.line + 2], '        mocks:');
  assert.doesNotMatch(saved.text, /ignored/);
  const result = await runSaved(saved.text);
  assert.deepEqual(result.cases.map((r) => [r.name, r.status]), [['builds', 'passed'], [saved.name, 'passed']]);
});

test('a case goes before a key that follows the cases, and a name already there gets a number', async () => {
  const journal = await pipelineRun(HAPPY_MOCKS);
  const runId = (journal[0] as Extract<JournalEvent, { type: 'run-started' }>).runId;
  const first = saveRunAsCase({ journal, testText: 'cases:\n  other: { expect: { status: failed }, mocks: [ { state: build, instruction: build, result: { status: 500 } } ] }\ntask: ./pipeline.task.yaml\n', taskRef: '' });
  assert.ok(first.text.endsWith('\ntask: ./pipeline.task.yaml\n'), first.text);
  const second = saveRunAsCase({ journal, testText: first.text, taskRef: '' });
  assert.equal(second.name, `run ${runId} succeeded (2)`);
  const result = await runSaved(second.text);
  assert.deepEqual(result.cases.map((r) => r.status), ['passed', 'passed', 'passed']);
});

test('runs that a test cannot reproduce, and test files that cannot take a case without a rewrite, are refused with a reason', async () => {
  const journal = await pipelineRun(HAPPY_MOCKS);
  const unfinished = journal.filter((e) => e.type !== 'run-ended');
  assert.throws(() => saveRunAsCase({ journal: unfinished, taskRef: 'x' }), (e: Error) => e instanceof SaveCaseError && /has not ended/.test(e.message));
  const cancelled = journal.map((e) => (e.type === 'run-ended' ? { ...e, status: 'cancelled' as const } : e));
  assert.throws(() => saveRunAsCase({ journal: cancelled, taskRef: 'x' }), /was cancelled from outside/);
  assert.throws(() => saveRunAsCase({ journal, testText: 'task: x\ncases: { a: { expect: {} } }\n', taskRef: 'x' }), /not a block mapping/);
  assert.throws(() => saveRunAsCase({ journal, testText: 'task: x\ncases: [\n', taskRef: 'x' }), /does not read as YAML/);
});

test('property: whatever the test file holds, its text is kept and the case is added as one more case', async () => {
  const journal = await pipelineRun(HAPPY_MOCKS);
  const name = fc.stringMatching(/^[a-z][a-z0-9 ]{0,12}[a-z0-9]$/);
  const file = fc.record({
    names: fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
    column: fc.integer({ min: 1, max: 6 }),
    step: fc.integer({ min: 1, max: 6 }),
    comment: fc.boolean(),
    after: fc.constantFrom('', 'mocks: ./x.mocks.yaml\n', '\n\n'),
    newline: fc.boolean(),
  });
  fc.assert(
    fc.property(file, (f) => {
      const pad = ' '.repeat(f.column);
      const inner = ' '.repeat(f.column + f.step);
      const cases = f.names.map((n) => `${pad}${n}:${f.comment ? ' # c' : ''}\n${inner}expect:\n${inner}${' '.repeat(f.step)}status: succeeded\n`).join('');
      let text = `task: ./pipeline.task.yaml\ncases:\n${cases}${f.after}`;
      if (!f.newline) text = text.replace(/\n+$/, '');
      const saved = saveRunAsCase({ journal, testText: text, taskRef: '' });
      // A file whose cases end it without a newline gets one before the new case.
      const kept = saved.text.endsWith('\n') ? withNewline(text) : text;
      const addedLines = saved.text.split('\n').length - kept.split('\n').length;
      const lines = saved.text.split('\n');
      // Removing the added lines gives back the old text, byte for byte .
      const without = [...lines.slice(0, saved.line), ...lines.slice(saved.line + addedLines)].join('\n');
      assert.equal(without, kept);
      assert.equal(text.slice(0, saved.offset) + saved.insert + text.slice(saved.offset), saved.text);
      const parsed = parseTestFile(saved.text);
      assert.deepEqual(parsed.diagnostics, []);
      assert.deepEqual(parsed.model.cases.map((c) => c.name), [...f.names, saved.name]);
      assert.equal(parsed.model.cases[f.names.length].keyRange.start.column, f.column);
      assert.equal(parsed.model.cases[f.names.length].keyRange.start.line, saved.line);
    }),
  );
});

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : text + '\n';
}
