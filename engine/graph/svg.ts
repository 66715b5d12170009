// The graph as a standalone SVG document: the same nodes, sizes, routes and labels the canvas
// draws (engine/graph/model.ts and the layout), themed by a palette, with a run's marks when one
// is given (visited states with their counts, taken transitions, the failing state). Used by the
// graph editor's Export (with the theme's colours and the canvas's positions) and by
// `stepwise graph --format svg` (ELK's layout, a built-in palette). Pure: a string out.
import { detour } from './detour';
import type { EdgeRoute } from './layout';
import { fanoutHeight, LANE_HEIGHT, type FanoutView } from './lanes';
import { edgeTaken, instructionSummary, nodeDebug, type GraphModel, type StateNodeData, type TransitionEdgeData } from './model';
import { midpoint, roundedPath, selfLoop } from './paths';
import type { Box, DebugView, FanoutRun, LaneStatus, LayoutDirection, Point } from './types';

export interface SvgPalette {
  background: string;
  node: string;
  border: string;
  text: string;
  muted: string;
  edge: string;
  catchEdge: string;
  taken: string;
  failed: string;
  succeeded: string;
  current: string;
  label: string;
  font: string;
  mono: string;
}

export const LIGHT_PALETTE: SvgPalette = {
  background: '#ffffff',
  node: '#f8f8f8',
  border: '#8a8a8a',
  text: '#1f1f1f',
  muted: '#616161',
  edge: '#6b6b6b',
  catchEdge: '#c4314b',
  taken: '#005fb8',
  failed: '#c4314b',
  succeeded: '#2e7d32',
  current: '#b58900',
  label: '#ffffff',
  font: '-apple-system, "Segoe UI", system-ui, Ubuntu, sans-serif',
  mono: 'Menlo, Consolas, "DejaVu Sans Mono", monospace',
};

export const DARK_PALETTE: SvgPalette = {
  ...LIGHT_PALETTE,
  background: '#1f1f1f',
  node: '#252526',
  border: '#6f6f6f',
  text: '#e0e0e0',
  muted: '#a0a0a0',
  edge: '#9a9a9a',
  catchEdge: '#f14c4c',
  taken: '#4daafc',
  failed: '#f14c4c',
  succeeded: '#73c991',
  current: '#ffcc00',
  label: '#1f1f1f',
};

export interface SvgInput {
  graph: GraphModel;
  positions: Record<string, Point>;
  routes: Record<string, EdgeRoute>;
  direction: LayoutDirection;
  palette: SvgPalette;
  /** A run's marks (the debugged run, or one shown from the Runs view). */
  overlay?: DebugView;
  /** The document's title (the task's name). */
  title?: string;
}

