// Text edits on a parsed YAML document, computed from its nodes' offsets (`range = [start, valueEnd,
// nodeEnd]`). Every edit is a splice at those offsets: a scalar replaced in its own quoting style, a
// mapping entry or list item removed with its own comment lines, new entries inserted as lines with
// the file's indentation and line ending. Nothing else in the file is re-written.
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { TextEdit } from '../model/types';
import { flowEntry, flowText, inlineText, isCollection, itemLines, pairLines, scalarText, stringScalar, type Indent } from './render';

/** Thrown by an operation that cannot be applied; its message is shown to the user. */
export class EditError extends Error {}

/** Who holds a mapping: an entry of another mapping, an item of a sequence, or the document. */
export type Owner =
  | { kind: 'pair'; pair: Pair<unknown, unknown>; parent: YAMLMap }
  | { kind: 'item'; seq: YAMLSeq; index: number }
  | { kind: 'root' };

/** A mapping to edit (`map` null when the holder's value is empty: `key:` or `key: ~`). */
export interface MapRef {
  map: YAMLMap | null;
  owner: Owner;
}

/** Where new entries of a mapping go: by a canonical key order, or right after a given key. */
export type Placement = { order: readonly string[] } | { after?: string; spaced?: boolean };

export type Change = readonly [key: string, value: unknown];

interface Extent {
  start: number;
  end: number;
}

export class YamlEditor {
  readonly eol: string;
  readonly indent: Indent;
  readonly edits: TextEdit[] = [];

  constructor(
    readonly text: string,
    readonly doc: Document,
  ) {
    const nl = text.indexOf('\n');
    this.eol = nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
    this.indent = detectIndent(text, doc);
  }

  // ---------------------------------------------------------------- lines

  lineStart(offset: number): number {
    return offset <= 0 ? 0 : this.text.lastIndexOf('\n', offset - 1) + 1;
  }

  /** The end of the line holding `offset`, before its line break. */
  lineEnd(offset: number): number {
    const i = this.text.indexOf('\n', offset);
    const end = i < 0 ? this.text.length : i;
    return end > 0 && this.text[end - 1] === '\r' && end - 1 >= offset ? end - 1 : end;
  }

  /** The start of the line after the one holding `offset` (the text's length on the last line). */
  nextLine(offset: number): number {
    const i = this.text.indexOf('\n', offset);
    return i < 0 ? this.text.length : i + 1;
  }

  column(offset: number): number {
    return offset - this.lineStart(offset);
  }

  private lineText(start: number): string {
    return this.text.slice(start, this.lineEnd(start));
  }

  isBlankLine(start: number): boolean {
    return this.lineText(start).trim() === '';
  }

  /** The column of a comment line's '#', or -1 when the line is not a comment line. */
  private commentColumn(start: number): number {
    const line = this.lineText(start);
    const col = line.length - line.trimStart().length;
    return line[col] === '#' ? col : -1;
  }

  /** True when only spaces precede `offset` on its line. */
  startsLine(offset: number): boolean {
    return this.text.slice(this.lineStart(offset), offset).trim() === '';
  }

  // ---------------------------------------------------------------- nodes

  /** The end of a node's own text (no trailing comment, blank line or line break). */
  contentEnd(node: unknown): number | undefined {
    const r = (node as Node | null)?.range;
    if (!r) return undefined;
    let end = r[1];
    while (end > r[0] && /\s/.test(this.text[end - 1])) end--;
    return end;
  }

  find(map: YAMLMap | null, key: string): Pair<Scalar, unknown> | undefined {
    if (!map) return undefined;
    for (const item of map.items) if (isScalar(item.key) && String(item.key.value) === key) return item as Pair<Scalar, unknown>;
    return undefined;
  }

  /**
   * A mapping entry's key, where the entry starts. Refused: keys that are not scalars, and entries
   * that do not start at their key's text (`? key`, `&anchor key`, `!tag key`), since every splice
   * measures the entry from there.
   */
  keyNode(pair: Pair<unknown, unknown>): Scalar {
    const problem = this.keyProblem(pair);
    if (problem) throw new EditError(problem);
    return pair.key as Scalar;
  }

  isPlainEntry(pair: Pair<unknown, unknown>): boolean {
    return this.keyProblem(pair) === undefined;
  }

  /** The column of a block mapping's keys (read from its first plain entry). */
  entryColumn(pairs: ReadonlyArray<Pair<unknown, unknown>>): number {
    return this.column(this.keyNode(pairs.find((p) => this.isPlainEntry(p)) ?? pairs[0]).range![0]);
  }

