// Copy and paste of states: their YAML text, each state with its comment lines, and pasting it back
// after a state, renaming the states whose names are taken (the pasted ones' transitions to each
// other follow the rename).
import { isMap, parseDocument, type Node, type Pair } from 'yaml';
import { EditError } from './error';
import { requireStates, scalarText, spacedStates, stateNames } from './locate';
import { freeStateName } from './names';
import type { Op } from './outcome';
import type { EditOperation } from './types';
import type { YamlEditor } from './yaml/editor';
import { reindent, stringScalar } from './yaml/render';

/** The YAML text of some states (each with its own comment lines), at column 0, for the clipboard. */
export function copyStatesText(ed: YamlEditor, names: readonly string[]): string {
  const states = requireStates(ed);
  const out: string[] = [];
  for (const name of names) {
    const pair = ed.find(states.map, name);
    if (!pair) throw new EditError(`There is no state '${name}'.`);
    if (states.map.flow) {
      const v = pair.value as Node | null;
      out.push(`${stringScalar(name)}: ${v?.range ? ed.text.slice(v.range[0], v.range[1]) : '{}'}`);
      continue;
    }
    const { lines, col } = ed.entryLines(pair, true);
    out.push(...reindent(lines, col, 0));
  }
  return out.join('\n') + '\n';
}

export const pasteStates: Op<'pasteStates'> = (ed, op) => {
  const states = requireStates(ed);
  if (states.map.flow) throw new EditError('The states are written in flow style ({ ... }); paste in the text.');
  if (op.after !== undefined && !ed.find(states.map, op.after)) throw new EditError(`There is no state '${op.after}'.`);
  const snippet = op.yaml.replace(/\r\n?/g, '\n');
  const sdoc = parseDocument(snippet, { uniqueKeys: false });
  if (sdoc.errors.length || !isMap(sdoc.contents) || !sdoc.contents.items.length) throw new EditError('The clipboard does not hold states (a YAML mapping of state names to states).');
  // Work on the snippet as a task of its own, so that renames reuse renameState (and the pasted
  // states keep their transitions to each other).
  let wrapper = 'states:\n' + snippet.replace(/\n$/, '').split('\n').map((l) => (l.trim() ? '  ' + l : '')).join('\n') + '\n';
  const pasted = sdoc.contents.items.map((p) => scalarText(p.key)).filter((n): n is string => n !== undefined);
  const taken = new Set([...stateNames(ed), ...pasted]);
  const finalNames: string[] = [];
  const existing = new Set(stateNames(ed));
  for (const name of pasted) {
    if (!existing.has(name)) {
      finalNames.push(name);
      continue;
    }
    const fresh = freeStateName(taken, `${name}-copy`);
    taken.add(fresh);
    const r = editTaskText(wrapper, { type: 'renameState', state: name, newName: fresh });
    if (r.error) throw new EditError(r.error);
    wrapper = r.text;
    finalNames.push(fresh);
  }
  const lines = wrapper.replace(/\n$/, '').split('\n').slice(1);
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  const col = states.map.items.length ? ed.entryColumn(states.map.items as Array<Pair<unknown, unknown>>) : ed.indent.unit;
  const body = reindent(lines, 2, col);
  const pairs = states.map.items as Array<Pair<unknown, unknown>>;
  const anchor = op.after !== undefined ? ed.find(states.map, op.after)! : pairs[pairs.length - 1];
  if (!anchor) throw new EditError('The task has no states yet.');
  ed.insertLines(ed.pairExtent(anchor).end, spacedStates(ed, states.map) ? ['', ...body] : body);
  return { state: finalNames[0], states: finalNames };
};

// Set by index.ts (it owns the driver); pasteStates renames inside its snippet through it.
let editTaskText: (text: string, op: EditOperation) => { text: string; error?: string } = () => {
  throw new Error('editTaskText is not wired');
};
export function wireEditTaskText(fn: typeof editTaskText): void {
  editTaskText = fn;
}
