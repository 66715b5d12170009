// Follows the debugger: the state the run is in is brought into view when it is outside it, or
// under the toolbar, the palette or the minimap.
import { useEffect, type RefObject } from 'react';
import type { ReactFlowInstance } from 'reactflow';
import type { GraphModel } from '../../engine/graph/model';
import type { DebugView, Point } from '../protocol';
import { overlayInsets } from './useLayout';

export function useDebugFollow(debug: DebugView | undefined, graph: GraphModel | undefined, position: (id: string) => Point, flow: ReactFlowInstance, wrapper: RefObject<HTMLElement>, center: (id: string) => void): void {
  useEffect(() => {
    const cur = debug?.active ? debug.current : undefined;
    const n = cur ? graph?.nodes.find((x) => x.name === cur) : undefined;
    if (!cur || !n || !wrapper.current) return;
    const p = position(cur);
    const vp = flow.getViewport();
    const r = wrapper.current.getBoundingClientRect();
    const inset = overlayInsets(wrapper.current);
    const sx = p.x * vp.zoom + vp.x;
    const sy = p.y * vp.zoom + vp.y;
    if (sx < inset.left || sy < inset.top || sx + n.width * vp.zoom > r.width - inset.right || sy + n.height * vp.zoom > r.height - inset.bottom) center(cur);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debug?.current, debug?.active]);
}
