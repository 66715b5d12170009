// List edits, block or flow: insert, remove and move an item; an item's text moves as written, with
// its comment lines.
import type { Node, YAMLSeq } from 'yaml';
import { EditError } from '../error';
import { hasComment, type YamlEditor } from './editor';
import { flowText, itemLines } from './render';

export function insertItem(ed: YamlEditor, seq: YAMLSeq, index: number, value: unknown): void {
  const n = seq.items.length;
  const at = Math.max(0, Math.min(index, n));
  if (seq.flow) {
    const item = flowText(value);
    if (!n) ed.replace(seq.range![0], seq.range![1], `[ ${item} ]`);
    else if (at >= n) ed.replace(ed.contentEnd(seq.items[n - 1])!, ed.contentEnd(seq.items[n - 1])!, `, ${item}`);
    else {
      const s = (seq.items[at] as Node).range![0];
      ed.replace(s, s, `${item}, `);
    }
    return;
  }
  if (!n) throw new EditError('An empty block list cannot be extended here.');
  const dash = ed.column(ed.dashOf(seq, 0));
  const lines = itemLines(value, dash, ed.indent);
  if (at >= n) ed.insertLines(ed.itemExtent(seq, n - 1).end, lines);
  else {
    const d = ed.dashOf(seq, at);
    if (ed.startsLine(d)) ed.insertLines(ed.itemExtent(seq, at).start, lines);
    else throw new EditError('A list that starts on its key line cannot be edited here.');
  }
}

export function removeItem(ed: YamlEditor, seq: YAMLSeq, index: number): void {
  const n = seq.items.length;
  if (seq.flow) {
    const item = seq.items[index] as Node;
    if (n === 1) ed.replace(seq.range![0], seq.range![1], '[]');
    else if (index === 0) ed.replace(item.range![0], (seq.items[1] as Node).range![0], '');
    else ed.replace(ed.contentEnd(seq.items[index - 1])!, ed.contentEnd(item)!, '');
    return;
  }
  const ext = ed.itemExtent(seq, index);
  if (!ed.startsLine(ed.dashOf(seq, index))) throw new EditError('A list that starts on its key line cannot be edited here.');
  ed.replace(ext.start, ext.end, '');
}

/** Moves item `from` to position `to` (the others keep their order); the item's text moves as written. */
export function moveItem(ed: YamlEditor, seq: YAMLSeq, from: number, to: number): void {
  const n = seq.items.length;
  if (from === to || from < 0 || from >= n || to < 0 || to >= n) return;
  if (seq.flow) {
    const item = seq.items[from] as Node;
    const chunk = ed.text.slice(item.range![0], ed.contentEnd(item));
    if (hasComment(ed.text.slice(seq.range![0], seq.range![1]))) throw new EditError('This flow-style list holds comments; edit it in the text.');
    removeItem(ed, seq, from);
    if (from < to) {
      const at = ed.contentEnd(seq.items[to])!;
      ed.replace(at, at, `, ${chunk}`);
    } else {
      const at = (seq.items[to] as Node).range![0];
      ed.replace(at, at, `${chunk}, `);
    }
    return;
  }
  for (const i of [from, to]) if (!ed.startsLine(ed.dashOf(seq, i))) throw new EditError('A list that starts on its key line cannot be edited here.');
  const ext = ed.itemExtent(seq, from);
  let chunk = ed.text.slice(ext.start, ext.end);
  if (!chunk.endsWith('\n')) chunk += ed.eol;
  ed.replace(ext.start, ext.end, '');
  if (from < to) {
    const target = ed.itemExtent(seq, to).end;
    if (target >= ed.text.length && !ed.text.endsWith('\n')) ed.replace(target, target, ed.eol + chunk.slice(0, -ed.eol.length));
    else ed.replace(target, target, chunk);
  } else {
    const target = ed.itemExtent(seq, to).start;
    ed.replace(target, target, chunk);
  }
}
