// The graph editor's edit operations: (text, operation) -> minimal text edits. Pure: no I/O, no
// `vscode`, no DOM. The host applies the edits to the TextDocument (one undo step per operation);
// every byte outside them stays as it was: comments, blank lines, quoting, flow style, key order,
// line endings and indentation.
import { parseDocument, visit, type Document } from 'yaml';
import type { TextEdit } from '../model/types';
import { copyStatesText, wireEditTaskText } from './clipboard';
import { EditError } from './error';
import { expandGesture, isGesture } from './gestures';
import { stateNames } from './locate';
import { freeStateName } from './names';
import { OPERATIONS } from './operations';
import type { Outcome } from './outcome';
import type { EditOperation, EditResult } from './types';
import { validateOperation } from './validate';
import { YamlEditor } from './yaml/editor';

export * from './types';
export { EditError } from './error';
export { KIND_FIELDS, STATE_ORDER, TRANSITION_ORDER } from './key-order';
export { freeStateName, TASK_NAME, taskNameFor } from './names';

/** Parses text the way the edit operations read it (the model's parse gives an equivalent Document). */
export function parseForEdit(text: string): Document {
  return parseDocument(text, { uniqueKeys: false, keepSourceTokens: false, prettyErrors: false });
}

/**
 * The text edits that apply `op` to `text`. `doc` may be the Document already parsed from exactly
 * this text (e.g. `parseTaskDocument(text).doc`), which saves parsing it again: on a large file the
 * parse costs far more than the edit.
 */
export function editTask(text: string, op: EditOperation, doc?: Document): EditResult {
  try {
    validateOperation(op);
    return run(text, op, doc);
  } catch (err) {
    if (err instanceof EditError) return { edits: [], error: err.message };
    throw err;
  }
}

/** Applies an operation and returns the new text (or the error, the text unchanged). */
export function applyOperation(text: string, op: EditOperation, doc?: Document): EditResult & { text: string } {
  const result = editTask(text, op, doc);
  return { ...result, text: result.error ? text : applyEdits(text, result.edits) };
}

/** Applies text edits (offsets into `text`); they must not overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** The YAML of some states (with their comment lines), at column 0 with LF line breaks: what copy puts on the clipboard. */
export function copyStates(text: string, names: readonly string[], doc?: Document): string | undefined {
  try {
    return copyStatesText(new YamlEditor(text, doc ?? parseForEdit(text)), names);
  } catch (err) {
    if (err instanceof EditError) return undefined;
    throw err;
  }
}

/** A state name not used in `text`, from `base` (see freeStateName). */
export function suggestStateName(text: string, base?: string, doc?: Document): string {
  const ed = new YamlEditor(text, doc ?? parseForEdit(text));
  return freeStateName(stateNames(ed), base);
}

function run(text: string, op: EditOperation, doc?: Document): EditResult {
  if (op.type === 'batch') {
    let current = text;
    const result: EditResult = { edits: [] };
    for (const sub of op.operations) {
      const r = run(current, sub);
      if (r.error) throw new EditError(r.error);
      current = applyEdits(current, r.edits);
      merge(result, r);
    }
    result.edits = diffEdits(text, current);
    return result;
  }
  if (isGesture(op)) {
    const parsed = doc ?? parseForEdit(text);
    return run(text, expandGesture(parsed, op), parsed);
  }
  const fn = (OPERATIONS as Record<string, (ed: YamlEditor, op: EditOperation) => Outcome>)[op.type];
  const parsed = doc ?? parseForEdit(text);
  if (parsed.errors.length) throw new EditError(`The YAML has errors; fix them first (${parsed.errors[0].message.split('\n')[0]}).`);
  const ed = new YamlEditor(text, parsed);
  const outcome = fn(ed, op);
  const edits = normalize(text, ed.edits);
  checkAliases(parsed, applyEdits(text, edits));
  const result: EditResult = { edits };
  merge(result, outcome);
  if (outcome.next) {
    const after = applyEdits(text, edits);
    const r = run(after, outcome.next);
    if (r.error) throw new EditError(r.error);
    result.edits = diffEdits(text, applyEdits(after, r.edits));
    if (!result.state) result.state = r.state;
  }
  return result;
}

/** Refuses edits that leave an alias without its anchor (the text that defined `&name` was removed or replaced). */
function checkAliases(before: Document, after: string): void {
  const dangling = (doc: Document) => {
    const names: string[] = [];
    visit(doc, {
      Alias(_, node) {
        if (!node.resolve(doc)) names.push(node.source);
      },
    });
    return names;
  };
  let aliased = false;
  visit(before, {
    Alias() {
      aliased = true;
      return visit.BREAK;
    },
  });
  if (!aliased) return;
  const already = new Set(dangling(before));
  const lost = dangling(parseForEdit(after)).find((name) => !already.has(name));
  if (lost !== undefined) throw new EditError(`This edit would remove the anchor &${lost} that *${lost} still uses; edit it in the text.`);
}

function merge(into: EditResult, from: Outcome | EditResult): void {
  if (from.state !== undefined) into.state = from.state;
  if (from.states) into.states = [...(into.states ?? []), ...from.states];
  if (from.references) into.references = [...(into.references ?? []), ...from.references];
}

/** Sorts edits, merges those that touch, and refuses overlapping ones (a bug in an operation). */
function normalize(text: string, edits: readonly TextEdit[]): TextEdit[] {
  const sorted = edits.map((e, i) => ({ ...e, i })).sort((a, b) => a.start - b.start || a.end - b.end || a.i - b.i);
  const out: TextEdit[] = [];
  for (const { start, end, newText } of sorted) {
    const prev = out[out.length - 1];
    if (prev && start < prev.end) throw new Error(`internal: overlapping edits at ${start} (${JSON.stringify(edits)})`);
    if (prev && start === prev.end) {
      prev.end = end;
      prev.newText += newText;
      continue;
    }
    out.push({ start, end, newText });
  }
  return out.filter((e) => e.start !== e.end || e.newText !== '').filter((e) => text.slice(e.start, e.end) !== e.newText);
}

/** One edit from `before` to `after`: the changed middle between their common prefix and suffix. */
export function diffEdits(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  let p = 0;
  const max = Math.min(before.length, after.length);
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return [{ start: p, end: before.length - s, newText: after.slice(p, after.length - s) }];
}

wireEditTaskText((text, op) => {
  const r = editTask(text, op);
  return { text: r.error ? text : applyEdits(text, r.edits), error: r.error };
});
