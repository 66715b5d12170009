// The layout's messages between the main thread and the layout worker, compact: the input as one
// string and typed arrays, ELK's answer as transferable arrays in the input's order. The worker
// runs the self-contained functions here from their source text (webview/layout/worker-source.ts).
import type { Point } from './types';
import { byName, type EdgeRoute, type LayoutInput, type LayoutResult } from './layout';

/** A layout input packed for posting: one string and a few typed arrays instead of thousands of objects. */
export interface PackedInput {
  /** The node ids, then each edge's id and label, one after the other. */
  text: string;
  /** The length of each string in `text`, in its order (any character may be in a name or label). */
  lengths: Uint32Array;
  /** Width, height per node. */
  sizes: Float64Array;
  /** Source and target node indexes per edge. */
  ends: Int32Array;
  labelWidths: Float64Array;
  direction: LayoutInput['direction'];
  first?: string;
}

/** The edges that are laid out: those between nodes of the input (ELK rejects the others). */
export function edgesBetweenNodes(input: LayoutInput): LayoutInput['edges'] {
  const known = new Set(input.nodes.map((n) => n.id));
  return input.edges.filter((e) => known.has(e.source) && known.has(e.target));
}

export function packInput(input: LayoutInput): PackedInput {
  const index = new Map(input.nodes.map((n, i) => [n.id, i]));
  const edges = edgesBetweenNodes(input);
  const strings: string[] = input.nodes.map((n) => n.id);
  const sizes = new Float64Array(input.nodes.length * 2);
  input.nodes.forEach((n, i) => {
    sizes[2 * i] = n.width;
    sizes[2 * i + 1] = n.height;
  });
  const ends = new Int32Array(edges.length * 2);
  const labelWidths = new Float64Array(edges.length);
  edges.forEach((e, i) => {
    ends[2 * i] = index.get(e.source)!;
    ends[2 * i + 1] = index.get(e.target)!;
    labelWidths[i] = e.labelWidth;
    strings.push(e.id, e.label);
  });
  return { text: strings.join(''), lengths: Uint32Array.from(strings, (x) => x.length), sizes, ends, labelWidths, direction: input.direction, first: input.first };
}

/** Self-contained (the worker runs it from its source text): the layout input of a packed one. */
export function unpackInput(p: PackedInput): LayoutInput {
  let at = 0;
  let k = 0;
  const next = (): string => {
    const s = p.text.slice(at, at + p.lengths[k]);
    at += p.lengths[k++];
    return s;
  };
  const nodes = Array.from({ length: p.sizes.length / 2 }, (_, i) => ({ id: next(), width: p.sizes[2 * i], height: p.sizes[2 * i + 1] }));
  const edges = Array.from({ length: p.labelWidths.length }, (_, i) => ({ id: next(), source: nodes[p.ends[2 * i]].id, target: nodes[p.ends[2 * i + 1]].id, label: next(), labelWidth: p.labelWidths[i] }));
  return { nodes, edges, direction: p.direction, first: p.first };
}

/** ELK's answer in a compact form (transferable arrays, in the input's order). */
export interface CompactLayout {
  /** x, y per node. */
  positions: Float64Array;
  /** Per edge: the number of points, then x, y of each; 0 when the edge has no route. */
  routes: Float64Array;
  /** Per edge: the label's centre x, y (NaN when none). */
  labels: Float64Array;
}

/** Self-contained, like toElkGraph: runs in the worker on ELK's answer. */
export function compactElk(result: unknown, input: LayoutInput): CompactLayout {
  const r = result as { children?: Array<{ id: string; x?: number; y?: number }>; edges?: Array<{ id: string; sections?: Array<{ startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: Array<{ x: number; y: number }> }>; labels?: Array<{ x?: number; y?: number; width?: number; height?: number }> }> };
  const byNode = new Map<string, { x?: number; y?: number }>();
  for (const c of r.children ?? []) byNode.set(c.id, c);
  const positions = new Float64Array(input.nodes.length * 2);
  input.nodes.forEach((n, i) => {
    const c = byNode.get(n.id);
    positions[2 * i] = c?.x ?? 0;
    positions[2 * i + 1] = c?.y ?? 0;
  });
  const byEdge = new Map<string, NonNullable<typeof r.edges>[number]>();
  for (const e of r.edges ?? []) byEdge.set(e.id, e);
  const route: number[] = [];
  const labels = new Float64Array(input.edges.length * 2).fill(NaN);
  input.edges.forEach((e, i) => {
    const out = byEdge.get(e.id);
    const s = out?.sections?.[0];
    if (!s) {
      route.push(0);
      return;
    }
    const points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
    route.push(points.length);
    for (const p of points) route.push(p.x, p.y);
    const l = out?.labels?.[0];
    if (l && l.x !== undefined && l.y !== undefined) {
      labels[2 * i] = l.x + (l.width ?? 0) / 2;
      labels[2 * i + 1] = l.y + (l.height ?? 0) / 2;
    }
  });
  return { positions, routes: Float64Array.from(route), labels };
}

/**
 * The layout result of a compact answer (main thread), built `slice` nodes or edges at a time with
 * `pause()` between the slices: a large graph's thousands of points are not made in one task.
 */
export async function expandCompact(c: CompactLayout, input: LayoutInput, engine: LayoutResult['engine'], pause?: () => Promise<void>, slice = Infinity): Promise<LayoutResult> {
  let slices = 0;
  const nextSlice = async () => {
    if (slices++ && pause) await pause();
  };
  const positions = byName<Point>();
  const nodes = input.nodes;
  for (let i0 = 0; i0 < nodes.length; i0 += slice) {
    await nextSlice();
    for (let i = i0; i < Math.min(nodes.length, i0 + slice); i++) positions[nodes[i].id] = { x: c.positions[2 * i], y: c.positions[2 * i + 1] };
  }
  const routes = byName<EdgeRoute>();
  // In the order the worker answers: the edges it was sent.
  const edges = edgesBetweenNodes(input);
  let at = 0;
  for (let i0 = 0; i0 < edges.length; i0 += slice) {
    await nextSlice();
    for (let i = i0; i < Math.min(edges.length, i0 + slice); i++) {
      const n = c.routes[at++];
      if (!n) continue;
      const points: Point[] = [];
      for (let k = 0; k < n; k++, at += 2) points.push({ x: c.routes[at], y: c.routes[at + 1] });
      const lx = c.labels[2 * i];
      routes[edges[i].id] = { points, label: Number.isNaN(lx) ? undefined : { x: lx, y: c.labels[2 * i + 1] } };
    }
  }
  return { positions, routes, engine };
}
