// A transition on the canvas: ELK's orthogonal route while both ends are where ELK put them (drawn
// with rounded corners), else an orthogonal detour around the nodes in between (engine/graph/detour.ts);
// the label says the kind and condition. A catch is a chip under its state (engine/graph/catches.ts)
// until it is hovered, selected, touches the selected state or was taken by the run shown.
import { createContext, memo, useCallback, useContext, useState } from 'react';
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, useStore, type EdgeProps, type ReactFlowState } from 'reactflow';
import { catchBadge, catchChipText } from '../../engine/graph/catches';
import { detour } from '../../engine/graph/detour';
import { midpoint, roundedPath, selfLoop, snapRoute } from '../../engine/graph/paths';
import type { Box } from '../layout/fit';
import { FAR_ZOOM } from './StateNode';
import type { TransitionEdgeData } from '../../engine/graph/model';
import type { EdgeRoute } from '../../engine/graph/layout';
import type { Point } from '../protocol';

export interface TransitionEdgeProps {
  view: TransitionEdgeData;
  route?: EdgeRoute;
  taken: boolean;
  /** The edge touches the selected state. */
  related: boolean;
}

// React Flow's handle points sit a few pixels outside the node (its handles straddle the border);
// ELK's ports sit on it. Within this distance the route is ELK's, its ends moved onto the handles.
const CLOSE = 8;

function near(a: Point, x: number, y: number): boolean {
  return Math.abs(a.x - x) <= CLOSE && Math.abs(a.y - y) <= CLOSE;
}

function sameBoxes(a: Box[] | undefined, b: Box[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((x, i) => x.x === b[i].x && x.y === b[i].y && x.width === b[i].width && x.height === b[i].height);
}

export interface EdgeActions {
  select(id: string): void;
  contextMenu(id: string, x: number, y: number): void;
}

export const EdgeActionsContext = createContext<EdgeActions>({ select() {}, contextMenu() {} });

function TransitionEdgeView({ id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected }: EdgeProps<TransitionEdgeProps>) {
  const { select, contextMenu } = useContext(EdgeActionsContext);
  const far = useStore((s) => s.transform[2] < FAR_ZOOM);
  const [hovered, setHovered] = useState(false);
  const folded = data?.view.list === 'catch' && !(selected || data.related || data.taken || hovered);
  const needsDetour = !!data && !folded && source !== target && !(data.route && data.route.points.length >= 2 && near(data.route.points[0], sourceX, sourceY) && near(data.route.points[data.route.points.length - 1], targetX, targetY));
  // The other nodes' boxes, for an edge ELK did not route (not on large graphs: a detour per edge
  // over every node would cost more than it shows).
  const obstacles = useStore(
    useCallback(
      (s: ReactFlowState): Box[] | undefined => {
        if (!needsDetour || s.nodeInternals.size > 300) return undefined;
        return [...s.nodeInternals.values()].filter((n) => n.id !== source && n.id !== target && n.width && n.height).map((n) => ({ x: n.positionAbsolute?.x ?? n.position.x, y: n.positionAbsolute?.y ?? n.position.y, width: n.width!, height: n.height! }));
      },
      [needsDetour, source, target],
    ),
    sameBoxes,
  );
  if (!data) return null;
  const { view, route, taken } = data;
  const badge = view.list === 'catch' ? catchBadge({ x: sourceX, y: sourceY }, view.index, sourcePosition === 'bottom' ? 'DOWN' : 'RIGHT') : undefined;
  let path: string;
  let label: Point;
  if (badge && folded) {
    path = roundedPath(badge.stub, 4);
    label = badge.anchor;
  } else if (route && route.points.length >= 2 && near(route.points[0], sourceX, sourceY) && near(route.points[route.points.length - 1], targetX, targetY)) {
    const points = snapRoute(route.points, { x: sourceX, y: sourceY }, { x: targetX, y: targetY });
    path = roundedPath(points);
    label = route.label ?? midpoint(points);
  } else if (source === target) {
    const loop = selfLoop(sourceX, sourceY, targetX, targetY, sourcePosition === 'bottom');
    path = loop.path;
    label = loop.label;
  } else if (obstacles) {
    const points = detour({ x: sourceX, y: sourceY }, { x: targetX, y: targetY }, obstacles, sourcePosition === 'bottom');
    path = roundedPath(points);
    label = midpoint(points);
  } else {
    const [p, lx, ly] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 8, offset: 18 });
    path = p;
    label = { x: lx, y: ly };
  }
  const marker = folded ? undefined : selected ? 'sw-arrow-selected' : view.kind === 'catch' ? 'sw-arrow-catch' : taken ? 'sw-arrow-taken' : 'sw-arrow';
  // The chip stays where it is when the route unfolds: the mouse that unfolded it is still on it.
  const at = badge ? badge.anchor : label;
  const shift = badge ? (badge.align === 'right' ? '-100%' : '0') : '-50%';
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={marker && `url(#${marker})`} interactionWidth={far ? 0 : 14} />
      {view.label && !far ? (
        <EdgeLabelRenderer>
          <div
            className={`nodrag nopan sw-edge-label sw-edge-label-${view.kind}${badge ? ' sw-catch-chip' : ''}${selected ? ' sw-edge-label-selected' : ''}${taken ? ' sw-edge-label-taken' : ''}`}
            style={{ transform: `translate(${shift}, -50%) translate(${at.x}px, ${at.y}px)` }}
            title={badge ? `${view.title} → ${view.hub ?? view.target}` : view.title}
            data-edge={id}
            onMouseEnter={badge ? () => setHovered(true) : undefined}
            onMouseLeave={badge ? () => setHovered(false) : undefined}
            onClick={(e) => {
              e.stopPropagation();
              select(id);
            }}
            onContextMenu={(e) => {
              e.preventDefault();
              e.stopPropagation();
              contextMenu(id, e.clientX, e.clientY);
            }}
          >
            {badge ? catchChipText(view) : view.label}
          </div>
        </EdgeLabelRenderer>
      ) : null}
      {far ? null : <title>{`${view.source} → ${view.hub ?? view.target}${view.title ? `: ${view.title}` : ''}`}</title>}
    </>
  );
}

export const TransitionEdge = memo(TransitionEdgeView);