  private keyProblem(pair: Pair<unknown, unknown>): string | undefined {
    const key = pair.key;
    if (!isScalar(key) || !key.range) return 'A mapping key that is not a plain value cannot be edited here.';
    if (key.anchor || key.tag) return `The key '${String(key.value)}' has an anchor or a tag; edit it in the text.`;
    if (this.keyPrefix(key.range[0]) !== '' || (pair.value !== null && this.colonAt(key.range[1]) < 0)) {
      return `The entry '${String(key.value)}' is written with an explicit key (? key); edit it in the text.`;
    }
    return undefined;
  }

  /** What precedes a key on its line besides indentation, `- ` and a flow collection's `{`, `[` or `,`: empty for a plain entry. */
  private keyPrefix(keyStart: number): string {
    const before = this.text.slice(this.lineStart(keyStart), keyStart);
    const flowAt = Math.max(before.lastIndexOf('{'), before.lastIndexOf('['), before.lastIndexOf(','));
    return (flowAt >= 0 ? before.slice(flowAt + 1) : before.replace(/^\s*(-\s+)*/, '')).trim();
  }

  /** The offset of the ':' right after a key's end (spaces between), or -1. */
  private colonAt(keyEnd: number): number {
    let at = keyEnd;
    while (this.text[at] === ' ' || this.text[at] === '\t') at++;
    return this.text[at] === ':' ? at : -1;
  }

  /** The offset just after the ':' that follows a key (the key's end when it has no value). */
  colonEnd(pair: Pair<unknown, unknown>): number {
    const key = this.keyNode(pair);
    const at = this.colonAt(key.range![1]);
    return at < 0 ? key.range![1] : at + 1;
  }

  /** Where a pair's text ends (its value's, or its key's when the value is empty). */
  pairContentEnd(pair: Pair<unknown, unknown>): number {
    const keyEnd = this.colonEnd(pair);
    const valueEnd = this.contentEnd(pair.value);
    return valueEnd !== undefined && valueEnd > keyEnd ? valueEnd : keyEnd;
  }

  /**
   * The lines a block entry owns: the comment lines right above it (at its column or deeper), its
   * own lines, and the comment lines after it that are indented deeper than it.
   */
  private extent(anchor: number, col: number, contentEnd: number): Extent {
    let start = anchor;
    if (this.startsLine(anchor)) {
      start = this.lineStart(anchor);
      while (start > 0) {
        const prev = this.lineStart(start - 1);
        if (this.commentColumn(prev) < col) break;
        start = prev;
      }
    }
    let end = this.nextLine(Math.max(anchor, contentEnd - 1));
    for (let p = end; p < this.text.length; ) {
      if (this.isBlankLine(p)) {
        p = this.nextLine(p);
        continue;
      }
      if (this.commentColumn(p) > col) {
        p = this.nextLine(p);
        end = p;
        continue;
      }
      break;
    }
    return { start, end };
  }

  pairExtent(pair: Pair<unknown, unknown>): Extent {
    const key = this.keyNode(pair);
    return this.extent(key.range![0], this.column(key.range![0]), this.pairContentEnd(pair));
  }

  /** Offset of a block sequence item's dash. */
  private dashOf(seq: YAMLSeq, index: number): number {
    const item = seq.items[index] as Node | null;
    const col = this.column(seq.range![0]);
    const at = item?.range ? item.range[0] : seq.range![0];
    let dash = this.lineStart(at) + col;
    if (this.text[dash] !== '-') dash = this.text.lastIndexOf('-', at);
    return dash;
  }

  itemExtent(seq: YAMLSeq, index: number): Extent {
    const dash = this.dashOf(seq, index);
    const end = this.contentEnd(seq.items[index]);
    return this.extent(dash, this.column(dash), end !== undefined && end > dash ? end : dash + 1);
  }

  /** The column of a mapping's keys, or of where they go. */
  private ownerColumn(owner: Owner): number {
    if (owner.kind === 'pair') return this.column(this.keyNode(owner.pair).range![0]);
    if (owner.kind === 'item') return this.column(this.dashOf(owner.seq, owner.index));
    return 0;
  }

  private inFlow(owner: Owner): boolean {
    if (owner.kind === 'pair') return !!owner.parent.flow;
    if (owner.kind === 'item') return !!owner.seq.flow;
    return false;
  }

