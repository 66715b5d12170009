// The graph -> ELK mapping and back, as pure functions (tested in Node). Each node has one input
// port and one output port at the middle of the sides React Flow puts its handles on, so that
// ELK's orthogonal routes start and end exactly where the canvas draws the edges.
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { LayoutDirection, Point } from './types';
import { laidOutEdges } from './catches';
import { LABEL_HEIGHT, labelWidth, type GraphModel } from './model';

export interface LayoutNodeInput {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdgeInput {
  id: string;
  source: string;
  target: string;
  label: string;
  /** The label's width on the canvas (0: no label). */
  labelWidth: number;
}

export interface LayoutInput {
  nodes: LayoutNodeInput[];
  edges: LayoutEdgeInput[];
  direction: LayoutDirection;
  /** The node laid out first (the start state). */
  first?: string;
}

export interface EdgeRoute {
  points: Point[];
  label?: Point;
}

export interface LayoutResult {
  positions: Record<string, Point>;
  routes: Record<string, EdgeRoute>;
  /** How the positions were found: ELK in a worker, ELK on this thread, or the quick fallback. */
  engine: 'worker' | 'main' | 'quick' | 'merged';
  ms?: number;
  /** The part of `ms` this thread spent (posting the input, reading the answer), for the benchmark. */
  mainMs?: number;
  /** The longest of this thread's tasks in `mainMs`, for the benchmark. */
  mainTaskMs?: number;
}

/** A map from node or edge names: without a prototype, so that a state named `__proto__` is a name like any other. */
export function byName<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function layoutInput(graph: GraphModel, direction: LayoutDirection): LayoutInput {
  const order = graph.start ? [...graph.nodes.filter((n) => n.name === graph.start), ...graph.nodes.filter((n) => n.name !== graph.start)] : graph.nodes;
  return {
    nodes: order.map((n) => ({ id: n.name, width: n.width, height: n.height })),
    edges: laidOutEdges(graph.edges).map((e) => ({ id: e.id, source: e.source, target: e.target, label: e.label, labelWidth: labelWidth(e.label) })),
    direction,
    first: graph.start,
  };
}

export const ELK_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.layered.spacing.nodeNodeBetweenLayers': '56',
  'elk.spacing.nodeNode': '36',
  'elk.spacing.edgeNode': '18',
  'elk.spacing.edgeEdge': '10',
  'elk.spacing.edgeLabel': '4',
  // Edges run straight out of a node for this long before they turn: clear of the catch chips
  // under it (engine/graph/catches.ts).
  'elk.layered.spacing.edgeNodeBetweenLayers': '24',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '10',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.layered.edgeLabels.sideSelection': 'ALWAYS_DOWN',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.layered.cycleBreaking.strategy': 'MODEL_ORDER',
  'elk.layered.crossingMinimization.forceNodeModelOrder': 'false',
  'elk.layered.unnecessaryBendpoints': 'true',
  'elk.separateConnectedComponents': 'true',
  'elk.spacing.componentComponent': '60',
  'elk.padding': '[top=20,left=20,bottom=20,right=20]',
};

export function portIds(id: string): { input: string; output: string } {
  return { input: `${id}\u0001in`, output: `${id}\u0001out` };
}

/** The ELK graph of a layout input (JSON, posted to the worker as is). */
export function toElk(input: LayoutInput): ElkNode {
  return toElkGraph(input, ELK_OPTIONS, LABEL_HEIGHT) as ElkNode;
}

/**
 * The ELK graph of a layout input. Self-contained (it uses its parameters only): the layout worker
 * runs this very function, from its source text, so that only the small input crosses threads.
 */
