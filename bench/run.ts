// `npm run bench`: speed figures, each with the ratio to a reference measured in the same run.
// Goals (issue #2): lint ≤ 1.25× bare `yaml` parseDocument; engine ≥ 0.5× an XState 5 actor;
// file store ≥ 5,000 journaled steps/s over 100 concurrent runs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { createActor, createMachine } from 'xstate';
import { lintText } from '../engine/lint/index';
import { parseTask } from '../engine/model/parse';
import { virtualClock } from '../engine/runtime/clock';
import { createEngine } from '../engine/runtime/engine';
import { fileStore } from '../engine/store/file';
import { memoryStore } from '../engine/store/memory';
import { benchDebug } from './debug';
import { benchGraph } from './graph';
import { benchServer } from './server';
import { benchTesting } from './testing';
import { benchFanout } from './fanout';
import { generateTask, linearTask } from './generate';
import { cpuTime, median, row } from './measure';

function benchLint(): void {
  for (const states of [100, 1000]) {
    const text = generateTask(states);
    const repeat = states >= 1000 ? 7 : 21;
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

async function benchEngine(): Promise<void> {
  const n = 20_000;
  const model = parseTask(linearTask(n)).model;
  const task = { model };
  const runs = 3;
  const ours: number[] = [];
  for (let i = 0; i < runs; i++) {
    const engine = createEngine({ store: memoryStore(), clock: virtualClock() });
    const t0 = performance.now();
    const final = await engine.start(task).done;
    const ms = performance.now() - t0;
    if (final.status !== 'succeeded') throw new Error(`benchmark run ended ${final.status}: ${final.error?.message}`);
    ours.push(n / (ms / 1000));
  }
  const machine = createMachine({
    id: 'linear',
    initial: 's0',
    states: Object.fromEntries(
      Array.from({ length: n + 1 }, (_, i) => [`s${i}`, i === n ? { type: 'final' as const } : { always: { target: `s${i + 1}` } }]),
    ),
  });
  const theirs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const actor = createActor(machine);
    await new Promise<void>((resolve) => {
      actor.subscribe({ complete: () => resolve() });
      actor.start();
    });
    theirs.push(n / ((performance.now() - t0) / 1000));
  }
  const a = median(ours);
  const b = median(theirs);
  row(`engine transitions/s (${n} states, memory store)`, `${Math.round(a).toLocaleString('en')}/s`, `${Math.round(b).toLocaleString('en')}/s`, a / b, '≥ 0.5× XState', a / b >= 0.5);
}

async function benchFileStore(): Promise<void> {
  const concurrent = 100;
  const statesPerRun = 100;
  const model = parseTask(linearTask(statesPerRun)).model;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-'));
  try {
    const store = fileStore(dir);
    const engine = createEngine({ store, clock: virtualClock() });
    let steps = 0;
    engine.onJournal(() => steps++);
    const t0 = performance.now();
    const runs = Array.from({ length: concurrent }, () => engine.start({ model }));
    await Promise.all(runs.map((r) => r.done));
    const seconds = (performance.now() - t0) / 1000;
    await store.close();
    const rate = steps / seconds;
    // Reference: the same number of lines appended with one synchronous write each, no batching.
    const refDir = path.join(dir, 'ref');
    fs.mkdirSync(refDir);
    const line = JSON.stringify({ type: 'state-entered', state: 's42', seq: 1, at: Date.now() }) + '\n';
    const fds = Array.from({ length: concurrent }, (_, i) => fs.openSync(path.join(refDir, `${i}.jsonl`), 'a'));
    const t1 = performance.now();
    for (let i = 0; i < steps; i++) fs.writeSync(fds[i % concurrent], line);
    const refRate = steps / ((performance.now() - t1) / 1000);
    for (const fd of fds) fs.closeSync(fd);
    row(`file store steps/s (${concurrent} concurrent runs)`, `${Math.round(rate).toLocaleString('en')}/s`, `${Math.round(refRate).toLocaleString('en')}/s`, rate / refRate, '≥ 5,000/s', rate >= 5000);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`Stepwise benchmarks — node ${process.version}, ${os.cpus().length} cpus, ${os.cpus()[0]?.model ?? ''}`);
  benchLint();
  await benchEngine();
  await benchFileStore();
  await benchDebug();
  await benchGraph();
  await benchServer();
  await benchTesting();
  await benchFanout();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