  // ---------------------------------------------------------------- edits

  replace(start: number, end: number, newText: string): void {
    if (start === end && newText === '') return;
    if (this.text.slice(start, end) === newText) return;
    this.edits.push({ start, end, newText });
  }

  /** Inserts whole lines at a line start (or at the end of the text). */
  insertLines(at: number, lines: readonly string[]): void {
    if (!lines.length) return;
    const body = lines.join(this.eol);
    if (at >= this.text.length && this.text.length > 0 && !this.text.endsWith('\n')) this.replace(this.text.length, this.text.length, this.eol + body);
    else this.replace(at, at, body + this.eol);
  }

  /** Replaces a scalar's value in its own style (quotes kept; a plain one quoted only when needed). */
  setScalar(node: Scalar, value: unknown, flow: boolean): void {
    const r = node.range!;
    if (typeof value !== 'string') {
      this.replace(r[0], r[1], scalarText(value, flow));
      return;
    }
    if (node.type === 'QUOTE_SINGLE' && !/\n/.test(value)) this.replace(r[0], r[1], `'${value.replace(/'/g, "''")}'`);
    else if (node.type === 'QUOTE_DOUBLE') this.replace(r[0], r[1], JSON.stringify(value));
    else if ((node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && value.includes('\n') && !/^[ \t]|^\n/.test(value)) {
      const pad = ' '.repeat(this.column(this.lineStart(r[0]) + this.leadingSpaces(this.lineStart(r[0]))) + this.indent.unit);
      const body = value.replace(/\n+$/, '');
      const trailing = value.length - body.length;
      const header = trailing === 0 ? '|-' : trailing === 1 ? '|' : '|+';
      const lines = body.split('\n').map((l) => (l ? pad + l : ''));
      const old = this.text.slice(r[0], r[1]);
      const keepEol = /\n$/.test(old);
      this.replace(r[0], r[1], header + this.eol + lines.join(this.eol) + (keepEol ? this.eol : ''));
    } else if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
      const end = this.text.slice(r[0], r[1]).endsWith('\n') ? r[1] - (this.text.slice(r[0], r[1]).endsWith('\r\n') ? 2 : 1) : r[1];
      this.replace(r[0], end, stringScalar(value, flow));
    } else this.replace(r[0], r[1], stringScalar(value, flow));
  }

  private leadingSpaces(lineStart: number): number {
    let i = lineStart;
    while (this.text[i] === ' ') i++;
    return i - lineStart;
  }

  // ---------------------------------------------------------------- mappings

  /**
   * Sets and removes entries of a mapping in one go: a value `undefined` removes the key, any other
   * value sets it (a scalar over a scalar keeps the quoting style). New keys go where `placement`
   * says; several new keys at one place are written together, in the order given.
   */
  editMap(ref: MapRef, changes: readonly Change[], placement: Placement = { order: [] }): void {
    const { map, owner } = ref;
    const sets = changes.filter(([, v]) => v !== undefined);
    const removes = new Set(changes.filter(([, v]) => v === undefined).map(([k]) => k));
    const pairs = map ? (map.items as Array<Pair<unknown, unknown>>) : [];
    const present = (k: string) => pairs.some((p) => isScalar(p.key) && String(p.key.value) === k);
    const effective = sets.filter(([k, v]) => !present(k) || !this.sameScalar(this.find(map, k)!.value, v));
    const removing = pairs.filter((p) => isScalar(p.key) && removes.has(String(p.key.value)));
    if (!effective.length && !removing.length) return;
    if (!map || (map.flow && pairs.length === 0)) {
      this.writeEmpty(ref, effective);
      return;
    }
    if (map.flow) {
      this.editFlowMap(ref, map, effective, removes, placement);
      return;
    }
    const remaining = pairs.filter((p) => !removing.includes(p));
    const inserts: Array<[string, unknown]> = [];
    for (const [k, v] of effective) {
      const pair = this.find(map, k);
      if (pair) this.replaceValue(pair, v, false);
      else inserts.push([k, v]);
    }
    if (!remaining.length && !inserts.length) {
      this.emptyBlockMap(ref, map);
      return;
    }
    this.removeBlockPairs(pairs, removing, remaining);
    if (inserts.length) this.insertBlockPairs(map, remaining, inserts, placement);
  }

  private sameScalar(node: unknown, value: unknown): boolean {
    if (!isScalar(node) || isCollection(value)) return false;
    return node.value === value || (node.value === null && value === null);
  }

