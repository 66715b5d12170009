// `run` and `lint` start fast because they never load the server (fastify, pg) or the debug adapter
// (those load only for `serve` and `dap`), nor the libraries of the sql, smtp, publish/consume and
// grpc instructions (each loads when such an instruction runs), nor ajv (the schema's validator is compiled ahead, see
// scripts/generate-validator.mjs). Checked on the compiled sources, where every module is a separate
// require that a preloaded hook can see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const main = path.join(root, 'out', 'engine', 'cli', 'main.js');
// fast-glob (file arguments that are globs) and cron-parser (cron schedules) load when the arguments or the task ask.
const HEAVY = ['fastify', 'pg', '@vscode/debugadapter', 'ajv', 'nodemailer', 'nats', '@grpc/grpc-js', '@grpc/proto-loader', 'fast-glob', 'cron-parser'];

/** The packages a CLI invocation required, as a preloaded hook on Module._load saw them. */
function packagesLoaded(args: string[]): { code: number | null; loaded: string[]; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-lazy-'));
  const hook = path.join(dir, 'hook.js');
  const record = path.join(dir, 'loaded.json');
  fs.writeFileSync(
    hook,
    `const Module = require('module');
const seen = new Set();
const load = Module._load;
Module._load = function (request, ...rest) { seen.add(request); return load.call(this, request, ...rest); };
process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify([...seen])));`,
  );
  const r = spawnSync(process.execPath, ['--require', hook, main, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  const loaded = JSON.parse(fs.readFileSync(record, 'utf8')) as string[];
  fs.rmSync(dir, { recursive: true, force: true });
  return { code: r.status, loaded, stderr: r.stderr };
}

for (const args of [
  ['run', path.join(root, 'samples', 'hello.task.yaml'), '--store', 'memory'],
  ['lint', path.join(root, 'samples', 'hello.task.yaml')],
]) {
  test(`${args[0]} loads neither the server, the debug adapter, the instructions' libraries, ajv, fast-glob nor cron-parser`, () => {
    const r = packagesLoaded(args);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(HEAVY.filter((p) => r.loaded.includes(p)), []);
  });
}

test('serve --help and dap --help load nothing heavy either', () => {
  for (const command of ['serve', 'dap']) {
    const r = packagesLoaded([command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(HEAVY.filter((p) => r.loaded.includes(p)), []);
  }
});
