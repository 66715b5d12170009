// The graph editor's operations, each a function of the parsed text: it records text edits on a
// YamlEditor and says what to select afterwards. An operation that needs the result of a first
// change (e.g. the `start:` of a task it just created) names a follow-up operation.
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { EditError } from './error';
import { TASK_NAME } from './names';
import type { MapRef, YamlEditor } from './yaml/editor';
import { replacePair, replaceValue } from './yaml/entry';
import { insertFlowEntries } from './yaml/flow-mapping';
import { editMap } from './yaml/mapping';
import { flowText, itemLines, pairLines, reindent, stringScalar } from './yaml/render';
import { insertItem, moveItem, removeItem } from './yaml/sequence';
import type { GestureOperation } from './gestures';
import type { FanoutOperation } from './fanout';
import type { EditOperation, FieldPath, InstructionSpec, StateReference, TransitionCondition, TransitionList, TransitionRef } from './types';

/** Where new keys go, so that a file written by the editor reads in the order of the format's docs. */
export const TOP_ORDER = ['version', 'name', 'description', 'input', 'data', 'timeout', 'start', 'states'] as const;
export const STATE_ORDER = ['description', 'do', 'timeout', 'on', 'next', 'catch', 'final', 'status'] as const;
export const TRANSITION_ORDER = ['to', 'when', 'event', 'consume', 'after', 'poll'] as const;
export const CATCH_ORDER = ['to', 'error'] as const;
export const POLL_ORDER = ['every', 'do', 'until'] as const;
export const RETRY_ORDER = ['attempts', 'delay', 'backoff', 'max_delay'] as const;
export const INSTRUCTION_OPTIONS = ['as', 'retry', 'timeout'] as const;
/** The fields of each built-in instruction kind, in the order they are written. */
export const KIND_FIELDS: Record<string, readonly string[]> = {
  http: ['method', 'url', 'headers', 'query', 'body', 'timeout'],
  exec: ['command', 'args', 'cwd', 'env', 'shell', 'timeout'],
  emit: ['event', 'data'],
  call: ['task', 'input'],
  map: ['items', 'concurrency', 'tolerate', 'do'],
};
const CONDITION_KEYS = ['when', 'after', 'event', 'consume', 'poll'] as const;

export interface Outcome {
  state?: string;
  states?: string[];
  references?: StateReference[];
  /** An operation to run on the text this one produced. */
  next?: EditOperation;
}

export type Op<T extends EditOperation['type']> = (ed: YamlEditor, op: Extract<EditOperation, { type: T }>) => Outcome;

// ------------------------------------------------------------------ navigation

function rootMap(ed: YamlEditor): YAMLMap {
  const root = ed.doc.contents;
  if (!isMap(root)) throw new EditError('The file does not hold a task (a YAML mapping).');
  return root;
}

function statesOf(ed: YamlEditor): { pair: Pair<Scalar, unknown>; map: YAMLMap } | undefined {
  const root = ed.doc.contents;
  if (!isMap(root)) return undefined;
  const pair = ed.find(root, 'states');
  if (!pair) return undefined;
  if (isAlias(pair.value)) throw new EditError("'states' is an alias; edit it in the text.");
  return isMap(pair.value) ? { pair, map: pair.value } : undefined;
}

function requireStates(ed: YamlEditor): { pair: Pair<Scalar, unknown>; map: YAMLMap } {
  const s = statesOf(ed);
  if (!s) throw new EditError('The task has no states yet.');
  return s;
}

export function stateNames(ed: YamlEditor): string[] {
  const s = statesOf(ed);
  return s ? s.map.items.filter((p) => isScalar(p.key)).map((p) => String((p.key as Scalar).value)) : [];
}

function statePair(ed: YamlEditor, name: string): { pair: Pair<Scalar, unknown>; states: YAMLMap } {
  const { map } = requireStates(ed);
  const pair = ed.find(map, name);
  if (!pair) throw new EditError(`There is no state '${name}'.`);
  ed.keyNode(pair);
  return { pair, states: map };
}

function stateRef(ed: YamlEditor, name: string): MapRef {
  const { pair, states } = statePair(ed, name);
  const v = pair.value as Node | null;
  if (isAlias(v)) throw new EditError(`State '${name}' is an alias (*${v.source}); edit it in the text.`);
  if (isMap(v)) return { map: v, owner: { kind: 'pair', pair, parent: states } };
  if (v === null || (isScalar(v) && (v.value === null || v.value === undefined))) return { map: null, owner: { kind: 'pair', pair, parent: states } };
  throw new EditError(`State '${name}' is not a mapping; edit it in the text.`);
}

