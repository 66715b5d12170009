// Text edits the quick fixes share: add a key to a state, add a state, delete a state, add a
// transition into a state. Each writes only the lines it adds or removes, in the file's own
// indentation and line breaks, and gives up (undefined) on a layout it cannot edit safely.
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { transitionKind, type StateModel, type TextEdit } from '../model/types';
import { lineEnd, lineStart, nodeSpan, renderScalar } from '../schema/yamltext';
import type { LintContext } from './context';

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The indentation of a state's keys under its name, as the file writes it (else 2). */
function stateStep(ctx: LintContext): number {
  const states = ctx.node(['states'])?.node;
  if (!isMap(states)) return 2;
  for (const pair of states.items) {
    const value = pair.value as Node | null;
    const key = pair.key as Node | null;
    if (!isMap(value) || value.flow || !value.items.length || !key?.range) continue;
    const first = value.items[0].key as Node | null;
    if (first?.range) return Math.max(1, column(ctx.text, first.range[0]) - column(ctx.text, key.range[0]));
  }
  return 2;
}

/** `key: value` added as the last entry of a state's mapping (block or flow). */
export function addToState(ctx: LintContext, state: string, key: string, value: string): TextEdit | undefined {
  return addToMap(ctx, ['states', state], key, value);
}

/** `key: value` added as the last entry of a non-empty mapping (block or flow). */
export function addToMap(ctx: LintContext, path: Array<string | number>, key: string, value: string): TextEdit | undefined {
  const map = ctx.node(path)?.node;
  if (!isMap(map) || !map.range || !map.items.length) return undefined;
  const text = ctx.text;
  if (map.flow) {
    const close = text.lastIndexOf('}', map.range[1]);
    if (close < map.range[0]) return undefined;
    const before = text.slice(map.range[0], close).trimEnd();
    const at = map.range[0] + before.length;
    return { start: at, end: at, newText: `${before.endsWith('{') ? ' ' : ', '}${key}: ${value}${before.endsWith('{') ? ' ' : ''}` };
  }
  const firstKey = map.items[0].key as Node | undefined;
  if (!firstKey?.range) return undefined;
  const indent = column(text, firstKey.range[0]);
  if (!/^[ ]*$/.test(text.slice(lineStart(text, firstKey.range[0]), firstKey.range[0]))) return undefined;
  const at = lineEnd(text, lastValueEnd(map) - 1);
  return { start: at, end: at, newText: `${eolOf(text)}${' '.repeat(indent)}${key}: ${value}` };
}

/** The end of a block mapping's last value (before trailing comments and blank lines). */
function lastValueEnd(map: YAMLMap): number {
  const last = map.items[map.items.length - 1] as Pair<Node, Node | null>;
  const end = (last.value as Node | null)?.range?.[1] ?? (last.key as Node).range?.[1] ?? map.range![1];
  return Math.max(end, 1);
}

/** A top-level `key:` section with one entry, written before `states:` (block documents only). */
export function addSection(ctx: LintContext, key: string, entry: string): TextEdit | undefined {
  const states = ctx.node(['states']);
  const statesKey = states?.key as Node | undefined;
  if (!isMap(ctx.doc.contents) || ctx.doc.contents.flow || !statesKey?.range) return undefined;
  const text = ctx.text;
  const at = lineStart(text, statesKey.range[0]);
  if (at !== statesKey.range[0]) return undefined;
  const eol = eolOf(text);
  return { start: at, end: at, newText: `${key}:${eol}${' '.repeat(stateStep(ctx))}${entry}${eol}` };
}

/** A new state at the end of `states`, with the given lines under its key (block `states` only). */
export function addState(ctx: LintContext, name: string, body: string[]): TextEdit | undefined {
  const states = ctx.node(['states'])?.node;
  if (!isMap(states) || states.flow || !states.items.length) return undefined;
  const text = ctx.text;
  const firstKey = states.items[0].key as Node | undefined;
  if (!firstKey?.range) return undefined;
  const indent = ' '.repeat(column(text, firstKey.range[0]));
  const inner = indent + ' '.repeat(stateStep(ctx));
  const eol = eolOf(text);
  const at = lineEnd(text, lastValueEnd(states) - 1);
  return { start: at, end: at, newText: [`${indent}${renderScalar(name)}:`, ...body.map((l) => inner + l)].map((l) => eol + l).join('') };
}

