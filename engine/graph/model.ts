// The graph view model: the task model as nodes and edges with everything the canvas draws, and
// their sizes (known before render, so that ELK lays out what React Flow paints). Pure: no DOM,
// no React; tested in Node.
import type { Diagnostic, Severity } from '../model/types';
import { fanoutHeight, fanoutView, itemsText, type FanoutView } from './lanes';
import type { DebugView, FanoutRun, StateOutline, StateRunInfo, TaskOutline, TransitionKey, TransitionOutline } from './types';

export type EdgeKind = 'when' | 'after' | 'poll' | 'event' | 'consume' | 'else' | 'next' | 'catch';

export interface InstructionRow {
  index: number;
  kind: string;
  /** A short summary: `POST …/collect`, `"Hello"`, `5s`. */
  summary: string;
  /** A `parallel` or `map`: its lanes, drawn below the row. */
  fanout?: FanoutView;
}

export interface NodeDiagnostic {
  severity: Severity;
  code: string;
  message: string;
}

export interface StateNodeData {
  name: string;
  description?: string;
  instructions: InstructionRow[];
  /** Instructions not listed (the node shows at most MAX_ROWS). */
  moreInstructions: number;
  timeout?: string;
  isStart: boolean;
  final: boolean;
  status?: 'succeeded' | 'failed' | 'cancelled';
  diagnostics: NodeDiagnostic[];
  /** A target named by a transition but not declared (drawn as a ghost). */
  missing: boolean;
  width: number;
  height: number;
  /** 0-based line of the state's key (for reveal). */
  line: number;
  /** A reference chip standing for this state next to one source (see withProxies). */
  proxyOf?: string;
}

export interface TransitionEdgeData {
  id: string;
  source: string;
  target: string;
  list: 'on' | 'catch';
  index: number;
  kind: EdgeKind;
  /** The label drawn on the edge ('' for none). */
  label: string;
  /** The label's full text (tooltip), e.g. the whole `when` expression. */
  title: string;
  dashed: boolean;
  /** How many `on` transitions the source has (reordering is offered when > 1). */
  siblings: number;
  /** The state the edge goes to when `target` is a reference chip standing for it. */
  hub?: string;
}

export interface GraphModel {
  nodes: StateNodeData[];
  edges: TransitionEdgeData[];
  start?: string;
  /** Diagnostics that belong to no state (shown in the banner). */
  orphans: NodeDiagnostic[];
}

export const NODE_WIDTH_MIN = 200;
export const NODE_WIDTH_MAX = 300;
export const HEADER_HEIGHT = 34;
export const DESCRIPTION_LINE = 16;
export const ROW_HEIGHT = 20;
export const MAX_ROWS = 5;
export const LABEL_MAX = 34;
const CHAR = 7;

export function edgeId(state: string, list: 'on' | 'catch', index: number): string {
  return `${list}:${index}:${state}`;
}

export function parseEdgeId(id: string): TransitionKey | undefined {
  const m = /^(on|catch):(\d+):([\s\S]*)$/.exec(id);
  return m ? { list: m[1] as 'on' | 'catch', index: Number(m[2]), state: m[3] } : undefined;
}


function truncate(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? one.slice(0, max - 1) + '…' : one;
}

export function kindOf(t: TransitionOutline): EdgeKind {
  if (t.shorthand) return 'next';
  if (t.poll) return 'poll';
  if (t.event !== undefined) return 'event';
  if (t.consume) return 'consume';
  if (t.after !== undefined) return 'after';
  if (t.when !== undefined) return 'when';
  return 'else';
}

/** An edge's label and tooltip: `when …`, `after 5m`, `poll every 10s`, `event approved`, `consume orders.*`, `else`. */
export function transitionLabel(t: TransitionOutline, elseLabel: boolean): { label: string; title: string } {
  const kind = kindOf(t);
  switch (kind) {
    case 'when':
      return { label: truncate(`when ${t.when}`, LABEL_MAX), title: `when ${t.when}` };
    case 'after':
      return { label: `after ${t.after}`, title: `after ${t.after}` };
    case 'poll': {
      const every = t.poll?.every ? ` every ${t.poll.every}` : '';
      const until = t.poll?.until ? `, until ${t.poll.until}` : '';
      return { label: `poll${every}`, title: `poll${every}${until}` };
    }
    case 'event': {
      const when = t.when ? ` when ${t.when}` : '';
      return { label: truncate(`event ${t.event}${when}`, LABEL_MAX), title: `event ${t.event}${when}` };
    }
    case 'consume': {
      const when = t.when ? ` when ${t.when}` : '';
      const subject = t.consume?.subject ?? '?';
      return { label: truncate(`consume ${subject}${when}`, LABEL_MAX), title: `consume ${subject}${when}` };
    }
    default:
      return elseLabel ? { label: 'else', title: 'else: taken when no other transition is' } : { label: '', title: 'next' };
  }
}