export function childRef(ed: YamlEditor, parent: MapRef, key: string): MapRef | undefined {
  const pair = ed.find(parent.map, key);
  if (!pair) return undefined;
  const v = pair.value as Node | null;
  if (isAlias(v)) throw new EditError(`'${key}' is an alias; edit it in the text.`);
  if (isMap(v)) return { map: v, owner: { kind: 'pair', pair, parent: parent.map! } };
  if (v === null || (isScalar(v) && v.value === null)) return { map: null, owner: { kind: 'pair', pair, parent: parent.map! } };
  return undefined;
}

function seqOf(ed: YamlEditor, ref: MapRef, key: string): YAMLSeq | undefined {
  const v = ed.find(ref.map, key)?.value;
  if (isAlias(v)) throw new EditError(`'${key}' is an alias; edit it in the text.`);
  return isSeq(v) ? v : undefined;
}

function itemRef(seq: YAMLSeq, index: number, what: string): MapRef {
  const item = seq.items[index];
  if (isAlias(item)) throw new EditError(`This ${what} is an alias; edit it in the text.`);
  if (!isMap(item)) throw new EditError(`There is no ${what} at position ${index + 1}.`);
  return { map: item, owner: { kind: 'item', seq, index } };
}

type Located =
  | { kind: 'next'; state: MapRef; pair: Pair<Scalar, unknown> }
  | { kind: 'item'; state: MapRef; seq: YAMLSeq; index: number; ref: MapRef; list: TransitionList };

