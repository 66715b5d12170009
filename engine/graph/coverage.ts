// Test coverage as the graph paints it: how often the cases entered each state and took each
// transition and catch entry (engine/testing/coverage.ts counts them), keyed the way the graph
// names its nodes and edges. Pure data for the `coverage` message of the webview protocol.
import type { FileCoverage } from '../testing/coverage';
import { edgeId } from './model';

export interface GraphCoverage {
  /** Entries per state name. A state missing here was not in the file the cases ran (added since): unknown, not uncovered. */
  states: Record<string, number>;
  /** Times taken per edge id (`on:0:state`, `catch:1:state`). */
  branches: Record<string, number>;
}

export function graphCoverage(cov: FileCoverage): GraphCoverage {
  const states: Record<string, number> = {};
  const branches: Record<string, number> = {};
  for (const s of cov.states) states[s.state] = s.hits;
  for (const b of cov.branches) branches[edgeId(b.state, b.kind === 'catch' ? 'catch' : 'on', b.index ?? 0)] = b.hits;
  return { states, branches };
}

/** How often the cases entered a state, or undefined when the coverage does not know it. */
export function stateHits(cov: GraphCoverage | null | undefined, state: string): number | undefined {
  return cov && Object.hasOwn(cov.states, state) ? cov.states[state] : undefined;
}

/** How often the cases took an edge, or undefined when the coverage does not know it. */
export function edgeHits(cov: GraphCoverage | null | undefined, id: string): number | undefined {
  return cov && Object.hasOwn(cov.branches, id) ? cov.branches[id] : undefined;
}
