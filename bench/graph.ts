// The graph editor's figures (issue #5), each with a reference measured in the same run:
// - layout of generated 100/500/1,000-state tasks by ELK in the webview's blob: worker, with the
//   main thread's longest stall (goal < 20 ms) as an input event sees it (a timer due every 8 ms:
//   how late it runs), against a worker that spins on the CPU as long; and as a busy main thread
//   sees it (a ping-pong that never sleeps, which the scheduler treats as a CPU-bound thread),
//   against elkjs on the main thread and the spinning worker; one traced run per size shows what
//   the longest busy stall held;
// - first paint of a 200-state task in Chromium with the built webview (goal < 500 ms);
// - one canvas edit on a 1,000-state file to its text edits, against one `parseDocument` of the
//   same file (goal: below it). The host parses each document version once (for the model it sends
//   the webview) and hands that Document to `editTask`.
// Run alone: `node out/bench/graph.js` (after `npx tsc -p tsconfig.test.json`).
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { chromium, type Browser, type Page } from 'playwright-core';
import { editTask } from '../engine/edit/index';
import type { EditOperation } from '../engine/edit/types';
import { lintText } from '../engine/lint/index';
import { parseTaskDocument } from '../engine/model/parse';
import { CHROMIUM_FLAGS, chromiumPath, openEditor, ROOT, startEnv } from '../test/webview/harness';
import { graphOf, withProxies } from '../engine/graph/model';
import { outlineOf } from '../webview/protocol';
import { layoutInput } from '../engine/graph/layout';
import { webviewHtml } from '../webview/html';
import { generateTask } from './generate';
import { cpuTime, median, row } from './measure';
import { describeStall, stallEvidence, STALL_CATEGORIES, type StallEvidence, type TraceEvent } from './stall-trace';

function skip(what: string): boolean {
  if (chromiumPath()) return false;
  console.log(`${what.padEnd(44)} skipped: Chromium not found (apt-get install -y chromium)`);
  return true;
}

