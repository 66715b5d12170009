// `stepwise serve` processes for the tests (the built dist/cli.js, as a user runs it).
import { spawn, type ChildProcess } from 'node:child_process';
import { cli } from './samples';

export interface ServeProcess {
  child: ChildProcess;
  /** The API's URL, or the worker names of a --no-api process. */
  url?: string;
  workers: string[];
  stderr: () => string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `stepwise serve ARGS` and resolves once it says it is listening (or its workers run).
 * `cwd`: a worker-only process loads the plugins of the config above its working folder.
 */
export function serve(args: string[], env: NodeJS.ProcessEnv = {}, { cwd, timeoutMs = 30_000 }: { cwd?: string; timeoutMs?: number } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in ${timeoutMs} ms:\n${err}`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      out += d;
      const listening = /Stepwise listening on (\S+)/.exec(out);
      const workers = /Stepwise workers running \(([^)]*)\)/.exec(out);
      if (!listening && !workers) return;
      clearTimeout(timer);
      resolve({
        child,
        url: listening?.[1],
        workers: workers ? workers[1].split(', ') : [],
        stderr: () => err,
        exited,
        async kill(signal = 'SIGTERM') {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill(signal);
          await exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before it started:\n${err}`));
    });
  });
}