export function toElkGraph(input: LayoutInput, options: Record<string, string>, labelHeight: number): unknown {
  const down = input.direction === 'DOWN';
  const known = new Set<string>();
  const children = input.nodes.map((n) => {
    known.add(n.id);
    const layoutOptions: Record<string, string> = { 'elk.portConstraints': 'FIXED_POS' };
    if (n.id === input.first) layoutOptions['elk.layered.layering.layerConstraint'] = 'FIRST';
    return {
      id: n.id,
      width: n.width,
      height: n.height,
      layoutOptions,
      ports: [
        { id: n.id + '\u0001in', width: 0, height: 0, x: down ? n.width / 2 : 0, y: down ? 0 : n.height / 2, layoutOptions: { 'elk.port.side': down ? 'NORTH' : 'WEST' } },
        { id: n.id + '\u0001out', width: 0, height: 0, x: down ? n.width / 2 : n.width, y: down ? n.height : n.height / 2, layoutOptions: { 'elk.port.side': down ? 'SOUTH' : 'EAST' } },
      ],
    };
  });
  const edges = input.edges
    .filter((e) => known.has(e.source) && known.has(e.target))
    .map((e) => ({
      id: e.id,
      sources: [e.source + '\u0001out'],
      targets: [e.target + '\u0001in'],
      labels: e.labelWidth ? [{ id: e.id + '\u0001label', text: e.label, width: e.labelWidth, height: labelHeight }] : [],
    }));
  const layoutOptions: Record<string, string> = {};
  for (const k of Object.keys(options)) layoutOptions[k] = options[k];
  layoutOptions['elk.direction'] = input.direction;
  return { id: 'root', layoutOptions, children, edges };
}

/** Positions and routes out of ELK's answer. */
export function fromElk(result: ElkNode, engine: LayoutResult['engine']): LayoutResult {
  const positions = byName<Point>();
  for (const c of result.children ?? []) positions[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  const routes = byName<EdgeRoute>();
  for (const e of (result.edges ?? []) as ElkExtendedEdge[]) {
    const s = e.sections?.[0];
    if (!s) continue;
    const points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => ({ x: p.x, y: p.y }));
    const l = e.labels?.[0];
    routes[e.id] = { points, label: l && l.x !== undefined && l.y !== undefined ? { x: l.x + (l.width ?? 0) / 2, y: l.y + (l.height ?? 0) / 2 } : undefined };
  }
  return { positions, routes, engine };
}

/**
 * A layered layout computed at once on the main thread (longest path from the first node, in
 * model order): what the canvas shows before ELK answers, and if ELK cannot run at all.
 */
export function quickLayout(input: LayoutInput): LayoutResult {
  const down = input.direction === 'DOWN';
  const ids = input.nodes.map((n) => n.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of input.edges) if (index.has(e.source) && index.has(e.target) && e.source !== e.target) out.get(e.source)!.push(e.target);
  const layer = new Map<string, number>();
  // Breadth-first from the first node, then from every node not reached yet (in model order);
  // only forward edges (to a later or unvisited node) push a node down.
  const queue: string[] = [];
  const visit = (root: string, base: number) => {
    layer.set(root, base);
    queue.push(root);
    while (queue.length) {
      const id = queue.shift()!;
      for (const t of out.get(id)!) {
        if (layer.has(t)) continue;
        layer.set(t, layer.get(id)! + 1);
        queue.push(t);
      }
    }
  };
  if (input.first && index.has(input.first)) visit(input.first, 0);
  for (const id of ids) if (!layer.has(id)) visit(id, 0);
  const layers: string[][] = [];
  for (const id of ids) (layers[layer.get(id)!] ??= []).push(id);
  const size = new Map(input.nodes.map((n) => [n.id, n]));
  const positions = byName<Point>();
  let main = 20;
  for (const ids of layers) {
    if (!ids) continue;
    let cross = 20;
    let depth = 0;
    for (const id of ids) {
      const n = size.get(id)!;
      positions[id] = down ? { x: cross, y: main } : { x: main, y: cross };
      cross += (down ? n.width : n.height) + 40;
      depth = Math.max(depth, down ? n.height : n.width);
    }
    main += depth + 70;
  }
  return { positions, routes: {}, engine: 'quick' };
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Box, b: Box, gap: number): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/**
 * Keeps the picture stable across a small structural change: nodes that were there keep their
 * places (and edges between them their routes); a new node is put where ELK put it relative to a
 * neighbour that stayed, moved aside until it overlaps nothing. Returns undefined when the change
 * is too large for that (the caller then takes ELK's layout as is).
 */
