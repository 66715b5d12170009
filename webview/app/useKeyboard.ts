// The canvas's keys (Delete/Backspace, F2, Enter, Escape, arrows, Ctrl+Z/Y/D/F) and the webview's
// undo, copy and paste outside text fields. Text fields own their keys (see TextInput).
import { useEffect, useRef, type RefObject } from 'react';
import { nearestInDirection, parseEdgeId, type GraphModel } from '../../engine/graph/model';
import type { Point, WebviewMessage } from '../protocol';
import type { Selection, UiEvent } from '../designer/step';

export const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);

export function isEditable(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.closest) return false;
  return !!el.closest('input, textarea, select, [contenteditable="true"], vscode-text-field, vscode-text-area, vscode-dropdown, .sw-menu');
}

export interface KeyContext {
  wrapper: RefObject<HTMLElement>;
  searchRef: RefObject<HTMLElement>;
  menuOpen: boolean;
  selection: Selection;
  graph: GraphModel | undefined;
  position(id: string): Point;
  dispatch(e: UiEvent): void;
  post(m: WebviewMessage): void;
  center(id: string): void;
  copy(state: string): string | undefined;
  paste(text: string): void;
}

export function useKeyboard(c: KeyContext): void {
  const latest = useRef(c);
  latest.current = c;

  useEffect(() => {
    const el = c.wrapper.current;
    if (!el) return;
    const onKeyDown = (e: KeyboardEvent) => {
      const { menuOpen, selection: sel, graph, dispatch, post, searchRef, position, center, wrapper } = latest.current;
      if (menuOpen || isEditable(e.target)) return;
      const mod = isMac ? e.metaKey : e.ctrlKey;
      const k = e.key;
      let handled = true;
      if (mod && (k === 'z' || k === 'Z') && !e.shiftKey) dispatch({ type: 'undo' });
      else if (mod && (k === 'y' || k === 'Y' || ((k === 'z' || k === 'Z') && e.shiftKey))) dispatch({ type: 'redo' });
      else if (mod && (k === 'd' || k === 'D') && sel?.kind === 'state') dispatch({ type: 'propose', proposal: { operation: { type: 'duplicateState', state: sel.id }, label: 'Duplicate state' } });
      else if (mod && (k === 'f' || k === 'F')) searchRef.current?.focus();
      else if (k === 'Delete' || k === 'Backspace') dispatch({ type: 'delete' });
      else if (k === 'F2' && sel?.kind === 'state') dispatch({ type: 'renameStart', state: sel.id });
      else if (k === 'Enter' && sel?.kind === 'state') post({ type: 'reveal', state: sel.id, focus: true });
      else if (k === 'Escape') dispatch({ type: 'select', selection: null, reveal: false });
      else if (k.startsWith('Arrow') && !mod && graph) {
        const boxes = new Map(graph.nodes.filter((n) => !n.proxyOf).map((n) => [n.name, { ...position(n.name), width: n.width, height: n.height }]));
        const from = sel?.kind === 'state' ? sel.id : sel?.kind === 'edge' ? parseEdgeId(sel.id)?.state : undefined;
        const next = from ? nearestInDirection(boxes, from, k === 'ArrowUp' ? 'up' : k === 'ArrowDown' ? 'down' : k === 'ArrowLeft' ? 'left' : 'right') : (graph.start ?? graph.nodes[0]?.name);
        if (next) {
          dispatch({ type: 'select', selection: { kind: 'state', id: next }, reveal: true });
          center(next);
          // Keyboard focus follows the selection (screen readers announce the node).
          requestAnimationFrame(() => (wrapper.current?.querySelector(`.react-flow__node[data-id="${CSS.escape(next)}"]`) as HTMLElement | null)?.focus({ preventScroll: true }));
        }
      } else handled = false;
      if (handled) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    // Capture, so that React Flow's own arrow-key moves and Backspace deletes never run.
    el.addEventListener('keydown', onKeyDown, true);
    return () => el.removeEventListener('keydown', onKeyDown, true);
  }, [c.wrapper]);

  useEffect(() => {
    // Undo/redo anywhere in the webview but text fields (they keep their own).
    const onGlobal = (e: KeyboardEvent) => {
      if (latest.current.wrapper.current?.contains(e.target as globalThis.Node) || isEditable(e.target)) return;
      const mod = isMac ? e.metaKey : e.ctrlKey;
      if (!mod) return;
      if (e.key === 'z' || e.key === 'Z') latest.current.dispatch({ type: e.shiftKey ? 'redo' : 'undo' });
      else if (e.key === 'y' || e.key === 'Y') latest.current.dispatch({ type: 'redo' });
      else return;
      e.preventDefault();
    };
    const onCopy = (e: ClipboardEvent) => {
      const sel = latest.current.selection;
      if (isEditable(e.target) || sel?.kind !== 'state') return;
      const snippet = latest.current.copy(sel.id);
      if (snippet && e.clipboardData) {
        e.clipboardData.setData('text/plain', snippet);
        e.preventDefault();
      }
    };
    const onPaste = (e: ClipboardEvent) => {
      if (isEditable(e.target)) return;
      const text = e.clipboardData?.getData('text/plain') ?? '';
      latest.current.paste(/^\s*[^\s#][^:\n]*:/m.test(text) ? text : '');
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
  }, []);
}
