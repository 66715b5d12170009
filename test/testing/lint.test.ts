// Reading and checking test files: the shape (with ranges on the text), and what only the task can
// tell (state names, mock targets, inputs), plus the files a test file names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import type { Diagnostic } from '../../engine/model/types';
import schema from '../../engine/schema/test.schema.json';
import { loadTestFile } from '../../engine/testing/load';
import { parseTestFile } from '../../engine/testing/parse';
import { dedent } from '../helpers/tasks';
import { PIPELINE, pipelineTest, writeFiles } from './helpers';

const root = path.resolve(__dirname, '../../..');

/** `code line:col message` per error, lines and columns 1-based. */
function errors(diagnostics: Diagnostic[]): string[] {
  return diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.range.start.line + 1}:${d.range.start.column + 1} ${d.message}`);
}

test('the cases, their mocks and expectations are read with the range of each', () => {
  const text = dedent(`
    task: ./pipeline.task.yaml
    cases:
      ships:
        input: { env: prod }
        mocks:
          - { state: build, instruction: build, result: { status: 200 } }
          - { event: approved, after: 5m }
        expect:
          status: succeeded
          path: [build, wait]
          data: "data.shipped = true"
          within: 1h
  `);
  const { model, diagnostics } = parseTestFile(text);
  assert.deepEqual(diagnostics, []);
  assert.equal(model.task?.value, './pipeline.task.yaml');
  const [c] = model.cases;
  assert.equal(c.name, 'ships');
  assert.equal(c.keyRange.start.line, 2);
  assert.deepEqual(c.input, { env: 'prod' });
  assert.equal(c.mocks?.mocks.outcomes.length, 1);
  assert.equal(c.mocks?.mocks.events[0].afterMs, 300_000);
  assert.deepEqual(c.mocks?.entries.map((e) => [e.state, e.instruction, e.event, e.range.start.line]), [['build', 'build', undefined, 5], [undefined, undefined, 'approved', 6]]);
  assert.equal(c.expect.status?.value, 'succeeded');
  assert.deepEqual(c.expect.path?.states.map((s) => [s.value, s.range.start.line, s.range.start.column]), [['build', 9, 13], ['wait', 9, 20]]);
  assert.deepEqual(c.expect.data?.map((p) => p.value), ['data.shipped = true']);
  assert.equal(c.expect.within?.ms, 3_600_000);
});

test('shape errors say where and what is allowed', () => {
  const text = dedent(`
    taks: ./x.task.yaml
    cases:
      one:
        expect:
          staus: succeeded
          status: done
          path: build
          data: []
      two: { input: 3, expect: {} }
      three: { mocks: [ { state: a } ] }
  `);
  assert.deepEqual(errors(parseTestFile(text).diagnostics), [
    "test-schema 1:1 Unknown key 'taks' in a test file: did you mean 'task'? (allowed: task, mocks, cases).",
    "test-schema 1:1 A test file needs 'task': the task file it tests, relative to this file (task: ./deploy.task.yaml).",
    "test-schema 5:7 Unknown key 'staus' in the expect of case 'one': did you mean 'status'? (allowed: status, path, visits, never, data, error, within).",
    "test-schema 6:15 'status' is one of succeeded, failed, cancelled, not 'done'.",
    "test-schema 7:13 'path' is a list of state names, e.g. [start, done].",
    "test-schema 8:13 'data' needs at least one predicate.",
    "test-schema 9:17 'input' of case 'two' must be a mapping of input names to values.",
    "test-schema 10:3 Case 'three' needs 'expect': what the run should do (status, path, visits, never, data, error, within).",
    "test-schema 10:21 a state mock needs 'instruction' (its `as` name or index) or 'poll' (the transition's index).",
  ]);
});

test('lint against the task: unknown states, predicates that do not compile, mocks that name nothing, inputs', () => {
  const t = pipelineTest(`
    bad:
      input: { envv: prod }
      mocks:
        - { state: biuld, instruction: build, result: {} }
        - { state: build, instruction: nope, result: {} }
        - { state: build, instruction: 3, result: {} }
        - { state: ship, poll: 0, results: [] }
        - { state: wait, poll: 1, results: [] }
        - { event: approved }
      expect:
        path: [build, wiat]
        visits: [shipp]
        never: [nowhere]
        data: "data.x = = 1"
        within: 5 minutes
  `);
  assert.deepEqual(errors(t.diagnostics), [
    "invalid-input 4:12 The input of case 'bad' does not fit task 'pipeline': 'envv' is not an input of task 'pipeline' (declared: env).",
    "unknown-mock-target 6:9 The mock names state 'biuld', which task 'pipeline' does not have: did you mean 'build'?",
    "unknown-mock-target 7:9 The mock names instruction \"nope\" of state 'build', which has 0 (as: build).",
    "unknown-mock-target 8:9 The mock names instruction 3 of state 'build', which has 0 (as: build).",
    "unknown-mock-target 9:9 The mock names poll 0 of state 'ship', but it has no poll.",
    "unknown-mock-target 10:9 The mock names poll 1 of state 'wait', but its polls are at 0 of 'on'.",
    "unknown-state 13:21 'wiat' in 'path' is not a state of task 'pipeline': did you mean 'wait'?",
    "unknown-state 14:16 'shipp' in 'visits' is not a state of task 'pipeline': did you mean 'ship'?",
    "unknown-state 15:15 'nowhere' in 'never' is not a state of task 'pipeline'.",
    'invalid-expression 16:13 The \'data\' predicate does not compile: The symbol "=" cannot be used as a unary operator.',
    "invalid-duration 17:15 'within' is not a duration: '5 minutes'. Write e.g. 500ms, 10s, 5m, 2h, 1d or 1h30m.",
  ]);
});

test('the files a test names: a missing task, a task with lint errors, a default mocks file checked against the task', () => {
  const dir = writeFiles({
    'pipeline.task.yaml': PIPELINE,
    'broken.task.yaml': 'version: 1\nname: broken\nstart: a\nstates:\n  a: { next: done, timeout: soon }\n  done: { final: true }\n',
    'bad.mocks.yaml': 'mocks:\n  - { state: build, instruction: build, result: {} }\n  - { state: ghost, instruction: 0, result: {} }\n',
    'missing.test.yaml': 'task: ./nope.task.yaml\nmocks: ./nope.mocks.yaml\ncases:\n  a: { expect: {} }\n',
    'broken.test.yaml': 'task: ./broken.task.yaml\ncases:\n  a: { expect: {} }\n',
    'mocks.test.yaml': 'task: ./pipeline.task.yaml\nmocks: ./bad.mocks.yaml\ncases:\n  a: { expect: {} }\n',
  });
  assert.deepEqual(errors(loadTestFile(path.join(dir, 'missing.test.yaml')).diagnostics), [
    `missing-file 1:7 The task file ${path.join(dir, 'nope.task.yaml')} does not exist.`,
    `missing-file 2:8 The mocks file ${path.join(dir, 'nope.mocks.yaml')} does not exist.`,
  ]);
  const broken = errors(loadTestFile(path.join(dir, 'broken.test.yaml')).diagnostics);
  assert.equal(broken.length, 1);
  assert.match(broken[0], /^task-errors 1:7 The task file has 1 lint error and cannot run:\nbroken\.task\.yaml:5:\d+: .*'soon'.* \[invalid-duration\]$/);
  assert.deepEqual(errors(loadTestFile(path.join(dir, 'mocks.test.yaml')).diagnostics), [
    "unknown-mock-target 2:8 bad.mocks.yaml:3: the mock names state 'ghost', which task 'pipeline' does not have.",
  ]);
});

test('every sample test file reads and lints clean, and the JSON schema accepts it', () => {
  const validate = new Ajv({ allErrors: true, strictTypes: false, allowUnionTypes: true }).compile(schema);
  const files = fs.readdirSync(path.join(root, 'samples')).filter((f) => f.endsWith('.test.yaml'));
  const tasks = fs.readdirSync(path.join(root, 'samples')).filter((f) => f.endsWith('.task.yaml') && f !== 'broken.task.yaml');
  assert.deepEqual(files.map((f) => f.replace('.test.yaml', '')).sort(), tasks.map((f) => f.replace('.task.yaml', '')).sort(), 'a test file for each sample');
  for (const f of files) {
    const file = path.join(root, 'samples', f);
    assert.deepEqual(errors(loadTestFile(file).diagnostics), [], f);
    assert.ok(validate(parseYaml(fs.readFileSync(file, 'utf8'))), `${f}: ${JSON.stringify(validate.errors)}`);
  }
});

test('the JSON schema and the parser agree on what a shape error is', () => {
  const validate = new Ajv({ allErrors: true, strictTypes: false, allowUnionTypes: true }).compile(schema);
  const bad = [
    'cases: { a: { expect: {} } }',
    'task: x.task.yaml\ncases: {}',
    'task: x.task.yaml\ncases: { a: { input: {} } }',
    'task: x.task.yaml\ncases: { a: { expect: { status: done } } }',
    'task: x.task.yaml\ncases: { a: { expect: { path: a } } }',
    'task: x.task.yaml\ncases: { a: { expect: { within: 5 minutes } } }',
    'task: x.task.yaml\ncases: { a: { expect: { data: [] } } }',
    'task: x.task.yaml\ncases: { a: { expect: {}, extra: 1 } }',
  ];
  for (const text of bad) {
    const parsed = parseTestFile(text);
    const lint = [...parsed.diagnostics, ...loadTestFileLint(text)];
    assert.ok(lint.some((d) => d.severity === 'error'), `parser accepts: ${text}`);
    assert.equal(validate(parseYaml(text)), false, `schema accepts: ${text}`);
  }
});

/** Model-level findings that need no task (durations, predicates). */
function loadTestFileLint(text: string): Diagnostic[] {
  const dir = writeFiles({ 'x.test.yaml': text });
  return loadTestFile(path.join(dir, 'x.test.yaml')).diagnostics.filter((d) => d.code !== 'missing-file');
}

test('property: any text reads without throwing, and every diagnostic range lies within the text', () => {
  const fragments = ['task: ./a.task.yaml\n', 'cases:\n', '  a:\n', '    expect:\n', '      path: [a, b]\n', '    mocks:\n', '      - { state: a }\n', '      data: "x = "\n', '{', '[', ': ', '- ', '  ', '\n', '&a ', '*a ', '"', "'"];
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 })), { maxLength: 30 }), (parts) => {
      const text = parts.join('');
      const { diagnostics } = parseTestFile(text);
      for (const d of diagnostics) {
        assert.ok(d.range.start.offset >= 0 && d.range.end.offset <= text.length && d.range.start.offset <= d.range.end.offset, JSON.stringify(d));
        assert.ok(d.message.length > 0);
      }
    }),
    { numRuns: 300 },
  );
});
