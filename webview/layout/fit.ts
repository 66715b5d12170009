// Where Fit puts the graph: inside the part of the canvas no overlay covers (toolbar, minimap,
// zoom controls), and never smaller than the zoom at which state names stay readable. A graph
// too large for that is shown from its top (the start) and scrolls, instead of shrinking away.
import type { Box, Point } from '../protocol';

export type { Box };

/** The canvas margins covered by overlays, in CSS pixels. */
export interface Insets {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** A state's name is 13 px; at this zoom it is 10 px on screen, the smallest we call readable. */
export const NAME_FONT_PX = 13;
export const READABLE_PX = 10;
export const READABLE_ZOOM = READABLE_PX / NAME_FONT_PX;
export const MAX_FIT_ZOOM = 1.1;
const MARGIN = 16;

/** `focus`: the box to keep in view when the graph does not fit (the start state). */
export function readableFit(boxes: readonly Box[], width: number, height: number, insets: Insets, focus?: Box, minZoom = READABLE_ZOOM, maxZoom = MAX_FIT_ZOOM): Point & { zoom: number } {
  if (!boxes.length || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 };
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.width));
  const y1 = Math.max(...boxes.map((b) => b.y + b.height));
  const w = x1 - x0;
  const h = y1 - y0;
  const free = { x: insets.left + MARGIN, y: insets.top + MARGIN, width: Math.max(1, width - insets.left - insets.right - 2 * MARGIN), height: Math.max(1, height - insets.top - insets.bottom - 2 * MARGIN) };
  const zoom = Math.max(minZoom, Math.min(maxZoom, free.width / Math.max(w, 1), free.height / Math.max(h, 1)));
  // Each axis: centred when it fits; else at `want` (the focus centred across, its top at the top
  // of the free area down), kept so that the graph's ends do not come inside the free area.
  const axis = (lo: number, size: number, freeStart: number, freeSize: number, want: number | undefined) => {
    if (size * zoom <= freeSize) return freeStart + (freeSize - size * zoom) / 2 - lo * zoom;
    const first = freeStart - lo * zoom;
    return want === undefined ? first : Math.min(first, Math.max(freeStart + freeSize - (lo + size) * zoom, want));
  };
  const x = axis(x0, w, free.x, free.width, focus && free.x + free.width / 2 - (focus.x + focus.width / 2) * zoom);
  const y = axis(y0, h, free.y, free.height, focus && free.y - focus.y * zoom);
  return { x, y, zoom };
}