/** Finds a transition as the model numbers it (`next:` is `on` 0 when there is no `on` list). */
function locateTransition(ed: YamlEditor, t: TransitionRef): Located {
  const state = stateRef(ed, t.state);
  const list = t.list ?? 'on';
  const seq = seqOf(ed, state, list);
  if (list === 'on' && !(seq && seq.items.some((i) => isMap(i)))) {
    const next = ed.find(state.map, 'next');
    if (next && t.index === 0) return { kind: 'next', state, pair: next };
  }
  if (!seq || t.index < 0 || t.index >= seq.items.length) throw new EditError(`State '${t.state}' has no ${list === 'catch' ? 'catch entry' : 'transition'} at position ${t.index + 1}.`);
  return { kind: 'item', state, seq, index: t.index, ref: itemRef(seq, t.index, list === 'catch' ? 'catch entry' : 'transition'), list };
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

/** Every place that names `name`: `start`, `to` in `on` and `catch`, `next`. */
export function findReferences(ed: YamlEditor, name: string): Array<StateReference & { node: Scalar; flow: boolean }> {
  const out: Array<StateReference & { node: Scalar; flow: boolean }> = [];
  const root = ed.doc.contents;
  if (!isMap(root)) return out;
  const start = ed.find(root, 'start');
  if (start && isScalar(start.value) && scalarText(start.value) === name) out.push({ kind: 'start', node: start.value, flow: !!root.flow });
  const states = statesOf(ed);
  if (!states) return out;
  for (const p of states.map.items) {
    const owner = scalarText(p.key);
    if (owner === undefined || !isMap(p.value)) continue;
    const st = p.value;
    const on = ed.find(st, 'on')?.value;
    const hasOn = isSeq(on) && on.items.some((i) => isMap(i));
    if (isSeq(on)) {
      on.items.forEach((item, index) => {
        if (!isMap(item)) return;
        const to = ed.find(item, 'to')?.value;
        if (isScalar(to) && scalarText(to) === name) out.push({ kind: 'transition', state: owner, index, shorthand: false, node: to, flow: !!item.flow });
      });
    }
    const next = ed.find(st, 'next')?.value;
    if (!hasOn && isScalar(next) && scalarText(next) === name) out.push({ kind: 'transition', state: owner, index: 0, shorthand: true, node: next, flow: !!st.flow });
    const katch = ed.find(st, 'catch')?.value;
    if (isSeq(katch)) {
      katch.items.forEach((item, index) => {
        if (!isMap(item)) return;
        const to = ed.find(item, 'to')?.value;
        if (isScalar(to) && scalarText(to) === name) out.push({ kind: 'catch', state: owner, index, node: to, flow: !!item.flow });
      });
    }
  }
  return out;
}

function checkName(ed: YamlEditor, name: string, what = 'A state'): void {
  if (typeof name !== 'string' || !name.trim()) throw new EditError(`${what} needs a name.`);
  if (name !== name.trim() || /[\r\n\t]/.test(name)) throw new EditError(`'${name}' is not a usable state name: no spaces around it, no line breaks.`);
  if (stateNames(ed).includes(name)) throw new EditError(`There is already a state '${name}'.`);
}

/** A free state name: `base` itself when free (and given), else `base-2`, `base-3`…, or `state1`, `state2`… */
export function freeStateName(taken: Iterable<string>, base?: string): string {
  const names = new Set(taken);
  if (base) {
    if (!names.has(base)) return base;
    for (let i = 2; ; i++) if (!names.has(`${base}-${i}`)) return `${base}-${i}`;
  }
  for (let i = 1; ; i++) if (!names.has(`state${i}`)) return `state${i}`;
}

/** True when the states are separated by blank lines (new ones are then written the same way). */
function spacedStates(ed: YamlEditor, map: YAMLMap): boolean {
  if (map.flow) return false;
  const pairs = map.items as Array<Pair<unknown, unknown>>;
  for (let i = 1; i < pairs.length; i++) {
    if (!ed.isPlainEntry(pairs[i - 1]) || !ed.isPlainEntry(pairs[i])) continue;
    const gap = ed.text.slice(ed.pairExtent(pairs[i - 1]).end, ed.pairExtent(pairs[i]).start);
    if (gap.length && gap.trim() === '') return true;
  }
  return false;
}

export function instructionValue(spec: InstructionSpec): Record<string, unknown> {
  if (!spec.kind || (INSTRUCTION_OPTIONS as readonly string[]).includes(spec.kind)) throw new EditError(`'${spec.kind}' is not an instruction kind.`);
  const out: Record<string, unknown> = { [spec.kind]: spec.args ?? null };
  if (spec.as !== undefined && spec.as !== '') out.as = spec.as;
  if (spec.retry !== undefined) out.retry = Object.fromEntries(Object.entries(spec.retry).filter(([, v]) => v !== undefined));
  if (spec.timeout !== undefined && spec.timeout !== '') out.timeout = spec.timeout;
  return out;
}

function transitionValue(to: string, c: TransitionCondition | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { to };
  if (!c) return out;
  if (c.when !== undefined) out.when = c.when;
  if (c.event !== undefined) out.event = c.event;
  if (c.consume !== undefined) out.consume = c.consume;
  if (c.after !== undefined) out.after = c.after;
  if (c.poll !== undefined) out.poll = pollValue(c.poll);
  return out;
}

function pollValue(p: NonNullable<TransitionCondition['poll']>): Record<string, unknown> {
  const out: Record<string, unknown> = { every: p.every };
  if (p.do) out.do = instructionValue(p.do);
  if (p.until !== undefined) out.until = p.until;
  return out;
}

function isElse(c: TransitionCondition | undefined): boolean {
  return !c || CONDITION_KEYS.every((k) => c[k] === undefined);
}

function isElseItem(ed: YamlEditor, item: unknown): boolean {
  return isMap(item) && CONDITION_KEYS.every((k) => !ed.find(item, k));
}

/** The order new keys of the mapping at `path` (below an instruction's mapping) are written in. */
function instructionOrder(kind: string, path: readonly string[]): readonly string[] {
  if (path.length === 0) return [kind, ...INSTRUCTION_OPTIONS];
  if (path[0] === 'retry' && path.length === 1) return RETRY_ORDER;
  if (path[0] === kind && path.length === 1) return KIND_FIELDS[kind] ?? [];
  return [];
}

function transitionOrder(list: TransitionList, path: readonly string[], pollKind?: string): readonly string[] {
  if (path.length === 0) return list === 'catch' ? CATCH_ORDER : TRANSITION_ORDER;
  if (path[0] === 'poll' && path.length === 1) return POLL_ORDER;
  if (path[0] === 'poll' && path[1] === 'do' && pollKind) return instructionOrder(pollKind, path.slice(2));
  return [];
}

function nest(path: readonly string[], value: unknown): unknown {
  let v = value;
  for (let i = path.length - 1; i >= 0; i--) v = { [path[i]]: v };
  return v;
}

/** Sets (or removes, with `value` undefined) the value at `path` below a mapping, creating the mappings on the way. */
function setPath(ed: YamlEditor, ref: MapRef, path: FieldPath, value: unknown, orderAt: (depth: number) => readonly string[]): void {
  if (!path.length) throw new EditError('A field path is empty.');
  let at = ref;
  for (let i = 0; i < path.length - 1; i++) {
    const pair = ed.find(at.map, path[i]);
    const child = pair ? childRef(ed, at, path[i]) : undefined;
    if (child?.map) {
      at = child;
      continue;
    }
    if (value === undefined) return;
    if (child) {
      // An empty value on the way: write the rest of the path into it.
      editMap(ed, child, [[path[i + 1], nest(path.slice(i + 2), value)]], { order: orderAt(i + 1) });
      return;
    }
    editMap(ed, at, [[path[i], nest(path.slice(i + 1), value)]], { order: orderAt(i) });
    return;
  }
  const last = path[path.length - 1];
  if (value === undefined && !ed.find(at.map, last)) return;
  editMap(ed, at, [[last, value]], { order: orderAt(path.length - 1) });
}

/** The instruction at `index` of a state's `do` (a list, or one instruction written as a mapping). */
export function instructionRef(ed: YamlEditor, state: string, index: number): { ref: MapRef; kind: string; seq?: YAMLSeq } {
  const st = stateRef(ed, state);
  const pair = ed.find(st.map, 'do');
  const v = pair?.value;
  let ref: MapRef | undefined;
  let seq: YAMLSeq | undefined;
  if (isSeq(v)) {
    seq = v;
    if (index < 0 || index >= v.items.length) throw new EditError(`State '${state}' has no instruction at position ${index + 1}.`);
    ref = itemRef(v, index, 'instruction');
  } else if (isMap(v) && index === 0 && pair) ref = { map: v, owner: { kind: 'pair', pair, parent: st.map! } };
  if (!ref) throw new EditError(`State '${state}' has no instruction at position ${index + 1}.`);
  return { ref, kind: kindOf(ref.map!) ?? '', seq };
}

function kindOf(map: YAMLMap): string | undefined {
  for (const p of map.items) {
    const k = scalarText(p.key);
    if (k !== undefined && !(INSTRUCTION_OPTIONS as readonly string[]).includes(k)) return k;
  }
  return undefined;
}

// ------------------------------------------------------------------ operations

/** True when the text holds no YAML content: blank lines, comments and `---` markers only. */
function isBlankYaml(text: string): boolean {
  return text.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line) || /^---\s*(#.*)?$/.test(line));
}

const addState: Op<'addState'> = (ed, op) => {
  const root = ed.doc.contents;
  const taken = stateNames(ed);
  const name = op.name ?? freeStateName(taken, op.base);
  checkName(ed, name);
  const value: Record<string, unknown> = {};
  if (op.description) value.description = op.description;
  if (op.final) value.final = true;
  if (op.final && op.status && op.status !== 'succeeded') value.status = op.status;
  if (root === null || root === undefined || (isScalar(root) && root.value === null && isBlankYaml(ed.text))) {
    // An empty file (comments and a `---` marker at most): the skeleton of a task.
    const task = { version: 1, name: op.taskName && TASK_NAME.test(op.taskName) ? op.taskName : 'task', start: name };
    const lines = [...Object.entries(task).flatMap(([k, v]) => pairLines(k, v, 0, ed.indent)), 'states:', ...pairLines(name, value, ed.indent.unit, ed.indent)];
    ed.insertLines(ed.text.length, lines);
    return { state: name };
  }
  const top = rootMap(ed);
  const states = statesOf(ed);
  // `start:` with no state named yet is no start: the first state added becomes it.
  const startValue = ed.find(top, 'start')?.value;
  const hasStart = !!startValue && !(isScalar(startValue) && (startValue.value === null || startValue.value === ''));
  if (!states) {
    const pair = ed.find(top, 'states');
    if (pair && !(pair.value === null || (isScalar(pair.value) && pair.value.value === null))) throw new EditError("'states' is not a mapping; edit it in the text.");
    if (pair) editMap(ed, { map: null, owner: { kind: 'pair', pair, parent: top } }, [[name, value]]);
    else editMap(ed, { map: top, owner: { kind: 'root' } }, [['states', { [name]: value }]], { order: TOP_ORDER });
    return { state: name, next: hasStart ? undefined : { type: 'setStart', state: name } };
  }
  if (op.after !== undefined && !ed.find(states.map, op.after)) throw new EditError(`There is no state '${op.after}'.`);
  const ref: MapRef = { map: states.map, owner: { kind: 'pair', pair: states.pair, parent: top } };
  editMap(ed, ref, [[name, value]], { after: op.after, spaced: spacedStates(ed, states.map) });
  return { state: name, next: hasStart || taken.length ? undefined : { type: 'setStart', state: name } };
};

const deleteState: Op<'deleteState'> = (ed, op) => {
  const { states } = statePair(ed, op.state);
  const top = rootMap(ed);
  const statesPair = ed.find(top, 'states')!;
  editMap(ed, { map: states, owner: { kind: 'pair', pair: statesPair, parent: top } }, [[op.state, undefined]], { after: undefined });
  const references = findReferences(ed, op.state)
    .filter((r) => r.kind === 'start' || r.state !== op.state)
    .map(({ node: _n, flow: _f, ...r }) => r as StateReference);
  return { references };
};

const renameState: Op<'renameState'> = (ed, op) => {
  const { pair, states } = statePair(ed, op.state);
  if (op.newName === op.state) return { state: op.state };
  checkName(ed, op.newName);
  ed.setScalar(ed.keyNode(pair), op.newName, !!states.flow);
  for (const r of findReferences(ed, op.state)) ed.setScalar(r.node, op.newName, r.flow);
  return { state: op.newName };
};

const duplicateState: Op<'duplicateState'> = (ed, op) => {
  const { pair, states } = statePair(ed, op.state);
  const name = op.newName ?? freeStateName(stateNames(ed), `${op.state}-copy`);
  checkName(ed, name);
  if (states.flow) {
    const v = pair.value as Node | null;
    const src = v?.range && v.range[1] > v.range[0] ? ed.text.slice(v.range[0], v.range[1]) : '{}';
    const key = ed.keyNode(pair).type === 'QUOTE_DOUBLE' ? JSON.stringify(name) : stringScalar(name, true);
    const pairs = states.items as Array<Pair<unknown, unknown>>;
    insertFlowEntries(ed, pairs, pairs.indexOf(pair), [`${key}: ${src}`]);
    return { state: name };
  }
  const { lines } = ed.entryLines(pair, false);
  const key = ed.keyNode(pair);
  const keyStart = key.range![0] - ed.lineStart(key.range![0]);
  const keyEnd = key.range![1] - ed.lineStart(key.range![0]);
  lines[0] = lines[0].slice(0, keyStart) + stringScalar(name) + lines[0].slice(keyEnd);
  const ext = ed.pairExtent(pair);
  ed.insertLines(ext.end, spacedStates(ed, states) ? ['', ...lines] : lines);
  return { state: name };
};

/** The YAML text of some states (each with its own comment lines), at column 0, for the clipboard. */
export function copyStatesText(ed: YamlEditor, names: readonly string[]): string {
  const states = requireStates(ed);
  const out: string[] = [];
  for (const name of names) {
    const pair = ed.find(states.map, name);
    if (!pair) throw new EditError(`There is no state '${name}'.`);
    if (states.map.flow) {
      const v = pair.value as Node | null;
      out.push(`${stringScalar(name)}: ${v?.range ? ed.text.slice(v.range[0], v.range[1]) : '{}'}`);
      continue;
    }
    const { lines, col } = ed.entryLines(pair, true);
    out.push(...reindent(lines, col, 0));
  }
  return out.join('\n') + '\n';
}

const pasteStates: Op<'pasteStates'> = (ed, op) => {
  const states = requireStates(ed);
  if (states.map.flow) throw new EditError('The states are written in flow style ({ ... }); paste in the text.');
  if (op.after !== undefined && !ed.find(states.map, op.after)) throw new EditError(`There is no state '${op.after}'.`);
  const snippet = op.yaml.replace(/\r\n?/g, '\n');
  const sdoc = parseDocument(snippet, { uniqueKeys: false });
  if (sdoc.errors.length || !isMap(sdoc.contents) || !sdoc.contents.items.length) throw new EditError('The clipboard does not hold states (a YAML mapping of state names to states).');
  // Work on the snippet as a task of its own, so that renames reuse renameState (and the pasted
  // states keep their transitions to each other).
  let wrapper = 'states:\n' + snippet.replace(/\n$/, '').split('\n').map((l) => (l.trim() ? '  ' + l : '')).join('\n') + '\n';
  const pasted = sdoc.contents.items.map((p) => scalarText(p.key)).filter((n): n is string => n !== undefined);
  const taken = new Set([...stateNames(ed), ...pasted]);
  const finalNames: string[] = [];
  const existing = new Set(stateNames(ed));
  for (const name of pasted) {
    if (!existing.has(name)) {
      finalNames.push(name);
      continue;
    }
    const fresh = freeStateName(taken, `${name}-copy`);
    taken.add(fresh);
    const r = editTaskText(wrapper, { type: 'renameState', state: name, newName: fresh });
    if (r.error) throw new EditError(r.error);
    wrapper = r.text;
    finalNames.push(fresh);
  }
  const lines = wrapper.replace(/\n$/, '').split('\n').slice(1);
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  const col = states.map.items.length ? ed.entryColumn(states.map.items as Array<Pair<unknown, unknown>>) : ed.indent.unit;
  const body = reindent(lines, 2, col);
  const pairs = states.map.items as Array<Pair<unknown, unknown>>;
  const anchor = op.after !== undefined ? ed.find(states.map, op.after)! : pairs[pairs.length - 1];
  if (!anchor) throw new EditError('The task has no states yet.');
  ed.insertLines(ed.pairExtent(anchor).end, spacedStates(ed, states.map) ? ['', ...body] : body);
  return { state: finalNames[0], states: finalNames };
};

const setStart: Op<'setStart'> = (ed, op) => {
  statePair(ed, op.state);
  editMap(ed, { map: rootMap(ed), owner: { kind: 'root' } }, [['start', op.state]], { order: TOP_ORDER });
  return { state: op.state };
};

const setFinal: Op<'setFinal'> = (ed, op) => {
  const ref = stateRef(ed, op.state);
  if (!op.final) editMap(ed, ref, [['final', undefined], ['status', undefined]], { order: STATE_ORDER });
  else {
    const changes: Array<[string, unknown]> = [['final', true]];
    if (op.status !== undefined && (op.status !== 'succeeded' || ed.find(ref.map, 'status'))) changes.push(['status', op.status]);
    editMap(ed, ref, changes, { order: STATE_ORDER });
  }
  return { state: op.state };
};

const setDescription: Op<'setDescription'> = (ed, op) => {
  editMap(ed, stateRef(ed, op.state), [['description', op.description ? op.description : undefined]], { order: STATE_ORDER });
  return { state: op.state };
};

const setTimeout_: Op<'setTimeout'> = (ed, op) => {
  editMap(ed, stateRef(ed, op.state), [['timeout', op.timeout ? op.timeout : undefined]], { order: STATE_ORDER });
  return { state: op.state };
};

/** Turns `next: x` into an `on:` list holding `items` (at the place of `next`, or as a block when the state is flow style). */
function nextToOn(ed: YamlEditor, state: MapRef, next: Pair<Scalar, unknown>, items: unknown[]): void {
  if (state.map?.flow) editMap(ed, state, [['next', undefined], ['on', items]], { order: STATE_ORDER });
  else replacePair(ed, next, 'on', items, false);
}

const addTransition: Op<'addTransition'> = (ed, op) => {
  const state = stateRef(ed, op.state);
  const list = op.list ?? 'on';
  if (list === 'catch') {
    const item: Record<string, unknown> = { to: op.to };
    if (op.error) item.error = op.error;
    const seq = seqOf(ed, state, 'catch');
    if (seq && seq.items.length) insertItem(ed, seq, op.index ?? seq.items.length, item);
    else editMap(ed, state, [['catch', [item]]], { order: STATE_ORDER });
    return { state: op.state };
  }
  const item = transitionValue(op.to, op.condition);
  const seq = seqOf(ed, state, 'on');
  const elseBranch = isElse(op.condition);
  if (seq && seq.items.length) {
    const n = seq.items.length;
    const index = op.index ?? (!elseBranch && isElseItem(ed, seq.items[n - 1]) ? n - 1 : n);
    insertItem(ed, seq, index, item);
    return { state: op.state };
  }
  const next = ed.find(state.map, 'next');
  if (next) {
    const existing = { to: scalarText(next.value) ?? '' };
    const items = op.index === 0 || (op.index === undefined && !elseBranch) ? [item, existing] : [existing, item];
    nextToOn(ed, state, next, items);
    return { state: op.state };
  }
  if (elseBranch && !seq) editMap(ed, state, [['next', op.to]], { order: STATE_ORDER });
  else if (seq) insertItem(ed, seq, 0, item);
  else editMap(ed, state, [['on', [item]]], { order: STATE_ORDER });
  return { state: op.state };
};

const deleteTransition: Op<'deleteTransition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  if (t.kind === 'next') editMap(ed, t.state, [['next', undefined]], { order: STATE_ORDER });
  else if (t.seq.items.length === 1) editMap(ed, t.state, [[t.list, undefined]], { order: STATE_ORDER });
  else removeItem(ed, t.seq, t.index);
  return { state: op.state };
};

