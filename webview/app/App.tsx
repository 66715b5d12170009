// The graph editor: a projection of the TextDocument. It draws the last good model the host sent,
// lays it out with ELK in a worker, and turns every gesture into a designer event (designer/step.ts)
// whose edit operations go to the host (which applies them to the document and sends it back).
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import ReactFlow, { Background, BackgroundVariant, MiniMap, Panel, ReactFlowProvider, useReactFlow, type Connection, type Edge, type Node, type NodeChange, type OnConnectStartParams } from 'reactflow';
import { VSCodeButton } from '@vscode/webview-ui-toolkit/react';
import { taskNameFor } from '../../engine/edit/names';
import { graphOf, NODE_WIDTH_MIN, realTarget, searchStates, withProxies, type GraphModel } from '../../engine/graph/model';
import { renameInLayout, type LayoutResult } from '../../engine/graph/layout';
import { freeSpot } from '../layout/free-spot';
import { asPanels, isBrokenYaml, DEFAULT_VIEW_STATE, type GraphPanels, type GraphViewState, type Point, type WebviewMessage } from '../protocol';
import { documentEvent, type Proposal, type Selection } from '../designer/step';
import { useDesigner } from '../designer/useDesigner';
import { ContextMenu, type MenuEntry } from './ContextMenu';
import { Icons } from './icons';
import { StateInspector, TaskInspector, TransitionInspector } from './Inspector';
import { RunBanner } from './RunPanel';
import { EmptyTask, ToastView } from './Notices';
import { Palette, usePaletteActions } from './Palette';
import { exportSvg, svgToPng } from './exportGraph';
import { menuFor, type MenuTarget } from './menus';
import { NodeActionsContext, ProxyNode, StateNode, type NodeActions, type StateNodeProps } from './StateNode';
import { stateSnippet } from './snippet';
import { FieldsContext } from './TextInput';
import { Toolbar } from './Toolbar';
import { EdgeActionsContext, TransitionEdge, type EdgeActions } from './TransitionEdge';
import { useDebugFollow } from './useDebugFollow';
import { useFlowElements } from './useFlowElements';
import { useHostDocument } from './useHostDocument';
import { KindsContext } from './kinds';
import { isMac, useKeyboard } from './useKeyboard';
import { clearViewOf, overlayInsets, useLayout } from './useLayout';

export interface Host {
  post(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}

interface Saved {
  view?: GraphViewState;
  layout?: LayoutResult;
  layoutKey?: string;
}

const nodeTypes = { state: StateNode, proxy: ProxyNode };
const edgeTypes = { transition: TransitionEdge };
/** The size a state added from the toolbar is given room for (a state with a short name and no instructions). */
const NEW_STATE = { width: NODE_WIDTH_MIN, height: 60 };

const ALL_PANELS: GraphPanels = { minimap: true, inspector: true, palette: true };

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
  const wrapper = useRef<HTMLElement>(null);
  const searchRef = useRef<HTMLElement>(null);
  const editId = useRef(0);
  const pendingSelect = useRef<string | null>(null);
  const selectResult = useRef(new Set<number>());
  const pendingRename = useRef<{ from: string; to: string } | null>(null);
  const pendingPins = useRef<Record<string, Point>>({});
  const clipboard = useRef<string>('');
  const connectStart = useRef<OnConnectStartParams | null>(null);
  const connected = useRef(false);
  const [drag, setDrag] = useState<Record<string, Point>>({});
  const [menu, setMenu] = useState<{ x: number; y: number; items: MenuEntry[]; label: string } | null>(null);
  const [connectingFrom, setConnectingFrom] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [hit, setHit] = useState(0);

  const post = useCallback((m: WebviewMessage) => host.post(m), [host]);
  const log = useCallback((level: 'info' | 'warn' | 'error', message: string) => post({ type: 'log', level, message }), [post]);

