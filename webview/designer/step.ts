// The designer's gestures as a pure function: (state, UI event) -> (state', edits to propose, host
// messages). Selection, the field edit in progress (its draft and the value it started from) and
// the inline rename live here, so the rules hold by construction: a field commits once with the
// whole typed value; Escape restores it and proposes nothing; a canvas gesture first resolves the
// pending field edit (on the element it was started on), then acts; a gesture names only elements
// that exist. Components turn DOM events into these events; nothing here touches the DOM.
import type { EditOperation, InstructionSpec } from '../../engine/edit/types';
import { edgeId, parseEdgeId } from '../../engine/graph/model';
import type { Point, TaskOutline, WebviewMessage } from '../protocol';

export type Element = { kind: 'state'; id: string } | { kind: 'edge'; id: string };
export type Selection = Element | null;

/** The states and transitions (edge ids, see edgeId) of the document as last known. */
export interface Elements {
  states: ReadonlySet<string>;
  edges: ReadonlySet<string>;
}

/**
 * What a field's value means as an edit of `element` (the element the field was started on, under
 * its current name): an operation, an error to show, or nothing (no change).
 */
export type FieldCommit = (value: string, element: Element, elements: Elements) => Proposal | { error: string } | undefined;

/** A field edit in progress: which control, the element it edits, the value it started from and the text typed so far. */
export interface FieldEdit {
  field: string;
  element: Element;
  original: string;
  draft: string;
  error?: string;
  commit: FieldCommit;
}

export interface DesignerState {
  elements: Elements;
  readOnly: boolean;
  selection: Selection;
  field: FieldEdit | null;
  /** The state whose name is being edited on its node (the field RENAME_FIELD). */
  renaming: string | null;
  /**
   * Renames proposed since the last document (old name -> new): components still draw the old
   * names until the host answers, and their events are read under the new ones.
   */
  aliases: ReadonlyMap<string, string>;
}

export interface Proposal {
  operation: EditOperation;
  label: string;
  /** A state this edit adds, and where the user put it on the canvas. */
  place?: { state: string; at: Point };
}

export type UiEvent =
  /** A new document: the elements that exist now. */
  | { type: 'document'; states: readonly string[]; edges: readonly string[]; readOnly: boolean }
  /** A key typed in a field (it starts the field's edit when none is pending for it). */
  | { type: 'fieldInput'; field: string; element: Element; original: string; value: string; commit: FieldCommit }
  /** Enter, or the field lost focus. */
  | { type: 'fieldCommit'; field: string }
  /** Escape: the field shows its value again; nothing is proposed. */
  | { type: 'fieldCancel'; field: string }
  /** A click on a node, an edge or the canvas (`reveal`: show it in the text), or the host's selection. */
  | { type: 'select'; selection: Selection; reveal: boolean }
  /** Delete or Backspace on the canvas. */
  | { type: 'delete' }
  | { type: 'connect'; source: string; target: string }
  | { type: 'retarget'; edge: string; target: string }
  | { type: 'renameStart'; state: string }
  /** A new state (after `after`, connected from `from`, placed at `at`), with `instruction` when one is dropped from the palette. */
  | { type: 'addState'; at?: Point; after?: string; from?: string; taskName?: string; instruction?: InstructionSpec }
  | { type: 'insertOnEdge'; edge: string; at?: Point; instruction?: InstructionSpec }
  /** An instruction dropped from the palette onto a state. */
  | { type: 'addInstruction'; state: string; instruction: InstructionSpec }
  /** Any other edit a gesture asks for (a menu item, an inspector button or dropdown). */
  | { type: 'propose'; proposal: Proposal }
  | { type: 'undo' }
  | { type: 'redo' };

export interface StepResult {
  state: DesignerState;
  proposals: Proposal[];
  messages: WebviewMessage[];
}

/** The field that edits a state's name on its node. */
export const RENAME_FIELD = 'node-name';

export const INITIAL: DesignerState = { elements: { states: new Set(), edges: new Set() }, readOnly: true, selection: null, field: null, renaming: null, aliases: new Map() };

