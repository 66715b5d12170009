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