  /** Removes entries of a block mapping (some entries remain, or new ones are added). */
  private removeBlockPairs(pairs: Array<Pair<unknown, unknown>>, removing: Array<Pair<unknown, unknown>>, remaining: Array<Pair<unknown, unknown>>): void {
    if (!removing.length) return;
    const first = pairs[0];
    const handled = new Set<Pair<unknown, unknown>>();
    const keep = remaining[0];
    if (removing.includes(first) && keep && !this.startsLine(this.keyNode(first).range![0])) {
      // The first key sits after a '- ': the first key that stays moves up onto the dash's line.
      this.replace(this.keyNode(first).range![0], this.keyNode(keep).range![0], '');
      for (const p of pairs) {
        if (p === keep) break;
        handled.add(p);
      }
    }
    for (const p of removing) {
      if (handled.has(p)) continue;
      this.replace(...this.tidyBlankLines(this.pairExtent(p), this.column(this.keyNode(p).range![0])));
    }
  }

  /** Widens removed lines so that they leave neither two blank lines in a row nor a dangling one behind. */
  private tidyBlankLines(ext: Extent, col: number): [number, number, string] {
    let { start, end } = ext;
    if (start !== this.lineStart(start)) return [start, end, ''];
    const prevBlank = start > 0 && this.isBlankLine(this.lineStart(start - 1));
    if (!prevBlank) {
      // The first entry under its parent's key: blank lines after it would now follow the key.
      const prev = start > 0 ? this.lineStart(start - 1) : -1;
      const parentAbove = prev < 0 || (this.commentColumn(prev) < 0 && this.leadingSpaces(prev) < col);
      if (parentAbove) while (end < this.text.length && this.isBlankLine(end)) end = this.nextLine(end);
      return [start, end, ''];
    }
    if (end < this.text.length && this.isBlankLine(end)) return [start, this.nextLine(end), ''];
    if (end >= this.text.length || this.leadingSpaces(end) < col) {
      while (start > 0 && this.isBlankLine(this.lineStart(start - 1))) start = this.lineStart(start - 1);
    }
    return [start, end, ''];
  }

  private insertBlockPairs(map: YAMLMap, remaining: Array<Pair<unknown, unknown>>, inserts: Array<[string, unknown]>, placement: Placement): void {
    const all = map.items as Array<Pair<unknown, unknown>>;
    const col = this.entryColumn(all);
    // Group the new keys by the entry they follow (undefined: before the first entry that stays).
    const groups = new Map<Pair<unknown, unknown> | undefined, Array<[string, unknown]>>();
    for (const entry of inserts) {
      const after = this.anchorFor(remaining, entry[0], placement);
      const list = groups.get(after) ?? [];
      list.push(entry);
      groups.set(after, list);
    }
    const spaced = 'spaced' in placement && !!placement.spaced;
    for (const [after, entries] of groups) {
      const lines = entries.flatMap(([k, v]) => pairLines(k, v, col, this.indent));
      if (after) {
        const ext = this.pairExtent(after);
        this.insertLines(ext.end, spaced ? ['', ...lines] : lines);
        continue;
      }
      const first = remaining[0] ?? all[0];
      const key = this.keyNode(first).range![0];
      if (this.startsLine(key)) {
        this.insertLines(this.pairExtent(first).start, spaced ? [...lines, ''] : lines);
        continue;
      }
      // After a '- ': the new lines take the dash's line; an entry that stays moves below them,
      // else the removed entries' lines (up to a line start) are replaced.
      const body = lines.map((l, i) => (i === 0 ? l.slice(col) : l)).join(this.eol);
      const atTextEnd = () => this.pairExtent(all[all.length - 1]).end >= this.text.length && !this.text.endsWith('\n');
      this.replace(key, key, body + (remaining.length ? this.eol + ' '.repeat(col) : atTextEnd() ? '' : this.eol));
    }
  }

