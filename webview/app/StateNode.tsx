// A state on the canvas: name, start marker, final status, description, instruction rows with
// icons by kind (a parallel's or map's lanes below its row), a diagnostics badge (messages on
// hover or focus), a breakpoint dot, and the tests' coverage when it is painted.
import { createContext, Fragment, memo, useContext } from 'react';
import { Handle, Position, useStore, type NodeProps } from 'reactflow';
import type { NodeDebug, NodeDiagnostic, StateNodeData } from '../../engine/graph/model';
import type { LayoutDirection } from '../protocol';
import { nameCheck, RENAME_FIELD, type FieldCommit } from '../designer/step';
import { FanoutLanes } from './FanoutLanes';
import { Icons, kindIcon } from './icons';
import { TextInput } from './TextInput';
import { visitSummary } from './RunPanel';

export interface StateNodeProps {
  view: StateNodeData;
  debug?: NodeDebug;
  /** Times the test cases entered the state, when coverage is painted and knows the state. */
  coverage?: number;
  breakpoint: boolean;
  direction: LayoutDirection;
  renaming: boolean;
  /** A connection is being dragged to here: the whole node is a drop target. */
  dropTarget: boolean;
  readOnly: boolean;
  /** Matches the search. */
  match: boolean;
}

export interface NodeActions {
  toggleBreakpoint(state: string): void;
  /** Opens the graph of a task a lane calls (its path as the `call` writes it). */
  openTask(task: string): void;
}

export const NodeActionsContext = createContext<NodeActions>({ toggleBreakpoint() {}, openTask() {} });

function worst(list: NodeDiagnostic[]): 'error' | 'warning' | 'info' {
  if (list.some((d) => d.severity === 'error')) return 'error';
  if (list.some((d) => d.severity === 'warning')) return 'warning';
  return 'info';
}

function DiagnosticsBadge({ list, state }: { list: NodeDiagnostic[]; state: string }) {
  const w = worst(list);
  const icon = w === 'error' ? Icons.error({ size: 13 }) : w === 'warning' ? Icons.warning({ size: 13 }) : Icons.info({ size: 13 });
  const summary = list.map((d) => `${d.severity}: ${d.message}`).join('\n');
  return (
    <span className={`sw-diag sw-diag-${w} nodrag`} tabIndex={0} role="button" aria-label={`${list.length} problem${list.length > 1 ? 's' : ''} in ${state}: ${summary}`}>
      {icon}
      <span className="sw-diag-count">{list.length}</span>
      <span className="sw-tooltip" role="tooltip">
        {list.map((d, i) => (
          <span key={i} className={`sw-tooltip-row sw-diag-${d.severity}`}>
            {d.severity === 'error' ? Icons.error({ size: 13 }) : d.severity === 'warning' ? Icons.warning({ size: 13 }) : Icons.info({ size: 13 })}
            <span>
              {d.message} <span className="sw-tooltip-code">{d.code}</span>
            </span>
          </span>
        ))}
      </span>
    </span>
  );
}

/** The state's name as a field on the node (F2): Enter or leaving it renames, Escape does not. */
function RenameInput({ name }: { name: string }) {
  const commit: FieldCommit = (v, element, elements) => {
    const problem = nameCheck(v, element.id, elements.states);
    if (problem) return { error: problem };
    return v.trim() === element.id ? undefined : { operation: { type: 'renameState', state: element.id, newName: v.trim() }, label: 'Rename state' };
  };
  return <TextInput field={RENAME_FIELD} element={{ kind: 'state', id: name }} label={`New name for state ${name}`} value={name} commit={commit} className="sw-rename nodrag" visibleLabel={false} autoFocus />;
}

/** The tests' hits of a state: a count, or "not covered" (the node is drawn dashed and dimmed too). */
function CoverageChip({ hits }: { hits: number }) {
  return hits ? (
    <span className="sw-chip sw-cov-hits" title={`Entered ${hits} time${hits > 1 ? 's' : ''} by the test cases`}>
      {Icons.succeeded({ size: 11 })}
      {hits}
    </span>
  ) : (
    <span className="sw-chip sw-cov-none" title="No test case enters this state">
      not covered
    </span>
  );
}

/** Below this zoom, nodes draw their name and markers only, and edges no labels (level of detail). */
export const FAR_ZOOM = 0.35;
const farSelector = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;

