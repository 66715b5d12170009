// Operations that say what a gesture on the graph means rather than one change to the YAML. Each
// reads the state as written and becomes the plain operations that do it (one batch: one undo
// step). Their arguments' shapes are checked at the boundary (validate.ts) like every operation's.
import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import { EditError } from './error';
import { CONDITION_KEYS } from './key-order';
import { freeStateName } from './names';
import type { EditOperation, TransitionList } from './types';

export type GestureOperation = Extract<EditOperation, { type: 'connect' | 'insertState' }>;

export function isGesture(op: EditOperation): op is GestureOperation {
  return op.type === 'connect' || op.type === 'insertState';
}

/** The plain operation a gesture stands for, on the text `doc` was parsed from. */
export function expandGesture(doc: Document, op: GestureOperation): EditOperation {
  const states = statesMap(doc);
  const state = op.state;
  const map = stateMap(states, state);
  if (op.type === 'connect') {
    const to = op.to;
    if (!hasState(states, to)) throw new EditError(`There is no state '${to}' to connect to.`);
    // A state with one unconditional way out goes somewhere else now: a second unconditional
    // transition would never be taken.
    return onlyUnconditionalExit(map) ? { type: 'retargetTransition', state, index: 0, list: 'on', to } : { type: 'addTransition', state, to };
  }
  const list = op.list ?? 'on';
  const index = op.index;
  const target = transitionTarget(map, list, index);
  if (target === undefined) throw new EditError(`State '${state}' has no transition ${index + 1} in '${list === 'on' ? 'on/next' : 'catch'}'.`);
  const name = op.name ?? freeStateName(stateNames(states));
  return {
    type: 'batch',
    operations: [
      { type: 'addState', name, after: state },
      { type: 'retargetTransition', state, index, list, to: name },
      { type: 'addTransition', state: name, to: target },
    ],
  };
}

function statesMap(doc: Document): YAMLMap {
  if (doc.errors.length) throw new EditError(`The YAML has errors; fix them first (${doc.errors[0].message.split('\n')[0]}).`);
  const states = isMap(doc.contents) ? doc.contents.get('states', true) : undefined;
  if (!isMap(states)) throw new EditError('The task has no states yet.');
  return states;
}

function stateNames(states: YAMLMap): string[] {
  return states.items.filter((p) => isScalar(p.key)).map((p) => String((p.key as { value: unknown }).value));
}

function hasState(states: YAMLMap, name: string): boolean {
  return stateNames(states).includes(name);
}

/** The state's mapping (null for an empty state such as `a:`). */
function stateMap(states: YAMLMap, name: string): YAMLMap | null {
  const pair = states.items.find((p) => isScalar(p.key) && String(p.key.value) === name);
  if (!pair) throw new EditError(`There is no state '${name}'.`);
  if (isMap(pair.value)) return pair.value;
  if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) return null;
  throw new EditError(`State '${name}' is not a mapping; edit it in the text.`);
}

function onlyUnconditionalExit(map: YAMLMap | null): boolean {
  if (!map) return false;
  const next = map.get('next', true);
  const on = map.get('on', true);
  if (next !== undefined) return on === undefined || (isSeq(on) && on.items.length === 0);
  if (!isSeq(on) || on.items.length !== 1) return false;
  const only = on.items[0];
  return isMap(only) && !CONDITION_KEYS.some((k) => only.has(k));
}

/** The `to` of a transition (index 0 of `on` is `next:` when written so), or undefined when there is none. */
function transitionTarget(map: YAMLMap | null, list: TransitionList, index: number): string | undefined {
  if (!map) return undefined;
  const next = map.get('next', true);
  if (list === 'on' && next !== undefined) return index === 0 && isScalar(next) ? String(next.value) : undefined;
  const seq = map.get(list, true);
  const item = isSeq(seq) ? seq.items[index] : undefined;
  const to = isMap(item) ? item.get('to', true) : undefined;
  return isScalar(to) && to.value !== null ? String(to.value) : undefined;
}
