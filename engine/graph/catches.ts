// `catch` routes as badges: a task that catches on every state would otherwise draw a long line
// from each of them into `failed`, and those lines are most of the picture. Each catch entry is a
// small chip (`catch → failed`) just under its state's output, joined to it by a short stub; the
// whole route is drawn only on demand (the chip hovered, the edge or one of its ends selected, a
// run that took it). The layout leaves catch routes out, except the first way into a state that
// nothing else leads to, so that such a state is still placed after its catcher. Shared by the
// canvas and the exported SVG. Pure.
import type { TransitionEdgeData } from './model';
import type { LayoutDirection, Point } from './types';

/** The chip's text: what is caught and where it goes. */
export function catchChipText(e: Pick<TransitionEdgeData, 'label' | 'target' | 'hub'>): string {
  return `${e.label} → ${e.hub ?? e.target}`;
}

export const CHIP_HEIGHT = 16;
const CHIP_GAP = 3;
/** Between the output handle and the chips beside it (edges leaving the handle run clear of them). */
const CHIP_OFFSET = 10;

/** Where a catch entry's chip sits and the stub that joins it to its state's output. */
export interface CatchBadge {
  /** The chip's vertical middle and the x of its side towards the handle. */
  anchor: Point;
  /** The chip extends from anchor.x to the left (DOWN: left of the handle) or to the right (RIGHT: past the handle). */
  align: 'right' | 'left';
  /** The stub from the handle to the chip, as orthogonal points. */
  stub: Point[];
}

/**
 * The badge of the `slot`-th catch entry of a state whose output handle is at `out`: DOWN, chips
 * stack under the node left of the handle; RIGHT, under the handle, to the right of the node.
 */
export function catchBadge(out: Point, slot: number, direction: LayoutDirection): CatchBadge {
  // DOWN: the first chip's top just under the node; RIGHT: clear of the edges leaving the handle.
  const first = direction === 'DOWN' ? CHIP_HEIGHT / 2 + 2 : CHIP_HEIGHT / 2 + CHIP_OFFSET;
  const y = out.y + first + slot * (CHIP_HEIGHT + CHIP_GAP);
  if (direction === 'DOWN') {
    const x = out.x - CHIP_OFFSET;
    return { anchor: { x, y }, align: 'right', stub: [out, { x: out.x, y }, { x, y }] };
  }
  const x = out.x + CHIP_OFFSET;
  return { anchor: { x, y }, align: 'left', stub: [out, { x: out.x + CHIP_OFFSET / 2, y: out.y }, { x: out.x + CHIP_OFFSET / 2, y }, { x, y }] };
}

/** The edges the layout places: every transition, and a catch entry only where it is the first way into a state nothing else leads to. */
export function laidOutEdges<E extends Pick<TransitionEdgeData, 'list' | 'source' | 'target'>>(edges: readonly E[]): E[] {
  const reached = new Set(edges.filter((e) => e.list === 'on' && e.source !== e.target).map((e) => e.target));
  return edges.filter((e) => {
    if (e.list === 'on') return true;
    if (reached.has(e.target) || e.source === e.target) return false;
    reached.add(e.target);
    return true;
  });
}