function StateNodeView({ data, selected }: NodeProps<StateNodeProps>) {
  const actions = useContext(NodeActionsContext);
  const far = useStore(farSelector);
  const { view, debug, coverage, breakpoint, direction, renaming, dropTarget, readOnly, match } = data;
  const down = direction === 'DOWN';
  const classes = ['sw-node'];
  if (view.final) classes.push('sw-final', `sw-status-${view.status ?? 'succeeded'}`);
  if (view.isStart) classes.push('sw-start');
  if (view.missing) classes.push('sw-missing');
  if (selected) classes.push('sw-selected');
  if (match) classes.push('sw-match');
  if (debug?.current) classes.push('sw-current');
  if (debug?.visited) classes.push('sw-visited');
  if (debug?.failed) classes.push('sw-failed');
  if (coverage !== undefined) classes.push(coverage ? 'sw-covered' : 'sw-uncovered');
  const statusIcon = view.status === 'failed' ? Icons.failed({ size: 13 }) : view.status === 'cancelled' ? Icons.cancelled({ size: 13 }) : Icons.succeeded({ size: 13 });
  const label = [
    `State ${view.name}`,
    view.isStart ? 'start state' : '',
    view.final ? `final, ${view.status ?? 'succeeded'}` : '',
    view.missing ? 'not declared' : '',
    breakpoint ? 'breakpoint set' : '',
    debug?.current ? 'current state of the debugged run' : '',
    debug?.count ? `entered ${debug.count} time${debug.count > 1 ? 's' : ''} in the run` : '',
    debug?.failed ? 'the run failed here' : '',
    coverage === undefined ? '' : coverage ? `entered ${coverage} time${coverage > 1 ? 's' : ''} by the tests` : 'not covered by the tests',
    view.diagnostics.length ? `${view.diagnostics.length} problems` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <div className={classes.join(' ')} style={{ width: view.width, height: view.height }} aria-label={label} data-state={view.name} data-visits={debug?.shown ? (debug.count ?? 0) : undefined} data-covered={coverage === undefined ? undefined : String(coverage > 0)} data-hits={coverage} title={view.description ?? undefined}>
      <Handle type="target" id="in" position={down ? Position.Top : Position.Left} className="sw-handle sw-handle-in" isConnectableStart={false} />
      {dropTarget ? <Handle type="target" id="drop" position={down ? Position.Top : Position.Left} className="sw-drop-target" isConnectableStart={false} /> : null}
      <div className="sw-node-header">
        {!view.missing ? (
          <button
            type="button"
            className={`sw-bp nodrag${breakpoint ? ' sw-bp-on' : ''}`}
            aria-label={`${breakpoint ? 'Remove' : 'Add'} breakpoint on ${view.name}`}
            aria-pressed={breakpoint}
            title={breakpoint ? 'Remove breakpoint' : 'Add breakpoint'}
            onClick={(e) => {
              e.stopPropagation();
              actions.toggleBreakpoint(view.name);
            }}
            onDoubleClick={(e) => e.stopPropagation()}
          />
        ) : null}
        {view.isStart ? (
          <span className="sw-start-chip" title="The start state">
            {Icons.start({ size: 10 })}
          </span>
        ) : null}
        {renaming ? <RenameInput name={view.name} /> : <span className="sw-node-name">{view.missing ? `${view.name}?` : view.name}</span>}
        {debug?.count ? (
          <span className="sw-chip sw-count" title={visitSummary(debug.info, debug.count)}>
            ×{debug.count}
          </span>
        ) : null}
        {coverage !== undefined ? <CoverageChip hits={coverage} /> : null}
        {view.timeout ? (
          <span className="sw-chip" title={`Timeout ${view.timeout}`}>
            {Icons.timer({ size: 12 })}
            {view.timeout}
          </span>
        ) : null}
        {view.final ? (
          <span className={`sw-status sw-status-${view.status ?? 'succeeded'}`} title={`Final: ${view.status ?? 'succeeded'}`}>
            {statusIcon}
          </span>
        ) : null}
        {view.diagnostics.length ? <DiagnosticsBadge list={view.diagnostics} state={view.name} /> : null}
      </div>
      {view.description && !far ? <div className="sw-node-desc">{view.description}</div> : null}
      {view.instructions.length && !far ? (
        <ul className="sw-node-rows" aria-label={`Instructions of ${view.name}`}>
          {view.instructions.map((r) => (
            <Fragment key={r.index}>
              <li className={`sw-row sw-kind-${r.kind}`}>
                {kindIcon(r.kind, { size: 14 })}
                <span className="sw-row-kind">{r.kind}</span>
                <span className="sw-row-summary">{r.summary}</span>
              </li>
              {r.fanout ? <FanoutLanes view={r.fanout} state={view.name} index={r.index} run={debug?.fanouts?.[r.index]} openTask={actions.openTask} /> : null}
            </Fragment>
          ))}
          {view.moreInstructions ? <li className="sw-row sw-more">+{view.moreInstructions} more</li> : null}
        </ul>
      ) : null}
      {!view.final && !view.missing ? <Handle type="source" id="out" position={down ? Position.Bottom : Position.Right} className="sw-handle sw-handle-out" aria-label={`Drag to connect ${view.name} to another state`} /> : <Handle type="source" id="out" position={down ? Position.Bottom : Position.Right} className="sw-handle sw-handle-out sw-handle-hidden" isConnectable={false} />}
    </div>
  );
}

export const StateNode = memo(StateNodeView);

export interface ProxyNodeProps {
  view: StateNodeData;
  direction: LayoutDirection;
  dropTarget: boolean;
}

/** A reference chip standing for a busy state next to one of its sources (`→ failed`). */
function ProxyNodeView({ data }: NodeProps<ProxyNodeProps>) {
  const { view, direction, dropTarget } = data;
  const down = direction === 'DOWN';
  const classes = ['sw-proxy'];
  if (view.final) classes.push('sw-final', `sw-status-${view.status ?? 'succeeded'}`);
  if (view.missing) classes.push('sw-missing');
  return (
    <div className={classes.join(' ')} style={{ width: view.width, height: view.height }} title={`Goes to ${view.proxyOf} (click to show it)`} aria-label={`Reference to state ${view.proxyOf}`}>
      <Handle type="target" id="in" position={down ? Position.Top : Position.Left} className="sw-handle sw-handle-in" isConnectableStart={false} />
      {dropTarget ? <Handle type="target" id="drop" position={down ? Position.Top : Position.Left} className="sw-drop-target" isConnectableStart={false} /> : null}
      <span className="sw-proxy-arrow">→</span>
      <span className="sw-proxy-name">{view.proxyOf}</span>
    </div>
  );
}

export const ProxyNode = memo(ProxyNodeView);