export function mergeLayout(previous: LayoutResult | undefined, next: LayoutResult, input: LayoutInput, limit = 4): LayoutResult | undefined {
  if (!previous) return undefined;
  const ids = input.nodes.map((n) => n.id);
  const kept = ids.filter((id) => previous.positions[id]);
  const added = ids.filter((id) => !previous.positions[id]);
  const removed = Object.keys(previous.positions).filter((id) => !ids.includes(id));
  if (!kept.length || added.length + removed.length > limit) return undefined;
  const size = new Map(input.nodes.map((n) => [n.id, n]));
  const positions = byName<Point>();
  for (const id of kept) positions[id] = previous.positions[id];
  const neighbours = new Map<string, string[]>();
  for (const e of input.edges) {
    (neighbours.get(e.target) ?? neighbours.set(e.target, []).get(e.target)!).push(e.source);
    (neighbours.get(e.source) ?? neighbours.set(e.source, []).get(e.source)!).push(e.target);
  }
  const down = input.direction === 'DOWN';
  for (const id of added) {
    const n = size.get(id)!;
    const anchor = (neighbours.get(id) ?? []).find((m) => positions[m] && next.positions[m]);
    let p: Point;
    if (anchor) {
      const dx = next.positions[id].x - next.positions[anchor].x;
      const dy = next.positions[id].y - next.positions[anchor].y;
      p = { x: positions[anchor].x + dx, y: positions[anchor].y + dy };
    } else {
      // No neighbour yet: below (or right of) everything.
      const boxes = Object.entries(positions).map(([k, v]) => ({ ...v, ...size.get(k)! }));
      const maxMain = boxes.reduce((m, b) => Math.max(m, down ? b.y + b.height : b.x + b.width), 0);
      const minCross = boxes.reduce((m, b) => Math.min(m, down ? b.x : b.y), Infinity);
      p = down ? { x: Number.isFinite(minCross) ? minCross : 20, y: maxMain + 60 } : { x: maxMain + 60, y: Number.isFinite(minCross) ? minCross : 20 };
    }
    for (let guard = 0; guard < 200; guard++) {
      const box = { ...p, width: n.width, height: n.height };
      const hit = Object.entries(positions).find(([k, v]) => overlaps(box, { ...v, width: size.get(k)!.width, height: size.get(k)!.height }, 16));
      if (!hit) break;
      const h = size.get(hit[0])!;
      if (down) p = { x: hit[1].x + h.width + 36, y: p.y };
      else p = { x: p.x, y: hit[1].y + h.height + 36 };
    }
    positions[id] = p;
  }
  // Nodes that grew (an instruction added) may now overlap: then the full layout is better.
  const boxes = ids.map((id) => ({ ...positions[id], width: size.get(id)!.width, height: size.get(id)!.height }));
  const sorted = boxes.slice().sort((a, b) => a.x - b.x);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length && sorted[j].x < sorted[i].x + sorted[i].width + 8; j++) {
      if (overlaps(sorted[i], sorted[j], 8) && limit !== Infinity) return undefined;
    }
  }
  const routes = byName<EdgeRoute>();
  const moved = (id: string) => {
    const a = positions[id];
    const b = previous.positions[id];
    return !a || !b || a.x !== b.x || a.y !== b.y;
  };
  for (const e of input.edges) {
    const old = previous.routes[e.id];
    if (old && !moved(e.source) && !moved(e.target)) routes[e.id] = old;
  }
  return { positions, routes, engine: 'merged' };
}

/** Renames keys of a layout after a state was renamed, so that its node keeps its place. */
export function renameInLayout(layout: LayoutResult, from: string, to: string): LayoutResult {
  if (!layout.positions[from]) return layout;
  const positions = { ...layout.positions, [to]: layout.positions[from] };
  delete positions[from];
  const routes = byName<EdgeRoute>();
  for (const [id, r] of Object.entries(layout.routes)) {
    const m = /^(on|catch):(\d+):([\s\S]*)$/.exec(id);
    routes[m && m[3] === from ? `${m[1]}:${m[2]}:${to}` : id] = r;
  }
  return { ...layout, positions, routes };
}

/** The viewport (x, y, zoom) that shows every node with a margin, like React Flow's fitView. */
export function fitViewport(boxes: Array<{ x: number; y: number; width: number; height: number }>, width: number, height: number, padding = 0.1, minZoom = 0.05, maxZoom = 1.1): { x: number; y: number; zoom: number } {
  if (!boxes.length || width <= 0 || height <= 0) return { x: 0, y: 0, zoom: 1 };
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const b of boxes) {
    x0 = Math.min(x0, b.x);
    y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width);
    y1 = Math.max(y1, b.y + b.height);
  }
  const w = x1 - x0;
  const h = y1 - y0;
  const zoom = Math.max(minZoom, Math.min(maxZoom, width / (w * (1 + padding)), height / (h * (1 + padding))));
  return { x: width / 2 - (x0 + w / 2) * zoom, y: height / 2 - (y0 + h / 2) * zoom, zoom };
}