  /** The entry (of those that stay) a new key goes after; undefined: before all of them. */
  private anchorFor(remaining: Array<Pair<unknown, unknown>>, key: string, placement: Placement): Pair<unknown, unknown> | undefined {
    if (!remaining.length) return undefined;
    if (!('order' in placement)) {
      if (placement.after !== undefined) {
        const p = remaining.find((q) => isScalar(q.key) && String(q.key.value) === placement.after);
        if (p) return p;
      }
      return remaining[remaining.length - 1];
    }
    const order = placement.order;
    const rank = order.indexOf(key);
    if (rank < 0) return remaining[remaining.length - 1];
    let anchor: Pair<unknown, unknown> | undefined;
    let laterExists = false;
    for (const p of remaining) {
      const r = isScalar(p.key) ? order.indexOf(String(p.key.value)) : -1;
      if (r >= 0 && r < rank) anchor = p;
      else if (r > rank) laterExists = true;
    }
    if (anchor) return anchor;
    return laterExists ? undefined : remaining[remaining.length - 1];
  }

  /** A block mapping whose entries are all removed: written `{}`. */
  private emptyBlockMap(ref: MapRef, map: YAMLMap): void {
    const { owner } = ref;
    const pairs = map.items as Array<Pair<unknown, unknown>>;
    const last = pairs[pairs.length - 1];
    const end = this.lineEnd(this.pairContentEnd(last) - 1);
    if (owner.kind === 'pair') this.replace(this.colonEnd(owner.pair), end, ' {}');
    else if (owner.kind === 'item') this.replace(this.keyNode(pairs[0]).range![0], end, '{}');
    else this.replace(this.pairExtent(pairs[0]).start, this.pairExtent(last).end, '');
  }

  /** Writes entries where a mapping's holder has an empty value (`key:`, `key: ~`, `key: {}`, `- `). */
  private writeEmpty(ref: MapRef, entries: readonly Change[]): void {
    const { owner } = ref;
    if (!entries.length) return;
    const value = Object.fromEntries(entries);
    if (owner.kind === 'root') {
      this.insertLines(this.text.length, entries.flatMap(([k, v]) => pairLines(k, v, 0, this.indent)));
      return;
    }
    const holder = owner.kind === 'pair' ? (owner.pair.value as Node | null) : (owner.seq.items[owner.index] as Node | null);
    const r = holder?.range && holder.range[1] > holder.range[0] ? holder.range : undefined;
    if (this.inFlow(owner)) {
      const json = owner.kind === 'pair' && isJsonStyle(owner.parent);
      if (r) this.replace(r[0], r[1], flowText(value, json));
      else if (owner.kind === 'pair') this.replace(this.colonEnd(owner.pair), this.colonEnd(owner.pair), ' ' + flowText(value, json));
      return;
    }
    const col = this.ownerColumn(owner);
    if (owner.kind === 'pair') {
      const colon = this.colonEnd(owner.pair);
      let last = colon;
      if (r) {
        const end = this.contentEnd(holder)!;
        this.replace(this.text.slice(colon, r[0]).trim() === '' ? colon : r[0], end, '');
        last = end;
      }
      this.insertLines(this.nextLine(Math.max(colon, last - 1)), entries.flatMap(([k, v]) => pairLines(k, v, col + this.indent.unit, this.indent)));
      return;
    }
    const dash = this.dashOf(owner.seq, owner.index);
    const lines = itemLines(value, col, this.indent);
    const body = [lines[0].slice(col + 2), ...lines.slice(1)].join(this.eol);
    if (r) this.replace(r[0], this.contentEnd(holder)!, body);
    else this.replace(dash + 1, dash + 1, ' ' + body);
  }

  /** Replaces an existing entry's value (the key and the entry's place stay). */
  replaceValue(pair: Pair<unknown, unknown>, value: unknown, flow: boolean): void {
    const old = pair.value as Node | null;
    if (isAlias(old)) throw new EditError('This value is an alias (*name); edit it in the text.');
    if (isScalar(old) && old.range && old.range[1] > old.range[0] && !isCollection(value)) {
      this.setScalar(old, value, flow);
      return;
    }
    const colon = this.colonEnd(pair);
    if (flow) {
      const json = this.keyNode(pair).type === 'QUOTE_DOUBLE';
      if (old?.range && old.range[1] > old.range[0]) this.replace(old.range[0], old.range[1], flowText(value, json));
      else this.replace(colon, colon, ' ' + flowText(value, json));
      return;
    }
    const end = this.pairContentEnd(pair);
    const lineEnd = end > colon ? this.lineEnd(end - 1) : colon;
    const inline = inlineText(value);
    if (inline !== undefined) {
      if (old?.range && (isScalar(old) || (old as YAMLMap).flow) && old.range[1] > old.range[0]) this.replace(old.range[0], this.contentEnd(old)!, inline);
      else this.replace(colon, lineEnd, ' ' + inline);
      return;
    }
    const col = this.column(this.keyNode(pair).range![0]);
    const lines = pairLines('k', value, col, this.indent).slice(1);
    this.replace(colon, lineEnd, this.eol + lines.join(this.eol));
  }

