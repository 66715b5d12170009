// `stepwise test` end to end: the built dist/cli.js in child processes, as CI runs it. The samples'
// test files pass here, which is how `npm test` runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFiles } from './helpers';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist', 'cli.js');

function stepwise(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cli, 'test', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TASK = `
  version: 1
  name: greet
  input:
    name: { type: string, default: world }
  start: greet
  states:
    greet:
      do:
        - set: { greeting: "Hello, {{ input.name }}!" }
      next: done
    done: { final: true }
`;

test('every sample test file passes (exit 0), with the text reporter', () => {
  const r = stepwise(['samples'], root);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^samples\/deploy\.test\.yaml$/m);
  assert.match(r.stdout, /^ {2}✓ rolls out a new version \(4m31s virtual\)$/m);
  assert.match(r.stdout, /^\d+ passed, 0 failed in /m);
});

test('exit 1 when a case fails, with what was expected and what happened; folders are searched', () => {
  const dir = writeFiles({
    'greet.task.yaml': TASK,
    'greet.test.yaml': `
      task: ./greet.task.yaml
      cases:
        default: { expect: { path: [greet, done] } }
        wrong: { input: { name: Ada }, expect: { data: "data.greeting = 'Hello, Bob!'" } }
    `,
  });
  const r = stepwise([], dir);
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.stdout.includes("  ✓ default (0ms virtual)\n  ✗ wrong (0ms virtual)\n      data: expected `data.greeting = 'Hello, Bob!'` to hold, it gave false; it saw data.greeting = \"Hello, Ada!\".\n"), r.stdout);
  assert.match(r.stdout, /^1 passed, 1 failed in /m);
});

test('exit 2 on lint errors in a test file (nothing runs), on a task with errors, and on usage errors', () => {
  const dir = writeFiles({
    'greet.task.yaml': TASK,
    'bad.test.yaml': `
      task: ./greet.task.yaml
      cases:
        typo: { expect: { path: [greet, dnoe] } }
    `,
  });
  const lint = stepwise(['bad.test.yaml'], dir);
  assert.equal(lint.code, 2);
  assert.equal(lint.stdout, '');
  assert.equal(lint.stderr, "bad.test.yaml:3:35: error 'dnoe' in 'path' is not a state of task 'greet': did you mean 'done'? [unknown-state]\n1 file checked: 1 error, 0 warnings.\n");
  const broken = writeFiles({ 'x.task.yaml': 'version: 1\nname: x\nstart: a\nstates:\n  a: { next: b }\n', 'x.test.yaml': 'task: ./x.task.yaml\ncases:\n  a: { expect: {} }\n' });
  assert.equal(stepwise(['x.test.yaml'], broken).code, 2);
  assert.equal(stepwise(['nothing-here.test.yaml'], dir).code, 2);
  assert.equal(stepwise(['--reporter', 'xml', 'bad.test.yaml'], dir).code, 2);
});

test('--reporter json prints one document; --reporter junit prints XML', () => {
  const dir = writeFiles({
    'greet.task.yaml': TASK,
    'greet.test.yaml': `
      task: ./greet.task.yaml
      cases:
        ok: { expect: { status: succeeded } }
        ko: { expect: { status: failed } }
    `,
  });
  const json = stepwise(['--reporter', 'json'], dir);
  assert.equal(json.code, 1);
  assert.deepEqual(JSON.parse(json.stdout), {
    cases: [
      { file: 'greet.test.yaml', task: 'greet.task.yaml', name: 'ok', status: 'passed' },
      { file: 'greet.test.yaml', task: 'greet.task.yaml', name: 'ko', status: 'failed', message: "status: expected failed, the run ended succeeded in state 'done'." },
    ],
    passed: 1,
    failed: 1,
  });
  const junit = stepwise(['--reporter', 'junit'], dir);
  assert.equal(junit.code, 1);
  assert.match(junit.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="stepwise" tests="2" failures="1"/);
  assert.ok(junit.stdout.includes(`<testcase name="ko" classname="greet.test.yaml" file="greet.test.yaml" line="4"`), junit.stdout);
  assert.ok(junit.stdout.includes(`<failure message="status: expected failed, the run ended succeeded in state 'done'." type="status">`), junit.stdout);
});

test('--coverage prints the table and writes coverage/lcov.info; with json the table goes to stderr', () => {
  const dir = writeFiles({
    'greet.task.yaml': TASK,
    'greet.test.yaml': `
      task: ./greet.task.yaml
      cases:
        ok: { expect: { status: succeeded } }
    `,
  });
  const text = stepwise(['--coverage'], dir);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^TASK FILE\s+STATES\s+%\s+TRANSITIONS\s+%\ngreet\.task\.yaml\s+2\/2\s+100%\s+1\/1\s+100%$/m);
  const lcov = fs.readFileSync(path.join(dir, 'coverage', 'lcov.info'), 'utf8');
  assert.equal(lcov, ['TN:', 'SF:greet.task.yaml', 'BRDA:7,0,0,1', 'BRF:1', 'BRH:1', 'DA:7,1', 'DA:10,1', 'DA:11,1', 'LF:3', 'LH:3', 'end_of_record', ''].join('\n'));
  const json = stepwise(['--coverage', '--reporter', 'json'], dir);
  assert.equal(JSON.parse(json.stdout).passed, 1);
  assert.match(json.stderr, /greet\.task\.yaml\s+2\/2/);
});
