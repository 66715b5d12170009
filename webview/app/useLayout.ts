// The graph's layout: ELK in a worker, a quick layout for the first frame and for new nodes, the
// places of nodes kept across edits (a delete or a new transition moves no other node), and Fit.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import type { ReactFlowInstance } from 'reactflow';
import { structureKey, type GraphModel } from '../../engine/graph/model';
import { layoutInput, mergeLayout, quickLayout, type LayoutResult } from '../../engine/graph/layout';
import { createLayoutEngine, type LayoutEngine } from '../layout/engine';
import { readableFit, type Insets } from '../layout/fit';
import type { GraphViewState, LayoutDirection, Point } from '../protocol';

export interface LayoutOptions {
  graph: GraphModel | undefined;
  view: GraphViewState;
  saveView(next: GraphViewState): void;
  flow: ReactFlowInstance;
  wrapper: RefObject<HTMLElement>;
  workerSource: string;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  saved: { layout?: LayoutResult; layoutKey?: string };
  /** Node positions being dragged (not yet pins). */
  drag: Record<string, Point>;
}

/** The canvas margins that the toolbar, the minimap and React Flow's attribution cover (the palette is a narrow strip of icons, left over the canvas). */
export function overlayInsets(canvas: HTMLElement): Insets {
  const c = canvas.getBoundingClientRect();
  const toolbar = canvas.querySelector('.sw-toolbar-row')?.getBoundingClientRect();
  const bottoms = ['.react-flow__minimap', '.react-flow__attribution'].map((sel) => canvas.querySelector(sel)?.getBoundingClientRect()).map((r) => (r ? c.bottom - r.top : 0));
  // The palette stands at the left edge, below the toolbar: fitted nodes keep clear of it.
  const palette = canvas.querySelector('.sw-palette')?.getBoundingClientRect();
  return { top: toolbar ? toolbar.bottom - c.top : 0, right: 0, bottom: Math.max(0, ...bottoms), left: palette ? palette.right - c.left : 0 };
}

/**
 * The viewport that shows `box` at `zoom` in the middle of the part of the canvas the toolbar,
 * palette and minimap leave clear; a box wider or taller than that part starts at its edge, so
 * its name is what shows.
 */
export function clearViewOf(box: { x: number; y: number; width: number; height: number }, canvas: HTMLElement, zoom: number): { x: number; y: number; zoom: number } {
  const r = canvas.getBoundingClientRect();
  const inset = overlayInsets(canvas);
  const along = (start: number, room: number, at: number, size: number) => (size * zoom <= room ? start + room / 2 - (at + size / 2) * zoom : start + 4 - at * zoom);
  return { x: along(inset.left, r.width - inset.left - inset.right, box.x, box.width), y: along(inset.top, r.height - inset.top - inset.bottom, box.y, box.height), zoom };
}

/** Previous routes of edges whose source and target are unchanged, ELK's new ones for the others. */
function keptRoutes(prev: LayoutResult, next: LayoutResult, before: Record<string, string>, after: Record<string, string>): LayoutResult['routes'] {
  const routes = { ...next.routes };
  for (const [id, route] of Object.entries(prev.routes)) if (before[id] && before[id] === after[id]) routes[id] = route;
  return routes;
}

