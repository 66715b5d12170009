// Cold start of the CLI: `stepwise run samples/hello.task.yaml --store memory` in a fresh process
// against `node -e 0`, interleaved. CPU time of the child (user + system, as the shell's `times`
// reports for its waited children), steadier than wall time on a shared machine. The CLI runs from
// V8's code cache that its first run leaves (engine/cli/start.ts); the start of a first run, with
// no cache yet, is the second row.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { median, row } from './measure';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

/** CPU ms of `node ...args` in a child process. */
function childCpu(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const command = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('bash', ['-c', `${command} >/dev/null || exit 1; times`], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
  // `times` prints the shell's own times, then its children's: "0m0.052s 0m0.012s".
  const children = r.stdout.trim().split('\n').pop() ?? '';
  return [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((ms, m) => ms + (Number(m[1]) * 60 + Number(m[2])) * 1000, 0);
}

export function benchCli(): void {
  const repeat = 11;
  const args = [CLI, 'run', path.join('samples', 'hello.task.yaml'), '--store', 'memory'];
  childCpu(args);
  const run: number[] = [];
  const first: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < repeat; i++) {
    run.push(childCpu(args));
    first.push(childCpu(args, { NODE_DISABLE_COMPILE_CACHE: '1' }));
    bare.push(childCpu(['-e', '0']));
  }
  const b = median(bare);
  for (const [label, samples] of [['CLI cold start (run hello --store memory, CPU)', run], ['  the same, first run (no code cache yet)', first]] as const) {
    const a = median(samples);
    row(label, `${a.toFixed(0)} ms`, `${b.toFixed(0)} ms`, a / b, '≤ 2.5× node -e 0', a / b <= 2.5);
  }
}
