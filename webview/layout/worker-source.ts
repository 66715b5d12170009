// The layout worker's script: ELK's worker script followed by a small handler of ours. DOM-free, so
// that it is tested in Node too (with the worker's `self` simulated).
import { toElkGraph, type LayoutInput } from '../../engine/graph/layout';
import { compactElk, unpackInput, type PackedInput } from '../../engine/graph/compact';

/**
 * The worker's handler, appended to ELK's worker script (it runs from its source text: it may use
 * its parameters only). ELK's own dispatcher stays in place; `stepwise-layout` requests go through
 * it, and its answer to them is replaced by the compact one.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function workerMain(scope: any, build: typeof toElkGraph, compact: typeof compactElk, unpack: typeof unpackInput): void {
  const dispatch = scope.onmessage;
  const post = scope.postMessage.bind(scope);
  const pending = new Map<number, LayoutInput>();
  scope.postMessage = (msg: { id: number; data?: unknown; error?: unknown }) => {
    const input = pending.get(msg.id);
    if (!input) return post(msg);
    pending.delete(msg.id);
    if (msg.error !== undefined || !msg.data) return post({ id: msg.id, error: String((msg.error as Error)?.message ?? msg.error ?? 'no layout') });
    try {
      const c = compact(msg.data, input);
      post({ id: msg.id, result: c }, [c.positions.buffer, c.routes.buffer, c.labels.buffer]);
    } catch (err) {
      post({ id: msg.id, error: String((err as Error)?.message ?? err) });
    }
  };
  scope.onmessage = (e: { data: { cmd?: string; id: number; input: PackedInput; options: Record<string, string>; labelHeight: number } }) => {
    const m = e.data;
    if (!m || m.cmd !== 'stepwise-layout') return dispatch.call(scope, e);
    try {
      const input = unpack(m.input);
      pending.set(m.id, input);
      dispatch.call(scope, { data: { id: m.id, cmd: 'layout', graph: build(input, m.options, m.labelHeight), options: {} } });
    } catch (err) {
      pending.delete(m.id);
      post({ id: m.id, error: String((err as Error)?.message ?? err) });
    }
  };
}

/** ELK's worker script with our handler: what the blob: worker runs. */
export function layoutWorkerSource(elkWorkerSource: string): string {
  return `${elkWorkerSource}\n;(${workerMain.toString()})(self, ${toElkGraph.toString()}, ${compactElk.toString()}, ${unpackInput.toString()});\n`;
}