/** A short summary of an instruction's arguments for the node's row. */
export function instructionSummary(kind: string, args: unknown): string {
  const a = (args && typeof args === 'object' ? args : {}) as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));
  switch (kind) {
    case 'http': {
      const method = s(a.method || (a.body !== undefined ? 'POST' : 'GET')).toUpperCase();
      const url = s(a.url).replace(/^https?:\/\//, '');
      return truncate(`${method} ${url}`, 80);
    }
    case 'exec':
      return truncate([s(a.command), ...(Array.isArray(a.args) ? a.args.map(s) : [])].join(' '), 80);
    case 'sql':
      return truncate(s(a.query).replace(/\s+/g, ' '), 80);
    case 'smtp':
      return truncate(`${Array.isArray(a.to) ? a.to.map(s).join(', ') : s(a.to)}: ${s(a.subject)}`, 80);
    case 'publish':
    case 'consume':
      return truncate(s(a.subject), 80);
    case 'grpc':
      return truncate(`${s(a.service).split('.').pop()}/${s(a.method)}`, 80);
    case 'log':
      return truncate(typeof args === 'string' ? args : s(args), 80);
    case 'sleep':
      return s(args);
    case 'set':
      return truncate(Object.keys(a).join(', '), 80);
    case 'emit':
      return truncate(s(a.event), 80);
    case 'call':
      return truncate(s(a.task), 80);
    case 'parallel': {
      const names = Object.keys(a);
      return `${names.length} branch${names.length === 1 ? '' : 'es'} at once`;
    }
    case 'map':
      return truncate(`× ${itemsText(a.items)}, ${a.concurrency !== undefined ? `${s(a.concurrency)} at once` : 'all at once'}`, 80);
    default:
      return truncate(typeof args === 'string' ? args : s(args), 80);
  }
}

/** The description as the node wraps it (at most two lines). */
export function descriptionLines(description: string | undefined, width: number): number {
  if (!description) return 0;
  const perLine = Math.max(10, Math.floor((width - 24) / 6.4));
  return Math.min(2, Math.ceil(description.length / perLine));
}

/** `extra`: the height of what the rows draw below themselves (fan-out lanes). */
export function nodeSize(name: string, description: string | undefined, rows: number, more: boolean, final: boolean, extra = 0): { width: number; height: number } {
  const width = Math.max(NODE_WIDTH_MIN, Math.min(NODE_WIDTH_MAX, name.length * CHAR + 110));
  let height = HEADER_HEIGHT;
  const lines = descriptionLines(description, width);
  if (lines) height += lines * DESCRIPTION_LINE + 6;
  const shown = rows + (more ? 1 : 0);
  if (shown) height += 6 + shown * ROW_HEIGHT + extra;
  if (final && !lines && !shown) height = HEADER_HEIGHT + 4;
  return { width, height: height + 6 };
}

function stateOf(state: StateOutline, isStart: boolean, diagnostics: NodeDiagnostic[]): StateNodeData {
  const rows: InstructionRow[] = state.do.slice(0, MAX_ROWS).map((i) => ({ index: i.index, kind: i.kind || '?', summary: instructionSummary(i.kind, i.args), ...(i.fanout ? { fanout: fanoutView(i.fanout) } : {}) }));
  const more = Math.max(0, state.do.length - MAX_ROWS);
  const lanes = rows.reduce((h, r) => h + (r.fanout ? fanoutHeight(r.fanout) : 0), 0);
  const size = nodeSize(state.name, state.description, rows.length, more > 0, state.final, lanes);
  // Lanes are indented under their row: a fan-out gets the widest node.
  if (lanes) size.width = NODE_WIDTH_MAX;
  return {
    name: state.name,
    description: state.description,
    instructions: rows,
    moreInstructions: more,
    timeout: state.timeout,
    isStart,
    final: state.final,
    status: state.final ? (state.status ?? 'succeeded') : state.status,
    diagnostics,
    missing: false,
    line: state.keyRange.start.line,
    ...size,
  };
}

