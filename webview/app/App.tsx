// The graph editor: a projection of the TextDocument. It draws the last good model the host sent,
// lays it out with ELK in a worker, and turns every user gesture into an edit operation posted to
// the host (which applies it to the document and sends the new model back).
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import ReactFlow, { Background, BackgroundVariant, Controls, MiniMap, Panel, ReactFlowProvider, useReactFlow, type Connection, type Edge, type Node, type NodeChange, type OnConnectStartParams, type Viewport } from 'reactflow';
import { VSCodeButton, VSCodeTextField } from '@vscode/webview-ui-toolkit/react';
import { taskNameFor } from '../../engine/edit/names';
import type { EditOperation } from '../../engine/edit/types';
import { edgeTaken, graphOf, nearestInDirection, nodeDebug, parseEdgeId, realTarget, searchStates, structureKey, withProxies, type GraphModel } from '../graph/model';
import { fitViewport, layoutInput, mergeLayout, quickLayout, renameInLayout, type LayoutResult } from '../layout/elk-graph';
import { createLayoutEngine, type LayoutEngine } from '../layout/engine';
import { DEFAULT_VIEW_STATE, isBrokenYaml, type StateOutline, type DebugView, type DocumentMessage, type GraphViewState, type HostMessage, type Point, type WebviewMessage } from '../protocol';
import { ContextMenu, type MenuEntry } from './ContextMenu';
import { Icons } from './icons';
import { StateInspector, TaskInspector, TransitionInspector } from './Inspector';
import { NodeActionsContext, ProxyNode, StateNode, type NodeActions, type ProxyNodeProps, type StateNodeProps } from './StateNode';
import { EdgeActionsContext, TransitionEdge, type EdgeActions, type TransitionEdgeProps } from './TransitionEdge';

export interface Host {
  post(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

interface Saved {
  view?: GraphViewState;
  layout?: LayoutResult;
  layoutKey?: string;
  inspector?: boolean;
}

type Selection = { kind: 'state'; id: string } | { kind: 'edge'; id: string } | null;

interface Toast {
  kind: 'error' | 'warning' | 'info';
  message: string;
}

const nodeTypes = { state: StateNode, proxy: ProxyNode };
const edgeTypes = { transition: TransitionEdge };

function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.closest) return false;
  return !!el.closest('input, textarea, select, [contenteditable="true"], vscode-text-field, vscode-text-area, vscode-dropdown, .sw-menu');
}

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

/** The YAML text of a state, at column 0 (for copy). */
export function stateSnippet(text: string, state: StateOutline): string {
  const lines = text.split(/\r?\n/);
  const first = state.keyRange.start.line;
  const last = Math.max(state.range.end.line, state.keyRange.end.line);
  const col = state.keyRange.start.column;
  const keyLine = lines[first] ?? '';
  if (keyLine.slice(0, col).trim() !== '') {
    return text.slice(state.keyRange.start.offset, state.range.end.offset) + '\n';
  }
  const out = lines.slice(first, last + 1).map((l) => (l.slice(0, col).trim() === '' ? l.slice(col) : l.trimStart()));
  return out.join('\n') + '\n';
}

function freeName(taken: Set<string>): string {
  for (let i = 1; ; i++) if (!taken.has(`state${i}`)) return `state${i}`;
}

export function App({ host, workerSource }: { host: Host; workerSource: string }) {
  return (
    <ReactFlowProvider>
      <Editor host={host} workerSource={workerSource} />
    </ReactFlowProvider>
  );
}

