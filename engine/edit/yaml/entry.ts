// Replaces one mapping entry in place: its value (a scalar in its own quoting style, anything else
// as new text after the key), or the whole entry, key and value, for another.
import { isAlias, isScalar, type Node, type Pair, type YAMLMap } from 'yaml';
import { EditError } from '../error';
import type { YamlEditor } from './editor';
import { flowText, inlineText, isCollection, pairLines, stringScalar } from './render';

/** Replaces an existing entry's value (the key and the entry's place stay). */
export function replaceValue(ed: YamlEditor, pair: Pair<unknown, unknown>, value: unknown, flow: boolean): void {
  const old = pair.value as Node | null;
  if (isAlias(old)) throw new EditError('This value is an alias (*name); edit it in the text.');
  if (isScalar(old) && old.range && old.range[1] > old.range[0] && !isCollection(value)) {
    ed.setScalar(old, value, flow);
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