  /**
   * Flow mapping edits, each a splice between entries: a value swapped in place, a removed entry
   * taken out with its separator, a new one written after its neighbour (on a line of its own when
   * the entries sit on lines of their own). The other entries' text is never re-written.
   */
  private editFlowMap(ref: MapRef, map: YAMLMap, sets: readonly Change[], removes: Set<string>, placement: Placement): void {
    const pairs = map.items as Array<Pair<unknown, unknown>>;
    const json = isJsonStyle(map);
    const kept = pairs.filter((p) => !removes.has(this.keyName(p)));
    const fresh = sets.filter(([k]) => !this.find(map, k));
    const replaceOnly = !removes.size && !fresh.length;
    if (!replaceOnly && this.toBlock(ref, map, sets, removes, placement)) return;
    for (const [k, v] of sets) {
      const pair = this.find(map, k);
      if (pair) this.replaceValue(pair, v, true);
    }
    if (!kept.length) {
      const source = this.text.slice(map.range![0], map.range![1]);
      if (hasComment(source)) throw new EditError('This flow-style mapping holds comments; edit it in the text.');
      this.replace(map.range![0], map.range![1], flowText(Object.fromEntries(fresh), json));
      return;
    }
    this.removeFlowPairs(pairs, kept);
    const keys = kept.map((p) => this.keyName(p));
    const groups = new Map<number, string[]>();
    for (const [k, v] of fresh) {
      const after = this.flowAnchor(keys, k, placement);
      groups.set(after, [...(groups.get(after) ?? []), flowEntry(k, v, json)]);
    }
    for (const [after, entries] of groups) this.insertFlowEntries(kept, after, entries);
  }

  private keyName(pair: Pair<unknown, unknown>): string {
    return String(this.keyNode(pair).value);
  }

  /** Takes out each run of removed entries with the separator that joins it to the entries that stay. */
  private removeFlowPairs(pairs: Array<Pair<unknown, unknown>>, kept: Array<Pair<unknown, unknown>>): void {
    for (let i = 0; i < pairs.length; i++) {
      if (kept.includes(pairs[i])) continue;
      let j = i;
      while (j + 1 < pairs.length && !kept.includes(pairs[j + 1])) j++;
      // Up to the next entry that stays; a run at the end goes from the end of the entry before it.
      const [start, end] = j + 1 < pairs.length ? [this.keyNode(pairs[i]).range![0], this.keyNode(pairs[j + 1]).range![0]] : [this.pairContentEnd(pairs[i - 1]), this.pairContentEnd(pairs[j])];
      if (hasComment(this.text.slice(start, end))) throw new EditError('A comment sits between the entries of this flow-style mapping and would be lost; edit it in the text.');
      this.replace(start, end, '');
      i = j;
    }
  }

  /** Inserts entries (text) after `kept[after]` (-1: before the first), separated like their neighbours. */
  insertFlowEntries(kept: Array<Pair<unknown, unknown>>, after: number, entries: readonly string[]): void {
    const sepBefore = (p: Pair<unknown, unknown>) => {
      const key = this.keyNode(p).range![0];
      return this.startsLine(key) ? this.eol + ' '.repeat(this.column(key)) : ' ';
    };
    const next = kept[after + 1];
    if (next) {
      const sep = sepBefore(next);
      const at = this.keyNode(next).range![0];
      this.replace(at, at, entries.map((e) => e + ',' + sep).join(''));
    } else {
      const sep = sepBefore(kept[after]);
      const at = this.pairContentEnd(kept[after]);
      this.replace(at, at, entries.map((e) => ',' + sep + e).join(''));
    }
  }

