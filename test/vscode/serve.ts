// A real `stepwise serve` (the extension's dist/cli.js) for the suites that talk to a server.
import { spawn, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from './helpers';

/** A busy machine is slow, not wrong: what waits for a server waits this long. */
export const LONG = 50_000;

export interface Served {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts `node dist/cli.js serve` with a token and resolves with its URL once it listens. */
export function serve(args: string[], token: string): Promise<Served> {
  const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, 'serve', '--quiet', ...args], {
    env: { ...process.env, STEPWISE_TOKEN: token, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stepwise serve did not start:\n${err}`)), LONG);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /Stepwise listening on (\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        url: m[1],
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    void exited.then(() => reject(new Error(`stepwise serve exited before it listened:\n${err}`)));
  });
}
