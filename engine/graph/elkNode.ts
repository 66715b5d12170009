// ELK's layout of a graph on Node's main thread (the CLI's `stepwise graph`): the same mapping
// (engine/graph/layout.ts) and options the graph editor's worker uses, so the exported picture is
// the one the editor draws. Its own bundle (dist/graphLayout.js): only `stepwise graph` loads ELK.
import { fromElk, layoutInput, toElk, type LayoutResult } from './layout';
import type { GraphModel } from './model';
import type { LayoutDirection } from './types';

export async function layoutGraph(graph: GraphModel, direction: LayoutDirection): Promise<LayoutResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ELK = require('elkjs/lib/elk.bundled.js') as new () => { layout(graph: unknown): Promise<unknown> };
  const result = await new ELK().layout(toElk(layoutInput(graph, direction)));
  return fromElk(result as Parameters<typeof fromElk>[0], 'main');
}
