// What copy puts on the clipboard for a state: its YAML, cut out of the document's text.
import type { StateOutline } from '../protocol';

/** The YAML text of a state, at column 0 (for copy). */
export function stateSnippet(text: string, state: StateOutline): string {
  const lines = text.split(/\r?\n/);
  const first = state.keyRange.start.line;
  const last = Math.max(state.range.end.line, state.keyRange.end.line);
  const col = state.keyRange.start.column;
  const keyLine = lines[first] ?? '';
  if (keyLine.slice(0, col).trim() !== '') {
    return text.slice(state.keyRange.start.offset, state.range.end.offset) + '\n';
  }
  const out = lines.slice(first, last + 1).map((l) => (l.slice(0, col).trim() === '' ? l.slice(col) : l.trimStart()));
  return out.join('\n') + '\n';
}