const retargetTransition: Op<'retargetTransition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  if (t.kind === 'next') editMap(ed, t.state, [['next', op.to]], { order: STATE_ORDER });
  else editMap(ed, t.ref, [['to', op.to]], { order: t.list === 'catch' ? CATCH_ORDER : TRANSITION_ORDER });
  return { state: op.state };
};

const reorderTransition: Op<'reorderTransition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  if (t.kind === 'next') {
    if (op.toIndex !== 0) throw new EditError(`State '${op.state}' has one transition only.`);
    return { state: op.state };
  }
  if (op.toIndex < 0 || op.toIndex >= t.seq.items.length) throw new EditError(`Position ${op.toIndex + 1} is outside the list.`);
  moveItem(ed, t.seq, t.index, op.toIndex);
  return { state: op.state };
};

const setTransitionCondition: Op<'setTransitionCondition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  const c = op.condition;
  if (t.kind === 'next') {
    if (isElse(c)) return { state: op.state };
    nextToOn(ed, t.state, t.pair, [transitionValue(scalarText(t.pair.value) ?? '', c)]);
    return { state: op.state };
  }
  if (t.list === 'catch') throw new EditError('A catch entry has no condition; set its error kind instead.');
  const changes: Array<[string, unknown]> = [
    ['when', c.when],
    ['event', c.event],
    ['after', c.after],
  ];
  // Settings already written (a connection from a secret) stay when only the kind is set again.
  if (!c.consume || !childRef(ed, t.ref, 'consume')?.map) changes.push(['consume', c.consume]);
  const poll = childRef(ed, t.ref, 'poll');
  if (c.poll && poll?.map) {
    const pollChanges: Array<[string, unknown]> = [['every', c.poll.every]];
    if (c.poll.do) pollChanges.push(['do', instructionValue(c.poll.do)]);
    pollChanges.push(['until', c.poll.until]);
    editMap(ed, poll, pollChanges, { order: POLL_ORDER });
  } else changes.push(['poll', c.poll ? pollValue(c.poll) : undefined]);
  editMap(ed, t.ref, changes, { order: TRANSITION_ORDER });
  return { state: op.state };
};

