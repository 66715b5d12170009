// The operations on whole states: add (the skeleton of a task in an empty file), delete, rename
// (with every reference), duplicate, and a state's own fields (start, final, description, timeout).
import { isScalar, type Node, type Pair } from 'yaml';
import { EditError } from './error';
import { STATE_ORDER, TOP_ORDER } from './key-order';
import { findReferences, rootMap, spacedStates, stateNames, statePair, statesOf, stateRef } from './locate';
import { freeStateName, TASK_NAME } from './names';
import type { Op } from './outcome';
import type { StateReference } from './types';
import type { MapRef, YamlEditor } from './yaml/editor';
import { setScalar } from './yaml/entry';
import { insertFlowEntries } from './yaml/flow-mapping';
import { editMap } from './yaml/mapping';
import { pairLines, stringScalar } from './yaml/render';

function checkName(ed: YamlEditor, name: string, what = 'A state'): void {
  if (typeof name !== 'string' || !name.trim()) throw new EditError(`${what} needs a name.`);
  if (name !== name.trim() || /[\r\n\t]/.test(name)) throw new EditError(`'${name}' is not a usable state name: no spaces around it, no line breaks.`);
  if (stateNames(ed).includes(name)) throw new EditError(`There is already a state '${name}'.`);
}

/** True when the text holds no YAML content: blank lines, comments and `---` markers only. */
function isBlankYaml(text: string): boolean {
  return text.split(/\r?\n/).every((line) => /^\s*(#.*)?$/.test(line) || /^---\s*(#.*)?$/.test(line));
}

export const addState: Op<'addState'> = (ed, op) => {
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

export const deleteState: Op<'deleteState'> = (ed, op) => {
  const { states } = statePair(ed, op.state);
  const top = rootMap(ed);
  const statesPair = ed.find(top, 'states')!;
  editMap(ed, { map: states, owner: { kind: 'pair', pair: statesPair, parent: top } }, [[op.state, undefined]], { after: undefined });
  const references = findReferences(ed, op.state)
    .filter((r) => r.kind === 'start' || r.state !== op.state)
    .map(({ node: _n, flow: _f, ...r }) => r as StateReference);
  return { references };
};

export const renameState: Op<'renameState'> = (ed, op) => {
  const { pair, states } = statePair(ed, op.state);
  if (op.newName === op.state) return { state: op.state };
  checkName(ed, op.newName);
  setScalar(ed, ed.keyNode(pair), op.newName, !!states.flow);
  for (const r of findReferences(ed, op.state)) setScalar(ed, r.node, op.newName, r.flow);
  return { state: op.newName };
};

export const duplicateState: Op<'duplicateState'> = (ed, op) => {
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

export const setStart: Op<'setStart'> = (ed, op) => {
  statePair(ed, op.state);
  editMap(ed, { map: rootMap(ed), owner: { kind: 'root' } }, [['start', op.state]], { order: TOP_ORDER });
  return { state: op.state };
};

export const setFinal: Op<'setFinal'> = (ed, op) => {
  const ref = stateRef(ed, op.state);
  if (!op.final) editMap(ed, ref, [['final', undefined], ['status', undefined]], { order: STATE_ORDER });
  else {
    const changes: Array<[string, unknown]> = [['final', true]];
    if (op.status !== undefined && (op.status !== 'succeeded' || ed.find(ref.map, 'status'))) changes.push(['status', op.status]);
    editMap(ed, ref, changes, { order: STATE_ORDER });
  }
  return { state: op.state };
};

export const setDescription: Op<'setDescription'> = (ed, op) => {
  editMap(ed, stateRef(ed, op.state), [['description', op.description ? op.description : undefined]], { order: STATE_ORDER });
  return { state: op.state };
};

export const setTimeout_: Op<'setTimeout'> = (ed, op) => {
  editMap(ed, stateRef(ed, op.state), [['timeout', op.timeout ? op.timeout : undefined]], { order: STATE_ORDER });
  return { state: op.state };
};