/** The event for a document whose model is `model`. */
export function documentEvent(model: TaskOutline, readOnly: boolean): Extract<UiEvent, { type: 'document' }> {
  const edges = model.states.flatMap((s) => [...s.on.map((t) => edgeId(s.name, 'on', t.index)), ...s.catch.map((c) => edgeId(s.name, 'catch', c.index))]);
  return { type: 'document', states: model.states.map((s) => s.name), edges, readOnly };
}

export function step(state: DesignerState, raw: UiEvent): StepResult {
  const out: StepResult = { state, proposals: [], messages: [] };
  const event = state.aliases.size ? underNewNames(state.aliases, raw) : raw;
  switch (event.type) {
    case 'document':
      return documentChanged(state, event);
    case 'fieldInput': {
      const f = state.field;
      if (state.readOnly || !exists(state.elements, event.element)) return out;
      if (f && f.field === event.field && sameElement(f.element, event.element)) {
        out.state = { ...state, field: { ...f, draft: event.value, error: undefined } };
        return out;
      }
      // Another field was being edited (its blur has not arrived yet): that one resolves first.
      const resolved = f ? resolveField(state, out) : state;
      const { element } = afterRenames(event, raw, state, resolved);
      out.state = { ...resolved, field: { field: event.field, element, original: event.original, draft: event.value, commit: event.commit } };
      return out;
    }
    case 'fieldCommit': {
      const f = state.field;
      if (!f || f.field !== event.field) return out;
      if (f.draft === f.original) {
        out.state = clearField(state);
        return out;
      }
      const r = f.commit(f.draft, f.element, state.elements);
      if (r && 'error' in r) {
        out.state = { ...state, field: { ...f, error: r.error } };
        return out;
      }
      out.state = clearField(state);
      if (r) propose(out, r);
      return out;
    }
    case 'fieldCancel':
      if (state.field?.field === event.field) out.state = clearField(state);
      else if (event.field === RENAME_FIELD && state.renaming) out.state = { ...state, renaming: null };
      return out;
    default: {
      const resolved = resolveField(state, out);
      return gesture(resolved, afterRenames(event, raw, state, resolved), out);
    }
  }
}

/** A canvas gesture, after the pending field edit has been resolved. */
function gesture(state: DesignerState, event: Exclude<UiEvent, { type: 'document' | 'fieldInput' | 'fieldCommit' | 'fieldCancel' }>, out: StepResult): StepResult {
  out.state = state;
  const { elements } = state;
  const editable = !state.readOnly;
  switch (event.type) {
    case 'select': {
      const sel = event.selection && exists(elements, event.selection) ? event.selection : null;
      out.state = { ...state, selection: sel, renaming: null };
      if (sel && event.reveal) out.messages.push(revealOf(sel));
      return out;
    }
    case 'delete': {
      const sel = state.selection;
      if (!editable || !sel || !exists(elements, sel)) return out;
      if (sel.kind === 'state') propose(out, { operation: { type: 'deleteState', state: sel.id }, label: 'Delete state' });
      else {
        const k = parseEdgeId(sel.id)!;
        propose(out, { operation: { type: 'deleteTransition', state: k.state, index: k.index, list: k.list }, label: 'Delete transition' });
      }
      return out;
    }
    case 'connect':
      if (editable && elements.states.has(event.source) && elements.states.has(event.target)) {
        propose(out, { operation: { type: 'connect', state: event.source, to: event.target }, label: 'Connect' });
        out.state = { ...out.state, selection: { kind: 'state', id: event.source } };
      }
      return out;
    case 'retarget': {
      const k = parseEdgeId(event.edge);
      if (editable && k && elements.edges.has(event.edge) && elements.states.has(event.target)) propose(out, { operation: { type: 'retargetTransition', ...k, to: event.target }, label: 'Retarget' });
      return out;
    }
    case 'renameStart':
      if (editable && elements.states.has(event.state)) out.state = { ...state, selection: { kind: 'state', id: event.state }, renaming: event.state };
      return out;
    case 'addState': {
      if (!editable) return out;
      const name = freeName(elements.states);
      const after = event.after && elements.states.has(event.after) ? event.after : state.selection?.kind === 'state' ? state.selection.id : undefined;
      const add: EditOperation = { type: 'addState', name, ...(after ? { after } : {}), ...(event.taskName ? { taskName: event.taskName } : {}) };
      const from = event.from && elements.states.has(event.from) ? event.from : undefined;
      const operations: EditOperation[] = [add, ...(from ? [{ type: 'connect', state: from, to: name } as const] : []), ...withInstruction(name, event.instruction)];
      const operation: EditOperation = operations.length > 1 ? { type: 'batch', operations } : add;
      propose(out, { operation, label: 'Add state', place: event.at ? { state: name, at: event.at } : undefined });
      out.state = { ...out.state, selection: { kind: 'state', id: name } };
      return out;
    }
    case 'insertOnEdge': {
      const k = parseEdgeId(event.edge);
      if (!editable || !k || !elements.edges.has(event.edge)) return out;
      const name = freeName(elements.states);
      const insert: EditOperation = { type: 'insertState', ...k, name };
      propose(out, { operation: event.instruction ? { type: 'batch', operations: [insert, ...withInstruction(name, event.instruction)] } : insert, label: 'Insert state', place: event.at ? { state: name, at: event.at } : undefined });
      out.state = { ...out.state, selection: { kind: 'state', id: name } };
      return out;
    }
    case 'addInstruction':
      if (editable && elements.states.has(event.state)) propose(out, { operation: { type: 'addInstruction', state: event.state, instruction: event.instruction }, label: 'Add instruction' });
      return out;
    case 'propose':
      if (editable && names(event.proposal.operation).every((n) => elements.states.has(n))) propose(out, event.proposal);
      return out;
    case 'undo':
    case 'redo':
      out.messages.push({ type: event.type });
      return out;
  }
}