  /** A collection added to a one-line flow mapping that sits in block context: the mapping is written as a block. */
  private toBlock(ref: MapRef, map: YAMLMap, sets: readonly Change[], removes: Set<string>, placement: Placement): boolean {
    const source = this.text.slice(map.range![0], map.range![1]);
    if (this.inFlow(ref.owner) || ref.owner.kind === 'root' || source.includes('\n') || sets.every(([, v]) => inlineText(v) !== undefined)) return false;
    if (hasComment(source)) throw new EditError('This flow-style mapping holds comments; edit it in the text.');
    const col = this.ownerColumn(ref.owner);
    const inner = ref.owner.kind === 'item' ? col + 2 : col + this.indent.unit;
    const entries: Array<{ key: string; lines: string[] }> = [];
    for (const p of map.items as Array<Pair<unknown, unknown>>) {
      const key = this.keyNode(p);
      const k = String(key.value);
      if (removes.has(k)) continue;
      const set = sets.find(([sk]) => sk === k);
      const v = p.value as Node | null;
      const keyText = this.text.slice(key.range![0], key.range![1]);
      const own = v?.range && v.range[1] > v.range[0] ? `${keyText}: ${this.text.slice(v.range[0], v.range[1])}` : keyText;
      entries.push({ key: k, lines: set ? pairLines(k, set[1], inner, this.indent) : [' '.repeat(inner) + own] });
    }
    for (const [k, v] of sets) {
      if (this.find(map, k)) continue;
      const after = this.flowAnchor(entries.map((e) => e.key), k, placement);
      entries.splice(after + 1, 0, { key: k, lines: pairLines(k, v, inner, this.indent) });
    }
    const lines = entries.flatMap((e) => e.lines);
    if (ref.owner.kind === 'pair') this.replace(this.colonEnd(ref.owner.pair), map.range![1], this.eol + lines.join(this.eol));
    else this.replace(map.range![0], map.range![1], [lines[0].slice(inner), ...lines.slice(1)].join(this.eol));
    return true;
  }

  private flowAnchor(keys: string[], key: string, placement: Placement): number {
    if (!('order' in placement)) {
      const i = placement.after !== undefined ? keys.indexOf(placement.after) : -1;
      return i >= 0 ? i : keys.length - 1;
    }
    const rank = placement.order.indexOf(key);
    if (rank < 0) return keys.length - 1;
    let at = -1;
    let later = false;
    keys.forEach((k, i) => {
      const r = placement.order.indexOf(k);
      if (r >= 0 && r < rank) at = i;
      else if (r > rank) later = true;
    });
    return at >= 0 || later ? at : keys.length - 1;
  }

  // ---------------------------------------------------------------- sequences

  insertItem(seq: YAMLSeq, index: number, value: unknown): void {
    const n = seq.items.length;
    const at = Math.max(0, Math.min(index, n));
    if (seq.flow) {
      const item = flowText(value);
      if (!n) this.replace(seq.range![0], seq.range![1], `[ ${item} ]`);
      else if (at >= n) this.replace(this.contentEnd(seq.items[n - 1])!, this.contentEnd(seq.items[n - 1])!, `, ${item}`);
      else {
        const s = (seq.items[at] as Node).range![0];
        this.replace(s, s, `${item}, `);
      }
      return;
    }
    if (!n) throw new EditError('An empty block list cannot be extended here.');
    const dash = this.column(this.dashOf(seq, 0));
    const lines = itemLines(value, dash, this.indent);
    if (at >= n) this.insertLines(this.itemExtent(seq, n - 1).end, lines);
    else {
      const d = this.dashOf(seq, at);
      if (this.startsLine(d)) this.insertLines(this.itemExtent(seq, at).start, lines);
      else throw new EditError('A list that starts on its key line cannot be edited here.');
    }
  }

  removeItem(seq: YAMLSeq, index: number): void {
    const n = seq.items.length;
    if (seq.flow) {
      const item = seq.items[index] as Node;
      if (n === 1) this.replace(seq.range![0], seq.range![1], '[]');
      else if (index === 0) this.replace(item.range![0], (seq.items[1] as Node).range![0], '');
      else this.replace(this.contentEnd(seq.items[index - 1])!, this.contentEnd(item)!, '');
      return;
    }
    const ext = this.itemExtent(seq, index);
    if (!this.startsLine(this.dashOf(seq, index))) throw new EditError('A list that starts on its key line cannot be edited here.');
    this.replace(ext.start, ext.end, '');
  }

