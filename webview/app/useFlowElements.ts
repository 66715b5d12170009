// React Flow's nodes and edges for the graph: positions from the layout, selection, search
// matches, breakpoints, the debugger's picture and test coverage as node and edge data.
import { useMemo } from 'react';
import type { Edge, Node } from 'reactflow';
import { edgeTaken, nodeDebug, type GraphModel } from '../../engine/graph/model';
import { edgeHits, stateHits, type GraphCoverage } from '../../engine/graph/coverage';
import type { LayoutResult } from '../../engine/graph/layout';
import type { DebugView, LayoutDirection, Point } from '../protocol';
import type { Selection } from '../designer/step';
import type { ProxyNodeProps, StateNodeProps } from './StateNode';
import type { TransitionEdgeProps } from './TransitionEdge';

export interface FlowInputs {
  graph: GraphModel | undefined;
  position(id: string): Point;
  layout: LayoutResult | undefined;
  selection: Selection;
  renaming: string | null;
  /** The state a connection being dragged comes from (null: none is). */
  connectingFrom: string | null;
  readOnly: boolean;
  direction: LayoutDirection;
  debug: DebugView | undefined;
  /** Test coverage to paint (null: not asked for). */
  coverage: GraphCoverage | null;
  breakpoints: ReadonlySet<string>;
  matches: ReadonlySet<string>;
}

export function useFlowElements({ graph, position, layout, selection, renaming, connectingFrom, readOnly, direction, debug, coverage, breakpoints, matches }: FlowInputs) {
  const nodes: Node<StateNodeProps | ProxyNodeProps>[] = useMemo(() => {
    if (!graph) return [];
    // The state the connection comes from is no drop target, so a short drag cannot make a loop by accident; its input point still takes one.
    const dropTarget = (n: { name: string; proxyOf?: string }) => connectingFrom !== null && !readOnly && (n.proxyOf ?? n.name) !== connectingFrom;
    return graph.nodes.map((n) =>
      n.proxyOf
        ? { id: n.name, type: 'proxy', position: position(n.name), data: { view: n, direction, dropTarget: dropTarget(n) }, draggable: true, connectable: !readOnly, deletable: false, width: n.width, height: n.height, ariaLabel: `Reference to state ${n.proxyOf}` }
        : {
            id: n.name,
            type: 'state',
            position: position(n.name),
            data: { view: n, debug: nodeDebug(debug, n.name), coverage: stateHits(coverage, n.name), breakpoint: breakpoints.has(n.name), direction, renaming: renaming === n.name, dropTarget: dropTarget(n), readOnly, match: matches.has(n.name) },
            selected: selection?.kind === 'state' && selection.id === n.name,
            draggable: true,
            connectable: !readOnly && !n.missing,
            deletable: false,
            width: n.width,
            height: n.height,
            ariaLabel: `State ${n.name}`,
          },
    );
  }, [graph, position, debug, coverage, breakpoints, direction, renaming, connectingFrom, readOnly, matches, selection]);

  const edges: Edge<TransitionEdgeProps>[] = useMemo(() => {
    if (!graph) return [];
    const selectedState = selection?.kind === 'state' ? selection.id : undefined;
    return graph.edges.map((e) => {
      const taken = edgeTaken(debug, e);
      const related = !!selectedState && (e.source === selectedState || e.target === selectedState);
      const hits = edgeHits(coverage, e.id);
      const classes = ['sw-edge', `sw-edge-${e.kind}`];
      if (e.dashed) classes.push('sw-dashed');
      if (taken) classes.push('sw-edge-taken');
      if (related) classes.push('sw-edge-related');
      if (hits !== undefined) classes.push(hits ? 'sw-edge-covered' : 'sw-edge-uncovered');
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
        ariaLabel: `${e.list === 'catch' ? 'Catch' : 'Transition'} from ${e.source} to ${e.hub ?? e.target}${e.title && e.label ? `, ${e.title}` : ''}${hits === undefined ? '' : hits ? `, taken ${hits} time${hits > 1 ? 's' : ''} by the tests` : ', not covered by the tests'}`,
        updatable: readOnly ? false : 'target',
        deletable: false,
        focusable: true,
      } satisfies Edge<TransitionEdgeProps>;
    });
  }, [graph, debug, coverage, layout, selection, readOnly]);

  return { nodes, edges };
}
