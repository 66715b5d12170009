// exec for real: a local process with args, env, cwd; failures of kind exec and timeout; no shell
// unless `shell: true`.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../engine/runtime/engine';
import type { LoadedTask } from '../../engine/runtime/run';
import { ofType, rmDir, taskFrom, tmpDir, runToEnd } from '../helpers/tasks';

const NODE = process.execPath.replace(/\\/g, '/');
const dir = fs.realpathSync(tmpDir('stepwise-exec-'));
fs.mkdirSync(path.join(dir, 'sub'));
after(() => rmDir(dir));

/** A one-state task around one exec instruction (given as YAML flow mapping text). */
function execTask(exec: string, extra = ''): LoadedTask {
  return taskFrom(
    `
    version: 1
    name: ex
    start: a
    states:
      a:
        do:
          - exec: ${exec}
            as: out
            ${extra}
        next: done
        catch:
          - { to: viaExec, error: exec }
          - { to: viaTimeout, error: timeout }
      done: { final: true }
      viaExec: { final: true, status: failed }
      viaTimeout: { final: true, status: cancelled }
  `,
    path.join(dir, 'ex.task.yaml'),
  );
}

const out = (s: { data: Record<string, unknown> }) => s.data.out as { exitCode: number; stdout: string; stderr: string };

describe('exec', () => {
  test('runs a command with args and returns exitCode, stdout, stderr', async () => {
    const engine = createEngine();
    const chunks: string[] = [];
    engine.onOutput((c) => chunks.push(`${c.stream}:${c.text}`));
    const { state } = await runToEnd(engine, execTask(`{ command: "${NODE}", args: [ "-e", "console.log(process.argv.slice(1).join('|')); console.error('warn')", "a b", "c" ] }`));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(out(state), { exitCode: 0, stdout: 'a b|c\n', stderr: 'warn\n' });
    assert.ok(chunks.includes('stdout:a b|c\n'));
    assert.ok(chunks.includes('stderr:warn\n'));
  });

  test('passes env and resolves cwd from the task folder', async () => {
    const engine = createEngine();
    const { state } = await runToEnd(
      engine,
      execTask(`{ command: "${NODE}", args: [ "-e", "console.log(process.env.STEPWISE_X + ' ' + process.cwd())" ], env: { STEPWISE_X: 42 }, cwd: sub }`),
    );
    assert.equal(out(state).stdout, `42 ${path.join(dir, 'sub')}\n`);
  });

  test('a non-zero exit fails with kind exec', async () => {
    const engine = createEngine();
    const { state, journal } = await runToEnd(engine, execTask(`{ command: "${NODE}", args: [ "-e", "console.error('bad thing'); process.exit(3)" ] }`));
    const [f] = ofType(journal, 'instruction-failed');
    assert.equal(f.error.kind, 'exec');
    assert.match(f.error.message, /exit status 3/);
    assert.match(f.error.message, /bad thing/);
    assert.equal(state.state, 'viaExec');
  });

  test('a command that does not exist fails with kind exec', async () => {
    const engine = createEngine();
    const { state, journal } = await runToEnd(engine, execTask(`{ command: stepwise-no-such-command-xyz }`));
    assert.equal(ofType(journal, 'instruction-failed')[0].error.kind, 'exec');
    assert.equal(state.state, 'viaExec');
  });

  test('an instruction timeout kills the process: kind timeout', async () => {
    const engine = createEngine();
    const t0 = Date.now();
    const { state, journal } = await runToEnd(engine, execTask(`{ command: "${NODE}", args: [ "-e", "setTimeout(() => {}, 10000)" ] }`, 'timeout: 300ms'));
    assert.ok(Date.now() - t0 < 5000, 'did not wait for the process');
    const [f] = ofType(journal, 'instruction-failed');
    assert.equal(f.error.kind, 'timeout');
    assert.equal(state.state, 'viaTimeout');
  });

  test("exec's own `timeout` field (format: command, args, cwd, env, timeout) fails with kind timeout", async () => {
    const engine = createEngine();
    const t0 = Date.now();
    const { state, journal } = await runToEnd(engine, execTask(`{ command: "${NODE}", args: [ "-e", "setTimeout(() => {}, 3000)" ], timeout: 300ms }`));
    assert.ok(Date.now() - t0 < 2500, `waited ${Date.now() - t0}ms for the process`);
    assert.equal(ofType(journal, 'instruction-failed')[0]?.error.kind, 'timeout');
    assert.equal(state.state, 'viaTimeout');
  });

  test('no shell by default: `$VAR` is passed literally', async () => {
    const engine = createEngine();
    const { state } = await runToEnd(
      engine,
      execTask(`{ command: "${NODE}", args: [ "-e", "console.log(process.argv[1])", "$STEPWISE_V;echo x" ], env: { STEPWISE_V: expanded } }`),
    );
    assert.equal(out(state).stdout, '$STEPWISE_V;echo x\n');
  });

  test('`shell: true` goes through the shell, which expands `$VAR`', { skip: process.platform === 'win32' }, async () => {
    const engine = createEngine();
    const { state } = await runToEnd(
      engine,
      execTask(`{ command: "'${NODE}' -e 'console.log(process.argv[1])' $STEPWISE_V", shell: true, env: { STEPWISE_V: expanded } }`),
    );
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.equal(out(state).stdout, 'expanded\n');
  });
});
