// An orthogonal path for an edge that has no route from ELK (its ends moved since the layout, or
// it was added while the nodes kept their places): through the middle when that crosses no other
// node, else around the nodes in between, by the nearer side.
import type { Box, Point } from './types';

const GAP = 18;
const CLEAR = 8;

function crosses(a: Point, b: Point, box: Box): boolean {
  const x0 = Math.min(a.x, b.x);
  const x1 = Math.max(a.x, b.x);
  const y0 = Math.min(a.y, b.y);
  const y1 = Math.max(a.y, b.y);
  return x1 > box.x - CLEAR && x0 < box.x + box.width + CLEAR && y1 > box.y - CLEAR && y0 < box.y + box.height + CLEAR;
}

function clear(points: Point[], obstacles: readonly Box[]): boolean {
  for (let i = 1; i < points.length; i++) if (obstacles.some((b) => crosses(points[i - 1], points[i], b))) return false;
  return true;
}

/** Points from a source handle (leaving downwards) to a target handle (entering from above). */
function down(s: Point, t: Point, obstacles: readonly Box[]): Point[] {
  if (t.y > s.y + 2 * GAP) {
    const mid = (s.y + t.y) / 2;
    const straight = [s, { x: s.x, y: mid }, { x: t.x, y: mid }, t];
    if (clear(straight, obstacles)) return straight;
  }
  const top = Math.min(s.y, t.y);
  const bottom = Math.max(s.y, t.y);
  const between = obstacles.filter((b) => b.y + b.height > top - GAP && b.y < bottom + GAP);
  const right = Math.max(s.x, t.x, ...between.map((b) => b.x + b.width)) + 2 * GAP;
  const left = Math.min(s.x, t.x, ...between.map((b) => b.x)) - 2 * GAP;
  const side = right - Math.max(s.x, t.x) <= Math.min(s.x, t.x) - left ? right : left;
  return [s, { x: s.x, y: s.y + GAP }, { x: side, y: s.y + GAP }, { x: side, y: t.y - GAP }, { x: t.x, y: t.y - GAP }, t];
}

const swap = (p: Point): Point => ({ x: p.y, y: p.x });
const swapBox = (b: Box): Box => ({ x: b.y, y: b.x, width: b.height, height: b.width });

/** `downward`: the layout runs top to bottom (else left to right, the same with the axes swapped). */
export function detour(source: Point, target: Point, obstacles: readonly Box[], downward: boolean): Point[] {
  if (downward) return down(source, target, obstacles);
  return down(swap(source), swap(target), obstacles.map(swapBox)).map(swap);
}
