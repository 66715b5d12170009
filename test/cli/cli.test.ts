// The CLI end to end: the built dist/cli.js in child processes, as a user runs it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist', 'cli.js');
const samples = path.join(root, 'samples');

interface Expected {
  mocks: string | null;
  status: 'succeeded' | 'failed';
  clock: 'real' | 'virtual';
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-cli-'));
}

function stepwise(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function journalLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

const expected = JSON.parse(fs.readFileSync(path.join(samples, 'expected.json'), 'utf8')) as Record<string, Expected>;

for (const [file, exp] of Object.entries(expected)) {
  test(`sample ${file} runs to ${exp.status}`, () => {
    const cwd = tempDir();
    const args = ['run', path.join(samples, file), '--clock', exp.clock, '--json'];
    if (exp.mocks) args.push('--mocks', path.join(samples, exp.mocks));
    const r = stepwise(args, cwd);
    const events = journalLines(r.stdout);
    const ended = events.filter((e) => e.type === 'run-ended' && e.runId === events[0].runId);
    assert.equal(ended.length, 1, r.stderr);
    assert.equal(ended[0].status, exp.status);
    assert.equal(r.code, exp.status === 'succeeded' ? 0 : 1);
    // The journal on disk is what was printed.
    const runId = events[0].runId as string;
    const onDisk = fs.readFileSync(path.join(cwd, '.stepwise', 'runs', `${runId}.jsonl`), 'utf8').trim().split('\n');
    assert.equal(onDisk.length, events.filter((e) => e.runId === runId).length);
  });
}

test('run prints states, results and transitions as text', () => {
  const r = stepwise(['run', path.join(samples, 'hello.task.yaml'), '--input', 'name=Ada', '--store', 'memory'], tempDir());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /● greet/);
  assert.match(r.stdout, /Hello, Ada!/);
  assert.match(r.stdout, /✔ succeeded/);
  assert.doesNotMatch(r.stdout, /\x1b\[/, 'no colours when stdout is not a terminal');
});

test('run numbers the polls of each state from 1', () => {
  const args = ['run', path.join(samples, 'deploy.task.yaml'), '--mocks', path.join(samples, 'deploy.mocks.yaml'), '--clock', 'virtual', '--store', 'memory'];
  const r = stepwise(args, tempDir());
  assert.equal(r.code, 0, r.stderr);
  // Per state: the numbers of its poll lines, in order.
  const polls: Record<string, string[]> = {};
  let state = '';
  for (const line of r.stdout.split('\n')) {
    const entered = /● (\S+)/.exec(line);
    if (entered) state = entered[1];
    const poll = /poll #(\d+)/.exec(line);
    if (poll) (polls[state] ??= []).push(poll[1]);
  }
  assert.deepEqual(polls, { 'wait-collected': ['1', '2', '3'], 'wait-merge': ['1', '2', '3', '4'], rollout: ['1', '2', '3'] });
});

test('run refuses a file with lint errors with exit 2 and says where', () => {
  const r = stepwise(['run', path.join(samples, 'broken.task.yaml')], tempDir());
  assert.equal(r.code, 2);
  assert.match(r.stderr, /broken\.task\.yaml:\d+:\d+: .*\[unknown-target\]/);
});

test('run rejects an undeclared or mistyped input with exit 2', () => {
  const r = stepwise(['run', path.join(samples, 'hello.task.yaml'), '--input', 'nmae=x'], tempDir());
  assert.equal(r.code, 2);
  assert.match(r.stderr, /'nmae' is not an input of task 'hello'/);
});

test('wrong usage exits 2', () => {
  assert.equal(stepwise(['run'], tempDir()).code, 2);
  assert.equal(stepwise(['frobnicate'], tempDir()).code, 2);
  assert.equal(stepwise(['run', path.join(samples, 'hello.task.yaml'), '--clock', 'sundial'], tempDir()).code, 2);
  assert.equal(stepwise(['run', path.join(samples, 'nope.task.yaml')], tempDir()).code, 2);
});

test('lint: exit 0 on clean files, 1 on errors, JSON with 1-based positions', () => {
  const clean = stepwise(['lint', path.join(samples, 'hello.task.yaml'), path.join(samples, 'deploy.task.yaml')], root);
  assert.equal(clean.code, 0, clean.stdout);
  const broken = stepwise(['lint', 'samples/broken.task.yaml', '--format', 'json'], root);
  assert.equal(broken.code, 1);
  const findings = JSON.parse(broken.stdout) as Array<Record<string, unknown>>;
  assert.ok(findings.length >= 8);
  for (const f of findings) {
    assert.deepEqual(Object.keys(f).sort(), ['code', 'column', 'endColumn', 'endLine', 'file', 'line', 'message', 'severity']);
    assert.ok((f.line as number) >= 1 && (f.column as number) >= 1);
  }
  const text = fs.readFileSync(path.join(samples, 'broken.task.yaml'), 'utf8').split('\n');
  const target = findings.find((f) => f.code === 'unknown-target')!;
  assert.ok(text[(target.line as number) - 1].includes('to:') || text[(target.line as number) - 1].includes('start:'));
});

test('lint: globs and folders, SARIF, usage errors', () => {
  const glob = stepwise(['lint', 'samples/*.task.yaml', '--format', 'json'], root);
  assert.equal(glob.code, 1);
  const files = new Set((JSON.parse(glob.stdout) as Array<{ file: string }>).map((f) => f.file));
  assert.deepEqual([...files], ['samples/broken.task.yaml']);
  const sarif = stepwise(['lint', 'samples', '--format', 'sarif'], root);
  const doc = JSON.parse(sarif.stdout);
  assert.equal(doc.version, '2.1.0');
  assert.ok(doc.runs[0].results.length >= 8);
  assert.equal(stepwise(['lint', 'samples/none-*.task.yaml'], root).code, 2);
  assert.equal(stepwise(['lint', '--format', 'xml', 'samples'], root).code, 2);
});

test('runs, show, send and resume across processes', async () => {
  const cwd = tempDir();
  const task = path.join(cwd, 'wait.task.yaml');
  fs.writeFileSync(
    task,
    [
      'version: 1',
      'name: wait',
      'start: waiting',
      'states:',
      '  waiting:',
      '    on:',
      '      - to: done',
      '        event: go',
      "        when: \"event.data.ok = true\"",
      '  done:',
      '    do: [ { log: "got {{ event.data.who }}" } ]',
      '    final: true',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [cli, 'run', task, '--json'], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!out.includes('"state-entered"')) await new Promise((r) => setTimeout(r, 50));
  const runId = journalLines(out)[0].runId as string;

  const listed = stepwise(['runs', '--json'], cwd);
  const row = (JSON.parse(listed.stdout) as Array<Record<string, unknown>>).find((r) => r.id === runId)!;
  assert.equal(row.status, 'running');
  assert.equal(row.state, 'waiting');

  assert.equal(stepwise(['send', runId, 'go', '--data', 'not json'], cwd).code, 2);
  assert.equal(stepwise(['send', runId, 'go', '--data', '{"ok":false}'], cwd).code, 0);
  assert.equal(stepwise(['send', runId, 'go', '--data', '{"ok":true,"who":"ann"}'], cwd).code, 0);
  assert.equal(await exited, 0);
  const shown = stepwise(['show', runId], cwd);
  assert.match(shown.stdout, /got ann/);
  assert.match(shown.stdout, /status succeeded/);
  assert.equal(stepwise(['send', runId, 'go'], cwd).code, 1, 'an ended run takes no events');
  assert.equal(stepwise(['show', 'no-such-run'], cwd).code, 2);
});

test('Ctrl-C cancels the run and journals it; resume of an interrupted run finishes it', async () => {
  const cwd = tempDir();
  const task = path.join(cwd, 'slow.task.yaml');
  fs.writeFileSync(
    task,
    ['version: 1', 'name: slow', 'start: a', 'states:', '  a:', '    do: [ { sleep: 30s } ]', '    next: b', '  b: { final: true }', ''].join('\n'),
  );
  const child = spawn(process.execPath, [cli, 'run', task, '--json'], { cwd });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!out.includes('"instruction-started"')) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  assert.equal(await exited, 1);
  const last = journalLines(out).pop()!;
  assert.equal(last.type, 'run-ended');
  assert.equal(last.status, 'cancelled');

  // A run killed outright is shown as interrupted and can be resumed.
  const victim = spawn(process.execPath, [cli, 'run', task, '--json'], { cwd });
  let vout = '';
  victim.stdout.setEncoding('utf8').on('data', (c: string) => (vout += c));
  while (!vout.includes('"instruction-started"')) await new Promise((r) => setTimeout(r, 50));
  victim.kill('SIGKILL');
  await new Promise((r) => victim.on('exit', r));
  const runId = journalLines(vout)[0].runId as string;
  const row = (JSON.parse(stepwise(['runs', '--json'], cwd).stdout) as Array<Record<string, unknown>>).find((r) => r.id === runId)!;
  assert.equal(row.status, 'interrupted');
  const resumed = stepwise(['resume', runId, '--clock', 'virtual', '--json'], cwd);
  assert.equal(resumed.code, 0, resumed.stderr);
  const types = journalLines(resumed.stdout).map((e) => e.type);
  assert.deepEqual(types.slice(0, 2), ['run-recovered', 'instruction-started']);
  assert.equal(types[types.length - 1], 'run-ended');
});
