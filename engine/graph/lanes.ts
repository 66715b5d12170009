// Fan-out on the graph: a `parallel` drawn inside its state as one lane per branch, a `map` as one
// lane (its item instruction) under `× items` and its concurrency; and each lane's status in a run,
// from the journal's branch- and item-tagged entries (the same fold a replay makes, see
// engine/journal/fanout.ts). Pure: no DOM, no React.
import type { BranchState, FanoutState } from '../journal/fanout';
import type { FanoutOutline, FanoutRun, LaneStatus, NestedInstructionOutline } from './types';

/** A lane as the node draws it. */
export interface LaneView {
  /** The branch name (parallel) or '' (the map's item instruction). */
  name: string;
  kind: string;
  /** The lane's instruction's arguments (summarised like an instruction row's). */
  args: unknown;
  /** The task file a `call` lane runs (relative to the task file), which a click opens. */
  task?: string;
}

export interface FanoutView {
  kind: 'parallel' | 'map';
  lanes: LaneView[];
  /** Branches not drawn (a node shows at most MAX_LANES). */
  more: number;
}

export const MAX_LANES = 6;
export const LANE_HEIGHT = 22;
/** The fan-out block's padding. */
const BLOCK_PADDING = 8;

function laneOf(name: string, ins: NestedInstructionOutline | undefined): LaneView {
  const args = ins?.args;
  const task = ins?.kind === 'call' && args && typeof args === 'object' && typeof (args as { task?: unknown }).task === 'string' ? (args as { task: string }).task : undefined;
  return { name, kind: ins?.kind || '?', args, task };
}

/** `={{ input.regions }}` as `input.regions`; a literal list as `3 items`. */
export function itemsText(items: unknown): string {
  if (Array.isArray(items)) return `${items.length} item${items.length === 1 ? '' : 's'}`;
  if (typeof items !== 'string') return '?';
  const m = /^\s*=\{\{([\s\S]*)\}\}\s*$/.exec(items);
  return (m ? m[1] : items).trim();
}

export function fanoutView(f: FanoutOutline): FanoutView {
  if (f.kind === 'parallel') {
    const lanes = f.branches.map((b) => laneOf(b.name, b.ins));
    return { kind: 'parallel', lanes: lanes.slice(0, MAX_LANES), more: Math.max(0, lanes.length - MAX_LANES) };
  }
  return { kind: 'map', lanes: [laneOf('', f.do)], more: 0 };
}

/** The height a fan-out adds below its instruction row. */
export function fanoutHeight(v: FanoutView): number {
  return BLOCK_PADDING + (v.lanes.length + (v.more ? 1 : 0)) * LANE_HEIGHT;
}

/** A branch's (or item's) status from the folded journal. */
export function laneStatus(b: BranchState | undefined): LaneStatus {
  if (!b) return 'pending';
  if (b.outcome) return 'result' in b.outcome ? 'succeeded' : 'failed';
  // Between two attempts a branch is still under way; stopped without an outcome, it was cancelled.
  return b.running || b.retryAt !== undefined ? 'running' : 'cancelled';
}

/** The lanes of the fan-out under way (or just ended) in `state`. */
export function fanoutRunOf(state: string, f: FanoutState): FanoutRun {
  const lanes: Record<string, LaneStatus> = {};
  for (const [key, b] of Object.entries(f.branches)) lanes[key] = laneStatus(b);
  return f.items ? { state, index: f.index, lanes, items: f.items.length } : { state, index: f.index, lanes };
}

/** Puts a fan-out's latest picture in place of the one for the same state and instruction. */
export function withFanoutRun(list: readonly FanoutRun[], run: FanoutRun): FanoutRun[] {
  return [...list.filter((r) => !(r.state === run.state && r.index === run.index)), run];
}
