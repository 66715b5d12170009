// The palette: a new state and each instruction kind, dragged onto the graph. Onto a state: the
// instruction is added to it; onto a transition: a new state (with the instruction) is inserted
// in it; onto the empty canvas: a new state with it, where it was dropped. Each drop is one edit
// (one undo step). The drag follows the pointer (a ghost shows what is carried); Enter on an item
// does the same for the selected state (or adds a state when none is selected).
import { useCallback, useEffect, useState } from 'react';
import type { Selection, UiEvent } from '../designer/step';
import type { Point } from '../protocol';
import { defaultInstruction, KINDS } from './InspectorFields';
import { Icons, kindIcon } from './icons';

/** What a palette item is: a new state, or an instruction kind. */
export type PaletteItem = 'state' | (typeof KINDS)[number];

export const PALETTE: readonly PaletteItem[] = ['state', ...KINDS];

/** Where an item was dropped, found from the element under the pointer. */
export type DropTarget = { kind: 'state'; state: string } | { kind: 'edge'; edge: string } | { kind: 'canvas'; x: number; y: number } | { kind: 'none' };

export function dropTarget(el: Element | null, x: number, y: number): DropTarget {
  const node = el?.closest('.react-flow__node-state');
  const state = node?.getAttribute('data-id');
  if (node && state && !node.querySelector('.sw-missing')) return { kind: 'state', state };
  const label = el?.closest('.sw-edge-label')?.getAttribute('data-edge');
  if (label) return { kind: 'edge', edge: label };
  const edge = el?.closest('.react-flow__edge')?.getAttribute('data-testid');
  if (edge?.startsWith('rf__edge-')) return { kind: 'edge', edge: edge.slice('rf__edge-'.length) };
  if (el?.closest('.react-flow__pane')) return { kind: 'canvas', x, y };
  return { kind: 'none' };
}

/** What a drop (or Enter on an item) does: designer events, each proposing one edit. */
export function usePaletteActions(dispatch: (e: UiEvent) => void, selection: Selection, flowPoint: (x: number, y: number) => Point, visibleCenter: () => Point | undefined, taskName: string | undefined) {
  const drop = useCallback(
    (item: PaletteItem, target: DropTarget) => {
      const instruction = item === 'state' ? undefined : defaultInstruction(item);
      if (target.kind === 'state' && instruction) dispatch({ type: 'addInstruction', state: target.state, instruction });
      else if (target.kind === 'edge') dispatch({ type: 'insertOnEdge', edge: target.edge, instruction });
      else if (target.kind === 'canvas') dispatch({ type: 'addState', at: flowPoint(target.x, target.y), instruction, taskName });
    },
    [dispatch, flowPoint, taskName],
  );
  const apply = useCallback(
    (item: PaletteItem) => {
      const instruction = item === 'state' ? undefined : defaultInstruction(item);
      if (selection?.kind === 'state' && instruction) dispatch({ type: 'addInstruction', state: selection.id, instruction });
      else dispatch({ type: 'addState', at: visibleCenter(), instruction, taskName });
    },
    [dispatch, selection, visibleCenter, taskName],
  );
  return { drop, apply };
}

export function Palette({ drop, apply }: { drop(item: PaletteItem, target: DropTarget): void; apply(item: PaletteItem): void }) {
  const [drag, setDrag] = useState<{ item: PaletteItem; x: number; y: number } | null>(null);
  useEffect(() => {
    if (!drag) return;
    const move = (e: PointerEvent) => setDrag((d) => d && { ...d, x: e.clientX, y: e.clientY });
    const up = (e: PointerEvent) => {
      setDrag(null);
      drop(drag.item, dropTarget(document.elementFromPoint(e.clientX, e.clientY), e.clientX, e.clientY));
    };
    const cancel = (e: KeyboardEvent) => e.key === 'Escape' && setDrag(null);
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up, { once: true });
    window.addEventListener('keydown', cancel);
    return () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('keydown', cancel);
    };
    // A new drag (another item) restarts the listeners; moves only update the ghost.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [drag?.item, drop]);
  return (
    <div className="sw-palette" role="toolbar" aria-label="Palette: drag onto a state, a transition or the canvas" aria-orientation="vertical">
      {PALETTE.map((item) => (
        <button
          key={item}
          type="button"
          className="sw-palette-item"
          data-item={item}
          title={item === 'state' ? 'New state: drop it on the canvas, or on a transition to insert it there' : `${item}: drop it on a state to add it there, on the canvas for a new state with it`}
          aria-label={item === 'state' ? 'New state' : `${item} instruction`}
          onPointerDown={(e) => {
            if (e.button !== 0) return;
            e.preventDefault();
            setDrag({ item, x: e.clientX, y: e.clientY });
          }}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' && e.key !== ' ') return;
            e.preventDefault();
            e.stopPropagation();
            apply(item);
          }}
        >
          {item === 'state' ? Icons.add({ size: 16 }) : kindIcon(item, { size: 16 })}
        </button>
      ))}
      {drag ? (
        <div className="sw-palette-ghost" style={{ left: drag.x + 8, top: drag.y + 8 }} aria-hidden="true">
          {drag.item === 'state' ? 'new state' : drag.item}
        </div>
      ) : null}
    </div>
  );
}
