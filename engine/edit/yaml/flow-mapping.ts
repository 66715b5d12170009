// Flow mapping edits (`{ a: 1, b: 2 }`), each a splice between entries, and the one case that
// rewrites a flow mapping as a block: a collection added to a one-line flow mapping in block context.
import { isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { EditError } from '../error';
import { hasComment, type MapRef, type YamlEditor } from './editor';
import { replaceValue } from './entry';
import { placeAfter, type Change, type Placement } from './placement';
import { flowEntry, flowText, inlineText, pairLines } from './render';

/**
 * Flow mapping edits, each a splice between entries: a value swapped in place, a removed entry
 * taken out with its separator, a new one written after its neighbour (on a line of its own when
 * the entries sit on lines of their own). The other entries' text is never re-written.
 */
export function editFlowMap(ed: YamlEditor, ref: MapRef, map: YAMLMap, sets: readonly Change[], removes: Set<string>, placement: Placement): void {
  const pairs = map.items as Array<Pair<unknown, unknown>>;
  const json = isJsonStyle(map);
  const kept = pairs.filter((p) => !removes.has(keyName(ed, p)));
  const fresh = sets.filter(([k]) => !ed.find(map, k));
  const replaceOnly = !removes.size && !fresh.length;
  if (!replaceOnly && toBlock(ed, ref, map, sets, removes, placement)) return;
  for (const [k, v] of sets) {
    const pair = ed.find(map, k);
    if (pair) replaceValue(ed, pair, v, true);
  }
  if (!kept.length) {
    const source = ed.text.slice(map.range![0], map.range![1]);
    if (hasComment(source)) throw new EditError('This flow-style mapping holds comments; edit it in the text.');
    ed.replace(map.range![0], map.range![1], flowText(Object.fromEntries(fresh), json));
    return;
  }
  removeFlowPairs(ed, pairs, kept);
  const keys = kept.map((p) => keyName(ed, p));
  const groups = new Map<number, string[]>();
  for (const [k, v] of fresh) {
    const after = placeAfter(keys, k, placement);
    groups.set(after, [...(groups.get(after) ?? []), flowEntry(k, v, json)]);
  }
  for (const [after, entries] of groups) insertFlowEntries(ed, kept, after, entries);
}

function keyName(ed: YamlEditor, pair: Pair<unknown, unknown>): string {
  return String(ed.keyNode(pair).value);
}

/** Takes out each run of removed entries with the separator that joins it to the entries that stay. */
function removeFlowPairs(ed: YamlEditor, pairs: Array<Pair<unknown, unknown>>, kept: Array<Pair<unknown, unknown>>): void {
  for (let i = 0; i < pairs.length; i++) {
    if (kept.includes(pairs[i])) continue;
    let j = i;
    while (j + 1 < pairs.length && !kept.includes(pairs[j + 1])) j++;
    // Up to the next entry that stays; a run at the end goes from the end of the entry before it.
    const [start, end] = j + 1 < pairs.length ? [ed.keyNode(pairs[i]).range![0], ed.keyNode(pairs[j + 1]).range![0]] : [ed.pairContentEnd(pairs[i - 1]), ed.pairContentEnd(pairs[j])];
    if (hasComment(ed.text.slice(start, end))) throw new EditError('A comment sits between the entries of this flow-style mapping and would be lost; edit it in the text.');
    ed.replace(start, end, '');
    i = j;
  }
}

/** Inserts entries (text) after `kept[after]` (-1: before the first), separated like their neighbours. */
export function insertFlowEntries(ed: YamlEditor, kept: Array<Pair<unknown, unknown>>, after: number, entries: readonly string[]): void {
  const sepBefore = (p: Pair<unknown, unknown>) => {
    const key = ed.keyNode(p).range![0];
    return ed.startsLine(key) ? ed.eol + ' '.repeat(ed.column(key)) : ' ';
  };
  const next = kept[after + 1];
  if (next) {
    const sep = sepBefore(next);
    const at = ed.keyNode(next).range![0];
    ed.replace(at, at, entries.map((e) => e + ',' + sep).join(''));
  } else {
    const sep = sepBefore(kept[after]);
    const at = ed.pairContentEnd(kept[after]);
    ed.replace(at, at, entries.map((e) => ',' + sep + e).join(''));
  }
}

/** A collection added to a one-line flow mapping that sits in block context: the mapping is written as a block. */
function toBlock(ed: YamlEditor, ref: MapRef, map: YAMLMap, sets: readonly Change[], removes: Set<string>, placement: Placement): boolean {
  const source = ed.text.slice(map.range![0], map.range![1]);
  if (ed.inFlow(ref.owner) || ref.owner.kind === 'root' || source.includes('\n') || sets.every(([, v]) => inlineText(v) !== undefined)) return false;
  if (hasComment(source)) throw new EditError('This flow-style mapping holds comments; edit it in the text.');
  const col = ed.ownerColumn(ref.owner);
  const inner = ref.owner.kind === 'item' ? col + 2 : col + ed.indent.unit;
  const entries: Array<{ key: string; lines: string[] }> = [];
  for (const p of map.items as Array<Pair<unknown, unknown>>) {
    const key = ed.keyNode(p);
    const k = String(key.value);
    if (removes.has(k)) continue;
    const set = sets.find(([sk]) => sk === k);
    const v = p.value as Node | null;
    const keyText = ed.text.slice(key.range![0], key.range![1]);
    const own = v?.range && v.range[1] > v.range[0] ? `${keyText}: ${ed.text.slice(v.range[0], v.range[1])}` : keyText;
    entries.push({ key: k, lines: set ? pairLines(k, set[1], inner, ed.indent) : [' '.repeat(inner) + own] });
  }
  for (const [k, v] of sets) {
    if (ed.find(map, k)) continue;
    const after = placeAfter(entries.map((e) => e.key), k, placement);
    entries.splice(after + 1, 0, { key: k, lines: pairLines(k, v, inner, ed.indent) });
  }
  const lines = entries.flatMap((e) => e.lines);
  if (ref.owner.kind === 'pair') ed.replace(ed.colonEnd(ref.owner.pair), map.range![1], ed.eol + lines.join(ed.eol));
  else ed.replace(map.range![0], map.range![1], [lines[0].slice(inner), ...lines.slice(1)].join(ed.eol));
  return true;
}

/** True when every key of a (non-empty) mapping is double-quoted, as in a file written as JSON. */
export function isJsonStyle(map: YAMLMap): boolean {
  return map.items.length > 0 && map.items.every((p) => isScalar(p.key) && p.key.type === 'QUOTE_DOUBLE');
}
