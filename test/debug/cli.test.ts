// `stepwise dap`: the debug adapter from the command line, on stdio and as a TCP server.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { CLI, ROOT, withTimeout } from './helpers';

function frame(message: object): string {
  const json = JSON.stringify(message);
  return `Content-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
}

describe('stepwise dap', () => {
  test('on stdio it answers initialize with the adapter capabilities', async () => {
    const proc = spawn(process.execPath, [CLI, 'dap'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      proc.stdin.write(frame({ seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'stepwise', pathFormat: 'path' } }));
      const out = await withTimeout(
        new Promise<string>((resolve) => {
          let text = '';
          proc.stdout.on('data', (d: Buffer) => {
            text += d.toString();
            if (/"command":"initialize"/.test(text) && text.trimEnd().endsWith('}')) resolve(text);
          });
        }),
        10_000,
        'initialize response',
      );
      const body = JSON.parse(out.slice(out.indexOf('{')));
      assert.equal(body.success, true);
      assert.equal(body.body.supportsStepBack, true);
      assert.deepEqual(body.body.exceptionBreakpointFilters.map((f: { filter: string }) => f.filter), ['instruction-failed', 'state-timeout', 'run-failed']);
    } finally {
      proc.kill();
    }
  });

  test('--port with a bad number is a usage error (exit 2)', () => {
    const r = spawnSync(process.execPath, [CLI, 'dap', '--port', '70000'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /a port is a number from 0 to 65535/);
  });
});
