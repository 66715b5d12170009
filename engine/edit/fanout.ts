// Edit operations on the fan-out instructions: a `parallel`'s branches (add, remove, rename) and a
// `map`'s options (`items`, `concurrency`, `tolerate`). Like every operation, minimal text edits:
// the other branches, their comments and their style (a flow mapping per line, as the samples
// write them, or block mappings) stay as written.
import { isMap, isScalar, type Pair, type Scalar } from 'yaml';
import { EditError } from './error';
import { instructionValue } from './instructions';
import { KIND_FIELDS } from './key-order';
import { childRef, instructionRef } from './locate';
import type { Op } from './outcome';
import type { EditOperation } from './types';
import type { MapRef, YamlEditor } from './yaml/editor';
import { setScalar } from './yaml/entry';
import { insertFlowEntries } from './yaml/flow-mapping';
import { editMap } from './yaml/mapping';
import { flowEntry, flowText, stringScalar } from './yaml/render';

type FanoutOperation = Extract<EditOperation, { type: 'addBranch' | 'removeBranch' | 'renameBranch' | 'setMapOption' }>;

/** The mapping under the `parallel` or `map` key of the instruction at `index`. */
function fanoutRef(ed: YamlEditor, state: string, index: number, kind: 'parallel' | 'map'): MapRef {
  const { ref, kind: found } = instructionRef(ed, state, index);
  if (found !== kind) throw new EditError(`Instruction ${index + 1} of state '${state}' is ${found ? `a '${found}'` : 'empty'}, not a '${kind}'.`);
  const child = childRef(ed, ref, kind);
  if (!child) throw new EditError(`The '${kind}' of state '${state}' is not a mapping; edit it in the text.`);
  return child;
}

function branchNames(ref: MapRef): string[] {
  return (ref.map?.items ?? []).filter((p) => isScalar(p.key)).map((p) => String((p.key as Scalar).value));
}

function branchPair(ed: YamlEditor, ref: MapRef, state: string, branch: string): Pair<Scalar, unknown> {
  const pair = ed.find(ref.map, branch);
  if (!pair) throw new EditError(`The parallel of state '${state}' has no branch '${branch}'.`);
  return pair;
}

function checkBranchName(name: string, taken: readonly string[]): void {
  if (!name.trim()) throw new EditError('A branch needs a name.');
  if (name !== name.trim() || /[\r\n\t]/.test(name)) throw new EditError(`'${name}' is not a usable branch name: no spaces around it, no line breaks.`);
  if (taken.includes(name)) throw new EditError(`There is already a branch '${name}'.`);
}

function freeBranchName(taken: readonly string[], base = 'branch'): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(`${base}-${i}`)) return `${base}-${i}`;
}

const addBranch: Op<'addBranch'> = (ed, op) => {
  const ref = fanoutRef(ed, op.state, op.index, 'parallel');
  const taken = branchNames(ref);
  const name = op.name ?? freeBranchName(taken);
  checkBranchName(name, taken);
  if (op.instruction.as) throw new EditError("A branch takes no 'as': its result is stored under the branch's name.");
  if (op.instruction.kind === 'parallel' || op.instruction.kind === 'map' || op.instruction.kind === 'set') throw new EditError(`A branch cannot hold a '${op.instruction.kind}'.`);
  const value = instructionValue(op.instruction);
  const pairs = (ref.map?.items ?? []) as Array<Pair<unknown, unknown>>;
  const last = pairs[pairs.length - 1];
  const lastValue = last?.value;
  if (ref.map?.flow && last) {
    // `parallel: { a: ..., b: ... }` stays one flow mapping.
    insertFlowEntries(ed, pairs, pairs.length - 1, [flowEntry(name, value)]);
  } else if (ref.map && last && isMap(lastValue) && lastValue.flow && !ed.text.slice(lastValue.range![0], lastValue.range![1]).includes('\n')) {
    // The branches are written one a line (`web: { call: ... }`): the new one too.
    const col = ed.column(ed.keyNode(last).range![0]);
    ed.insertLines(ed.pairExtent(last).end, [`${' '.repeat(col)}${stringScalar(name)}: ${flowText(value)}`]);
  } else editMap(ed, ref, [[name, value]], { after: last ? String((last.key as Scalar).value) : undefined });
  return { state: op.state };
};

const removeBranch: Op<'removeBranch'> = (ed, op) => {
  const ref = fanoutRef(ed, op.state, op.index, 'parallel');
  branchPair(ed, ref, op.state, op.branch);
  if (branchNames(ref).length === 1) throw new EditError(`'${op.branch}' is the only branch of this parallel; remove the instruction instead.`);
  editMap(ed, ref, [[op.branch, undefined]], { after: undefined });
  return { state: op.state };
};

const renameBranch: Op<'renameBranch'> = (ed, op) => {
  const ref = fanoutRef(ed, op.state, op.index, 'parallel');
  const pair = branchPair(ed, ref, op.state, op.branch);
  if (op.newName === op.branch) return { state: op.state };
  checkBranchName(op.newName, branchNames(ref));
  setScalar(ed, ed.keyNode(pair), op.newName, !!ref.map!.flow);
  return { state: op.state };
};

const setMapOption: Op<'setMapOption'> = (ed, op) => {
  const ref = fanoutRef(ed, op.state, op.index, 'map');
  const v = op.value;
  if (op.option === 'items') {
    if (v === undefined) throw new EditError("A map needs its 'items'; change them rather than remove them.");
    if (typeof v === 'string' ? !v.trim() : !Array.isArray(v)) throw new EditError("'items' is an expression that gives a list, such as '={{ input.regions }}', or a list.");
  } else if (v !== undefined) {
    const min = op.option === 'concurrency' ? 1 : 0;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new EditError(`'${op.option}' is a whole number, ${min} or more.`);
  }
  const old = ed.find(ref.map, op.option)?.value;
  // A list over an expression is written where the expression was (a comment after it stays).
  if (Array.isArray(v) && isScalar(old) && old.range && old.range[1] > old.range[0]) ed.replace(old.range[0], old.range[1], flowText(v));
  else editMap(ed, ref, [[op.option, v]], { order: KIND_FIELDS.map });
  return { state: op.state };
};

export const FANOUT_OPERATIONS: { [T in FanoutOperation['type']]: Op<T> } = { addBranch, removeBranch, renameBranch, setMapOption };
