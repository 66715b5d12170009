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