  /** Moves item `from` to position `to` (the others keep their order); the item's text moves as written. */
  moveItem(seq: YAMLSeq, from: number, to: number): void {
    const n = seq.items.length;
    if (from === to || from < 0 || from >= n || to < 0 || to >= n) return;
    if (seq.flow) {
      const item = seq.items[from] as Node;
      const chunk = this.text.slice(item.range![0], this.contentEnd(item));
      if (hasComment(this.text.slice(seq.range![0], seq.range![1]))) throw new EditError('This flow-style list holds comments; edit it in the text.');
      this.removeItem(seq, from);
      if (from < to) {
        const at = this.contentEnd(seq.items[to])!;
        this.replace(at, at, `, ${chunk}`);
      } else {
        const at = (seq.items[to] as Node).range![0];
        this.replace(at, at, `${chunk}, `);
      }
      return;
    }
    for (const i of [from, to]) if (!this.startsLine(this.dashOf(seq, i))) throw new EditError('A list that starts on its key line cannot be edited here.');
    const ext = this.itemExtent(seq, from);
    let chunk = this.text.slice(ext.start, ext.end);
    if (!chunk.endsWith('\n')) chunk += this.eol;
    this.replace(ext.start, ext.end, '');
    if (from < to) {
      const target = this.itemExtent(seq, to).end;
      if (target >= this.text.length && !this.text.endsWith('\n')) this.replace(target, target, this.eol + chunk.slice(0, -this.eol.length));
      else this.replace(target, target, chunk);
    } else {
      const target = this.itemExtent(seq, to).start;
      this.replace(target, target, chunk);
    }
  }

  /** Replaces a whole entry (key and value) by another at the same place: `next: x` -> `on: [...]`. */
  replacePair(pair: Pair<unknown, unknown>, key: string, value: unknown, flow: boolean): void {
    const k = this.keyNode(pair);
    const end = this.pairContentEnd(pair);
    if (flow) {
      this.replace(k.range![0], end, `${stringScalar(key, true)}: ${flowText(value)}`);
      return;
    }
    const col = this.column(k.range![0]);
    const lines = pairLines(key, value, col, this.indent);
    // Up to the value's end: a comment after it stays, at the end of the new entry's last line.
    this.replace(k.range![0], end, [lines[0].slice(col), ...lines.slice(1)].join(this.eol));
  }

  /** The lines a block entry owns (no line breaks, no trailing blank lines) and its key's column. */
  entryLines(pair: Pair<unknown, unknown>, withComments: boolean): { lines: string[]; col: number } {
    const ext = this.pairExtent(pair);
    const key = this.keyNode(pair);
    const start = withComments ? ext.start : this.lineStart(key.range![0]);
    const lines = this.text.slice(start, ext.end).split(/\r?\n/);
    while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
    return { lines, col: this.column(key.range![0]) };
  }
}

/** True when every key of a (non-empty) mapping is double-quoted, as in a file written as JSON. */
function isJsonStyle(map: YAMLMap): boolean {
  return map.items.length > 0 && map.items.every((p) => isScalar(p.key) && p.key.type === 'QUOTE_DOUBLE');
}

/** True when a flow collection's text holds a comment (a '#' after a space, outside quotes). */
export function hasComment(source: string): boolean {
  let quote = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(source[i - 1]))) return true;
  }
  return false;
}

/** The file's indentation: the step between a key and its children, and the list style. */
export function detectIndent(text: string, doc: Document): Indent {
  let unit = 0;
  let compactSeq: boolean | undefined;
  const col = (offset: number) => offset - (text.lastIndexOf('\n', offset - 1) + 1);
  const visit = (node: unknown, keyCol: number, depth: number) => {
    if (depth > 6 || (unit && compactSeq !== undefined)) return;
    if (isMap(node) && !node.flow) {
      for (const p of node.items) {
        if (!isScalar(p.key) || !p.key.range) continue;
        const kc = col(p.key.range[0]);
        const v = p.value as Node | null;
        if (isMap(v) && !v.flow && v.items.length && isScalar(v.items[0].key) && v.items[0].key.range) {
          const c = col(v.items[0].key.range[0]);
          if (!unit && c > kc && text.slice(text.lastIndexOf('\n', v.items[0].key.range[0] - 1) + 1, v.items[0].key.range[0]).trim() === '') unit = c - kc;
        }
        if (isSeq(v) && !v.flow && v.range && compactSeq === undefined) {
          const lineStartOf = text.lastIndexOf('\n', v.range[0] - 1) + 1;
          if (text.slice(lineStartOf, v.range[0]).trim() === '') compactSeq = col(v.range[0]) === kc;
        }
        visit(v, kc, depth + 1);
      }
    } else if (isSeq(node) && !node.flow) {
      for (const item of node.items) visit(item, keyCol, depth + 1);
    }
  };
  visit(doc.contents, 0, 0);
  return { unit: unit || 2, compactSeq: compactSeq ?? false };
}

