// A parsed YAML document and its text, read through its nodes' offsets (`range = [start, valueEnd,
// nodeEnd]`): where lines, keys, values, entries and list items start and end, and which lines an
// entry owns (its comment lines with it). Edits are recorded here as splices at those offsets, never
// applied: the value, mapping and list edits (entry.ts, mapping.ts, flow-mapping.ts, sequence.ts) are
// built on these, and nothing else in the file is re-written.
import { isScalar, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { TextEdit } from '../../model/types';
import { EditError } from '../error';
import { detectIndent } from './indent';
import type { Indent } from './render';

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

export interface Extent {
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
  commentColumn(start: number): number {
    const line = this.lineText(start);
    const col = line.length - line.trimStart().length;
    return line[col] === '#' ? col : -1;
  }

  /** True when only spaces precede `offset` on its line. */
  startsLine(offset: number): boolean {
    return this.text.slice(this.lineStart(offset), offset).trim() === '';
  }

  leadingSpaces(lineStart: number): number {
    let i = lineStart;
    while (this.text[i] === ' ') i++;
    return i - lineStart;
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
  dashOf(seq: YAMLSeq, index: number): number {
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
  ownerColumn(owner: Owner): number {
    if (owner.kind === 'pair') return this.column(this.keyNode(owner.pair).range![0]);
    if (owner.kind === 'item') return this.column(this.dashOf(owner.seq, owner.index));
    return 0;
  }

  inFlow(owner: Owner): boolean {
    if (owner.kind === 'pair') return !!owner.parent.flow;
    if (owner.kind === 'item') return !!owner.seq.flow;
    return false;
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