async function buildLayoutPage(): Promise<string> {
  const { build } = await import('esbuild');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-'));
  await build({
    entryPoints: [path.join(ROOT, 'webview', 'bench', 'layout-page.ts')],
    outfile: path.join(dir, 'bench.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    minify: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
    plugins: [
      {
        name: 'elk-worker-source',
        setup(b) {
          b.onResolve({ filter: /^elk-worker-source$/ }, () => ({ path: require.resolve('elkjs/lib/elk-worker.min.js'), namespace: 'elk-worker-source' }));
          b.onLoad({ filter: /.*/, namespace: 'elk-worker-source' }, (args) => ({ contents: fs.readFileSync(args.path, 'utf8'), loader: 'text' }));
        },
      },
    ],
  });
  return dir;
}

interface Measure {
  ms: number;
  stall: number;
  nodes: number;
  /** The layout engine's own time on the main thread (posting the input, reading the answer). */
  main?: number;
  /** The longest of the engine's tasks on the main thread. */
  task?: number;
}

/**
 * How long the page's main thread was busy while `fn` ran: the wall time of its tasks, from a
 * Chromium trace. (The trace's thread CPU times are not usable on a loaded VM: they exceed the wall
 * times.) On a loaded machine this carries time the cores spent elsewhere too.
 */
async function mainThreadBusy(browser: Browser, page: Page, fn: () => Promise<unknown>): Promise<number> {
  await browser.startTracing(page, { categories: ['toplevel'] });
  let trace: { traceEvents: Array<{ name: string; ph: string; pid: number; tid: number; dur?: number; args?: { name?: string } }> };
  try {
    await fn();
  } finally {
    trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
  }
  const main = new Set(trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  let busy = 0;
  for (const e of trace.traceEvents) if (e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && main.has(`${e.pid}:${e.tid}`)) busy += (e.dur ?? 0) / 1000;
  return busy;
}

/** `fn` run under a Chromium trace, with what its longest main-thread gap was made of. */
async function traced(browser: Browser, page: Page, fn: () => Promise<unknown>): Promise<StallEvidence> {
  await browser.startTracing(page, { categories: STALL_CATEGORIES });
  let trace: { traceEvents: TraceEvent[] };
  try {
    await fn();
  } finally {
    trace = JSON.parse((await browser.stopTracing()).toString('utf8'));
  }
  return stallEvidence(trace.traceEvents);
}

/** ELK in the worker vs on the main thread, for generated tasks of 100, 500 and 1,000 states: medians of `repeat` runs. */
export async function benchGraphLayout(sizes: number[] = [100, 500, 1000], repeat = 5): Promise<void> {
  if (skip('graph layout')) return;
  const dir = await buildLayoutPage();
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(webviewHtml({ cspSource: origin, nonce: 'bench', scriptUri: `${origin}/bench.js`, styleUri: `${origin}/empty.css` }));
    } else if (url.pathname === '/bench.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      fs.createReadStream(path.join(dir, 'bench.js')).pipe(res);
    } else {
      res.writeHead(url.pathname === '/empty.css' ? 200 : 404, { 'content-type': 'text/css' });
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // --expose-gc: the page collects the previous run's garbage before each measurement, so that the
  // main-thread reference's garbage is not counted in the worker's stall (and the other way round).
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_FLAGS, '--js-flags=--expose-gc'] });
  try {
    const page = await browser.newPage();
    await page.goto(origin);
    await page.waitForFunction(() => !!(globalThis as unknown as { stepwiseBench?: unknown }).stepwiseBench);
    type Probe = 'busy' | 'idle';
    type BenchPage = { stepwiseBench: { load(i: unknown): void; inWorker(p: Probe): Promise<Measure>; onMain(): Promise<Measure>; spin(ms: number, p: Probe): Promise<Measure> } };
    const load = (input: unknown) => page.evaluate((i) => (globalThis as unknown as BenchPage).stepwiseBench.load(i), input as Record<string, unknown>);
    const run = (fn: 'inWorker' | 'onMain', probe: Probe = 'busy') => page.evaluate(([f, p]) => (f === 'inWorker' ? (globalThis as unknown as BenchPage).stepwiseBench.inWorker(p as Probe) : (globalThis as unknown as BenchPage).stepwiseBench.onMain()), [fn, probe] as const);
    // Warm both up: the worker's start-up and ELK's first-call initialisation are not in the figures.
    const warm = layoutInput(withProxies(graphOf(lintText(generateTask(20)).model)), 'DOWN');
    await load(warm);
    const cold = await run('inWorker');
    await run('onMain');
    console.log(`${'graph layout: worker start + first layout'.padEnd(44)} ${`${cold.ms.toFixed(0)} ms`.padStart(16)}  (20 states; paid once per webview)`);
    const spinFor = (ms: number, probe: Probe = 'busy') => page.evaluate(([t, p]) => (globalThis as unknown as BenchPage).stepwiseBench.spin(t as number, p as Probe), [ms, probe] as const) as Promise<Measure>;
    for (const n of sizes) {
      // What the webview lays out: the graph with reference chips for busy states.
      const input = layoutInput(withProxies(graphOf(lintText(generateTask(n)).model)), 'DOWN');
      // Medians of several runs, each with both references beside it: the machine's load changes
      // while they run, and one preempted run should neither make nor break a figure.
      const worker: Measure[] = [];
      const main: Measure[] = [];
      const spin: Measure[] = [];
      const idle: Measure[] = [];
      const idleSpin: Measure[] = [];
      for (let i = 0; i < repeat; i++) {
        await load(input);
        worker.push(await run('inWorker'));
        await load(input);
        main.push(await run('onMain'));
        spin.push(await spinFor(Math.round(worker[i].ms)));
        await load(input);
        idle.push(await run('inWorker', 'idle'));
        idleSpin.push(await spinFor(Math.round(idle[i].ms), 'idle'));
      }
      const stalls = worker.map((m) => m.stall);
      const w = { ms: median(worker.map((m) => m.ms)), stall: median(stalls) };
      const m = { ms: median(main.map((x) => x.ms)), stall: median(main.map((x) => x.stall)) };
      const edges = input.edges.length;
      const delay = median(idle.map((x) => x.stall));
      const spinDelay = median(idleSpin.map((x) => x.stall));
      row(`layout ${n} states (${input.nodes.length} n, ${edges} e): input delay`, `${delay.toFixed(1)} ms`, `${spinDelay.toFixed(1)} ms`, delay / spinDelay, '< 20 ms', delay < 20);
      row(`layout ${n} states: busy main-thread stall`, `${w.stall.toFixed(1)} ms`, `${m.stall.toFixed(0)} ms`, w.stall / m.stall, 'reported', true);
      row(`layout ${n} states: time, worker vs main`, `${w.ms.toFixed(0)} ms`, `${m.ms.toFixed(0)} ms`, w.ms / m.ms, 'reported', true);
      const runs = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(', ');
      console.log(`${''.padEnd(44)} (medians of ${repeat} runs; input delays ${runs(idle.map((x) => x.stall))} ms, a worker spinning as long delays input ${runs(idleSpin.map((x) => x.stall))} ms; busy stalls ${runs(stalls)} ms; a worker spinning as long stalls it ${median(spin.map((x) => x.stall)).toFixed(1)} ms (${runs(spin.map((x) => x.stall))}); the engine's own work on the main thread ${median(worker.map((x) => x.main ?? NaN)).toFixed(1)} ms, its longest task ${median(worker.map((x) => x.task ?? NaN)).toFixed(1)} ms)`);
      // One more run of each under a trace (not in the medians: tracing costs time): whether the
      // longest gap holds work of the main thread's or only its wait for a core.
      await load(input);
      const tracedWorker = await traced(browser, page, () => run('inWorker'));
      const tracedSpin = await traced(browser, page, () => spinFor(Math.round(w.ms)));
      console.log(`${''.padEnd(44)} (${describeStall(tracedWorker, tracedSpin)})`);
    }
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** From the document message to 200 painted state nodes, with the built webview bundle. */
export async function benchFirstPaint(states = 200): Promise<void> {
  if (skip('first paint')) return;
  const env = await startEnv();
  try {
    const text = generateTask(states);
    const { model, diagnostics } = lintText(text);
    const total = model.states.length;
    const samples: number[] = [];
    const loads: number[] = [];
    const busies: number[] = [];
    const message = { type: 'document', uri: 'file:///big.task.yaml', fileName: 'big.task.yaml', version: 1, text, model: outlineOf(model), diagnostics };
    type Page = { stepwiseMessage?: unknown; document: any; performance: { now(): number }; requestAnimationFrame(cb: () => void): number; postMessage(m: unknown, o: string): void };
    for (let i = 0; i < 5; i++) {
      const host = await openEditor(env, { text: '', fileName: 'big.task.yaml', width: 1400, height: 900, autoDocument: false });
      // The message is handed to the page first: the test driver's own work is in no figure.
      await host.page.evaluate((m) => void ((globalThis as unknown as Page).stepwiseMessage = m), message as unknown as Record<string, unknown>);
      let figures = { fromMessage: 0, fromNavigation: 0 };
      const busy = await mainThreadBusy(env.browser, host.page, async () => {
        figures = await host.page.evaluate(
          () =>
            new Promise<{ fromMessage: number; fromNavigation: number }>((resolve) => {
              const g = globalThis as unknown as Page;
              const t0 = g.performance.now();
              const check = () => {
                // Fitted to the view, with the state nodes in view rendered (large graphs render only
                // those): the next frame paints them.
                const canvas = g.document.querySelector('.sw-canvas');
                if (canvas?.getAttribute('data-fitted') && g.document.querySelectorAll('.react-flow__node-state').length > 0) {
                  g.requestAnimationFrame(() => {
                    const t1 = g.performance.now();
                    resolve({ fromMessage: t1 - t0, fromNavigation: t1 });
                  });
                } else g.requestAnimationFrame(check);
              };
              g.postMessage(g.stepwiseMessage, '*');
              g.requestAnimationFrame(check);
            }),
        );
      });
      samples.push(figures.fromMessage);
      loads.push(figures.fromNavigation);
      busies.push(busy);
      await host.page.context().close();
    }
    const ms = median(samples);
    row(`first paint ${states} states (${total} nodes)`, `${ms.toFixed(0)} ms`, `${median(loads).toFixed(0)} ms`, ms / median(loads), '< 500 ms', ms < 500);
    console.log(`${''.padEnd(44)} (figure: document message → nodes painted; ref: page load → nodes painted; main thread busy meanwhile ${median(busies).toFixed(0)} ms; runs ${samples.map((x) => x.toFixed(0)).join(', ')} ms)`);
  } finally {
    await env.close();
  }
}

/** One canvas edit on a 1,000-state file, with the Document the host already parsed, against one parseDocument. */
export async function benchCanvasEdit(states = 1000): Promise<void> {
  const text = generateTask(states);
  const parsed = parseTaskDocument(text);
  const mid = `s${Math.floor(states / 2)}`;
  const ops: Array<[string, EditOperation]> = [
    ['add transition', { type: 'addTransition', state: mid, to: 'done', condition: { event: 'approved' } }],
    ['rename (all refs)', { type: 'renameState', state: mid, newName: 'middle' }],
    ['add state', { type: 'addState', name: 'review', after: mid }],
    ['delete state', { type: 'deleteState', state: mid }],
  ];
  for (const [, op] of ops) if (editTask(text, op, parsed.doc).error) throw new Error(`benchmark edit failed: ${JSON.stringify(op)}`);
  parseDocument(text);
  const repeat = 7;
  const bareSamples: number[] = [];
  for (let i = 0; i < repeat; i++) bareSamples.push(cpuTime(() => parseDocument(text), 1));
  const bare = median(bareSamples);
  for (const [label, op] of ops) {
    const ms = cpuTime(() => editTask(text, op, parsed.doc), 15);
    row(`edit ${states} states: ${label}`, `${ms.toFixed(2)} ms`, `${bare.toFixed(1)} ms`, ms / bare, '< 1×', ms < bare);
  }
  const uncached = cpuTime(() => editTask(text, ops[0][1]), 3);
  console.log(`${`  (add transition, parsing the text itself)`.padEnd(44)} ${`${uncached.toFixed(1)} ms`.padStart(16)}`);
}

export async function benchGraph(): Promise<void> {
  await benchCanvasEdit();
  await benchFirstPaint();
  await benchGraphLayout();
}

if (require.main === module) {
  benchGraph().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
