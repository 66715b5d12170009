// The operations on a state's instructions (`do`): add (one instruction written as a mapping becomes
// a list of two), remove, move, edit a field, change the kind.
import { isMap, isScalar, isSeq, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { EditError } from './error';
import { setPath } from './field-path';
import { INSTRUCTION_OPTIONS, instructionOrder, STATE_ORDER } from './key-order';
import { instructionRef, stateRef } from './locate';
import type { Op } from './outcome';
import type { InstructionSpec } from './types';
import type { YamlEditor } from './yaml/editor';
import { replaceValue, setScalar } from './yaml/entry';
import { editMap } from './yaml/mapping';
import { flowText, itemLines } from './yaml/render';
import { insertItem, moveItem, removeItem } from './yaml/sequence';

export function instructionValue(spec: InstructionSpec): Record<string, unknown> {
  if (!spec.kind || (INSTRUCTION_OPTIONS as readonly string[]).includes(spec.kind)) throw new EditError(`'${spec.kind}' is not an instruction kind.`);
  const out: Record<string, unknown> = { [spec.kind]: spec.args ?? null };
  if (spec.as !== undefined && spec.as !== '') out.as = spec.as;
  if (spec.retry !== undefined) out.retry = Object.fromEntries(Object.entries(spec.retry).filter(([, v]) => v !== undefined));
  if (spec.timeout !== undefined && spec.timeout !== '') out.timeout = spec.timeout;
  return out;
}

export const addInstruction: Op<'addInstruction'> = (ed, op) => {
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

export const removeInstruction: Op<'removeInstruction'> = (ed, op) => {
  const { seq } = instructionRef(ed, op.state, op.index);
  const state = stateRef(ed, op.state);
  if (seq && seq.items.length > 1) removeItem(ed, seq, op.index);
  else editMap(ed, state, [['do', undefined]], { order: STATE_ORDER });
  return { state: op.state };
};

export const moveInstruction: Op<'moveInstruction'> = (ed, op) => {
  const { seq } = instructionRef(ed, op.state, op.index);
  if (!seq) {
    if (op.toIndex !== 0) throw new EditError(`State '${op.state}' has one instruction only.`);
    return { state: op.state };
  }
  if (op.toIndex < 0 || op.toIndex >= seq.items.length) throw new EditError(`Position ${op.toIndex + 1} is outside the list.`);
  moveItem(ed, seq, op.index, op.toIndex);
  return { state: op.state };
};

export const updateInstruction: Op<'updateInstruction'> = (ed, op) => {
  const { ref, kind } = instructionRef(ed, op.state, op.index);
  setPath(ed, ref, op.path, op.value, (depth) => instructionOrder(kind, op.path.slice(0, depth)));
  return { state: op.state };
};

export const setInstructionKind: Op<'setInstructionKind'> = (ed, op) => {
  const { ref, kind } = instructionRef(ed, op.state, op.index);
  if (!op.kind || (INSTRUCTION_OPTIONS as readonly string[]).includes(op.kind)) throw new EditError(`'${op.kind}' is not an instruction kind.`);
  const pair = kind ? ed.find(ref.map, kind) : undefined;
  if (!pair) {
    editMap(ed, ref, [[op.kind, op.args ?? null]], { order: [op.kind, ...INSTRUCTION_OPTIONS] });
    return { state: op.state };
  }
  if (op.kind !== kind) {
    if (ed.find(ref.map, op.kind)) throw new EditError(`The instruction already has a '${op.kind}' key.`);
    setScalar(ed, ed.keyNode(pair), op.kind, !!ref.map!.flow);
  }
  replaceValue(ed, pair, op.args ?? null, !!ref.map!.flow);
  return { state: op.state };
};
