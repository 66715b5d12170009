// The palette: a new state and each instruction kind the document offers (built-in ones in their
// groups, then its plugins' kinds), dragged onto the graph. Onto a state: the
// instruction is added to it; onto a transition: a new state (with the instruction) is inserted
// in it; onto the empty canvas: a new state with it, where it was dropped. Each drop is one edit
// (one undo step). The drag follows the pointer (a ghost shows what is carried); Enter on an item
// does the same for the selected state (or adds a state when none is selected). A plugin that is
// not loaded (Restricted Mode, a failed load) is shown disabled, its reason in its tooltip.
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Selection, UiEvent } from '../designer/step';
import type { KindGroup, KindOffer, OfferedKind, Point } from '../protocol';
import { GROUP_LABELS, newInstruction } from './kinds';
import { Icons, kindIcon } from './icons';

/** What a palette item is: a new state (NEW_STATE), or an instruction kind. */
export type PaletteItem = string;

/** The new-state item: no instruction kind is written so (kinds are lowercase letters, digits, '_' and '-'). */
const NEW_STATE = '+state';

const GROUPS: readonly KindGroup[] = ['core', 'fanout', 'integrations', 'plugins'];

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
export function usePaletteActions(dispatch: (e: UiEvent) => void, selection: Selection, flowPoint: (x: number, y: number) => Point, visibleCenter: () => Point | undefined, taskName: string | undefined, offer: KindOffer) {
  const drop = useCallback(
    (item: PaletteItem, target: DropTarget) => {
      const instruction = item === NEW_STATE ? undefined : newInstruction(item, offer);
      if (target.kind === 'state' && instruction) dispatch({ type: 'addInstruction', state: target.state, instruction });
      else if (target.kind === 'edge') dispatch({ type: 'insertOnEdge', edge: target.edge, instruction });
      else if (target.kind === 'canvas') dispatch({ type: 'addState', at: flowPoint(target.x, target.y), instruction, taskName });
    },
    [dispatch, flowPoint, taskName, offer],
  );
  const apply = useCallback(
    (item: PaletteItem) => {
      const instruction = item === NEW_STATE ? undefined : newInstruction(item, offer);
      if (selection?.kind === 'state' && instruction) dispatch({ type: 'addInstruction', state: selection.id, instruction });
      else dispatch({ type: 'addState', at: visibleCenter(), instruction, taskName });
    },
    [dispatch, selection, visibleCenter, taskName, offer],
  );
  return { drop, apply };
}

/** Plugin kinds share one icon: the kind's initial tells them apart at a glance. */
function pluginIcon(kind: string): ReactNode {
  return (
    <>
      {Icons.custom({ size: 16 })}
      <span className="sw-palette-initial" aria-hidden="true">
        {kind[0]}
      </span>
    </>
  );
}

function kindTitle(k: OfferedKind): string {
  const what = k.plugin ? `${k.kind} (plugin ${k.plugin})` : k.kind;
  return `${what}${k.description ? `: ${k.description}` : ''}. Drop it on a state to add it there, on the canvas for a new state with it`;
}

export function Palette({ offer, drop, apply }: { offer: KindOffer; drop(item: PaletteItem, target: DropTarget): void; apply(item: PaletteItem): void }) {
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
  const item = (key: string, title: string, label: string, icon: ReactNode) => (
    <button
      key={key}
      type="button"
      className="sw-palette-item"
      data-item={key}
      title={title}
      aria-label={label}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.preventDefault();
        setDrag({ item: key, x: e.clientX, y: e.clientY });
      }}
      onKeyDown={(e) => {
        if (e.key !== 'Enter' && e.key !== ' ') return;
        e.preventDefault();
        e.stopPropagation();
        apply(key);
      }}
    >
      {icon}
    </button>
  );
  const group = (label: string, items: ReactNode[]) =>
    items.length ? (
      <div key={label} className="sw-palette-group" role="group" aria-label={label}>
        {items}
      </div>
    ) : null;
  const unavailable = (offer.unavailable?.plugins ?? []).map((spec) => (
    <button key={spec} type="button" className="sw-palette-item sw-palette-unavailable" data-item={spec} aria-disabled="true" aria-label={`Plugin ${spec}, not loaded`} title={`${spec}: not loaded. ${offer.unavailable!.reason}`}>
      {Icons.custom({ size: 16 })}
    </button>
  ));
  return (
    <div className="sw-palette" role="toolbar" aria-label="Palette: drag onto a state, a transition or the canvas" aria-orientation="vertical">
      {group('New', [item(NEW_STATE, 'New state: drop it on the canvas, or on a transition to insert it there', 'New state', Icons.add({ size: 16 }))])}
      {GROUPS.map((g) =>
        group(GROUP_LABELS[g], [
          ...offer.kinds.filter((k) => k.group === g).map((k) => item(k.kind, kindTitle(k), `${k.kind} instruction`, k.plugin ? pluginIcon(k.kind) : kindIcon(k.kind, { size: 16 }))),
          ...(g === 'plugins' ? unavailable : []),
        ]),
      )}
      {drag ? (
        <div className="sw-palette-ghost" style={{ left: drag.x + 8, top: drag.y + 8 }} aria-hidden="true">
          {drag.item === NEW_STATE ? 'new state' : drag.item}
        </div>
      ) : null}
    </div>
  );
}