const updateTransition: Op<'updateTransition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  const path = op.path;
  if (t.kind === 'next') {
    if (path.length === 1 && path[0] === 'to') {
      if (typeof op.value !== 'string') throw new EditError('A transition needs a target state.');
      editMap(ed, t.state, [['next', op.value]], { order: STATE_ORDER });
    } else if (op.value !== undefined) {
      nextToOn(ed, t.state, t.pair, [{ to: scalarText(t.pair.value) ?? '', ...(nest(path, op.value) as object) }]);
    }
    return { state: op.state };
  }
  const pollDo = isMap(t.ref.map) ? childRef(ed, t.ref, 'poll') : undefined;
  const pollKind = pollDo?.map ? (() => {
    const d = ed.find(pollDo.map, 'do')?.value;
    return isMap(d) ? kindOf(d) : undefined;
  })() : undefined;
  setPath(ed, t.ref, path, op.value, (depth) => transitionOrder(t.list, path.slice(0, depth), pollKind));
  return { state: op.state };
};

const addInstruction: Op<'addInstruction'> = (ed, op) => {
  const state = stateRef(ed, op.state);
  const value = instructionValue(op.instruction);
  const pair = ed.find(state.map, 'do');
  const v = pair?.value;
  if (isSeq(v) && v.items.length) insertItem(ed, v, op.index ?? v.items.length, value);
  else if (isMap(v) && pair) {
    // One instruction written as a mapping: make it a list of two.
    if (state.map?.flow) {
      const src = ed.text.slice(v.range![0], v.range![1]);
      ed.replace(v.range![0], v.range![1], op.index === 0 ? `[ ${flowText(value)}, ${src} ]` : `[ ${src}, ${flowText(value)} ]`);
    } else if (v.flow || !v.items.length) {
      const keyCol = ed.column(ed.keyNode(pair).range![0]);
      const dash = ed.indent.compactSeq ? keyCol : keyCol + ed.indent.unit;
      const moved = [' '.repeat(dash) + '- ' + ed.text.slice(v.range![0], v.range![1])];
      const added = itemLines(value, dash, ed.indent);
      const lines = op.index === 0 ? [...added, ...moved] : [...moved, ...added];
      ed.replace(ed.colonEnd(pair), ed.lineEnd(ed.pairContentEnd(pair) - 1), ed.eol + lines.join(ed.eol));
    } else wrapMapInList(ed, pair, v, value, op.index === 0);
  } else if (pair && !(v === null || (isScalar(v) && v.value === null) || isSeq(v))) throw new EditError(`The 'do' of state '${op.state}' is not a list; edit it in the text.`);
  else if (isSeq(v)) insertItem(ed, v, 0, value);
  else editMap(ed, state, [['do', [value]]], { order: STATE_ORDER });
  return { state: op.state };
};

