// Edge geometry shared by the canvas and the exported SVG: orthogonal polylines drawn with rounded
// corners, and the point halfway along them.
import type { Point } from './types';

/** An SVG path through orthogonal points with rounded corners. */
export function roundedPath(points: Point[], radius = 8): string {
  if (points.length < 2) return '';
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i - 1];
    const c = points[i];
    const n = points[i + 1];
    const r = Math.min(radius, Math.hypot(c.x - p.x, c.y - p.y) / 2, Math.hypot(n.x - c.x, n.y - c.y) / 2);
    // Sub-pixel differences (React Flow's handle positions carry float noise) are no turn.
    const sgn = (v: number) => (Math.abs(v) < 0.5 ? 0 : Math.sign(v));
    const a = { x: c.x + sgn(p.x - c.x) * r, y: c.y + sgn(p.y - c.y) * r };
    const b = { x: c.x + sgn(n.x - c.x) * r, y: c.y + sgn(n.y - c.y) * r };
    d += ` L${a.x},${a.y} Q${c.x},${c.y} ${b.x},${b.y}`;
  }
  const last = points[points.length - 1];
  return `${d} L${last.x},${last.y}`;
}

/** The point halfway along a polyline (where a label goes when ELK placed none). */
export function midpoint(points: Point[]): Point {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  let half = total / 2;
  for (let i = 1; i < points.length; i++) {
    const len = Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
    if (half <= len && len > 0) {
      const t = half / len;
      return { x: points[i - 1].x + (points[i].x - points[i - 1].x) * t, y: points[i - 1].y + (points[i].y - points[i - 1].y) * t };
    }
    half -= len;
  }
  return points[0];
}

/** A loop from a node's output back to its own input, around its side. */
export function selfLoop(sx: number, sy: number, tx: number, ty: number, down: boolean): { path: string; label: Point } {
  if (down) {
    const side = Math.max(sx, tx) + 120;
    return { path: roundedPath([{ x: sx, y: sy }, { x: sx, y: sy + 20 }, { x: side, y: sy + 20 }, { x: side, y: ty - 20 }, { x: tx, y: ty - 20 }, { x: tx, y: ty }], 10), label: { x: side, y: (sy + ty) / 2 } };
  }
  const side = Math.max(sy, ty) + 80;
  return { path: roundedPath([{ x: sx, y: sy }, { x: sx + 20, y: sy }, { x: sx + 20, y: side }, { x: tx - 20, y: side }, { x: tx - 20, y: ty }, { x: tx, y: ty }], 10), label: { x: (sx + tx) / 2, y: side } };
}

/**
 * An orthogonal route moved so that it starts at `from` and ends at `to` (React Flow's handles, a
 * few pixels off ELK's ports): the whole straight run at each end moves with it (ELK repeats
 * points along an edge that spans layers), and a straight route whose ends no longer line up gets
 * a jog halfway.
 */
export function snapRoute(route: Point[], from: Point, to: Point): Point[] {
  const points = route.map((p) => ({ ...p }));
  const last = points.length - 1;
  const vertical = (a: Point, b: Point) => Math.abs(a.x - b.x) < 0.5;
  const run = (start: number, step: 1 | -1): number[] => {
    const axisVertical = vertical(route[start], route[start + step]);
    const out = [start];
    for (let i = start + step; i >= 0 && i <= last && (axisVertical ? vertical(route[start], route[i]) : Math.abs(route[start].y - route[i].y) < 0.5); i += step) out.push(i);
    return out;
  };
  const head = run(0, 1);
  const tail = run(last, -1);
  if (head.length === points.length) {
    const down = vertical(route[0], route[last]);
    if (down ? from.x === to.x : from.y === to.y) return [from, to];
    const mid = down ? (from.y + to.y) / 2 : (from.x + to.x) / 2;
    return down ? [from, { x: from.x, y: mid }, { x: to.x, y: mid }, to] : [from, { x: mid, y: from.y }, { x: mid, y: to.y }, to];
  }
  const headVertical = vertical(route[0], route[1]);
  for (const i of head) points[i] = headVertical ? { x: from.x, y: points[i].y } : { x: points[i].x, y: from.y };
  const tailVertical = vertical(route[last], route[last - 1]);
  for (const i of tail) points[i] = tailVertical ? { x: to.x, y: points[i].y } : { x: points[i].x, y: to.y };
  points[0] = { ...from };
  points[last] = { ...to };
  return points;
}
