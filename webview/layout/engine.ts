// ELK in a Web Worker. The webview's CSP forbids loading a worker from the resource origin, so the
// worker is a `blob:` URL made from ELK's worker script, which the bundle holds as a string
// (`worker-src blob:`), followed by a small handler of ours: it builds the ELK graph from the
// compact layout input and answers with transferable arrays, so that the main thread neither
// clones ELK's large JSON graphs nor builds them, and it reads the answer a slice per task (its
// longest stall stays small). If the worker cannot start or fails, ELK would never answer: the
// engine listens for errors, times out, and falls back to the quick layout so the graph still shows.
import { ELK_OPTIONS, quickLayout, type LayoutInput, type LayoutResult } from '../../engine/graph/layout';
import { expandCompact, packInput, type CompactLayout } from '../../engine/graph/compact';
import { layoutWorkerSource } from './worker-source';
import { LABEL_HEIGHT } from '../../engine/graph/model';

export interface LayoutEngine {
  layout(input: LayoutInput): Promise<LayoutResult>;
  /** `worker` while ELK runs in its worker; `quick` after it failed (the fallback layout is used). */
  readonly mode: 'worker' | 'quick';
  dispose(): void;
}

export interface LayoutEngineOptions {
  /** ELK's worker script (elkjs/lib/elk-worker.min.js). */
  workerSource: string;
  /** Time allowed for one layout (default: 15 s + 20 ms a node). */
  timeoutMs?: (nodes: number) => number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** Nodes or edges read from an answer in one task (a fraction of a millisecond on a quiet machine). */
const READ_SLICE = 250;

/**
 * A promise that resolves in a task of its own, after the tasks already queued (input, paint): a
 * message to ourselves, which, unlike setTimeout, is not clamped to 4 ms when repeated.
 */
function taskQueue(): { next(): Promise<void>; close(): void } {
  const channel = new MessageChannel();
  const resumes: Array<() => void> = [];
  channel.port1.onmessage = () => resumes.shift()?.();
  return {
    next: () =>
      new Promise<void>((resolve) => {
        resumes.push(resolve);
        channel.port2.postMessage(0);
      }),
    close: () => channel.port1.close(),
  };
}

export function createLayoutEngine(options: LayoutEngineOptions): LayoutEngine {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? ((n) => 15000 + 20 * n);
  let mode: 'worker' | 'quick' = 'worker';
  let url: string | undefined;
  let worker: Worker | undefined;
  let seq = 1;
  const tasks = taskQueue();
  const waiting = new Map<number, { resolve(c: CompactLayout, readMs: number): void; reject(err: Error): void }>();

  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };

  const start = (): Worker => {
    url ??= URL.createObjectURL(new Blob([layoutWorkerSource(options.workerSource)], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.addEventListener('error', (e) => failAll(new Error(`the layout worker failed: ${e.message || 'it could not start'}`)));
    w.addEventListener('messageerror', () => failAll(new Error('the layout worker sent a message that could not be read')));
    w.addEventListener('message', (e: MessageEvent<{ id: number; result?: CompactLayout; error?: string }>) => {
      // Reading `data` deserializes the answer: part of the layout's cost to this thread.
      const r0 = performance.now();
      const data = e.data;
      const w8 = waiting.get(data?.id);
      if (!w8) return;
      waiting.delete(data.id);
      if (data.result) w8.resolve(data.result, performance.now() - r0);
      else w8.reject(new Error(data.error ?? 'no layout'));
    });
    w.postMessage({ cmd: 'register', id: 0, algorithms: ['layered'] });
    return w;
  };

  const fail = (why: string) => {
    log('warn', `Layout falls back to the quick layout: ${why}`);
    mode = 'quick';
    worker?.terminate();
    worker = undefined;
  };

  // Start the worker now, while the webview waits for its first document: ELK's start-up (reading
  // its 1.6 MB script) then overlaps with it.
  try {
    worker = start();
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }

  // One layout at a time: a newer request waits for the running one (the caller drops stale answers).
  let chain: Promise<unknown> = Promise.resolve();

  return {
    get mode() {
      return mode;
    },
    layout(input: LayoutInput): Promise<LayoutResult> {
      const run = async (): Promise<LayoutResult> => {
        if (mode === 'quick') return quickLayout(input);
        try {
          worker ??= start();
        } catch (err) {
          fail(err instanceof Error ? err.message : String(err));
          return quickLayout(input);
        }
        const t0 = performance.now();
        const id = seq++;
        try {
          // This thread's time in its tasks of this layout: the post, then the answer's read in slices.
          let mainMs = 0;
          let longest = 0;
          let inTask = 0;
          const spent = (ms: number) => {
            mainMs += ms;
            inTask += ms;
            longest = Math.max(longest, inTask);
          };
          const compact = await new Promise<CompactLayout>((resolve, reject) => {
            const limit = timeoutMs(input.nodes.length);
            const timer = setTimeout(() => {
              waiting.delete(id);
              reject(new Error(`no answer within ${limit} ms`));
            }, limit);
            waiting.set(id, {
              resolve: (c, readMs) => {
                clearTimeout(timer);
                inTask = 0;
                spent(readMs);
                resolve(c);
              },
              reject: (err) => {
                clearTimeout(timer);
                reject(err);
              },
            });
            const p0 = performance.now();
            const packed = packInput(input);
            worker!.postMessage({ cmd: 'stepwise-layout', id, input: packed, options: ELK_OPTIONS, labelHeight: LABEL_HEIGHT }, [packed.lengths.buffer, packed.sizes.buffer, packed.ends.buffer, packed.labelWidths.buffer]);
            spent(performance.now() - p0);
          });
          // The first slice runs in the answer's task, the others each in one of its own.
          let x0 = performance.now();
          const pause = async () => {
            spent(performance.now() - x0);
            await tasks.next();
            inTask = 0;
            x0 = performance.now();
          };
          const out = await expandCompact(compact, input, 'worker', pause, READ_SLICE);
          spent(performance.now() - x0);
          out.mainMs = mainMs;
          out.mainTaskMs = longest;
          out.ms = performance.now() - t0;
          return out;
        } catch (err) {
          fail(err instanceof Error ? err.message : String(err));
          return quickLayout(input);
        }
      };
      const p = chain.then(run, run);
      chain = p.catch(() => undefined);
      return p;
    },
    dispose() {
      failAll(new Error('disposed'));
      tasks.close();
      worker?.terminate();
      if (url) URL.revokeObjectURL(url);
    },
  };
}