/** The graph of a task: a node per state (plus ghosts for undeclared targets), an edge per transition and catch entry. */
export function graphOf(model: TaskOutline, diagnostics: readonly Diagnostic[] = []): GraphModel {
  const nodes: StateNodeData[] = [];
  const edges: TransitionEdgeData[] = [];
  const seen = new Set<string>();
  const byState = diagnosticsByState(model, diagnostics);
  for (const s of model.states) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    nodes.push(stateOf(s, s.name === model.start, byState.get(s.name) ?? []));
  }
  const missing = new Set<string>();
  for (const s of model.states) {
    const conditional = s.on.some((t) => kindOf(t) !== 'else' && kindOf(t) !== 'next');
    const onCount = s.on.length;
    for (const t of s.on) {
      if (t.to === undefined) continue;
      const kind = kindOf(t);
      const elseish = kind === 'else' || kind === 'next';
      const { label, title } = transitionLabel(t, elseish && (conditional || onCount > 1));
      edges.push({
        id: edgeId(s.name, 'on', t.index),
        source: s.name,
        target: t.to,
        list: 'on',
        index: t.index,
        kind: elseish && !(conditional || onCount > 1) ? 'next' : kind === 'next' ? 'else' : kind,
        label,
        title,
        dashed: elseish && (conditional || onCount > 1),
        siblings: onCount,
      });
      if (!seen.has(t.to)) missing.add(t.to);
    }
    for (const c of s.catch) {
      if (c.to === undefined) continue;
      const label = c.error && c.error !== 'any' ? `catch ${c.error}` : 'catch';
      edges.push({ id: edgeId(s.name, 'catch', c.index), source: s.name, target: c.to, list: 'catch', index: c.index, kind: 'catch', label, title: label, dashed: false, siblings: s.catch.length });
      if (!seen.has(c.to)) missing.add(c.to);
    }
  }
  for (const name of missing) {
    const size = nodeSize(name, undefined, 0, false, false);
    nodes.push({
      name,
      instructions: [],
      moreInstructions: 0,
      isStart: false,
      final: false,
      diagnostics: [{ severity: 'error', code: 'unknown-target', message: `There is no state '${name}': a transition goes to it.` }],
      missing: true,
      line: -1,
      ...size,
    });
  }
  const orphans = (byState.get('') ?? []).slice();
  return { nodes, edges, start: model.start, orphans };
}

/** Graphs with at least this many states draw edges into busy states as reference chips. */
export const PROXY_MIN_STATES = 25;
/** A state with at least this many incoming transitions is busy (typically `failed`, where every timer goes). */
export const PROXY_MIN_INCOMING = 6;
export const PROXY_HEIGHT = 24;

export function proxyId(target: string, source: string): string {
  return `\u0001ref\u0001${target}\u0001${source}`;
}

/** The state a node id stands for (itself, or the state a reference chip points at). */
export function realTarget(graph: GraphModel, id: string): string {
  return graph.nodes.find((n) => n.name === id)?.proxyOf ?? id;
}

/**
 * Large graphs: every transition into a busy state but the first becomes an edge into a small reference
 * chip (`→ failed`) next to its source. A layered layout of edges converging on one node from
 * everywhere costs quadratic time and reads as a tangle; chips keep both small. Edge ids, labels
 * and kinds stay the same, so selecting, deleting and retargeting work on chips' edges alike.
 */
export function withProxies(graph: GraphModel, minStates = PROXY_MIN_STATES, minIncoming = PROXY_MIN_INCOMING): GraphModel {
  if (graph.nodes.length < minStates) return graph;
  const incoming = new Map<string, number>();
  // A catch is drawn as a badge by its source (engine/graph/catches.ts): no long line to shorten.
  for (const e of graph.edges) if (e.source !== e.target && e.list === 'on') incoming.set(e.target, (incoming.get(e.target) ?? 0) + 1);
  const hubs = new Set([...incoming].filter(([, n]) => n >= minIncoming).map(([t]) => t));
  if (!hubs.size) return graph;
  const kept = new Set<string>();
  const proxies = new Map<string, StateNodeData>();
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const edges = graph.edges.map((e) => {
    if (!hubs.has(e.target) || e.source === e.target || e.list === 'catch') return e;
    if (!kept.has(e.target)) {
      kept.add(e.target);
      return e;
    }
    const id = proxyId(e.target, e.source);
    if (!proxies.has(id)) {
      const target = byName.get(e.target)!;
      proxies.set(id, {
        name: id,
        instructions: [],
        moreInstructions: 0,
        isStart: false,
        final: target.final,
        status: target.status,
        diagnostics: [],
        missing: target.missing,
        line: target.line,
        proxyOf: e.target,
        width: Math.max(70, Math.ceil(e.target.length * 7) + 34),
        height: PROXY_HEIGHT,
      });
    }
    return { ...e, target: id, hub: e.target };
  });
  return { ...graph, nodes: [...graph.nodes, ...proxies.values()], edges };
}

