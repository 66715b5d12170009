// The context menus of the canvas, a state and a transition: each item is a designer event (so a
// pending field edit resolves first) or a view command.
import { parseEdgeId, type GraphModel } from '../../engine/graph/model';
import type { EditOperation } from '../../engine/edit/types';
import type { GraphViewState, Point, TaskOutline, WebviewMessage } from '../protocol';
import type { UiEvent } from '../designer/step';
import type { MenuEntry } from './ContextMenu';

export type MenuTarget = { kind: 'pane'; at: Point } | { kind: 'state'; id: string } | { kind: 'edge'; id: string; at: Point };

export interface MenuContext {
  model: TaskOutline | undefined;
  graph: GraphModel | undefined;
  readOnly: boolean;
  view: GraphViewState;
  breakpoints: ReadonlySet<string>;
  canPaste: boolean;
  mod: string;
  dispatch(e: UiEvent): void;
  post(m: WebviewMessage): void;
  saveView(v: GraphViewState): void;
  fit(): void;
  toggleDirection(): void;
  relayout(): void;
  copy(state: string): void;
  paste(): void;
  toggleBreakpoint(state: string): void;
}

export function menuFor(target: MenuTarget, c: MenuContext): { items: MenuEntry[]; label: string } | undefined {
  const propose = (operation: EditOperation, label: string) => c.dispatch({ type: 'propose', proposal: { operation, label } });
  const ro = c.readOnly;
  if (target.kind === 'pane') {
    return {
      label: 'Canvas',
      items: [
        { label: 'Add State Here', run: () => c.dispatch({ type: 'addState', at: target.at }), disabled: ro },
        { label: 'Paste', run: c.paste, keybinding: `${c.mod}V`, disabled: ro || !c.canPaste },
        'separator',
        { label: 'Fit to View', run: c.fit },
        { label: c.view.direction === 'DOWN' ? 'Lay Out Left to Right' : 'Lay Out Top to Bottom', run: c.toggleDirection },
        { label: 'Re-layout (Forget Dragged Positions)', run: c.relayout },
        'separator',
        { label: 'Show YAML', run: () => c.post({ type: 'openText' }) },
      ],
    };
  }
  if (target.kind === 'state') {
    const id = target.id;
    const st = c.model?.states.find((s) => s.name === id);
    const label = `State ${id}`;
    if (!st) return { label, items: [{ label: `Add State '${id}'`, run: () => c.dispatch({ type: 'propose', proposal: { operation: { type: 'addState', name: id }, label: 'Add state' } }), disabled: ro }] };
    const isStart = c.model?.start === id;
    return {
      label,
      items: [
        { label: 'Rename…', keybinding: 'F2', run: () => c.dispatch({ type: 'renameStart', state: id }), disabled: ro },
        { label: 'Set as Start State', run: () => propose({ type: 'setStart', state: id }, 'Set start'), disabled: ro || isStart, checked: isStart },
        { label: 'Final State', run: () => propose({ type: 'setFinal', state: id, final: !st.final }, 'Toggle final'), disabled: ro, checked: st.final },
        ...(st.final ? (['succeeded', 'failed', 'cancelled'] as const).map((status) => ({ label: `Ends as ${status}`, checked: (st.status ?? 'succeeded') === status, disabled: ro, run: () => propose({ type: 'setFinal', state: id, final: true, status }, 'Set status') })) : []),
        'separator',
        { label: 'Add State After', run: () => c.dispatch({ type: 'addState', after: id, from: st.final ? undefined : id }), disabled: ro },
        { label: 'Duplicate', keybinding: `${c.mod}D`, run: () => propose({ type: 'duplicateState', state: id }, 'Duplicate state'), disabled: ro },
        { label: 'Copy', keybinding: `${c.mod}C`, run: () => c.copy(id) },
        { label: 'Paste After', keybinding: `${c.mod}V`, run: c.paste, disabled: ro || !c.canPaste },
        'separator',
        { label: c.breakpoints.has(id) ? 'Remove Breakpoint' : 'Add Breakpoint', run: () => c.toggleBreakpoint(id) },
        { label: 'Show in Text', keybinding: 'Enter', run: () => c.post({ type: 'reveal', state: id, focus: true }) },
        ...(c.view.pins[id]
          ? [
              {
                label: 'Unpin (Let the Layout Place It)',
                run: () => {
                  const pins = { ...c.view.pins };
                  delete pins[id];
                  c.saveView({ ...c.view, pins });
                },
              },
            ]
          : []),
        'separator',
        { label: 'Delete', keybinding: 'Delete', run: () => c.dispatch({ type: 'delete' }), disabled: ro },
      ],
    };
  }
  const k = parseEdgeId(target.id);
  const e = c.graph?.edges.find((x) => x.id === target.id);
  if (!k || !e) return undefined;
  return {
    label: `Transition from ${e.source} to ${e.target}`,
    items: [
      { label: 'Insert State Here', run: () => c.dispatch({ type: 'insertOnEdge', edge: target.id, at: target.at }), disabled: ro },
      'separator',
      { label: 'Move Earlier', run: () => propose({ type: 'reorderTransition', ...k, toIndex: k.index - 1 }, 'Reorder'), disabled: ro || k.index === 0 },
      { label: 'Move Later', run: () => propose({ type: 'reorderTransition', ...k, toIndex: k.index + 1 }, 'Reorder'), disabled: ro || k.index >= e.siblings - 1 },
      'separator',
      { label: 'Show in Text', run: () => c.post({ type: 'reveal', state: k.state, element: { kind: k.list === 'catch' ? 'catch' : 'transition', index: k.index }, focus: true }) },
      'separator',
      { label: 'Delete', keybinding: 'Delete', run: () => c.dispatch({ type: 'delete' }), disabled: ro },
    ],
  };
}
