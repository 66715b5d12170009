// `stepwise test samples/`: the wall time of the command as CI runs it (a fresh process, the built
// CLI) against the bare start of that CLI (`stepwise --version`), and the cases per second of the
// runner in process, all cases at once against one case at a time.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTestFile } from '../engine/testing/load';
import { allCases, runCases } from '../engine/testing/suite';
import { median, row } from './measure';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function wall(args: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`stepwise ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

export async function benchTesting(): Promise<void> {
  const repeat = 5;
  const test: number[] = [];
  const bare: number[] = [];
  let cases = 0;
  for (let i = 0; i < repeat; i++) {
    bare.push(wall(['--version']).ms);
    const r = wall(['test', 'samples', '--reporter', 'json']);
    test.push(r.ms);
    cases = (JSON.parse(r.stdout) as { cases: unknown[] }).cases.length;
  }
  const t = median(test);
  const b = median(bare);
  row(`stepwise test samples/ (${cases} cases, wall)`, `${t.toFixed(0)} ms`, `${b.toFixed(0)} ms`, t / b, '≤ 2 s', t <= 2000);

  const files = fs.readdirSync(path.join(ROOT, 'samples')).filter((f) => f.endsWith('.test.yaml'));
  const selected = allCases(files.map((f) => loadTestFile(path.join(ROOT, 'samples', f))));
  const copies = 20;
  const many = Array.from({ length: copies }, () => selected).flat();
  await runCases(many);
  const rate = async (concurrency: number) => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await runCases(many, { concurrency });
      samples.push(many.length / ((performance.now() - t0) / 1000));
    }
    return median(samples);
  };
  const together = await rate(64);
  const oneByOne = await rate(1);
  row(`task test cases/s (samples ×${copies}, in process)`, `${Math.round(together).toLocaleString('en')}/s`, `${Math.round(oneByOne).toLocaleString('en')}/s`, together / oneByOne, '≥ 200/s', together >= 200);
}

if (require.main === module) {
  benchTesting().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
