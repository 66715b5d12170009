// Where a new state goes on the canvas: near the place asked for, but never on top of a state that
// is already drawn (a state added in the middle of the view would otherwise cover the one fitted
// there, and a drag aimed at either would land on the other).

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The first place at or below `at` where a box of `size` keeps `gap` clear of every box in `taken`.
 * It only moves down, past each box it meets, so it ends after at most `taken.length` moves.
 */
export function freeSpot(at: { x: number; y: number }, size: { width: number; height: number }, taken: readonly Box[], gap = 40): { x: number; y: number } {
  let y = at.y;
  for (let moves = 0; moves <= taken.length; moves++) {
    const hit = taken.find((b) => at.x < b.x + b.width + gap && b.x < at.x + size.width + gap && y < b.y + b.height + gap && b.y < y + size.height + gap);
    if (!hit) break;
    y = hit.y + hit.height + gap;
  }
  return { x: at.x, y };
}