function Editor({ host, workerSource }: { host: Host; workerSource: string }) {
  const saved = useMemo(() => (host.getState() ?? {}) as Saved, [host]);
  const flow = useReactFlow();
  const [doc, setDoc] = useState<DocumentMessage | null>(null);
  const [good, setGood] = useState<DocumentMessage | null>(null);
  const [view, setView] = useState<GraphViewState>(saved.view ?? DEFAULT_VIEW_STATE);
  const [breakpoints, setBreakpoints] = useState<Set<string>>(new Set());
  const [debug, setDebug] = useState<DebugView>();
  const [selection, setSelection] = useState<Selection>(null);
  const [layout, setLayout] = useState<LayoutResult | undefined>(saved.layout);
  const [drag, setDrag] = useState<Record<string, Point>>({});
  const [renaming, setRenaming] = useState<string | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; items: MenuEntry[]; label: string } | null>(null);
  const [toast, setToast] = useState<Toast | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [query, setQuery] = useState('');
  const [hit, setHit] = useState(0);
  const [inspector, setInspector] = useState(saved.inspector ?? true);
  const [layoutBusy, setLayoutBusy] = useState(false);

  const wrapper = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLElement>(null);
  const editId = useRef(0);
  const pendingSelect = useRef<Selection>(null);
  const pendingRename = useRef<{ from: string; to: string } | null>(null);
  const pendingPins = useRef<Record<string, Point>>({});
  const clipboard = useRef<string>('');
  const engine = useRef<LayoutEngine | null>(null);
  const lay = useRef<{ key: string; running: boolean; pending: null | (() => void); current?: LayoutResult; fitted: boolean }>({ key: saved.layoutKey ?? '', running: false, pending: null, current: saved.layout, fitted: false });
  const connectStart = useRef<OnConnectStartParams | null>(null);
  const connected = useRef(false);

  const readOnly = !!doc?.readOnly || (!!doc && isBrokenYaml(doc.diagnostics));
  const model = good?.model;
  // What the canvas draws: the task's graph, with reference chips for busy states in large graphs.
  const graph: GraphModel | undefined = useMemo(() => (good ? withProxies(graphOf(good.model, good.diagnostics)) : undefined), [good]);
  const direction = view.direction;
  const key = useMemo(() => (graph ? structureKey(graph, direction) : ''), [graph, direction]);

  // ------------------------------------------------------------------ host messages

  const post = useCallback((m: WebviewMessage) => host.post(m), [host]);
  const log = useCallback((level: 'info' | 'warn' | 'error', message: string) => post({ type: 'log', level, message }), [post]);

  const saveView = useCallback(
    (next: GraphViewState) => {
      setView(next);
      post({ type: 'viewState', state: next });
    },
    [post],
  );

  useEffect(() => {
    host.setState({ view, layout, layoutKey: lay.current.key, inspector } satisfies Saved);
  }, [host, view, layout, inspector]);

  useEffect(() => {
    engine.current = createLayoutEngine({ workerSource, log });
    return () => engine.current?.dispose();
  }, [workerSource, log]);

  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      const m = e.data as HostMessage;
      if (!m || typeof m !== 'object' || typeof m.type !== 'string') return;
      switch (m.type) {
        case 'document':
          setDoc(m);
          if (!isBrokenYaml(m.diagnostics)) setGood(m);
          break;
        case 'viewState':
          setView({ pins: { ...m.state.pins }, direction: m.state.direction === 'RIGHT' ? 'RIGHT' : 'DOWN' });
          break;
        case 'breakpoints':
          setBreakpoints(new Set(m.states));
          break;
        case 'debug':
          setDebug(m.debug);
          break;
        case 'select':
          if (m.transition) setSelection({ kind: 'edge', id: `${m.transition.list}:${m.transition.index}:${m.transition.state}` });
          else setSelection(m.state ? { kind: 'state', id: m.state } : null);
          break;
        case 'editResult':
          if (m.error) setToast({ kind: 'error', message: m.error });
          else if (m.references?.length) {
            const where = m.references.map((r) => (r.kind === 'start' ? 'start' : `${r.state} (${r.kind === 'catch' ? 'catch' : 'transition'} ${r.index + 1})`));
            setToast({ kind: 'warning', message: `The state is deleted; ${m.references.length} reference${m.references.length > 1 ? 's' : ''} to it remain${m.references.length > 1 ? '' : 's'}: ${where.join(', ')}. They are marked on the graph.` });
          }
          if (!m.error && m.state) pendingSelect.current = { kind: 'state', id: m.state };
          break;
        case 'command':
          runCommand.current(m.command);
          break;
        case 'theme':
          break;
      }
    };
    window.addEventListener('message', onMessage);
    post({ type: 'ready' });
    return () => window.removeEventListener('message', onMessage);
  }, [post]);

  const propose = useCallback(
    (operation: EditOperation, label?: string) => {
      if (!doc || readOnly) return;
      if (operation.type === 'renameState') pendingRename.current = { from: operation.state, to: operation.newName };
      post({ type: 'edit', id: ++editId.current, version: doc.version, operation, label });
    },
    [doc, readOnly, post],
  );

  // A rename or a new document: carry positions, pins and the selection along.
  useEffect(() => {
    if (!good) return;
    const names = new Set(good.model.states.map((s) => s.name));
    const r = pendingRename.current;
    if (r && names.has(r.to) && !names.has(r.from)) {
      pendingRename.current = null;
      if (lay.current.current) lay.current.current = renameInLayout(lay.current.current, r.from, r.to);
      setLayout((l) => (l ? renameInLayout(l, r.from, r.to) : l));
      if (view.pins[r.from]) {
        const pins = { ...view.pins, [r.to]: view.pins[r.from] };
        delete pins[r.from];
        saveView({ ...view, pins });
      }
      setSelection((s) => (s?.kind === 'state' && s.id === r.from ? { kind: 'state', id: r.to } : s));
    }
    const p = pendingPins.current;
    const placed = Object.keys(p).filter((n) => names.has(n));
    if (placed.length) {
      const pins = { ...view.pins };
      for (const n of placed) {
        pins[n] = p[n];
        delete p[n];
      }
      saveView({ ...view, pins });
    }
    const stale = Object.keys(view.pins).filter((n) => !names.has(n) && !(r && n === r.from));
    if (stale.length) {
      const pins = { ...view.pins };
      for (const n of stale) delete pins[n];
      saveView({ ...view, pins });
    }
    const want = pendingSelect.current;
    if (want && want.kind === 'state' && names.has(want.id)) {
      pendingSelect.current = null;
      setSelection(want);
    }
    setSelection((s) => (s?.kind === 'state' && !names.has(s.id) && !(r && s.id === r.from) ? null : s));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [good]);

  // ------------------------------------------------------------------ layout

  // Fit after the commit that puts the new positions in React Flow's store.
  const [fitRequest, setFitRequest] = useState<{ n: number; duration: number }>({ n: 0, duration: 0 });
  const fit = useCallback((duration = 0) => setFitRequest((r) => ({ n: r.n + 1, duration })), []);
  useEffect(() => {
    if (!fitRequest.n) return;
    const raf = requestAnimationFrame(() => {
      flow.fitView({ padding: 0.1, duration: fitRequest.duration, maxZoom: 1.1, minZoom: 0.05 });
      wrapper.current?.setAttribute('data-fitted', String(fitRequest.n));
    });
    return () => cancelAnimationFrame(raf);
  }, [fitRequest, flow]);

  const runLayout = useCallback(
    (full: boolean) => {
      if (!graph || !engine.current) return;
      const st = lay.current;
      const input = layoutInput(graph, direction);
      const k = structureKey(graph, direction);
      const go = async () => {
        st.running = true;
        setLayoutBusy(true);
        try {
          const res = await engine.current!.layout(input);
          if (st.key !== k) return; // a newer structure is waiting
          // Nodes added or removed: the others keep their places. Only edges changed: ELK's
          // picture (the nodes keep their order; the new edges get real routes).
          const sameNodes = !!st.current && input.nodes.length === Object.keys(st.current.positions).length && input.nodes.every((n) => st.current!.positions[n.id]);
          const merged = full || sameNodes ? undefined : mergeLayout(st.current, res, input);
          const next = merged ?? res;
          st.current = next;
          setLayout(next);
          if (!st.fitted || full || !merged) {
            st.fitted = true;
            fit(full ? 250 : 0);
          }
        } catch (err) {
          log('error', `layout failed: ${(err as Error).message}`);
        } finally {
          st.running = false;
          setLayoutBusy(false);
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

  // The first picture is fitted before React Flow renders it (one render of the visible nodes, not
  // one at zoom 1 and another after fitting).
  const firstFit = useRef(false);
  useLayoutEffect(() => {
    if (firstFit.current || !graph || !graph.nodes.length || !wrapper.current) return;
    firstFit.current = true;
    const r = wrapper.current.getBoundingClientRect();
    const boxes = graph.nodes.map((n) => ({ ...position(n.name), width: n.width, height: n.height }));
    flow.setViewport(fitViewport(boxes, r.width, r.height));
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
    // Show something at once: the previous places, new nodes next to their neighbours (or the
    // quick layout on first paint), then ELK's answer.
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

  // ------------------------------------------------------------------ nodes and edges

  const matches = useMemo(() => (graph ? searchStates(graph, query) : []), [graph, query]);
  const matchSet = useMemo(() => new Set(matches), [matches]);

  // Nodes the layout has no place for yet (first paint, a new state): the quick layout's place,
  // computed in this render so that the first frame already shows the graph laid out.
  const quick = useMemo(() => {
    if (!graph || (layout && graph.nodes.every((n) => layout.positions[n.name] || view.pins[n.name]))) return undefined;
    return quickLayout(layoutInput(graph, direction));
  }, [graph, layout, view.pins, direction]);

  const position = useCallback(
    (id: string): Point => drag[id] ?? view.pins[id] ?? layout?.positions[id] ?? quick?.positions[id] ?? { x: 0, y: 0 },
    [drag, view.pins, layout, quick],
  );

  const nodes: Node<StateNodeProps | ProxyNodeProps>[] = useMemo(() => {
    if (!graph) return [];
    return graph.nodes.map((n) =>
      n.proxyOf
        ? {
            id: n.name,
            type: 'proxy',
            position: position(n.name),
            data: { view: n, direction, connecting, readOnly },
            draggable: true,
            connectable: !readOnly,
            deletable: false,
            width: n.width,
            height: n.height,
            ariaLabel: `Reference to state ${n.proxyOf}`,
          }
        : {
      id: n.name,
      type: 'state',
      position: position(n.name),
      data: { view: n, debug: nodeDebug(debug, n.name), breakpoint: breakpoints.has(n.name), direction, renaming: renaming === n.name, connecting, readOnly, match: matchSet.has(n.name) },
      selected: selection?.kind === 'state' && selection.id === n.name,
      draggable: true,
      connectable: !readOnly && !n.missing,
      deletable: false,
      width: n.width,
      height: n.height,
      ariaLabel: `State ${n.name}`,
    },
    );
  }, [graph, position, debug, breakpoints, direction, renaming, connecting, readOnly, matchSet, selection]);

  const edges: Edge<TransitionEdgeProps>[] = useMemo(() => {
    if (!graph) return [];
    const selectedState = selection?.kind === 'state' ? selection.id : undefined;
    return graph.edges.map((e) => {
      const taken = edgeTaken(debug, e);
      const related = !!selectedState && (e.source === selectedState || e.target === selectedState);
      const classes = ['sw-edge', `sw-edge-${e.kind}`];
      if (e.dashed) classes.push('sw-dashed');
      if (taken) classes.push('sw-edge-taken');
      if (related) classes.push('sw-edge-related');
      return {
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: 'out',
        targetHandle: 'in',
        type: 'transition',
        data: { view: e, route: layout?.routes[e.id], taken, related },
        selected: selection?.kind === 'edge' && selection.id === e.id,
        className: classes.join(' '),
        ariaLabel: `${e.list === 'catch' ? 'Catch' : 'Transition'} from ${e.source} to ${e.hub ?? e.target}${e.title && e.label ? `, ${e.title}` : ''}`,
        updatable: readOnly ? false : 'target',
        deletable: false,
        focusable: true,
      } satisfies Edge<TransitionEdgeProps>;
    });
  }, [graph, debug, layout, selection, readOnly]);

  // ------------------------------------------------------------------ selection and reveal

  const selectState = useCallback(
    (id: string | null, reveal = true) => {
      setSelection(id ? { kind: 'state', id } : null);
      if (id && reveal && graph?.nodes.find((n) => n.name === id && !n.missing)) post({ type: 'reveal', state: id, focus: false });
    },
    [graph, post],
  );

  const selectEdge = useCallback(
    (id: string) => {
      setSelection({ kind: 'edge', id });
      const k = parseEdgeId(id);
      if (k) post({ type: 'reveal', state: k.state, element: { kind: k.list === 'catch' ? 'catch' : 'transition', index: k.index }, focus: false });
    },
    [post],
  );

  const center = useCallback(
    (id: string) => {
      const n = graph?.nodes.find((x) => x.name === id);
      if (!n) return;
      const p = position(id);
      const zoom = Math.max(flow.getZoom(), 0.85);
      flow.setCenter(p.x + n.width / 2, p.y + n.height / 2, { zoom, duration: 250 });
    },
    [graph, position, flow],
  );

  // Follow the debugger: bring the current state into view.
  useEffect(() => {
    const cur = debug?.active ? debug.current : undefined;
    if (cur && wrapper.current) {
      const n = graph?.nodes.find((x) => x.name === cur);
      if (!n) return;
      const p = position(cur);
      const vp: Viewport = flow.getViewport();
      const r = wrapper.current.getBoundingClientRect();
      const sx = p.x * vp.zoom + vp.x;
      const sy = p.y * vp.zoom + vp.y;
      if (sx < 0 || sy < 0 || sx + n.width * vp.zoom > r.width || sy + n.height * vp.zoom > r.height) center(cur);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debug?.current, debug?.active]);

  // ------------------------------------------------------------------ editing

  const names = useMemo(() => new Set(model?.states.map((s) => s.name) ?? []), [model]);

  const addState = useCallback(
    (at?: Point, after?: string, from?: string) => {
      if (readOnly) return;
      const name = freeName(names);
      if (at) pendingPins.current[name] = at;
      const anchor = after ?? (selection?.kind === 'state' && names.has(selection.id) ? selection.id : undefined);
      const add: EditOperation = { type: 'addState', name, after: anchor, taskName: doc ? taskNameFor(doc.fileName) : undefined };
      if (from) propose({ type: 'batch', operations: [add, { type: 'addTransition', state: from, to: name }] }, 'Add state');
      else propose(add, 'Add state');
      pendingSelect.current = { kind: 'state', id: name };
      setRenaming(null);
    },
    [readOnly, names, selection, propose, doc],
  );

  const deleteSelection = useCallback(() => {
    if (readOnly || !selection) return;
    if (selection.kind === 'state') {
      if (!names.has(selection.id)) return;
      propose({ type: 'deleteState', state: selection.id }, 'Delete state');
      setSelection(null);
    } else {
      const k = parseEdgeId(selection.id);
      if (k) propose({ type: 'deleteTransition', state: k.state, index: k.index, list: k.list }, 'Delete transition');
      setSelection(null);
    }
  }, [readOnly, selection, names, propose]);

  const copyState = useCallback(
    (id: string): string | undefined => {
      const st = good?.model.states.find((s) => s.name === id);
      if (!st || !good) return undefined;
      const snippet = stateSnippet(good.text, st);
      clipboard.current = snippet;
      navigator.clipboard?.writeText(snippet).catch(() => undefined);
      return snippet;
    },
    [good],
  );

  const paste = useCallback(
    (text: string) => {
      const yaml = text || clipboard.current;
      if (!yaml.trim() || readOnly) return;
      const after = selection?.kind === 'state' && names.has(selection.id) ? selection.id : undefined;
      propose({ type: 'pasteStates', yaml, after }, 'Paste states');
    },
    [readOnly, selection, names, propose],
  );

  const nodeActions: NodeActions = useMemo(
    () => ({
      toggleBreakpoint: (state: string) => {
        setBreakpoints((b) => {
          const next = new Set(b);
          if (next.has(state)) next.delete(state);
          else next.add(state);
          return next;
        });
        post({ type: 'toggleBreakpoint', state });
      },
      commitRename: (state: string, newName: string) => {
        setRenaming(null);
        propose({ type: 'renameState', state, newName }, 'Rename state');
        wrapper.current?.focus();
      },
      cancelRename: () => {
        setRenaming(null);
        wrapper.current?.focus();
      },
    }),
    [post, propose],
  );

  const openMenuFor = useCallback(
    (target: { kind: 'pane'; at: Point } | { kind: 'state'; id: string } | { kind: 'edge'; id: string }, x: number, y: number) => {
      const mod = isMac ? '⌘' : 'Ctrl+';
      let items: MenuEntry[] = [];
      let label = 'Canvas';
      if (target.kind === 'pane') {
        items = [
          { label: 'Add State Here', run: () => addState(target.at), disabled: readOnly },
          { label: 'Paste', run: () => paste(''), keybinding: `${mod}V`, disabled: readOnly || !clipboard.current },
          'separator',
          { label: 'Fit to View', run: () => fit(200) },
          { label: direction === 'DOWN' ? 'Lay Out Left to Right' : 'Lay Out Top to Bottom', run: toggleDirection },
          { label: 'Re-layout (Forget Dragged Positions)', run: relayout },
          'separator',
          { label: 'Show YAML', run: () => post({ type: 'openText' }) },
        ];
      } else if (target.kind === 'state') {
        const st = model?.states.find((s) => s.name === target.id);
        label = `State ${target.id}`;
        if (!st) {
          items = [{ label: `Add State '${target.id}'`, run: () => propose({ type: 'addState', name: target.id }, 'Add state'), disabled: readOnly }];
        } else {
          items = [
            { label: 'Rename…', keybinding: 'F2', run: () => setRenaming(target.id), disabled: readOnly },
            { label: 'Set as Start State', run: () => propose({ type: 'setStart', state: target.id }, 'Set start'), disabled: readOnly || model?.start === target.id, checked: model?.start === target.id },
            { label: 'Final State', run: () => propose({ type: 'setFinal', state: target.id, final: !st.final }, 'Toggle final'), disabled: readOnly, checked: st.final },
            ...(st.final
              ? (['succeeded', 'failed', 'cancelled'] as const).map((status) => ({ label: `Ends as ${status}`, checked: (st.status ?? 'succeeded') === status, disabled: readOnly, run: () => propose({ type: 'setFinal', state: target.id, final: true, status }, 'Set status') }))
              : []),
            'separator',
            { label: 'Add State After', run: () => addState(undefined, target.id, st.final ? undefined : target.id), disabled: readOnly },
            { label: 'Duplicate', keybinding: `${mod}D`, run: () => propose({ type: 'duplicateState', state: target.id }, 'Duplicate state'), disabled: readOnly },
            { label: 'Copy', keybinding: `${mod}C`, run: () => void copyState(target.id) },
            { label: 'Paste After', keybinding: `${mod}V`, run: () => paste(''), disabled: readOnly || !clipboard.current },
            'separator',
            { label: breakpoints.has(target.id) ? 'Remove Breakpoint' : 'Add Breakpoint', run: () => nodeActions.toggleBreakpoint(target.id) },
            { label: 'Show in Text', keybinding: 'Enter', run: () => post({ type: 'reveal', state: target.id, focus: true }) },
            ...(view.pins[target.id]
              ? [
                  {
                    label: 'Unpin (Let the Layout Place It)',
                    run: () => {
                      const pins = { ...view.pins };
                      delete pins[target.id];
                      saveView({ ...view, pins });
                    },
                  },
                ]
              : []),
            'separator',
            { label: 'Delete', keybinding: 'Delete', run: () => propose({ type: 'deleteState', state: target.id }, 'Delete state'), disabled: readOnly },
          ];
        }
      } else {
        const k = parseEdgeId(target.id);
        const e = graph?.edges.find((x) => x.id === target.id);
        if (!k || !e) return;
        label = `Transition from ${e.source} to ${e.target}`;
        items = [
          { label: 'Move Earlier', run: () => propose({ type: 'reorderTransition', ...k, toIndex: k.index - 1 }, 'Reorder'), disabled: readOnly || k.index === 0 },
          { label: 'Move Later', run: () => propose({ type: 'reorderTransition', ...k, toIndex: k.index + 1 }, 'Reorder'), disabled: readOnly || k.index >= e.siblings - 1 },
          'separator',
          { label: 'Show in Text', run: () => post({ type: 'reveal', state: k.state, element: { kind: k.list === 'catch' ? 'catch' : 'transition', index: k.index }, focus: true }) },
          'separator',
          { label: 'Delete', keybinding: 'Delete', run: () => propose({ type: 'deleteTransition', ...k }, 'Delete transition'), disabled: readOnly },
        ];
      }
      setMenu({ x, y, items, label });
    },
    [addState, paste, readOnly, fit, direction, toggleDirection, relayout, post, model, propose, copyState, breakpoints, nodeActions, view, saveView, graph],
  );

  const edgeActions: EdgeActions = useMemo(
    () => ({
      select: selectEdge,
      contextMenu: (id: string, x: number, y: number) => {
        selectEdge(id);
        openMenuFor({ kind: 'edge', id }, x, y);
      },
    }),
    [selectEdge, openMenuFor],
  );

  // ------------------------------------------------------------------ React Flow handlers

  const onNodesChange = useCallback((changes: NodeChange[]) => {
    const moves: Record<string, Point> = {};
    for (const c of changes) if (c.type === 'position' && c.position && c.dragging) moves[c.id] = c.position;
    if (Object.keys(moves).length) setDrag((d) => ({ ...d, ...moves }));
  }, []);

  const onNodeDragStop = useCallback(
    (_e: ReactMouseEvent, node: Node) => {
      setDrag({});
      const before = view.pins[node.id] ?? layout?.positions[node.id];
      if (before && Math.abs(before.x - node.position.x) < 1 && Math.abs(before.y - node.position.y) < 1) return;
      saveView({ ...view, pins: { ...view.pins, [node.id]: { x: Math.round(node.position.x), y: Math.round(node.position.y) } } });
    },
    [view, layout, saveView],
  );

  const onConnect = useCallback(
    (c: Connection) => {
      connected.current = true;
      if (!c.source || !c.target || readOnly) return;
      if (!names.has(c.source) || !graph) return;
      propose({ type: 'addTransition', state: c.source, to: realTarget(graph, c.target) }, 'Connect');
      pendingSelect.current = { kind: 'state', id: c.source };
    },
    [readOnly, names, propose, graph],
  );

  const onConnectStart = useCallback((_e: unknown, params: OnConnectStartParams) => {
    connectStart.current = params;
    connected.current = false;
    setConnecting(true);
  }, []);

  const onConnectEnd = useCallback(
    (e: MouseEvent | TouchEvent) => {
      setConnecting(false);
      const start = connectStart.current;
      connectStart.current = null;
      if (connected.current || !start?.nodeId || readOnly) return;
      const target = e.target as HTMLElement | null;
      if (!target?.closest?.('.react-flow') || target.closest('.react-flow__node, .react-flow__panel, .react-flow__edge, .sw-edge-label')) return;
      const pt = 'clientX' in e ? { x: e.clientX, y: e.clientY } : { x: e.changedTouches[0].clientX, y: e.changedTouches[0].clientY };
      const at = flow.screenToFlowPosition(pt);
      addState({ x: Math.round(at.x - 100), y: Math.round(at.y) }, start.nodeId, start.nodeId);
    },
    [readOnly, flow, addState],
  );

  const onEdgeUpdate = useCallback(
    (old: Edge, c: Connection) => {
      connected.current = true;
      if (readOnly || !c.target || !graph || c.source !== old.source) return;
      const to = realTarget(graph, c.target);
      if (to === realTarget(graph, old.target)) return;
      const k = parseEdgeId(old.id);
      if (k) propose({ type: 'retargetTransition', ...k, to }, 'Retarget');
    },
    [readOnly, propose, graph],
  );

  const onPaneDoubleClick = useCallback(
    (e: ReactMouseEvent) => {
      const target = e.target as HTMLElement;
      if (!target.classList.contains('react-flow__pane') || readOnly) return;
      const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addState({ x: Math.round(at.x - 100), y: Math.round(at.y - 20) });
    },
    [flow, readOnly, addState],
  );

  // ------------------------------------------------------------------ keyboard, clipboard

  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (menu || isEditable(e.target)) return;
      const mod = isMac ? e.metaKey : e.ctrlKey;
      const k = e.key;
      const sel = selection;
      let handled = true;
      if (mod && (k === 'z' || k === 'Z') && !e.shiftKey) post({ type: 'undo' });
      else if (mod && (k === 'y' || k === 'Y' || ((k === 'z' || k === 'Z') && e.shiftKey))) post({ type: 'redo' });
      else if (mod && (k === 'd' || k === 'D') && sel?.kind === 'state') propose({ type: 'duplicateState', state: sel.id }, 'Duplicate state');
      else if (mod && (k === 'f' || k === 'F')) (searchRef.current as HTMLElement | null)?.focus();
      else if (k === 'Delete' || (k === 'Backspace' && isMac)) deleteSelection();
      else if (k === 'F2' && sel?.kind === 'state' && names.has(sel.id) && !readOnly) setRenaming(sel.id);
      else if (k === 'Enter' && sel?.kind === 'state') post({ type: 'reveal', state: sel.id, focus: true });
      else if (k === 'Escape') setSelection(null);
      else if (k.startsWith('Arrow') && !mod && graph) {
        const boxes = new Map(graph.nodes.filter((n) => !n.proxyOf).map((n) => [n.name, { ...position(n.name), width: n.width, height: n.height }]));
        const from = sel?.kind === 'state' ? sel.id : sel?.kind === 'edge' ? parseEdgeId(sel.id)?.state : undefined;
        const next = from ? nearestInDirection(boxes, from, k === 'ArrowUp' ? 'up' : k === 'ArrowDown' ? 'down' : k === 'ArrowLeft' ? 'left' : 'right') : (graph.start ?? graph.nodes[0]?.name);
        if (next) {
          selectState(next);
          center(next);
          // Keyboard focus follows the selection (screen readers announce the node).
          requestAnimationFrame(() => (wrapper.current?.querySelector(`.react-flow__node[data-id="${CSS.escape(next)}"]`) as HTMLElement | null)?.focus({ preventScroll: true }));
        }
      } else handled = false;
      if (handled) {
        e.preventDefault();
        e.stopPropagation();
      }
    },
    [menu, selection, post, propose, deleteSelection, names, readOnly, graph, position, selectState, center],
  );

  // The listener is registered once and calls the handler of the latest render (never a stale one).
  const keyHandler = useRef(onKeyDown);
  keyHandler.current = onKeyDown;
  useEffect(() => {
    const el = wrapper.current;
    if (!el) return;
    const listener = (e: KeyboardEvent) => keyHandler.current(e);
    // Capture, so that React Flow's own arrow-key moves and Backspace deletes never run.
    el.addEventListener('keydown', listener, true);
    return () => el.removeEventListener('keydown', listener, true);
  }, []);

  useEffect(() => {
    // Undo/redo anywhere in the webview but text fields (they keep their own).
    const onGlobal = (e: KeyboardEvent) => {
      if (wrapper.current?.contains(e.target as globalThis.Node) || isEditable(e.target)) return;
      const mod = isMac ? e.metaKey : e.ctrlKey;
      if (!mod) return;
      if (e.key === 'z' || e.key === 'Z') post({ type: e.shiftKey ? 'redo' : 'undo' });
      else if (e.key === 'y' || e.key === 'Y') post({ type: 'redo' });
      else return;
      e.preventDefault();
    };
    const onCopy = (e: ClipboardEvent) => {
      if (isEditable(e.target) || selection?.kind !== 'state') return;
      const snippet = copyState(selection.id);
      if (snippet && e.clipboardData) {
        e.clipboardData.setData('text/plain', snippet);
        e.preventDefault();
      }
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isEditable(e.target)) return;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      paste(/^\s*[^\s#][^:\n]*:/m.test(text) ? text : '');
      e.preventDefault();
    };
    window.addEventListener('keydown', onGlobal);
    document.addEventListener('copy', onCopy);
    document.addEventListener('paste', onPaste);
    return () => {
      window.removeEventListener('keydown', onGlobal);
      document.removeEventListener('copy', onCopy);
      document.removeEventListener('paste', onPaste);
    };
  }, [post, selection, copyState, paste]);

  const runCommand = useRef<(c: string) => void>(() => undefined);
  runCommand.current = (c: string) => {
    if (c === 'addState') addState();
    else if (c === 'fitView') fit(200);
    else if (c === 'relayout') relayout();
    else if (c === 'toggleDirection') toggleDirection();
    else if (c === 'find') (searchRef.current as HTMLElement | null)?.focus();
  };

  // ------------------------------------------------------------------ search

  const findNext = useCallback(
    (back: boolean) => {
      if (!matches.length) return;
      const i = (hit + (back ? matches.length - 1 : 1)) % matches.length;
      const idx = selection?.kind === 'state' && matches[hit] === selection.id ? i : hit % matches.length;
      setHit(idx);
      selectState(matches[idx]);
      center(matches[idx]);
    },
    [matches, hit, selection, selectState, center],
  );

  useEffect(() => setHit(0), [query]);

  // ------------------------------------------------------------------ render

  const broken = doc && isBrokenYaml(doc.diagnostics) ? doc.diagnostics.find((d) => d.code === 'yaml-syntax' && d.severity === 'error') : undefined;
  const selectedState = selection?.kind === 'state' ? model?.states.find((s) => s.name === selection.id) : undefined;
  const selectedEdge = selection?.kind === 'edge' ? parseEdgeId(selection.id) : undefined;
  const edgeState = selectedEdge ? model?.states.find((s) => s.name === selectedEdge.state) : undefined;
  const empty = !!good && good.model.states.length === 0;

  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), toast.kind === 'error' ? 10000 : 8000);
    return () => clearTimeout(t);
  }, [toast]);

  return (
    <div className={`sw-app${inspector ? ' sw-with-inspector' : ''}`}>
      <svg className="sw-defs" aria-hidden="true" width="0" height="0">
        <defs>
          {['sw-arrow', 'sw-arrow-catch', 'sw-arrow-selected', 'sw-arrow-taken'].map((id) => (
            <marker key={id} id={id} className={id} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" markerUnits="userSpaceOnUse">
              <path d="M0,0 L10,5 L0,10 z" />
            </marker>
          ))}
        </defs>
      </svg>
      <main className="sw-canvas" ref={wrapper} tabIndex={0} data-layout={layout?.engine ?? 'none'} data-busy={layoutBusy ? 'true' : 'false'} aria-label={`Graph of ${good?.model.name ?? doc?.fileName ?? 'the task'}: ${graph?.nodes.length ?? 0} states. Arrow keys move the selection, F2 renames, Delete deletes, Enter shows the state in the text.`} onDoubleClick={onPaneDoubleClick}>
        {broken ? (
          <div className="sw-banner sw-banner-error" role="alert">
            {Icons.error({ size: 16 })}
            <span>
              The YAML cannot be read (line {broken.range.start.line + 1}): {broken.message} The graph shows the last version that could be read; editing resumes when the text is fixed.
            </span>
            <VSCodeButton appearance="secondary" onClick={() => post({ type: 'openText' })}>
              Show YAML
            </VSCodeButton>
          </div>
        ) : null}
        {!doc ? <div className="sw-loading">Loading…</div> : null}
        <NodeActionsContext.Provider value={nodeActions}>
          <EdgeActionsContext.Provider value={edgeActions}>
            <ReactFlow
              nodes={nodes}
              edges={edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              onNodesChange={onNodesChange}
              onNodeDragStop={onNodeDragStop}
              onNodeClick={(_e, n) => {
                const proxy = graph?.nodes.find((x) => x.name === n.id)?.proxyOf;
                selectState(proxy ?? n.id);
                if (proxy) center(proxy);
              }}
              onNodeDoubleClick={(_e, n) => names.has(n.id) && post({ type: 'reveal', state: n.id, focus: true })}
              onEdgeClick={(_e, ed) => selectEdge(ed.id)}
              onPaneClick={() => {
                setSelection(null);
                setMenu(null);
              }}
              onNodeContextMenu={(e, n) => {
                e.preventDefault();
                if (n.type === 'proxy') return;
                selectState(n.id);
                openMenuFor({ kind: 'state', id: n.id }, e.clientX, e.clientY);
              }}
              onEdgeContextMenu={(e, ed) => {
                e.preventDefault();
                selectEdge(ed.id);
                openMenuFor({ kind: 'edge', id: ed.id }, e.clientX, e.clientY);
              }}
              onPaneContextMenu={(e) => {
                e.preventDefault();
                const at = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
                openMenuFor({ kind: 'pane', at: { x: Math.round(at.x - 100), y: Math.round(at.y - 20) } }, e.clientX, e.clientY);
              }}
              onConnect={onConnect}
              onConnectStart={onConnectStart}
              onConnectEnd={onConnectEnd}
              onEdgeUpdate={onEdgeUpdate}
              onEdgeUpdateStart={() => {
                connected.current = false;
                setConnecting(true);
              }}
              onEdgeUpdateEnd={() => setConnecting(false)}
              edgeUpdaterRadius={12}
              connectionRadius={30}
              nodesConnectable={!readOnly}
              nodesDraggable
              deleteKeyCode={null}
              selectionKeyCode={null}
              multiSelectionKeyCode={null}
              zoomOnDoubleClick={false}
              minZoom={0.05}
              maxZoom={2}
              onlyRenderVisibleElements={(graph?.nodes.length ?? 0) > 300}
              disableKeyboardA11y={false}
              elevateEdgesOnSelect
              proOptions={{ hideAttribution: false }}
            >
              <Background variant={BackgroundVariant.Dots} gap={20} size={1.2} />
              <MiniMap pannable zoomable ariaLabel="Overview of the graph" style={{ width: 168, height: 112 }} nodeClassName={(n) => `sw-mini${n.type === 'proxy' ? ' sw-mini-proxy' : ''}${(n.data as StateNodeProps).view.final ? ' sw-mini-final' : ''}${(n.data as StateNodeProps).view.missing ? ' sw-mini-missing' : ''}${n.selected ? ' sw-mini-selected' : ''}`} nodeBorderRadius={4} />
              <Controls showInteractive={false} position="bottom-left" aria-label="Zoom" />
              <Panel position="top-left" className="sw-toolbar">
                <div role="toolbar" aria-label="Graph tools" className="sw-toolbar-row">
                  <VSCodeButton appearance="icon" aria-label="Add state" title="Add state (or double-click the canvas)" disabled={readOnly || !doc} onClick={() => addState()}>
                    {Icons.add()}
                  </VSCodeButton>
                  <VSCodeButton appearance="icon" aria-label={direction === 'DOWN' ? 'Lay out left to right' : 'Lay out top to bottom'} title={direction === 'DOWN' ? 'Layout: top to bottom (switch to left to right)' : 'Layout: left to right (switch to top to bottom)'} onClick={toggleDirection}>
                    {direction === 'DOWN' ? Icons.arrowDown() : Icons.arrowRight()}
                  </VSCodeButton>
                  <VSCodeButton appearance="icon" aria-label="Re-layout, forgetting dragged positions" title="Re-layout (forget dragged positions)" onClick={relayout}>
                    {Icons.layout()}
                  </VSCodeButton>
                  <VSCodeButton appearance="icon" aria-label="Fit the graph to the view" title="Fit to view" onClick={() => fit(200)}>
                    {Icons.fit()}
                  </VSCodeButton>
                  <span className="sw-toolbar-sep" />
                  <VSCodeTextField
                    ref={searchRef as never}
                    className="sw-search"
                    placeholder="Find state"
                    aria-label="Find a state by name or description"
                    value={query}
                    // eslint-disable-next-line @typescript-eslint/no-explicit-any
                    onInput={(e: any) => setQuery(String((e.target as HTMLInputElement).value ?? ''))}
                    onKeyDown={(e: React.KeyboardEvent) => {
                      if (e.key === 'Enter') {
                        e.preventDefault();
                        findNext(e.shiftKey);
                      } else if (e.key === 'Escape') {
                        setQuery('');
                        wrapper.current?.focus();
                      }
                    }}
                  >
                    <span slot="start">{Icons.search({ size: 14 })}</span>
                    {query ? (
                      <span slot="end" className="sw-search-count" aria-live="polite">
                        {matches.length ? `${Math.min(hit + 1, matches.length)} of ${matches.length}` : 'No results'}
                      </span>
                    ) : null}
                  </VSCodeTextField>
                  <span className="sw-toolbar-sep" />
                  <VSCodeButton appearance="icon" aria-label="Show the YAML beside the graph" title="Show YAML" onClick={() => post({ type: 'openText' })}>
                    {Icons.code()}
                  </VSCodeButton>
                  <VSCodeButton appearance="icon" aria-label={inspector ? 'Hide the inspector' : 'Show the inspector'} aria-pressed={inspector} title="Inspector" onClick={() => setInspector(!inspector)}>
                    {Icons.edit()}
                  </VSCodeButton>
                  {layoutBusy ? (
                    <span className="sw-busy" role="status">
                      laying out…
                    </span>
                  ) : null}
                </div>
              </Panel>
            </ReactFlow>
          </EdgeActionsContext.Provider>
        </NodeActionsContext.Provider>
        {empty ? (
          <div className="sw-empty">
            <div className="sw-empty-card">
              <h2>{good?.model.name ? `${good.model.name} has no states yet` : 'This task has no states yet'}</h2>
              <p>A task is a state machine: each state runs its instructions (HTTP calls, commands, logs), then a transition leads to the next state, and a final state ends the run.</p>
              <p>Add the first state, then drag from a state's handle to another to connect them, or onto the canvas for a new one. The graph writes the YAML for you.</p>
              <VSCodeButton onClick={() => addState()} disabled={readOnly}>
                Add the first state
              </VSCodeButton>
            </div>
          </div>
        ) : null}
        {toast ? (
          <div className={`sw-toast sw-toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
            {toast.kind === 'error' ? Icons.error({ size: 16 }) : toast.kind === 'warning' ? Icons.warning({ size: 16 }) : Icons.info({ size: 16 })}
            <span>{toast.message}</span>
            <VSCodeButton appearance="icon" aria-label="Dismiss" onClick={() => setToast(null)}>
              {Icons.close({ size: 14 })}
            </VSCodeButton>
          </div>
        ) : null}
      </main>
      {inspector ? (
        <aside className="sw-inspector" aria-label="Inspector">
          {model && selectedState ? (
            <StateInspector model={model} state={selectedState} propose={propose} readOnly={readOnly} />
          ) : model && edgeState && selectedEdge ? (
            <TransitionInspector model={model} state={edgeState} list={selectedEdge.list} index={selectedEdge.index} propose={propose} readOnly={readOnly} />
          ) : model ? (
            <TaskInspector model={model} fileName={doc?.fileName ?? ''} />
          ) : null}
        </aside>
      ) : null}
      {menu ? <ContextMenu x={menu.x} y={menu.y} items={menu.items} label={menu.label} onClose={() => setMenu(null)} /> : null}
    </div>
  );
}