  // The designer reducer; its proposals become edit messages on the current document version.
  const docVersion = useRef(0);
  const send = useCallback(
    (p: Proposal) => {
      if (p.operation.type === 'renameState') pendingRename.current = { from: p.operation.state, to: p.operation.newName };
      if (p.place) pendingPins.current[p.place.state] = p.place.at;
      const added = p.operation.type === 'addState' || p.operation.type === 'insertState' ? p.operation.name : undefined;
      if (added) pendingSelect.current = added;
      post({ type: 'edit', id: ++editId.current, version: docVersion.current, operation: p.operation, label: p.label });
      // A copy's name is the host's to choose: select it when the result names it.
      if (p.operation.type === 'duplicateState' || p.operation.type === 'pasteStates') selectResult.current.add(editId.current);
    },
    [post],
  );
  const [designer, dispatch] = useDesigner(send, post);
  const { selection, renaming } = designer;

  const hostDoc = useHostDocument(post, saved.view ?? DEFAULT_VIEW_STATE, {
    select: (s: Selection) => dispatch({ type: 'select', selection: s, reveal: false }),
    editResult: (m) => {
      // A refused edit: the designer's expectations of it are void; the document is the truth.
      if (m.error && good) dispatch(documentEvent(good.model, readOnly));
      // Only an edit that made a state moves the selection to it: the result of any other edit
      // names the state it changed, which the user may have left since (a field committed by a
      // click elsewhere), and Delete must then act on what is selected now.
      if (selectResult.current.delete(m.id) && !m.error && m.state) pendingSelect.current = m.state;
    },
    command: (c) => runCommand.current(c),
  });
  const { doc, good, view, saveView, breakpoints, setBreakpoints, debug, coverage, toast, setToast, kinds } = hostDoc;
  if (doc) docVersion.current = doc.version;
  const readOnly = !!doc?.readOnly || (!!doc && isBrokenYaml(doc.diagnostics));
  const model = good?.model;
  // What the canvas draws: the task's graph, with reference chips for busy states in large graphs.
  const graph: GraphModel | undefined = useMemo(() => (good ? withProxies(graphOf(good.model, good.diagnostics)) : undefined), [good]);
  const direction = view.direction;
  const [panels, showPanels] = useState<GraphPanels>(() => asPanels(view.panels) ?? ALL_PANELS);
  useEffect(() => {
    const stored = asPanels(view.panels);
    if (stored) showPanels(stored);
  }, [view.panels]);
  const { minimap, inspector } = panels;
  const setPanel = (panel: keyof GraphPanels, on: boolean) => {
    const next = { ...panels, [panel]: on };
    showPanels(next);
    saveView({ ...view, panels: next });
  };

  const { layout, layoutKey, busy, settling, position, fit, relayout, toggleDirection, updateLayout } = useLayout({ graph, view, saveView, flow, wrapper, workerSource, log, saved, drag });

  useEffect(() => {
    host.setState({ view, layout, layoutKey } satisfies Saved);
  }, [host, view, layout, layoutKey]);

