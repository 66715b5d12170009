// The layout benchmark's page (bundled by bench/graph.ts, never shipped): ELK in the webview's blob:
// worker against elkjs on the main thread, with the main thread's longest stall measured by a
// MessageChannel ping-pong that runs while each layout does.
import ELK from 'elkjs/lib/elk.bundled.js';
import workerSource from 'elk-worker-source';
import { createLayoutEngine } from '../layout/engine';
import { toElk, type LayoutInput } from '../../engine/graph/layout';

interface Measure {
  ms: number;
  stall: number;
  nodes: number;
  /** The layout engine's own time on the main thread. */
  main?: number;
  /** The longest of the engine's tasks on the main thread. */
  task?: number;
}

function watchStalls(): { stop(): number } {
  const channel = new MessageChannel();
  let last = performance.now();
  let worst = 0;
  let from = last;
  let running = true;
  const gap = (now: number) => {
    if (now - last > worst) {
      worst = now - last;
      from = last;
    }
    last = now;
  };
  channel.port1.onmessage = () => {
    gap(performance.now());
    if (running) channel.port2.postMessage(0);
  };
  channel.port2.postMessage(0);
  return {
    stop() {
      running = false;
      gap(performance.now());
      // In a trace, the longest gap shows as this measure (blink.user_timing).
      performance.measure('stepwise-longest-gap', { start: from, end: from + worst });
      return worst;
    },
  };
}

/**
 * How late a timer due every 8 ms runs while the layout goes on: the longest an input event waits
 * for the main thread. Unlike the ping-pong, this thread sleeps between ticks, as a webview's does,
 * so the operating system schedules it as a thread that waits for input, not as a busy one.
 */
function watchDelays(): { stop(): number } {
  let worst = 0;
  let running = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const due = performance.now() + 8;
    timer = setTimeout(() => {
      worst = Math.max(worst, performance.now() - due);
      if (running) arm();
    }, 8);
  };
  arm();
  return {
    stop() {
      running = false;
      clearTimeout(timer);
      return worst;
    },
  };
}

type Probe = 'busy' | 'idle';
const watch = (probe: Probe) => (probe === 'busy' ? watchStalls() : watchDelays());

const engine = createLayoutEngine({ workerSource, timeoutMs: () => 600_000 });
const mainElk = new ELK();

function collect(): void {
  (globalThis as unknown as { gc?: () => void }).gc?.();
}

let loaded: LayoutInput | undefined;

/** Receives the next input and collects garbage, in a task of its own: neither counts in a figure. */
function load(input: LayoutInput): void {
  loaded = input;
  collect();
}

async function inWorker(probe: Probe = 'busy'): Promise<Measure> {
  const input = loaded!;
  await new Promise((r) => setTimeout(r, 20));
  const watching = watch(probe);
  const t0 = performance.now();
  const result = await engine.layout(input);
  const ms = performance.now() - t0;
  const stall = watching.stop();
  if (result.engine !== 'worker') throw new Error(`the worker did not lay out (${result.engine})`);
  return { ms, stall, nodes: Object.keys(result.positions).length, main: result.mainMs, task: result.mainTaskMs };
}

async function onMain(): Promise<Measure> {
  const input = loaded!;
  await new Promise((r) => setTimeout(r, 20));
  const watch = watchStalls();
  const graph = toElk(input);
  // Yield once so that the watcher has a tick before ELK blocks the thread.
  await new Promise((r) => setTimeout(r, 0));
  const t0 = performance.now();
  const result = (await mainElk.layout(graph)) as { children?: unknown[] };
  const ms = performance.now() - t0;
  const stall = watch.stop();
  return { ms, stall, nodes: result.children?.length ?? 0 };
}

/** The stall a worker spinning on the CPU as long causes: the machine's own share of the figure. */
async function spin(ms: number, probe: Probe = 'busy'): Promise<Measure> {
  const url = URL.createObjectURL(new Blob([`onmessage = (e) => { const end = Date.now() + e.data; while (Date.now() < end) {} postMessage(0); }`], { type: 'text/javascript' }));
  const w = new Worker(url);
  collect();
  await new Promise((r) => setTimeout(r, 50));
  const watching = watch(probe);
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    w.onmessage = () => resolve();
    w.postMessage(ms);
  });
  const out = { ms: performance.now() - t0, stall: watching.stop(), nodes: 0 };
  w.terminate();
  URL.revokeObjectURL(url);
  return out;
}

(globalThis as unknown as Record<string, unknown>).stepwiseBench = { load, inWorker, onMain, spin };
