// Values computed from a secret, through the built CLI: `run` (text and --json), the journal file
// and `show` never hold them in clear, while the HTTP request the task makes gets them in clear.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { derivedTask, expectedHeaders, headerServer, leaks, SECRET, type HeaderServer } from '../helpers/secret-tasks';

const cli = path.join(path.resolve(__dirname, '../../..'), 'dist', 'cli.js');
let server: HeaderServer;
let dir: string;
let taskFile: string;

before(async () => {
  server = await headerServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-cli-secrets-'));
  taskFile = path.join(dir, 'derived.task.yaml');
  fs.writeFileSync(taskFile, derivedTask(server.url));
});
after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The CLI in a child process; asynchronous, so that this process's server can answer it. */
function stepwise(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', STEPWISE_SECRET_token: SECRET } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function checkHeaders(): void {
  const headers = server.received.at(-1)!;
  for (const [k, v] of Object.entries(expectedHeaders())) assert.equal(headers[k], v, k);
}

test('run (text), the journal file and show hold no value computed from a secret', async () => {
  const r = await stepwise(['run', taskFile]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(leaks(r.stdout + r.stderr), [], r.stdout);
  assert.match(r.stdout, /upper=•+ b64=•+ sub=•+ joined=•+/);
  checkHeaders();
  const [file] = fs.readdirSync(path.join(dir, '.stepwise', 'runs'));
  assert.deepEqual(leaks(fs.readFileSync(path.join(dir, '.stepwise', 'runs', file), 'utf8')), []);
  const runId = file.replace(/\.jsonl$/, '');
  for (const args of [['show', runId], ['show', runId, '--json']]) {
    const shown = await stepwise(args);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(shown.stdout.includes('derived'), shown.stdout);
    assert.deepEqual(leaks(shown.stdout), [], args.join(' '));
  }
});

test('run --json holds no value computed from a secret', async () => {
  const r = await stepwise(['run', taskFile, '--json', '--store', 'memory']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('"instruction-finished"'));
  assert.deepEqual(leaks(r.stdout + r.stderr), [], r.stdout);
  checkHeaders();
});
