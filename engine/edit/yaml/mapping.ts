// Edits of a mapping's entries: set, add and remove keys in one go. Block mappings are edited here a
// line at a time (an entry goes with its comment lines; blank lines between entries stay tidy);
// flow mappings are handed to flow-mapping.ts; an empty holder (`key:`, `- `) gets its first entries.
import { isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Extent, MapRef, YamlEditor } from './editor';
import { replaceValue } from './entry';
import { editFlowMap, isJsonStyle } from './flow-mapping';
import { placeAfter, type Change, type Placement } from './placement';
import { flowText, isCollection, itemLines, pairLines } from './render';

/**
 * Sets and removes entries of a mapping in one go: a value `undefined` removes the key, any other
 * value sets it (a scalar over a scalar keeps the quoting style). New keys go where `placement`
 * says; several new keys at one place are written together, in the order given.
 */
export function editMap(ed: YamlEditor, ref: MapRef, changes: readonly Change[], placement: Placement = { order: [] }): void {
  const { map } = ref;
  const sets = changes.filter(([, v]) => v !== undefined);
  const removes = new Set(changes.filter(([, v]) => v === undefined).map(([k]) => k));
  const pairs = map ? (map.items as Array<Pair<unknown, unknown>>) : [];
  const present = (k: string) => pairs.some((p) => isScalar(p.key) && String(p.key.value) === k);
  const effective = sets.filter(([k, v]) => !present(k) || !sameScalar(ed.find(map, k)!.value, v));
  const removing = pairs.filter((p) => isScalar(p.key) && removes.has(String(p.key.value)));
  if (!effective.length && !removing.length) return;
  if (!map || (map.flow && pairs.length === 0)) {
    writeEmpty(ed, ref, effective);
    return;
  }
  if (map.flow) {
    editFlowMap(ed, ref, map, effective, removes, placement);
    return;
  }
  const remaining = pairs.filter((p) => !removing.includes(p));
  const inserts: Array<[string, unknown]> = [];
  for (const [k, v] of effective) {
    const pair = ed.find(map, k);
    if (pair) replaceValue(ed, pair, v, false);
    else inserts.push([k, v]);
  }
  if (!remaining.length && !inserts.length) {
    emptyBlockMap(ed, ref, map);
    return;
  }
  removeBlockPairs(ed, pairs, removing, remaining);
  if (inserts.length) insertBlockPairs(ed, map, remaining, inserts, placement);
}

function sameScalar(node: unknown, value: unknown): boolean {
  if (!isScalar(node) || isCollection(value)) return false;
  return node.value === value || (node.value === null && value === null);
}

/** Removes entries of a block mapping (some entries remain, or new ones are added). */
function removeBlockPairs(ed: YamlEditor, pairs: Array<Pair<unknown, unknown>>, removing: Array<Pair<unknown, unknown>>, remaining: Array<Pair<unknown, unknown>>): void {
  if (!removing.length) return;
  const first = pairs[0];
  const handled = new Set<Pair<unknown, unknown>>();
  const keep = remaining[0];
  if (removing.includes(first) && keep && !ed.startsLine(ed.keyNode(first).range![0])) {
    // The first key sits after a '- ': the first key that stays moves up onto the dash's line.
    ed.replace(ed.keyNode(first).range![0], ed.keyNode(keep).range![0], '');
    for (const p of pairs) {
      if (p === keep) break;
      handled.add(p);
    }
  }
  for (const p of removing) {
    if (handled.has(p)) continue;
    ed.replace(...tidyBlankLines(ed, ed.pairExtent(p), ed.column(ed.keyNode(p).range![0])));
  }
}

/** Widens removed lines so that they leave neither two blank lines in a row nor a dangling one behind. */
function tidyBlankLines(ed: YamlEditor, ext: Extent, col: number): [number, number, string] {
  let { start, end } = ext;
  if (start !== ed.lineStart(start)) return [start, end, ''];
  const prevBlank = start > 0 && ed.isBlankLine(ed.lineStart(start - 1));
  if (!prevBlank) {
    // The first entry under its parent's key: blank lines after it would now follow the key.
    const prev = start > 0 ? ed.lineStart(start - 1) : -1;
    const parentAbove = prev < 0 || (ed.commentColumn(prev) < 0 && ed.leadingSpaces(prev) < col);
    if (parentAbove) while (end < ed.text.length && ed.isBlankLine(end)) end = ed.nextLine(end);
    return [start, end, ''];
  }
  if (end < ed.text.length && ed.isBlankLine(end)) return [start, ed.nextLine(end), ''];
  if (end >= ed.text.length || ed.leadingSpaces(end) < col) {
    while (start > 0 && ed.isBlankLine(ed.lineStart(start - 1))) start = ed.lineStart(start - 1);
  }
  return [start, end, ''];
}

