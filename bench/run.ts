// `npm run bench`: speed figures, each with the ratio to a reference measured in the same run.
// `npm run bench -- cli lint`: only those groups (the names of GROUPS below).
// Goals (issue #2): lint ≤ 1.25× bare `yaml` parseDocument; engine ≥ 0.5× an XState 5 actor;
// engine short runs ≥ 0.7× and heap per waiting run ≤ 2× XState's (bench/engine.ts); file store
// CPU per journaled event flat from 128 to 1,024 concurrent runs (issue #15).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { lintText } from '../engine/lint/index';
import { parseTask } from '../engine/model/parse';
import { virtualClock } from '../engine/runtime/clock';
import { createEngine } from '../engine/runtime/engine';
import { fileStore } from '../engine/store/file';
import { memoryStore } from '../engine/store/memory';
import { benchCli } from './cli';
import { benchDebug } from './debug';
import { benchEngine } from './engine';
import { benchGraph } from './graph';
import { benchPostgres } from './pg';
import { benchServer } from './server';
import { benchTesting } from './testing';
import { benchFanout } from './fanout';
import { generateTask, linearTask } from './generate';
import { cpuTime, loadAverage, median, row } from './measure';

function benchLint(): void {
  for (const states of [100, 1000]) {
    const text = generateTask(states);
    // Enough samples that the medians hold on a machine other processes share.
    const repeat = states >= 1000 ? 15 : 41;
    // Warm both up so that neither pays for JIT or first-use compiles in its figure.
    parseDocument(text);
    lintText(text);
    // Interleaved, so that load from elsewhere on the machine weighs on both alike.
    const bareSamples: number[] = [];
    const lintSamples: number[] = [];
    for (let i = 0; i < repeat; i++) {
      bareSamples.push(cpuTime(() => parseDocument(text), 1));
      lintSamples.push(cpuTime(() => lintText(text), 1));
    }
    const bare = median(bareSamples);
    const lint = median(lintSamples);
    const ratio = lint / bare;
    row(`lint ${states} states (${(text.length / 1024).toFixed(0)} KB, CPU)`, `${lint.toFixed(1)} ms`, `${bare.toFixed(1)} ms`, ratio, '≤ 1.25×', ratio <= 1.25);
  }
}

/** CPU µs per journaled event of `concurrent` runs of a 20-state chain on the file store. */
async function fileStoreCpuPerEvent(concurrent: number): Promise<number> {
  const model = parseTask(linearTask(20)).model;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-'));
  try {
    const store = fileStore(dir);
    const engine = createEngine({ store, clock: virtualClock() });
    let events = 0;
    engine.onJournal(() => events++);
    const t0 = process.cpuUsage();
    await Promise.all(Array.from({ length: concurrent }, () => engine.start({ model }).done));
    await store.close();
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / events;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// CPU per journaled event must stay flat as runs grow past the journals one process keeps open.
async function benchFileStore(): Promise<void> {
  await fileStoreCpuPerEvent(128);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < 5; i++) {
    small.push(await fileStoreCpuPerEvent(128));
    large.push(await fileStoreCpuPerEvent(1024));
  }
  const a = median(large);
  const b = median(small);
  row('file store CPU per event (1,024 vs 128 runs)', `${a.toFixed(1)} µs`, `${b.toFixed(1)} µs`, a / b, '≤ 1.5× at 128 runs', a / b <= 1.5);
}

const GROUPS: Record<string, () => void | Promise<void>> = {
  lint: benchLint,
  engine: benchEngine,
  file: benchFileStore,
  debug: benchDebug,
  graph: benchGraph,
  server: benchServer,
  testing: benchTesting,
  fanout: benchFanout,
  cli: benchCli,
  postgres: benchPostgres,
};

// A group run with `--group NAME` is the child process of a bench run: one group per process,
// so that no group's heap, compiled code or pending garbage weighs on another's figures (the idle
// heap figures moved by 80 % with the group run before them).
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--group') return GROUPS[args[1]]();
  const unknown = args.filter((g) => !(g in GROUPS));
  if (unknown.length) throw new Error(`No bench group ${unknown.join(', ')}; the groups: ${Object.keys(GROUPS).join(', ')}.`);
  console.log(`Stepwise benchmarks — node ${process.version}, ${os.cpus().length} cpus, ${os.cpus()[0]?.model ?? ''}`);
  for (const name of args.length ? args : Object.keys(GROUPS)) {
    console.log(`[${name}] load average ${loadAverage()}`);
    const child = spawnSync(process.execPath, [__filename, '--group', name], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`The ${name} benchmarks failed (exit ${child.status ?? child.signal}).`);
  }
  console.log(`load average at the end ${loadAverage()}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
