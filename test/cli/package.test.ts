// The CLI and debug adapter as a package of their own (@stepwise-tasks/cli): `npm pack` works, the
// tarball installs offline (it has no dependencies: everything is bundled), the installed
// `stepwise` answers --version and a Debug Adapter Protocol handshake, and the package is a library
// (its `exports`): required (CommonJS) and imported (ESM) to run a task with an instruction kind
// defined in code, and its declarations used by tsc, which refuses an argument of the wrong type.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { program, typedProgram } from './library-program';

const REPO = path.resolve(__dirname, '..', '..', '..');
const PACKAGE = path.join(REPO, 'packages', 'cli');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-cli-package-'));
const project = path.join(tmp, 'project');
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE, 'package.json'), 'utf8'));

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
}

function spawnSyncJson(bin: string, args: string[], cwd: string): any {
  const r = spawnSync(bin, args, { cwd, encoding: 'utf8' });
  return JSON.parse(r.stdout);
}

/** One DAP message over stdio: Content-Length framing. */
function frame(message: object): string {
  const body = JSON.stringify(message);
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function runs(args: string[]): { status: string; out: unknown; bad: string; error: string; entries: number } {
  const r = spawnSync(process.execPath, args, { cwd: project, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

function checkRun(result: ReturnType<typeof runs>): void {
  assert.equal(result.status, 'succeeded');
  assert.deepEqual(result.out, { text: 'HELLO' });
  // The kind's schema is checked on the resolved arguments, as a plugin's is.
  assert.equal(result.bad, 'failed');
  assert.match(result.error, /arguments of 'upper' do not fit its schema: \/text must be string/);
  assert.ok(result.entries > 2);
}

const tsc = (file: string) => spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(project, `tsconfig.${file}.json`)], { cwd: project, encoding: 'utf8' });

describe('the @stepwise-tasks/cli package', () => {
  before(() => {
    const tarball = npm(['pack', '--pack-destination', tmp], PACKAGE).trim().split('\n').pop()!;
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), '{ "private": true }\n');
    npm(['install', '--offline', path.join(tmp, tarball)], project);
  });

  it('has a name of its own, and the stepwise binary', () => {
    assert.equal(manifest.name, '@stepwise-tasks/cli');
    assert.deepEqual(Object.keys(manifest.bin), ['stepwise']);
    assert.deepEqual(manifest.dependencies ?? {}, {}, 'bundled: nothing to fetch');
  });

  it('packs, installs offline, and the installed stepwise answers --version and a DAP handshake', async () => {
    const bin = path.join(project, 'node_modules', '.bin', 'stepwise');
    assert.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), manifest.version);
    // SARIF's rule help comes from the rule pages shipped in the package.
    fs.writeFileSync(path.join(project, 'broken.task.yaml'), 'version: 1\nname: broken\nstart: a\nstates:\n  a:\n    next: nowhere\n');
    const sarif = spawnSyncJson(bin, ['lint', 'broken.task.yaml', '--format', 'sarif'], project);
    const rules = sarif.runs[0].tool.driver.rules as Array<{ id: string; help?: { markdown?: string } }>;
    assert.ok(rules.length > 0 && rules.every((r) => r.help?.markdown), 'every rule has its help page');

    const dap = spawn(bin, ['dap'], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const answer = new Promise<{ success: boolean; command: string; body?: { supportsConfigurationDoneRequest?: boolean } }>((resolve) => {
        let out = '';
        dap.stdout.on('data', (d) => {
          out += d;
          const m = /Content-Length: (\d+)\r\n\r\n/.exec(out);
          if (!m) return;
          const start = m.index + m[0].length;
          if (Buffer.byteLength(out.slice(start)) >= Number(m[1])) resolve(JSON.parse(out.slice(start, start + Number(m[1]))));
        });
      });
      dap.stdin.write(frame({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'stepwise', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' } }));
      const response = await answer;
      assert.equal(response.command, 'initialize');
      assert.equal(response.success, true);
      assert.equal(response.body?.supportsConfigurationDoneRequest, true);
    } finally {
      dap.kill();
    }
  });

  it('runs a task with createEngine, memoryStore and a defineInstruction kind, from CommonJS', () => {
    checkRun(runs(['-e', program("const { createEngine, memoryStore, defineInstruction, instructionHandlers, taskFromText } = require('@stepwise-tasks/cli');")]));
  });

  it('does the same from an ES module', () => {
    checkRun(runs(['--input-type=module', '-e', program("import { createEngine, memoryStore, defineInstruction, instructionHandlers, taskFromText } from '@stepwise-tasks/cli';")]));
  });

  it('gives TypeScript its types: a program that uses them compiles, an argument of the wrong type does not', () => {
    fs.writeFileSync(path.join(project, 'use.ts'), typedProgram(false));
    fs.writeFileSync(path.join(project, 'wrong.ts'), typedProgram(true));
    for (const file of ['use', 'wrong']) {
      // The settings `tsc --init` writes (skipLibCheck among them), and Node's types, which the declarations use.
      const options = { strict: true, module: 'node16', moduleResolution: 'node16', target: 'es2022', noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [path.join(REPO, 'node_modules', '@types')] };
      fs.writeFileSync(path.join(project, `tsconfig.${file}.json`), JSON.stringify({ compilerOptions: options, files: [`${file}.ts`] }));
    }
    const ok = tsc('use');
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const wrong = tsc('wrong');
    assert.match(wrong.stdout, /wrong\.ts\(11,\d+\): error TS2322: Type 'string' is not assignable to type 'Record<string, unknown>'/);
  });
});