/** `do:` holding one block mapping becomes a list: the mapping as its first item, `value` added. */
function wrapMapInList(ed: YamlEditor, pair: Pair<Scalar, unknown>, map: YAMLMap, value: unknown, first: boolean): void {
  const firstKey = ed.keyNode(map.items[0] as Pair<unknown, unknown>).range![0];
  const col = ed.column(firstKey);
  const keyCol = ed.column(ed.keyNode(pair).range![0]);
  const dash = ed.indent.compactSeq ? keyCol : keyCol + ed.indent.unit;
  const end = ed.pairContentEnd(pair);
  // Re-indent the mapping's lines so that they sit after a '- ' at the dash's column.
  const startLine = ed.lineStart(firstKey);
  const shift = dash + 2 - col;
  const newItem = itemLines(value, dash, ed.indent);
  let p = startLine;
  const lines: string[] = [];
  while (p < end) {
    const e = ed.lineEnd(p);
    lines.push(ed.text.slice(p, e));
    p = ed.nextLine(p);
  }
  const moved = lines.map((l, i) => {
    if (i === 0) return ' '.repeat(dash) + '- ' + l.trimStart();
    if (!l.trim()) return l;
    return shift >= 0 ? ' '.repeat(shift) + l : l.slice(Math.min(-shift, l.length - l.trimStart().length));
  });
  const all = first ? [...newItem, ...moved] : [...moved, ...newItem];
  ed.replace(startLine, ed.lineEnd(end - 1), all.join(ed.eol));
}

