// A transition on the canvas: ELK's orthogonal route while both ends are where ELK put them (drawn
// with rounded corners), else an orthogonal detour around the nodes in between (layout/detour.ts);
// the label says the kind and condition.
import { createContext, memo, useCallback, useContext } from 'react';
import { BaseEdge, EdgeLabelRenderer, getSmoothStepPath, useStore, type EdgeProps, type ReactFlowState } from 'reactflow';
import { detour } from '../layout/detour';
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

/** An SVG path through orthogonal points with rounded corners. */
export function roundedPath(points: Point[], radius = 8): string {
  if (points.length < 2) return '';
  let d = `M${points[0].x},${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i - 1];
    const c = points[i];
    const n = points[i + 1];
    const r = Math.min(radius, Math.hypot(c.x - p.x, c.y - p.y) / 2, Math.hypot(n.x - c.x, n.y - c.y) / 2);
    // Sub-pixel differences (React Flow's handle positions carry float noise) are no turn.
    const sgn = (v: number) => (Math.abs(v) < 0.5 ? 0 : Math.sign(v));
    const a = { x: c.x + sgn(p.x - c.x) * r, y: c.y + sgn(p.y - c.y) * r };
    const b = { x: c.x + sgn(n.x - c.x) * r, y: c.y + sgn(n.y - c.y) * r };
    d += ` L${a.x},${a.y} Q${c.x},${c.y} ${b.x},${b.y}`;
  }
  const last = points[points.length - 1];
  return `${d} L${last.x},${last.y}`;
}

function midpoint(points: Point[]): Point {
  let total = 0;
  for (let i = 1; i < points.length; i++) total += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  let half = total / 2;
  for (let i = 1; i < points.length; i++) {
    const len = Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
    if (half <= len && len > 0) {
      const t = half / len;
      return { x: points[i - 1].x + (points[i].x - points[i - 1].x) * t, y: points[i - 1].y + (points[i].y - points[i - 1].y) * t };
    }
    half -= len;
  }
  return points[0];
}

/** A loop from a node's output back to its own input, around its side. */
function selfLoop(sx: number, sy: number, tx: number, ty: number, down: boolean): { path: string; label: Point } {
  if (down) {
    const side = Math.max(sx, tx) + 120;
    return { path: roundedPath([{ x: sx, y: sy }, { x: sx, y: sy + 20 }, { x: side, y: sy + 20 }, { x: side, y: ty - 20 }, { x: tx, y: ty - 20 }, { x: tx, y: ty }], 10), label: { x: side, y: (sy + ty) / 2 } };
  }
  const side = Math.max(sy, ty) + 80;
  return { path: roundedPath([{ x: sx, y: sy }, { x: sx + 20, y: sy }, { x: sx + 20, y: side }, { x: tx - 20, y: side }, { x: tx - 20, y: ty }, { x: tx, y: ty }], 10), label: { x: (sx + tx) / 2, y: side } };
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
  const needsDetour = !!data && source !== target && !(data.route && data.route.points.length >= 2 && near(data.route.points[0], sourceX, sourceY) && near(data.route.points[data.route.points.length - 1], targetX, targetY));
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
  const { view, route, taken, related } = data;
  let path: string;
  let label: Point;
  if (route && route.points.length >= 2 && near(route.points[0], sourceX, sourceY) && near(route.points[route.points.length - 1], targetX, targetY)) {
    const points = route.points.map((p) => ({ ...p }));
    const last = points.length - 1;
    const vertical = Math.abs(points[0].x - points[1].x) < 0.5;
    points[0] = { x: sourceX, y: sourceY };
    if (vertical) points[1] = { x: sourceX, y: points[1].y };
    else points[1] = { x: points[1].x, y: sourceY };
    const endVertical = Math.abs(points[last].x - points[last - 1].x) < 0.5;
    points[last] = { x: targetX, y: targetY };
    if (last - 1 > 0) points[last - 1] = endVertical ? { x: targetX, y: points[last - 1].y } : { x: points[last - 1].x, y: targetY };
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
  void related;
  const marker = selected ? 'sw-arrow-selected' : view.kind === 'catch' ? 'sw-arrow-catch' : taken ? 'sw-arrow-taken' : 'sw-arrow';
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={`url(#${marker})`} interactionWidth={far ? 0 : 14} />
      {view.label && !far ? (
        <EdgeLabelRenderer>
          <div
            className={`nodrag nopan sw-edge-label sw-edge-label-${view.kind}${selected ? ' sw-edge-label-selected' : ''}${taken ? ' sw-edge-label-taken' : ''}`} style={{ transform: `translate(-50%, -50%) translate(${label.x}px, ${label.y}px)` }} title={view.title}
            data-edge={id}
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
            {view.label}
          </div>
        </EdgeLabelRenderer>
      ) : null}
      {far ? null : <title>{`${view.source} → ${view.hub ?? view.target}${view.title ? `: ${view.title}` : ''}`}</title>}
    </>
  );
}

export const TransitionEdge = memo(TransitionEdgeView);