const PAD = 24;
const CHAR = 6.6;

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function fit(text: string, width: number, char = CHAR): string {
  const max = Math.max(3, Math.floor(width / char));
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

/** Where an edge leaves its source and enters its target (the middle of the sides the handles are on). */
function ports(n: StateNodeData, at: Point, down: boolean): { out: Point; in: Point } {
  return down ? { out: { x: at.x + n.width / 2, y: at.y + n.height }, in: { x: at.x + n.width / 2, y: at.y } } : { out: { x: at.x + n.width, y: at.y + n.height / 2 }, in: { x: at.x, y: at.y + n.height / 2 } };
}

const near = (a: Point, b: Point) => Math.abs(a.x - b.x) <= 8 && Math.abs(a.y - b.y) <= 8;

/** The path of an edge: ELK's route while its ends are where the nodes are, else a detour (as the canvas draws it). */
function edgePath(e: TransitionEdgeData, input: SvgInput, boxes: Map<string, Box & { n: StateNodeData }>): { d: string; label: Point } | undefined {
  const s = boxes.get(e.source);
  const t = boxes.get(e.target);
  if (!s || !t) return undefined;
  const down = input.direction === 'DOWN';
  const from = ports(s.n, s, down).out;
  const to = ports(t.n, t, down).in;
  const route = input.routes[e.id];
  if (route && route.points.length >= 2 && near(route.points[0], from) && near(route.points[route.points.length - 1], to)) {
    return { d: roundedPath(route.points), label: route.label ?? midpoint(route.points) };
  }
  if (e.source === e.target) {
    const loop = selfLoop(from.x, from.y, to.x, to.y, down);
    return { d: loop.path, label: loop.label };
  }
  const others = [...boxes.values()].filter((b) => b.n.name !== e.source && b.n.name !== e.target);
  const points = detour(from, to, others, down);
  return { d: roundedPath(points), label: midpoint(points) };
}

/** The SVG document of a graph. Every state's name is in it as text (a `<text>` and the group's `data-state`). */
export function graphSvg(input: SvgInput): string {
  const { graph, palette: p, overlay } = input;
  const boxes = new Map<string, Box & { n: StateNodeData }>();
  for (const n of graph.nodes) {
    const at = input.positions[n.name] ?? { x: 0, y: 0 };
    boxes.set(n.name, { x: at.x, y: at.y, width: n.width, height: n.height, n });
  }
  const edges = graph.edges.map((e) => ({ e, path: edgePath(e, input, boxes), taken: edgeTaken(overlay, e) }));
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  const grow = (x: number, y: number) => {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  };
  for (const b of boxes.values()) {
    grow(b.x, b.y);
    grow(b.x + b.width, b.y + b.height);
  }
  for (const { e, path } of edges) {
    if (!path) continue;
    for (const m of path.d.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)) grow(Number(m[1]), Number(m[2]));
    const w = Math.ceil(e.label.length * CHAR) + 14;
    grow(path.label.x - w / 2, path.label.y - 10);
    grow(path.label.x + w / 2, path.label.y + 10);
  }
  if (!Number.isFinite(x0)) x0 = y0 = x1 = y1 = 0;
  const width = Math.ceil(x1 - x0 + 2 * PAD);
  const height = Math.ceil(y1 - y0 + 2 * PAD);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${Math.floor(x0 - PAD)} ${Math.floor(y0 - PAD)} ${width} ${height}" font-family="${escapeXml(p.font)}" font-size="12">`);
  if (input.title) out.push(`<title>${escapeXml(input.title)}</title>`);
  out.push('<defs>');
  for (const [id, colour] of [['arrow', p.edge], ['arrow-catch', p.catchEdge], ['arrow-taken', p.taken]] as const) {
    out.push(`<marker id="sw-${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" markerUnits="userSpaceOnUse"><path d="M0,0 L10,5 L0,10 z" fill="${colour}"/></marker>`);
  }
  out.push('</defs>');
  out.push(`<rect x="${Math.floor(x0 - PAD)}" y="${Math.floor(y0 - PAD)}" width="${width}" height="${height}" fill="${p.background}"/>`);
  // Edges under nodes, plain before taken (a taken path is drawn on top), labels above both.
  const order = [...edges].sort((a, b) => Number(a.taken) - Number(b.taken));
  for (const { e, path, taken } of order) {
    if (!path) continue;
    const colour = taken ? p.taken : e.kind === 'catch' ? p.catchEdge : p.edge;
    const marker = taken ? 'sw-arrow-taken' : e.kind === 'catch' ? 'sw-arrow-catch' : 'sw-arrow';
    const dash = e.dashed ? ' stroke-dasharray="5 4"' : e.kind === 'catch' ? ' stroke-dasharray="2 3"' : '';
    out.push(`<path class="edge${taken ? ' taken' : ''}" data-edge="${escapeXml(e.id)}" d="${path.d}" fill="none" stroke="${colour}" stroke-width="${taken ? 2.2 : 1.3}"${dash} marker-end="url(#${marker})"/>`);
  }
  for (const { e, path, taken } of edges) {
    if (!path || !e.label) continue;
    const w = Math.ceil(e.label.length * CHAR) + 12;
    const colour = taken ? p.taken : e.kind === 'catch' ? p.catchEdge : p.muted;
    out.push(`<g class="edge-label"><rect x="${(path.label.x - w / 2).toFixed(1)}" y="${(path.label.y - 9).toFixed(1)}" width="${w}" height="18" rx="9" fill="${p.background}" stroke="${colour}" stroke-width="1"/><text x="${path.label.x.toFixed(1)}" y="${(path.label.y + 4).toFixed(1)}" text-anchor="middle" font-family="${escapeXml(p.mono)}" font-size="10.5" fill="${colour}">${escapeXml(e.label)}</text></g>`);
  }
  for (const b of boxes.values()) out.push(nodeSvg(b, b.n, p, overlay));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function nodeSvg(at: Point, n: StateNodeData, p: SvgPalette, overlay: DebugView | undefined): string {
  const d = n.proxyOf ? undefined : nodeDebug(overlay, n.name);
  const status = n.final ? (n.status ?? 'succeeded') : undefined;
  const stroke = d?.failed ? p.failed : d?.current ? p.current : d?.visited ? p.taken : status === 'failed' ? p.failed : status === 'succeeded' ? p.succeeded : n.missing ? p.failed : p.border;
  const strokeWidth = d?.failed || d?.current ? 2.5 : d?.visited ? 2 : 1.2;
  const name = n.proxyOf ? `→ ${n.proxyOf}` : n.missing ? `${n.name}?` : n.name;
  const attrs = [`class="node${d?.visited ? ' visited' : ''}${d?.failed ? ' failed' : ''}"`, `data-state="${escapeXml(n.proxyOf ?? n.name)}"`];
  if (d?.shown) attrs.push(`data-visits="${d.count ?? 0}"`);
  const parts: string[] = [`<g ${attrs.join(' ')} transform="translate(${at.x.toFixed(1)},${at.y.toFixed(1)})">`];
  parts.push(`<rect width="${n.width}" height="${n.height}" rx="5" fill="${p.node}" stroke="${stroke}" stroke-width="${strokeWidth}"${n.missing ? ' stroke-dasharray="5 4"' : ''}/>`);
  if (n.final && !n.proxyOf) parts.push(`<rect x="3" y="3" width="${n.width - 6}" height="${n.height - 6}" rx="3" fill="none" stroke="${stroke}" stroke-width="1"/>`);
  const headY = n.proxyOf ? n.height / 2 + 4 : 21;
  let x = 12;
  if (n.isStart) {
    parts.push(`<path d="M${x},${headY - 9} L${x + 8},${headY - 4.5} L${x},${headY} z" fill="${p.succeeded}"/>`);
    x += 14;
  }
  const badge = d?.count ? `×${d.count}` : '';
  const badgeW = badge ? badge.length * 7 + 10 : 0;
  parts.push(`<text x="${x}" y="${headY}" font-weight="600" fill="${p.text}">${escapeXml(fit(name, n.width - x - 12 - badgeW, 7))}</text>`);
  if (badge) {
    parts.push(`<rect x="${n.width - badgeW - 8}" y="${headY - 12}" width="${badgeW}" height="16" rx="8" fill="${d?.failed ? p.failed : p.taken}"/>`);
    parts.push(`<text x="${n.width - 8 - badgeW / 2}" y="${headY}" text-anchor="middle" font-size="11" fill="${p.label}">${badge}</text>`);
  }
  if (!n.proxyOf) {
    let y = 34;
    if (n.description) {
      parts.push(`<text x="12" y="${y + 12}" font-size="11" fill="${p.muted}">${escapeXml(fit(n.description, n.width - 24, 6))}</text>`);
      y += 22;
    }
    for (const r of n.instructions) {
      parts.push(`<text x="12" y="${y + 14}" font-size="11" fill="${p.text}"><tspan font-weight="600">${escapeXml(r.kind)}</tspan><tspan dx="6" font-family="${escapeXml(p.mono)}" fill="${p.muted}">${escapeXml(fit(r.summary, n.width - 36 - r.kind.length * 7, 6.6))}</tspan></text>`);
      y += 20;
      if (r.fanout) y = lanesSvg(parts, y, n.width, r.fanout, d?.fanouts?.[r.index], p);
    }
    if (n.moreInstructions) parts.push(`<text x="12" y="${y + 14}" font-size="11" fill="${p.muted}">+${n.moreInstructions} more</text>`);
  }
  parts.push('</g>');
  return parts.join('');
}

/** A fan-out's lanes below its row (see FanoutLanes.tsx): a spine, a line per lane, its status colour. */
function lanesSvg(parts: string[], top: number, width: number, v: FanoutView, run: FanoutRun | undefined, p: SvgPalette): number {
  const colour: Record<LaneStatus, string> = { pending: p.muted, running: p.current, succeeded: p.succeeded, failed: p.failed, cancelled: p.muted };
  let y = top + 4;
  parts.push(`<path d="M28,${y} V${y + v.lanes.length * LANE_HEIGHT}" stroke="${p.taken}" stroke-width="2"/>`);
  for (const lane of v.lanes) {
    const status = run ? (v.kind === 'map' ? undefined : (run.lanes[lane.name] ?? 'pending')) : undefined;
    const text = `${lane.name ? `${lane.name}  ` : ''}${instructionSummary(lane.kind, lane.args)}`;
    parts.push(`<rect x="36" y="${y + 1}" width="${width - 46}" height="${LANE_HEIGHT - 3}" rx="3" fill="none" stroke="${status ? colour[status] : p.border}" stroke-width="1"/>`);
    parts.push(`<text x="44" y="${y + 14}" font-size="11" fill="${p.text}" data-lane="${escapeXml(lane.name)}"${status ? ` data-status="${status}"` : ''}>${escapeXml(fit(text, width - 62, 6.6))}</text>`);
    y += LANE_HEIGHT;
  }
  return top + fanoutHeight(v);
}
