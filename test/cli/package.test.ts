// The CLI and debug adapter as a package of their own (@stepwise-tasks/cli): `npm pack` works, the
// tarball installs offline (it has no dependencies: everything is bundled), and the installed
// `stepwise` answers --version and a Debug Adapter Protocol handshake.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..', '..');
const PACKAGE = path.join(REPO, 'packages', 'cli');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-cli-package-'));
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

describe('the @stepwise-tasks/cli package', () => {
  it('has a name of its own, and the stepwise binary', () => {
    assert.equal(manifest.name, '@stepwise-tasks/cli');
    assert.deepEqual(Object.keys(manifest.bin), ['stepwise']);
    assert.deepEqual(manifest.dependencies ?? {}, {}, 'bundled: nothing to fetch');
  });

  it('packs, installs offline, and the installed stepwise answers --version and a DAP handshake', async () => {
    const tarball = npm(['pack', '--pack-destination', tmp], PACKAGE).trim().split('\n').pop()!;
    const project = path.join(tmp, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), '{ "private": true }\n');
    npm(['install', '--offline', path.join(tmp, tarball)], project);
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
});