const removeInstruction: Op<'removeInstruction'> = (ed, op) => {
  const { seq } = instructionRef(ed, op.state, op.index);
  const state = stateRef(ed, op.state);
  if (seq && seq.items.length > 1) removeItem(ed, seq, op.index);
  else editMap(ed, state, [['do', undefined]], { order: STATE_ORDER });
  return { state: op.state };
};

const moveInstruction: Op<'moveInstruction'> = (ed, op) => {
  const { seq } = instructionRef(ed, op.state, op.index);
  if (!seq) {
    if (op.toIndex !== 0) throw new EditError(`State '${op.state}' has one instruction only.`);
    return { state: op.state };
  }
  if (op.toIndex < 0 || op.toIndex >= seq.items.length) throw new EditError(`Position ${op.toIndex + 1} is outside the list.`);
  moveItem(ed, seq, op.index, op.toIndex);
  return { state: op.state };
};

const updateInstruction: Op<'updateInstruction'> = (ed, op) => {
  const { ref, kind } = instructionRef(ed, op.state, op.index);
  setPath(ed, ref, op.path, op.value, (depth) => instructionOrder(kind, op.path.slice(0, depth)));
  return { state: op.state };
};

const setInstructionKind: Op<'setInstructionKind'> = (ed, op) => {
  const { ref, kind } = instructionRef(ed, op.state, op.index);
  if (!op.kind || (INSTRUCTION_OPTIONS as readonly string[]).includes(op.kind)) throw new EditError(`'${op.kind}' is not an instruction kind.`);
  const pair = kind ? ed.find(ref.map, kind) : undefined;
  if (!pair) {
    editMap(ed, ref, [[op.kind, op.args ?? null]], { order: [op.kind, ...INSTRUCTION_OPTIONS] });
    return { state: op.state };
  }
  if (op.kind !== kind) {
    if (ed.find(ref.map, op.kind)) throw new EditError(`The instruction already has a '${op.kind}' key.`);
    ed.setScalar(ed.keyNode(pair), op.kind, !!ref.map!.flow);
  }
  replaceValue(ed, pair, op.args ?? null, !!ref.map!.flow);
  return { state: op.state };
};

export const OPERATIONS: { [T in Exclude<EditOperation['type'], 'batch' | GestureOperation['type'] | FanoutOperation['type']>]: Op<T> } = {
  addState,
  deleteState,
  renameState,
  duplicateState,
  pasteStates,
  setStart,
  setFinal,
  setDescription,
  setTimeout: setTimeout_,
  addTransition,
  deleteTransition,
  retargetTransition,
  reorderTransition,
  setTransitionCondition,
  updateTransition,
  addInstruction,
  removeInstruction,
  moveInstruction,
  updateInstruction,
  setInstructionKind,
};

// Set by index.ts (it owns the driver); pasteStates renames inside its snippet through it.
let editTaskText: (text: string, op: EditOperation) => { text: string; error?: string } = () => {
  throw new Error('editTaskText is not wired');
};
export function wireEditTaskText(fn: typeof editTaskText): void {
  editTaskText = fn;
}
