// ELK in a Web Worker. The webview's CSP forbids loading a worker from the resource origin, so the
// worker is a `blob:` URL made from ELK's worker source, which the bundle holds as a string
// (`worker-src blob:`). If the worker cannot start or fails, ELK's promise would never settle: the
// engine listens for errors, times out, and falls back to the quick layout so the graph still shows.
import ELK from 'elkjs/lib/elk-api';
import { fromElk, quickLayout, toElk, type LayoutInput, type LayoutResult } from './elk-graph';

export interface LayoutEngine {
  layout(input: LayoutInput): Promise<LayoutResult>;
  /** `worker` while ELK runs in its worker; `quick` after it failed (the fallback layout is used). */
  readonly mode: 'worker' | 'quick';
  dispose(): void;
}

export interface LayoutEngineOptions {
  workerSource: string;
  /** Time allowed for one layout (default: 15 s + 20 ms a node). */
  timeoutMs?: (nodes: number) => number;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export function createLayoutEngine(options: LayoutEngineOptions): LayoutEngine {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.timeoutMs ?? ((n) => 15000 + 20 * n);
  let mode: 'worker' | 'quick' = 'worker';
  let url: string | undefined;
  let worker: Worker | undefined;
  let elk: { layout(graph: unknown): Promise<unknown>; terminateWorker?(): void } | undefined;
  let failure: ((err: Error) => void) | undefined;

  const start = () => {
    url ??= URL.createObjectURL(new Blob([options.workerSource], { type: 'text/javascript' }));
    elk = new ELK({
      workerFactory: () => {
        worker = new Worker(url!);
        worker.addEventListener('error', (e) => failure?.(new Error(`the layout worker failed: ${e.message || 'could not start'}`)));
        return worker;
      },
    }) as unknown as typeof elk;
  };

  const fail = (why: string) => {
    log('warn', `Layout falls back to the quick layout: ${why}`);
    mode = 'quick';
    try {
      elk?.terminateWorker?.();
    } catch {
      // already gone
    }
    worker?.terminate();
    elk = undefined;
  };

  // One layout at a time: ELK's worker answers in order, and a newer request supersedes waiting ones.
  let chain: Promise<unknown> = Promise.resolve();

  return {
    get mode() {
      return mode;
    },
    layout(input: LayoutInput): Promise<LayoutResult> {
      const run = async (): Promise<LayoutResult> => {
        if (mode === 'quick') return quickLayout(input);
        try {
          if (!elk) start();
        } catch (err) {
          fail(err instanceof Error ? err.message : String(err));
          return quickLayout(input);
        }
        const t0 = performance.now();
        try {
          const result = await new Promise<unknown>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs(input.nodes.length)} ms`)), timeoutMs(input.nodes.length));
            failure = (err) => {
              clearTimeout(timer);
              reject(err);
            };
            elk!.layout(toElk(input)).then(
              (r) => {
                clearTimeout(timer);
                resolve(r);
              },
              (err) => {
                clearTimeout(timer);
                reject(err instanceof Error ? err : new Error(String(err)));
              },
            );
          });
          const out = fromElk(result as Parameters<typeof fromElk>[0], 'worker');
          out.ms = performance.now() - t0;
          return out;
        } catch (err) {
          fail(err instanceof Error ? err.message : String(err));
          return quickLayout(input);
        } finally {
          failure = undefined;
        }
      };
      const p = chain.then(run, run);
      chain = p.catch(() => undefined);
      return p;
    },
    dispose() {
      try {
        elk?.terminateWorker?.();
      } catch {
        // ignore
      }
      worker?.terminate();
      if (url) URL.revokeObjectURL(url);
    },
  };
}