function documentChanged(state: DesignerState, event: Extract<UiEvent, { type: 'document' }>): StepResult {
  const elements: Elements = { states: new Set(event.states), edges: new Set(event.edges) };
  const keep = (e: Element | null) => (e && exists(elements, e) ? e : null);
  const field = state.field && exists(elements, state.field.element) ? state.field : null;
  const renaming = state.renaming && elements.states.has(state.renaming) ? state.renaming : null;
  return { state: { elements, readOnly: event.readOnly, selection: keep(state.selection), field: event.readOnly ? null : field, renaming: event.readOnly ? null : renaming, aliases: new Map() }, proposals: [], messages: [] };
}

/** Commits the pending field edit if it is valid and changed, else drops it. */
function resolveField(state: DesignerState, out: StepResult): DesignerState {
  const f = state.field;
  if (!f) return state;
  const cleared = clearField(state);
  if (f.draft === f.original || !exists(state.elements, f.element)) return cleared;
  const r = f.commit(f.draft, f.element, state.elements);
  if (!r || 'error' in r) return cleared;
  out.state = cleared;
  propose(out, r);
  return out.state;
}

function clearField(state: DesignerState): DesignerState {
  const rename = state.field?.field === RENAME_FIELD;
  return { ...state, field: null, renaming: rename ? null : state.renaming };
}

/** Records a proposal and what the document will hold once the host applies it. */
function propose(out: StepResult, p: Proposal): void {
  out.proposals.push(p);
  out.state = expect(out.state, p.operation);
}

/**
 * The elements (and the selection) as they will be after `op`: the next gesture may come before
 * the host's new document, and must neither name an element that is gone nor repeat this edit.
 */
function expect(state: DesignerState, op: EditOperation): DesignerState {
  const states = new Set(state.elements.states);
  let edges = [...state.elements.edges];
  let { selection, field, aliases } = state;
  switch (op.type) {
    case 'renameState': {
      states.delete(op.state);
      states.add(op.newName);
      const renamed = new Map([[op.state, op.newName]]);
      edges = edges.map((id) => renameIn(renamed, { kind: 'edge', id }).id);
      if (selection) selection = renameIn(renamed, selection);
      if (field) field = { ...field, element: renameIn(renamed, field.element) };
      aliases = new Map([...[...aliases].map(([from, to]): [string, string] => [from, to === op.state ? op.newName : to]), [op.state, op.newName]]);
      break;
    }
    case 'deleteState':
      states.delete(op.state);
      edges = edges.filter((id) => parseEdgeId(id)!.state !== op.state);
      selection = null;
      break;
    case 'deleteTransition': {
      const list = op.list ?? 'on';
      edges = edges.flatMap((id) => {
        const k = parseEdgeId(id)!;
        if (k.state !== op.state || k.list !== list || k.index < op.index) return [id];
        return k.index === op.index ? [] : [edgeId(k.state, k.list, k.index - 1)];
      });
      selection = null;
      break;
    }
    case 'addState':
    case 'insertState':
      if (op.name) states.add(op.name);
      break;
    case 'batch':
      return op.operations.reduce(expect, state);
  }
  return { ...state, elements: { states, edges: new Set(edges) }, selection, field, aliases };
}