/** Removes a state's lines: from its key's line to the next state's key (or the end of its value). */
export function deleteState(ctx: LintContext, state: string): TextEdit | undefined {
  const states = ctx.node(['states'])?.node;
  if (!isMap(states) || states.flow) return undefined;
  const text = ctx.text;
  const index = states.items.findIndex((p) => isScalar(p.key) && String(p.key.value) === state);
  if (index < 0) return undefined;
  const key = states.items[index].key as Node;
  if (!key.range || !/^[ ]*$/.test(text.slice(lineStart(text, key.range[0]), key.range[0]))) return undefined;
  const start = lineStart(text, key.range[0]);
  const next = states.items[index + 1]?.key as Node | undefined;
  if (next?.range) return { start, end: lineStart(text, next.range[0]), newText: '' };
  const value = (states.items[index].value as Node | null)?.range?.[1] ?? key.range[1];
  const end = lineEnd(text, Math.max(value - 1, key.range[0]));
  // The last state: take its line break before it instead, so no empty line is left.
  return start > 0 ? { start: start - (text[start - 2] === '\r' ? 2 : 1), end, newText: '' } : { start, end, newText: '' };
}

/**
 * A transition into `target` from the first state in `candidates` where one can be added without a
 * new problem: a state with no way out gets `next:`, a block `on` list of `when` transitions with
 * no else branch gets `- to:` as its else branch.
 */
export function transitionInto(ctx: LintContext, candidates: Iterable<StateModel>, target: string): { from: string; edit: TextEdit } | undefined {
  const text = ctx.text;
  for (const s of candidates) {
    if (s.final || s.name === target) continue;
    if (!s.fields.on && !s.fields.next) {
      const edit = addToState(ctx, s.name, 'next', renderScalar(target));
      if (edit) return { from: s.name, edit };
      continue;
    }
    const seq = ctx.node(['states', s.name, 'on'])?.node;
    if (!isSeq(seq) || seq.flow || !seq.items.length || !s.on.every((t) => !t.shorthand && transitionKind(t) === 'when')) continue;
    const first = seq.items[0] as Node;
    const last = seq.items[seq.items.length - 1] as Node;
    if (!first.range || !last.range) continue;
    const dash = lineStart(text, first.range[0]);
    const prefix = text.slice(dash, first.range[0]);
    if (!/^[ ]*-[ ]+$/.test(prefix)) continue;
    const at = lineEnd(text, Math.max(last.range[1] - 1, last.range[0]));
    return { from: s.name, edit: { start: at, end: at, newText: `${eolOf(text)}${prefix}to: ${renderScalar(target)}` } };
  }
  return undefined;
}

/** Removes the lines of an item of a block sequence (from its dash to the next item's). */
export function deleteItem(ctx: LintContext, path: Array<string | number>, index: number): TextEdit | undefined {
  const seq = ctx.node(path)?.node;
  if (!isSeq(seq) || seq.flow) return undefined;
  const text = ctx.text;
  const item = seq.items[index] as Node | undefined;
  if (!item?.range) return undefined;
  const start = lineStart(text, item.range[0]);
  if (!/^[ ]*-[ ]+$/.test(text.slice(start, item.range[0]))) return undefined;
  const next = seq.items[index + 1] as Node | undefined;
  if (next?.range) return { start, end: lineStart(text, next.range[0]), newText: '' };
  const end = lineEnd(text, Math.max(item.range[1] - 1, item.range[0]));
  return start > 0 ? { start: start - (text[start - 2] === '\r' ? 2 : 1), end, newText: '' } : undefined;
}

/** Offsets of a scalar value, for replacing it. */
export function scalarSpan(ctx: LintContext, path: Array<string | number>): [number, number] | undefined {
  const node = ctx.node(path)?.node;
  return isScalar(node) ? nodeSpan(node) : undefined;
}