  // A new document: the designer hears of it; positions, pins and the selection follow a rename.
  useEffect(() => {
    if (!good) return;
    dispatch(documentEvent(good.model, readOnly));
    const names = new Set(good.model.states.map((s) => s.name));
    const r = pendingRename.current;
    let pins = view.pins;
    if (r && names.has(r.to) && !names.has(r.from)) {
      pendingRename.current = null;
      updateLayout((l) => renameInLayout(l, r.from, r.to));
      if (pins[r.from]) {
        pins = { ...pins, [r.to]: pins[r.from] };
        delete pins[r.from];
      }
    }
    const placed = Object.keys(pendingPins.current).filter((n) => names.has(n));
    if (placed.length) pins = { ...pins, ...Object.fromEntries(placed.map((n) => [n, pendingPins.current[n]])) };
    for (const n of placed) delete pendingPins.current[n];
    const stale = Object.keys(pins).filter((n) => !names.has(n));
    if (stale.length) pins = Object.fromEntries(Object.entries(pins).filter(([n]) => names.has(n)));
    if (pins !== view.pins) saveView({ ...view, pins });
    const want = pendingSelect.current;
    if (want && names.has(want)) {
      pendingSelect.current = null;
      dispatch({ type: 'select', selection: { kind: 'state', id: want }, reveal: false });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [good, readOnly]);

  const matches = useMemo(() => (graph ? searchStates(graph, query) : []), [graph, query]);
  const matchSet = useMemo(() => new Set(matches), [matches]);
  const { nodes, edges } = useFlowElements({ graph, position, layout, selection, renaming, connectingFrom, readOnly, direction, debug, coverage: coverage.coverage, breakpoints, matches: matchSet });

  const selectState = useCallback((id: string | null) => dispatch({ type: 'select', selection: id ? { kind: 'state', id } : null, reveal: true }), [dispatch]);
  const selectEdge = useCallback((id: string) => dispatch({ type: 'select', selection: { kind: 'edge', id }, reveal: true }), [dispatch]);

  const center = useCallback(
    (id: string) => {
      const n = graph?.nodes.find((x) => x.name === id);
      if (!n) return;
      if (wrapper.current) flow.setViewport(clearViewOf({ ...position(id), width: n.width, height: n.height }, wrapper.current, Math.max(flow.getZoom(), 0.85)), { duration: 250 });
    },
    [graph, position, flow],
  );
  useDebugFollow(debug, graph, position, flow, wrapper, center);

  /** Where a state added from the toolbar goes: the middle of the visible canvas, or below it where a state is drawn there. */
  const visibleCenter = useCallback((): Point | undefined => {
    const el = wrapper.current;
    if (!el) return undefined;
    const r = el.getBoundingClientRect();
    const inset = overlayInsets(el);
    const at = flow.screenToFlowPosition({ x: r.left + r.width / 2, y: r.top + inset.top + (r.height - inset.top - inset.bottom) / 2 });
    const taken = (graph?.nodes ?? []).map((n) => ({ ...position(n.name), width: n.width, height: n.height }));
    const spot = freeSpot({ x: at.x - NEW_STATE.width / 2, y: at.y - NEW_STATE.height / 2 }, NEW_STATE, taken);
    return { x: Math.round(spot.x), y: Math.round(spot.y) };
  }, [flow, graph, position]);
  const addState = useCallback((at?: Point) => dispatch({ type: 'addState', at: at ?? visibleCenter(), taskName: doc ? taskNameFor(doc.fileName) : undefined }), [dispatch, visibleCenter, doc]);

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
      if (!yaml.trim()) return;
      dispatch({ type: 'propose', proposal: { operation: { type: 'pasteStates', yaml, after: selection?.kind === 'state' ? selection.id : undefined }, label: 'Paste states' } });
    },
    [dispatch, selection],
  );

  const toggleBreakpoint = useCallback(
    (state: string) => {
      setBreakpoints((b) => {
        const next = new Set(b);
        if (next.has(state)) next.delete(state);
        else next.add(state);
        return next;
      });
      post({ type: 'toggleBreakpoint', state });
    },
    [post, setBreakpoints],
  );
  const nodeActions: NodeActions = useMemo(() => ({ toggleBreakpoint, openTask: (task) => post({ type: 'openTask', task }) }), [toggleBreakpoint, post]);