/**
 * The event under the names the elements will have once the host applies what was proposed before
 * it, a rename that resolving a pending field proposed included (the event was drawn before it).
 */
function afterRenames<E extends UiEvent>(event: E, raw: UiEvent, before: DesignerState, after: DesignerState): E {
  return after.aliases === before.aliases ? event : (underNewNames(after.aliases, raw) as E);
}

/** An element under its name after the renames in `aliases`. */
function renameIn(aliases: ReadonlyMap<string, string>, e: Element): Element {
  if (e.kind === 'state') return { kind: 'state', id: aliases.get(e.id) ?? e.id };
  const k = parseEdgeId(e.id);
  const to = k && aliases.get(k.state);
  return k && to ? { kind: 'edge', id: edgeId(to, k.list, k.index) } : e;
}

/** An event from components that still draw the names before the pending renames. */
function underNewNames(aliases: ReadonlyMap<string, string>, e: UiEvent): UiEvent {
  const n = (name: string) => aliases.get(name) ?? name;
  const n_ = (name: string | undefined) => (name === undefined ? undefined : n(name));
  switch (e.type) {
    case 'fieldInput':
      return { ...e, element: renameIn(aliases, e.element) };
    case 'select':
      return { ...e, selection: e.selection && renameIn(aliases, e.selection) };
    case 'connect':
      return { ...e, source: n(e.source), target: n(e.target) };
    case 'retarget':
      return { ...e, edge: renameIn(aliases, { kind: 'edge', id: e.edge }).id, target: n(e.target) };
    case 'renameStart':
    case 'addInstruction':
      return { ...e, state: n(e.state) };
    case 'addState':
      return { ...e, after: n_(e.after), from: n_(e.from) };
    case 'insertOnEdge':
      return { ...e, edge: renameIn(aliases, { kind: 'edge', id: e.edge }).id };
    default:
      return e;
  }
}

function exists(elements: Elements, e: Element): boolean {
  return e.kind === 'state' ? elements.states.has(e.id) : elements.edges.has(e.id);
}

function sameElement(a: Element, b: Element): boolean {
  return a.kind === b.kind && a.id === b.id;
}

function revealOf(e: Element): WebviewMessage {
  if (e.kind === 'state') return { type: 'reveal', state: e.id, focus: false };
  const k = parseEdgeId(e.id)!;
  return { type: 'reveal', state: k.state, element: { kind: k.list === 'catch' ? 'catch' : 'transition', index: k.index }, focus: false };
}

/** The states an operation acts on (not the ones it creates or points to). */
export function names(op: EditOperation): string[] {
  switch (op.type) {
    case 'batch':
      return op.operations.flatMap(names);
    case 'addState':
      return op.after ? [op.after] : [];
    case 'pasteStates':
      return op.after ? [op.after] : [];
    default:
      return [op.state];
  }
}

/** A state's new name: not empty, not another state's. */
export function nameCheck(v: string, state: string, names: ReadonlySet<string>): string | undefined {
  const name = v.trim();
  if (!name) return 'A state needs a name.';
  return name !== state && names.has(name) ? `There is already a state '${name}'.` : undefined;
}

/** The operation that gives a new state its first instruction (none without one). */
function withInstruction(state: string, instruction: InstructionSpec | undefined): EditOperation[] {
  return instruction ? [{ type: 'addInstruction', state, instruction }] : [];
}

export function freeName(taken: ReadonlySet<string>): string {
  for (let i = 1; ; i++) if (!taken.has(`state${i}`)) return `state${i}`;
}