/** Diagnostics by the state whose text holds them ('' for those outside any state). */
export function diagnosticsByState(model: TaskOutline, diagnostics: readonly Diagnostic[]): Map<string, NodeDiagnostic[]> {
  const out = new Map<string, NodeDiagnostic[]>();
  const spans = model.states.map((s) => ({ name: s.name, start: s.keyRange.start.offset, end: Math.max(s.range.end.offset, s.keyRange.end.offset) }));
  for (const d of diagnostics) {
    const at = d.range.start.offset;
    const hit = spans.find((s) => at >= s.start && at <= s.end);
    const key = hit ? hit.name : '';
    const list = out.get(key) ?? [];
    list.push({ severity: d.severity, code: d.code, message: d.message });
    out.set(key, list);
  }
  return out;
}

/**
 * What the layout depends on: node ids and sizes, edges (with their labels' sizes) and the
 * direction. Same key, same picture: a description or condition edit of the same length, or a
 * diagnostic, does not re-run the layout.
 */
export function structureKey(graph: GraphModel, direction: string): string {
  const parts: string[] = [direction];
  for (const n of graph.nodes) parts.push(`n${n.name}\u0001${n.width}x${n.height}`);
  for (const e of graph.edges) parts.push(`e${e.source}\u0001${e.target}\u0001${e.id}\u0001${labelWidth(e.label)}`);
  return parts.join('\u0002');
}

export function labelWidth(label: string): number {
  return label ? Math.ceil(label.length * 6.2) + 14 : 0;
}

export const LABEL_HEIGHT = 18;

/** The debugger's decorations of a node. */
export interface NodeDebug {
  current: boolean;
  visited: boolean;
  failed: boolean;
  count?: number;
  /** A run shown from its journal: what the state did in it. */
  info?: StateRunInfo;
  /** A run shown from its journal is on the graph (every node then says its visits, 0 included). */
  shown: boolean;
  /** The state's fan-outs in the run, by instruction index. */
  fanouts?: Record<number, FanoutRun>;
}

export function nodeDebug(debug: DebugView | undefined, name: string): NodeDebug | undefined {
  if (!debug || (!debug.active && !debug.counts && !debug.visited.length)) return undefined;
  return {
    current: debug.active && debug.current === name,
    visited: debug.visited.includes(name),
    failed: !!debug.failed?.includes(name),
    count: debug.counts?.[name],
    info: debug.states?.[name],
    shown: !!debug.run,
    fanouts: fanoutsIn(debug, name),
  };
}

function fanoutsIn(debug: DebugView, state: string): Record<number, FanoutRun> | undefined {
  const own = debug.fanouts?.filter((f) => f.state === state);
  return own?.length ? Object.fromEntries(own.map((f) => [f.index, f])) : undefined;
}

export function edgeTaken(debug: DebugView | undefined, e: TransitionEdgeData): boolean {
  return !!debug?.taken.some((t) => t.state === e.source && t.index === e.index && t.list === e.list);
}

/** The states whose name or description holds `query` (case-insensitive), names first. */
export function searchStates(graph: GraphModel, query: string): string[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const states = graph.nodes.filter((n) => !n.missing && !n.proxyOf);
  const byName = states.filter((n) => n.name.toLowerCase().includes(q)).map((n) => n.name);
  const byDescription = states.filter((n) => !byName.includes(n.name) && (n.description ?? '').toLowerCase().includes(q)).map((n) => n.name);
  return [...byName, ...byDescription];
}

/** The node nearest to `from` in a direction (for arrow-key navigation), by position. */
export function nearestInDirection(positions: ReadonlyMap<string, { x: number; y: number; width: number; height: number }>, from: string, dir: 'up' | 'down' | 'left' | 'right'): string | undefined {
  const a = positions.get(from);
  if (!a) return undefined;
  const ax = a.x + a.width / 2;
  const ay = a.y + a.height / 2;
  let best: string | undefined;
  let bestScore = Infinity;
  for (const [id, b] of positions) {
    if (id === from) continue;
    const dx = b.x + b.width / 2 - ax;
    const dy = b.y + b.height / 2 - ay;
    const along = dir === 'down' ? dy : dir === 'up' ? -dy : dir === 'right' ? dx : -dx;
    const across = dir === 'down' || dir === 'up' ? Math.abs(dx) : Math.abs(dy);
    if (along <= 1) continue;
    const score = along + across * 2;
    if (score < bestScore) {
      bestScore = score;
      best = id;
    }
  }
  return best;
}