  const openMenu = (target: MenuTarget, x: number, y: number) => {
    const m = menuFor(target, { model, graph, readOnly, view, breakpoints, canPaste: !!clipboard.current, mod: isMac ? '⌘' : 'Ctrl+', dispatch, post, saveView, fit: () => fit(200), toggleDirection, relayout, copy: (id) => void copyState(id), paste: () => paste(''), toggleBreakpoint });
    if (m) setMenu({ x, y, ...m });
  };
  const openMenuRef = useRef(openMenu);
  openMenuRef.current = openMenu;
  const flowPoint = useCallback((x: number, y: number): Point => {
    const at = flow.screenToFlowPosition({ x, y });
    return { x: Math.round(at.x - 100), y: Math.round(at.y - 20) };
  }, [flow]);
  const edgeActions: EdgeActions = useMemo(
    () => ({
      select: selectEdge,
      contextMenu: (id: string, x: number, y: number) => {
        selectEdge(id);
        openMenuRef.current({ kind: 'edge', id, at: flowPoint(x, y) }, x, y);
      },
    }),
    [selectEdge, flowPoint],
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
      if (c.source && c.target && graph) dispatch({ type: 'connect', source: c.source, target: realTarget(graph, c.target) });
    },
    [dispatch, graph],
  );

  const onConnectStart = useCallback((_e: unknown, params: OnConnectStartParams) => {
    connectStart.current = params;
    connected.current = false;
    setConnectingFrom(params.nodeId ?? '');
  }, []);

  const onConnectEnd = useCallback(
    (e: MouseEvent | TouchEvent) => {
      setConnectingFrom(null);
      const start = connectStart.current;
      connectStart.current = null;
      if (connected.current || !start?.nodeId) return;
      const target = e.target as HTMLElement | null;
      if (!target?.closest?.('.react-flow') || target.closest('.react-flow__node, .react-flow__panel, .react-flow__edge, .sw-edge-label')) return;
      const pt = 'clientX' in e ? { x: e.clientX, y: e.clientY } : { x: e.changedTouches[0].clientX, y: e.changedTouches[0].clientY };
      const at = flow.screenToFlowPosition(pt);
      dispatch({ type: 'addState', at: { x: Math.round(at.x - 100), y: Math.round(at.y) }, after: start.nodeId, from: start.nodeId, taskName: doc ? taskNameFor(doc.fileName) : undefined });
    },
    [flow, dispatch, doc],
  );

  const onEdgeUpdate = useCallback(
    (old: Edge, c: Connection) => {
      connected.current = true;
      if (!c.target || !graph || c.source !== old.source) return;
      const to = realTarget(graph, c.target);
      if (to !== realTarget(graph, old.target)) dispatch({ type: 'retarget', edge: old.id, target: to });
    },
    [dispatch, graph],
  );

  const onPaneDoubleClick = useCallback(
    (e: ReactMouseEvent) => {
      if ((e.target as HTMLElement).classList.contains('react-flow__pane')) addState(flowPoint(e.clientX, e.clientY));
    },
    [addState, flowPoint],
  );

  useKeyboard({ wrapper, searchRef, menuOpen: !!menu, selection, graph, position, dispatch, post, center, copy: copyState, paste });

  const exportGraph = useCallback(() => {
    if (!graph) return;
    const svg = exportSvg({ graph, position, routes: layout?.routes ?? {}, direction, overlay: debug, title: good?.model.name ?? doc?.fileName ?? 'task' });
    svgToPng(svg).then(
      (png) => post({ type: 'export', svg, png }),
      (err: Error) => setToast({ kind: 'error', message: `The graph could not be exported: ${err.message}` }),
    );
  }, [graph, position, layout, direction, debug, good, doc, post, setToast]);

  const palette = usePaletteActions(dispatch, selection, flowPoint, visibleCenter, doc ? taskNameFor(doc.fileName) : undefined, kinds);
  const runCommand = useRef<(c: string) => void>(() => undefined);
  runCommand.current = (c: string) => {
    if (c === 'addState') addState();
    else if (c === 'fitView') fit(200);
    else if (c === 'relayout') relayout();
    else if (c === 'toggleDirection') toggleDirection();
    else if (c === 'find') searchRef.current?.focus();
    else if (c === 'exportGraph') exportGraph();
  };

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
  const selectedEdge = selection?.kind === 'edge' ? edges.find((e) => e.id === selection.id)?.data?.view : undefined;
  const edgeState = selectedEdge ? model?.states.find((s) => s.name === selectedEdge.source) : undefined;
  const propose = useCallback((operation: Proposal['operation'], label = 'Edit') => dispatch({ type: 'propose', proposal: { operation, label } }), [dispatch]);
  const fields = useMemo(() => ({ pending: designer.field, aliases: designer.aliases, dispatch, readOnly }), [designer.field, designer.aliases, dispatch, readOnly]);

  return (
    <FieldsContext.Provider value={fields}>
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
        <main className="sw-canvas" ref={wrapper} tabIndex={0} data-layout={layout?.engine ?? 'none'} data-busy={settling ? 'true' : 'false'} aria-busy={settling} aria-label={`Graph of ${good?.model.name ?? doc?.fileName ?? 'the task'}: ${graph?.nodes.length ?? 0} states. Arrow keys move the selection, F2 renames, Delete deletes, Enter shows the state in the text.`} onDoubleClick={onPaneDoubleClick}>
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
          {debug ? <RunBanner debug={debug} /> : null}
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
                onNodeDoubleClick={(_e, n) => model?.states.some((s) => s.name === n.id) && post({ type: 'reveal', state: n.id, focus: true })}
                onEdgeClick={(_e, ed) => selectEdge(ed.id)}
                onPaneClick={() => {
                  dispatch({ type: 'select', selection: null, reveal: false });
                  setMenu(null);
                }}
                onNodeContextMenu={(e, n) => {
                  e.preventDefault();
                  if (n.type === 'proxy') return;
                  selectState(n.id);
                  openMenu({ kind: 'state', id: n.id }, e.clientX, e.clientY);
                }}
                onEdgeContextMenu={(e, ed) => {
                  e.preventDefault();
                  edgeActions.contextMenu(ed.id, e.clientX, e.clientY);
                }}
                onPaneContextMenu={(e) => {
                  e.preventDefault();
                  openMenu({ kind: 'pane', at: flowPoint(e.clientX, e.clientY) }, e.clientX, e.clientY);
                }}
                onConnect={onConnect}
                onConnectStart={onConnectStart}
                onConnectEnd={onConnectEnd}
                onEdgeUpdate={onEdgeUpdate}
                onEdgeUpdateStart={(_e, ed) => {
                  connected.current = false;
                  setConnectingFrom(ed.source);
                }}
                onEdgeUpdateEnd={() => setConnectingFrom(null)}
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
                {minimap ? <MiniMap pannable zoomable ariaLabel="Overview of the graph" style={{ width: 168, height: 112 }} nodeClassName={(n) => `sw-mini${n.type === 'proxy' ? ' sw-mini-proxy' : ''}${(n.data as StateNodeProps).view.final ? ' sw-mini-final' : ''}${(n.data as StateNodeProps).view.missing ? ' sw-mini-missing' : ''}${n.selected ? ' sw-mini-selected' : ''}`} nodeBorderRadius={4} /> : null}
                <Panel position="top-left" className="sw-toolbar">
                  <Toolbar
                    readOnly={readOnly || !doc}
                    direction={direction}
                    busy={busy}
                    query={query}
                    matchCount={matches.length}
                    hit={hit}
                    minimap={minimap}
                    inspector={inspector}
                    searchRef={searchRef}
                    addState={() => addState()}
                    toggleDirection={toggleDirection}
                    relayout={relayout}
                    fit={() => fit(200)}
                    setQuery={setQuery}
                    findNext={findNext}
                    endSearch={() => {
                      setQuery('');
                      wrapper.current?.focus();
                    }}
                    openText={() => post({ type: 'openText' })}
                    exportGraph={exportGraph}
                    palette={panels.palette}
                    setPanel={setPanel}
                    coverage={{ available: coverage.available, shown: !!coverage.coverage }}
                    showCoverage={(show) => post({ type: 'showCoverage', show })}
                  />
                  {/* Under the toolbar however many rows it wraps to. */}
                  {doc && !readOnly && panels.palette ? <Palette offer={kinds} drop={palette.drop} apply={palette.apply} /> : null}
                </Panel>
              </ReactFlow>
            </EdgeActionsContext.Provider>
          </NodeActionsContext.Provider>
          {good && good.model.states.length === 0 ? <EmptyTask name={good.model.name} readOnly={readOnly} addState={() => addState()} /> : null}
          {toast ? <ToastView toast={toast} dismiss={() => setToast(null)} /> : null}
        </main>
        {inspector ? (
          <KindsContext.Provider value={kinds}>
            <aside className="sw-inspector" aria-label="Inspector">
              {model && selectedState ? (
                <StateInspector model={model} state={selectedState} propose={propose} readOnly={readOnly} debug={debug} />
              ) : model && edgeState && selectedEdge ? (
                <TransitionInspector model={model} state={edgeState} list={selectedEdge.list} index={selectedEdge.index} propose={propose} readOnly={readOnly} />
              ) : model ? (
                <TaskInspector model={model} fileName={doc?.fileName ?? ''} />
              ) : null}
            </aside>
          </KindsContext.Provider>
        ) : null}
        {menu ? <ContextMenu x={menu.x} y={menu.y} items={menu.items} label={menu.label} onClose={() => setMenu(null)} /> : null}
      </div>
    </FieldsContext.Provider>
  );
}
