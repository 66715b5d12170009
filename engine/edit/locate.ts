// Finds the parts of a task in the parsed text for the operations: the states, one state's mapping,
// its transitions (as the model numbers them) and instructions, and every place that names a state.
// Whatever cannot be edited safely (an alias, a state that is not a mapping) is refused here.
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { EditError } from './error';
import { INSTRUCTION_OPTIONS } from './key-order';
import type { StateReference, TransitionList, TransitionRef } from './types';
import type { MapRef, YamlEditor } from './yaml/editor';

export function rootMap(ed: YamlEditor): YAMLMap {
  const root = ed.doc.contents;
  if (!isMap(root)) throw new EditError('The file does not hold a task (a YAML mapping).');
  return root;
}

export function statesOf(ed: YamlEditor): { pair: Pair<Scalar, unknown>; map: YAMLMap } | undefined {
  const root = ed.doc.contents;
  if (!isMap(root)) return undefined;
  const pair = ed.find(root, 'states');
  if (!pair) return undefined;
  if (isAlias(pair.value)) throw new EditError("'states' is an alias; edit it in the text.");
  return isMap(pair.value) ? { pair, map: pair.value } : undefined;
}

export function requireStates(ed: YamlEditor): { pair: Pair<Scalar, unknown>; map: YAMLMap } {
  const s = statesOf(ed);
  if (!s) throw new EditError('The task has no states yet.');
  return s;
}

export function stateNames(ed: YamlEditor): string[] {
  const s = statesOf(ed);
  return s ? s.map.items.filter((p) => isScalar(p.key)).map((p) => String((p.key as Scalar).value)) : [];
}

export function statePair(ed: YamlEditor, name: string): { pair: Pair<Scalar, unknown>; states: YAMLMap } {
  const { map } = requireStates(ed);
  const pair = ed.find(map, name);
  if (!pair) throw new EditError(`There is no state '${name}'.`);
  ed.keyNode(pair);
  return { pair, states: map };
}

export function stateRef(ed: YamlEditor, name: string): MapRef {
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

export function seqOf(ed: YamlEditor, ref: MapRef, key: string): YAMLSeq | undefined {
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
export function locateTransition(ed: YamlEditor, t: TransitionRef): Located {
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

export function scalarText(node: unknown): string | undefined {
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

/** True when the states are separated by blank lines (new ones are then written the same way). */
export function spacedStates(ed: YamlEditor, map: YAMLMap): boolean {
  if (map.flow) return false;
  const pairs = map.items as Array<Pair<unknown, unknown>>;
  for (let i = 1; i < pairs.length; i++) {
    if (!ed.isPlainEntry(pairs[i - 1]) || !ed.isPlainEntry(pairs[i])) continue;
    const gap = ed.text.slice(ed.pairExtent(pairs[i - 1]).end, ed.pairExtent(pairs[i]).start);
    if (gap.length && gap.trim() === '') return true;
  }
  return false;
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

export function kindOf(map: YAMLMap): string | undefined {
  for (const p of map.items) {
    const k = scalarText(p.key);
    if (k !== undefined && !(INSTRUCTION_OPTIONS as readonly string[]).includes(k)) return k;
  }
  return undefined;
}
