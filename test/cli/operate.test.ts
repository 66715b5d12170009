// Operating runs from the command line: a run keeps the version of the task it started with
// (resume after a kill and an edit follows the original), and `retry` continues a run's journal
// from a step without doing again what came before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist', 'cli.js');

function stepwise(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function journalLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Starts `stepwise run` and kills it (SIGKILL) once its output has `until`; returns the run id. */
async function runAndKill(task: string, cwd: string, until: string): Promise<string> {
  const child = spawn(process.execPath, [cli, 'run', task, '--json'], { cwd });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise((r) => child.on('exit', r));
  while (!out.includes(until)) await new Promise((r) => setTimeout(r, 20));
  child.kill('SIGKILL');
  await exited;
  return journalLines(out)[0].runId as string;
}

const waitingTask = (final: string, message: string) =>
  ['version: 1', 'name: pinned', 'start: waiting', 'states:', '  waiting:', '    on:', `      - { to: ${final}, event: go }`, `  ${final}:`, `    do: [ { log: "${message}" } ]`, '    final: true', ''].join('\n');

test('resume after a kill and an edit continues the version the run started with, and says the file changed', async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-pin-'));
  const task = path.join(cwd, 'pinned.task.yaml');
  fs.writeFileSync(task, waitingTask('done', 'version one'));
  const runId = await runAndKill(task, cwd, '"state-entered"');
  // The edit renames the state the run is about to enter.
  fs.writeFileSync(task, waitingTask('finished', 'version two'));
  assert.equal(stepwise(['send', runId, 'go'], cwd).code, 0);
  const resumed = stepwise(['resume', runId, '--json'], cwd);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /pinned\.task\.yaml has changed since run .* started; the run continues with the version it started with/);
  const events = journalLines(resumed.stdout);
  assert.deepEqual(events.filter((e) => e.type === 'state-entered').map((e) => e.state), ['done']);
  assert.deepEqual(events.filter((e) => e.type === 'log').map((e) => e.message), ['version one']);
});

test('resume of an unchanged file says nothing about versions', async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-pin-'));
  const task = path.join(cwd, 'pinned.task.yaml');
  fs.writeFileSync(task, waitingTask('done', 'same'));
  const runId = await runAndKill(task, cwd, '"state-entered"');
  assert.equal(stepwise(['send', runId, 'go'], cwd).code, 0);
  const resumed = stepwise(['resume', runId, '--json'], cwd);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.doesNotMatch(resumed.stderr, /changed|pinned/);
});

const NODE = process.execPath.replace(/\\/g, '/');

/** prep appends a line to side.txt (the side effect); work fails until a file `ok` exists. */
const flakyTask = [
  'version: 1',
  'name: flaky',
  'start: prep',
  'states:',
  '  prep:',
  `    do: [ { exec: { command: "${NODE}", args: [ "-e", "require('fs').appendFileSync('side.txt', 'prep\\\\n')" ] } } ]`,
  '    next: work',
  '  work:',
  `    do: [ { exec: { command: "${NODE}", args: [ "-e", "process.exit(require('fs').existsSync('ok') ? 0 : 3)" ] } } ]`,
  '    next: done',
  '  done: { final: true }',
  '',
].join('\n');

test('retry continues the failed run from the state it failed in, without doing again what came before', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-retry-'));
  const task = path.join(cwd, 'flaky.task.yaml');
  fs.writeFileSync(task, flakyTask);
  const failed = stepwise(['run', task, '--json'], cwd);
  assert.equal(failed.code, 1, failed.stderr);
  const runId = journalLines(failed.stdout)[0].runId as string;
  assert.equal(fs.readFileSync(path.join(cwd, 'side.txt'), 'utf8'), 'prep\n');

  fs.writeFileSync(path.join(cwd, 'ok'), '');
  const retried = stepwise(['retry', runId], cwd);
  assert.equal(retried.code, 0, retried.stderr + retried.stdout);
  const newId = new RegExp(`^run (\\S+) retries ${runId} from state work$`, 'm').exec(retried.stdout)?.[1];
  assert.ok(newId, retried.stdout);
  assert.equal(fs.readFileSync(path.join(cwd, 'side.txt'), 'utf8'), 'prep\n', 'prep is taken from the journal, not run again');

  const journal = journalLines(stepwise(['show', newId, '--json'], cwd).stdout);
  assert.equal(journal[0].runId, newId);
  assert.equal(journal[0].retryOf, runId);
  const forked = journal.findIndex((e) => e.type === 'run-forked');
  assert.deepEqual(journal[forked], { ...journal[forked], from: runId });
  assert.deepEqual(journal.slice(forked + 1).filter((e) => e.type === 'state-entered').map((e) => e.state), ['work', 'done']);
  assert.equal(journal[journal.length - 1].status, 'succeeded');
});

test('retry --from an earlier state does it again; a state the run never entered is a usage error', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-retry-'));
  const task = path.join(cwd, 'flaky.task.yaml');
  fs.writeFileSync(task, flakyTask);
  const runId = journalLines(stepwise(['run', task, '--json'], cwd).stdout)[0].runId as string;
  const unknown = stepwise(['retry', runId, '--from', 'nowhere'], cwd);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /never entered state 'nowhere'; it entered: prep, work/);
  const again = stepwise(['retry', runId, '--from', 'prep'], cwd);
  assert.equal(again.code, 1, 'work still fails');
  assert.equal(fs.readFileSync(path.join(cwd, 'side.txt'), 'utf8'), 'prep\nprep\n');
});