export function useLayout({ graph, view, saveView, flow, wrapper, workerSource, log, saved, drag }: LayoutOptions) {
  const direction: LayoutDirection = view.direction;
  const [layout, setLayout] = useState<LayoutResult | undefined>(saved.layout);
  const [busy, setBusy] = useState(false);
  // The structure whose layout is drawn: until it is the graph's, ELK's answer is still to come
  // and every node may move. React Flow takes new positions into its store in an effect of its
  // own, which runs before this hook's: only after it is the layout applied on screen.
  const [applied, setApplied] = useState(saved.layout ? (saved.layoutKey ?? '') : '');
  const [laidOut, setLaidOut] = useState(applied);
  useEffect(() => setLaidOut(applied), [applied]);
  const engine = useRef<LayoutEngine | null>(null);
  // `ends`: each laid-out edge's source and target, to know which routes still hold after an edit.
  const lay = useRef<{ key: string; running: boolean; pending: null | (() => void); current?: LayoutResult; ends: Record<string, string>; fitted: boolean }>({ key: saved.layoutKey ?? '', running: false, pending: null, current: saved.layout, ends: {}, fitted: false });
  const key = useMemo(() => (graph ? structureKey(graph, direction) : ''), [graph, direction]);

  useEffect(() => {
    engine.current = createLayoutEngine({ workerSource, log });
    return () => engine.current?.dispose();
  }, [workerSource, log]);

  // Nodes the layout has no place for yet (first paint, a new state): the quick layout's place.
  const quick = useMemo(() => {
    if (!graph || (layout && graph.nodes.every((n) => layout.positions[n.name] || view.pins[n.name]))) return undefined;
    return quickLayout(layoutInput(graph, direction));
  }, [graph, layout, view.pins, direction]);

  const position = useCallback((id: string): Point => drag[id] ?? view.pins[id] ?? layout?.positions[id] ?? quick?.positions[id] ?? { x: 0, y: 0 }, [drag, view.pins, layout, quick]);
  const positionRef = useRef(position);
  positionRef.current = position;

  const viewportFor = useCallback(() => {
    const el = wrapper.current;
    if (!el || !graph?.nodes.length) return undefined;
    const r = el.getBoundingClientRect();
    const boxes = graph.nodes.map((n) => ({ ...positionRef.current(n.name), width: n.width, height: n.height }));
    const start = graph.nodes.find((n) => n.name === graph.start);
    return readableFit(boxes, r.width, r.height, overlayInsets(el), start && { ...positionRef.current(start.name), width: start.width, height: start.height });
  }, [graph, wrapper]);

  // Fit after the commit that puts the new positions in React Flow's store.
  const [fitRequest, setFitRequest] = useState<{ n: number; duration: number }>({ n: 0, duration: 0 });
  const [fitDone, setFitDone] = useState(0);
  const fit = useCallback((duration = 0) => setFitRequest((r) => ({ n: r.n + 1, duration })), []);
  useEffect(() => {
    if (!fitRequest.n) return;
    const { n, duration } = fitRequest;
    let frame = requestAnimationFrame(() => {
      const vp = viewportFor();
      if (vp) flow.setViewport(vp, { duration });
      wrapper.current?.setAttribute('data-fitted', String(n));
      // React Flow moves the view in a d3 transition (even at duration 0: on its next tick), so the
      // fit is done when the view is there; a view someone else moved meanwhile ends it too.
      const until = performance.now() + duration + 500;
      const arrived = () => {
        const now = flow.getViewport();
        if (!vp || performance.now() > until || (Math.abs(now.x - vp.x) < 0.5 && Math.abs(now.y - vp.y) < 0.5 && Math.abs(now.zoom - vp.zoom) < 1e-3)) setFitDone(n);
        else frame = requestAnimationFrame(arrived);
      };
      frame = requestAnimationFrame(arrived);
    });
    return () => cancelAnimationFrame(frame);
  }, [fitRequest, flow, viewportFor, wrapper]);

  const runLayout = useCallback(
    (full: boolean) => {
      if (!graph || !engine.current) return;
      const st = lay.current;
      const input = layoutInput(graph, direction);
      const k = structureKey(graph, direction);
      const go = async () => {
        st.running = true;
        setBusy(true);
        try {
          const res = await engine.current!.layout(input);
          if (st.key !== k) return; // a newer structure is waiting
          const prev = st.current;
          const sameNodes = !!prev && input.nodes.length === Object.keys(prev.positions).length && input.nodes.every((n) => prev.positions[n.id]);
          const ends = Object.fromEntries(input.edges.map((e) => [e.id, `${e.source}\n${e.target}`]));
          // The same nodes (a transition added, removed or retargeted; a deleted state still drawn
          // as the target its references name): no node moves, and an edge whose ends are the same
          // keeps its route. Nodes added or removed: the others keep their places.
          const next = full || !prev ? res : sameNodes ? { ...res, positions: prev.positions, routes: keptRoutes(prev, res, st.ends, ends), engine: 'merged' as const } : (mergeLayout(prev, res, input) ?? res);
          st.current = next;
          st.ends = ends;
          setLayout(next);
          if (!st.fitted || full || next === res) {
            st.fitted = true;
            fit(full ? 250 : 0);
          }
        } catch (err) {
          log('error', `layout failed: ${(err as Error).message}`);
        } finally {
          st.running = false;
          setBusy(false);
          // This structure's layout is drawn (after a failure, the quick one stays): nothing more moves.
          if (st.key === k) setApplied(k);
          const p = st.pending;
          st.pending = null;
          p?.();
        }
      };
      st.key = k;
      if (st.running) st.pending = go;
      else void go();
    },
    [graph, direction, fit, log],
  );

  // The first picture is fitted before React Flow renders it (one render of the visible nodes).
  const firstFit = useRef(false);
  useLayoutEffect(() => {
    if (firstFit.current || !graph || !graph.nodes.length || !wrapper.current) return;
    firstFit.current = true;
    const vp = viewportFor();
    if (vp) flow.setViewport(vp);
    wrapper.current.setAttribute('data-fitted', '0');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [graph]);

  useEffect(() => {
    if (!graph) return;
    const st = lay.current;
    if (key === st.key && layout) {
      if (!st.fitted) {
        st.fitted = true;
        fit();
      }
      return;
    }
    // Show something at once: the previous places, new nodes next to their neighbours, then ELK's answer.
    const input = layoutInput(graph, direction);
    const provisional = layout && st.current ? mergeLayout(layout, quickLayout(input), input, Infinity) : undefined;
    if (provisional) setLayout(provisional);
    else if (!firstFit.current) fit();
    runLayout(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const relayout = useCallback(() => {
    saveView({ ...view, pins: {} });
    lay.current.key = '';
    runLayout(true);
  }, [view, saveView, runLayout]);

  const toggleDirection = useCallback(() => {
    saveView({ pins: {}, direction: direction === 'DOWN' ? 'RIGHT' : 'DOWN' });
    lay.current.current = undefined;
  }, [direction, saveView]);

  /** Applies a change to the layout kept for the next merge and to the one drawn (a rename). */
  const updateLayout = useCallback((f: (l: LayoutResult) => LayoutResult) => {
    if (lay.current.current) lay.current.current = f(lay.current.current);
    setLayout((l) => (l ? f(l) : l));
  }, []);

  // Nodes or the viewport are about to move: a layout is running or still to come, or a fit has not
  // finished. The canvas says so (aria-busy), so nobody aims at a node that is about to jump.
  const settling = busy || (!!graph?.nodes.length && key !== laidOut) || fitDone !== fitRequest.n;
  return { layout, layoutKey: lay.current.key, busy, settling, position, fit, relayout, toggleDirection, updateLayout };
}
