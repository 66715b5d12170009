// Replaces values in place: a scalar in its own quoting style, a mapping entry's value (anything
// but a scalar as new text after the key), or a whole entry, key and value, for another.
import { isAlias, isScalar, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { EditError } from '../error';
import type { YamlEditor } from './editor';
import { flowText, inlineText, isCollection, pairLines, scalarText, stringScalar } from './render';

/** Replaces a scalar's value in its own style (quotes kept; a plain one quoted only when needed). */
export function setScalar(ed: YamlEditor, node: Scalar, value: unknown, flow: boolean): void {
  const r = node.range!;
  if (typeof value !== 'string') {
    ed.replace(r[0], r[1], scalarText(value, flow));
    return;
  }
  if (node.type === 'QUOTE_SINGLE' && !/\n/.test(value)) ed.replace(r[0], r[1], `'${value.replace(/'/g, "''")}'`);
  else if (node.type === 'QUOTE_DOUBLE') ed.replace(r[0], r[1], JSON.stringify(value));
  else if ((node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') && value.includes('\n') && !/^[ \t]|^\n/.test(value)) {
    const pad = ' '.repeat(ed.column(ed.lineStart(r[0]) + ed.leadingSpaces(ed.lineStart(r[0]))) + ed.indent.unit);
    const body = value.replace(/\n+$/, '');
    const trailing = value.length - body.length;
    const header = trailing === 0 ? '|-' : trailing === 1 ? '|' : '|+';
    const lines = body.split('\n').map((l) => (l ? pad + l : ''));
    const old = ed.text.slice(r[0], r[1]);
    const keepEol = /\n$/.test(old);
    ed.replace(r[0], r[1], header + ed.eol + lines.join(ed.eol) + (keepEol ? ed.eol : ''));
  } else if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    const end = ed.text.slice(r[0], r[1]).endsWith('\n') ? r[1] - (ed.text.slice(r[0], r[1]).endsWith('\r\n') ? 2 : 1) : r[1];
    ed.replace(r[0], end, stringScalar(value, flow));
  } else ed.replace(r[0], r[1], stringScalar(value, flow));
}

/** Replaces an existing entry's value (the key and the entry's place stay). */
export function replaceValue(ed: YamlEditor, pair: Pair<unknown, unknown>, value: unknown, flow: boolean): void {
  const old = pair.value as Node | null;
  if (isAlias(old)) throw new EditError('This value is an alias (*name); edit it in the text.');
  if (isScalar(old) && old.range && old.range[1] > old.range[0] && !isCollection(value)) {
    setScalar(ed, old, value, flow);
    return;
  }
  const colon = ed.colonEnd(pair);
  if (flow) {
    const json = ed.keyNode(pair).type === 'QUOTE_DOUBLE';
    if (old?.range && old.range[1] > old.range[0]) ed.replace(old.range[0], old.range[1], flowText(value, json));
    else ed.replace(colon, colon, ' ' + flowText(value, json));
    return;
  }
  const end = ed.pairContentEnd(pair);
  const lineEnd = end > colon ? ed.lineEnd(end - 1) : colon;
  const inline = inlineText(value);
  if (inline !== undefined) {
    if (old?.range && (isScalar(old) || (old as YAMLMap).flow) && old.range[1] > old.range[0]) ed.replace(old.range[0], ed.contentEnd(old)!, inline);
    else ed.replace(colon, lineEnd, ' ' + inline);
    return;
  }
  const col = ed.column(ed.keyNode(pair).range![0]);
  const lines = pairLines('k', value, col, ed.indent).slice(1);
  ed.replace(colon, lineEnd, ed.eol + lines.join(ed.eol));
}

/** Replaces a whole entry (key and value) by another at the same place: `next: x` -> `on: [...]`. */
export function replacePair(ed: YamlEditor, pair: Pair<unknown, unknown>, key: string, value: unknown, flow: boolean): void {
  const k = ed.keyNode(pair);
  const end = ed.pairContentEnd(pair);
  if (flow) {
    ed.replace(k.range![0], end, `${stringScalar(key, true)}: ${flowText(value)}`);
    return;
  }
  const col = ed.column(k.range![0]);
  const lines = pairLines(key, value, col, ed.indent);
  // Up to the value's end: a comment after it stays, at the end of the new entry's last line.
  ed.replace(k.range![0], end, [lines[0].slice(col), ...lines.slice(1)].join(ed.eol));
}