function insertBlockPairs(ed: YamlEditor, map: YAMLMap, remaining: Array<Pair<unknown, unknown>>, inserts: Array<[string, unknown]>, placement: Placement): void {
  const all = map.items as Array<Pair<unknown, unknown>>;
  const col = ed.entryColumn(all);
  // Group the new keys by the entry they follow (undefined: before the first entry that stays).
  const groups = new Map<Pair<unknown, unknown> | undefined, Array<[string, unknown]>>();
  const names = remaining.map((p) => (isScalar(p.key) ? String(p.key.value) : undefined));
  for (const entry of inserts) {
    const at = placeAfter(names, entry[0], placement);
    const after = at >= 0 ? remaining[at] : undefined;
    const list = groups.get(after) ?? [];
    list.push(entry);
    groups.set(after, list);
  }
  const spaced = 'spaced' in placement && !!placement.spaced;
  for (const [after, entries] of groups) {
    const lines = entries.flatMap(([k, v]) => pairLines(k, v, col, ed.indent));
    if (after) {
      const ext = ed.pairExtent(after);
      ed.insertLines(ext.end, spaced ? ['', ...lines] : lines);
      continue;
    }
    const first = remaining[0] ?? all[0];
    const key = ed.keyNode(first).range![0];
    if (ed.startsLine(key)) {
      ed.insertLines(ed.pairExtent(first).start, spaced ? [...lines, ''] : lines);
      continue;
    }
    // After a '- ': the new lines take the dash's line; an entry that stays moves below them,
    // else the removed entries' lines (up to a line start) are replaced.
    const body = lines.map((l, i) => (i === 0 ? l.slice(col) : l)).join(ed.eol);
    const atTextEnd = () => ed.pairExtent(all[all.length - 1]).end >= ed.text.length && !ed.text.endsWith('\n');
    ed.replace(key, key, body + (remaining.length ? ed.eol + ' '.repeat(col) : atTextEnd() ? '' : ed.eol));
  }
}

/** A block mapping whose entries are all removed: written `{}`. */
function emptyBlockMap(ed: YamlEditor, ref: MapRef, map: YAMLMap): void {
  const { owner } = ref;
  const pairs = map.items as Array<Pair<unknown, unknown>>;
  const last = pairs[pairs.length - 1];
  const end = ed.lineEnd(ed.pairContentEnd(last) - 1);
  if (owner.kind === 'pair') ed.replace(ed.colonEnd(owner.pair), end, ' {}');
  else if (owner.kind === 'item') ed.replace(ed.keyNode(pairs[0]).range![0], end, '{}');
  else ed.replace(ed.pairExtent(pairs[0]).start, ed.pairExtent(last).end, '');
}

/** Writes entries where a mapping's holder has an empty value (`key:`, `key: ~`, `key: {}`, `- `). */
function writeEmpty(ed: YamlEditor, ref: MapRef, entries: readonly Change[]): void {
  const { owner } = ref;
  if (!entries.length) return;
  const value = Object.fromEntries(entries);
  if (owner.kind === 'root') {
    ed.insertLines(ed.text.length, entries.flatMap(([k, v]) => pairLines(k, v, 0, ed.indent)));
    return;
  }
  const holder = owner.kind === 'pair' ? (owner.pair.value as Node | null) : (owner.seq.items[owner.index] as Node | null);
  const r = holder?.range && holder.range[1] > holder.range[0] ? holder.range : undefined;
  if (ed.inFlow(owner)) {
    const json = owner.kind === 'pair' && isJsonStyle(owner.parent);
    if (r) ed.replace(r[0], r[1], flowText(value, json));
    else if (owner.kind === 'pair') ed.replace(ed.colonEnd(owner.pair), ed.colonEnd(owner.pair), ' ' + flowText(value, json));
    return;
  }
  const col = ed.ownerColumn(owner);
  if (owner.kind === 'pair') {
    const colon = ed.colonEnd(owner.pair);
    let last = colon;
    if (r) {
      const end = ed.contentEnd(holder)!;
      ed.replace(ed.text.slice(colon, r[0]).trim() === '' ? colon : r[0], end, '');
      last = end;
    }
    ed.insertLines(ed.nextLine(Math.max(colon, last - 1)), entries.flatMap(([k, v]) => pairLines(k, v, col + ed.indent.unit, ed.indent)));
    return;
  }
  const dash = ed.dashOf(owner.seq, owner.index);
  const lines = itemLines(value, col, ed.indent);
  const body = [lines[0].slice(col + 2), ...lines.slice(1)].join(ed.eol);
  if (r) ed.replace(r[0], ed.contentEnd(holder)!, body);
  else ed.replace(dash + 1, dash + 1, ' ' + body);
}
