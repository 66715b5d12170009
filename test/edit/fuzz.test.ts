// Random files (every style in random-files.ts) and random operations, valid and hostile. Each
// operation either is refused with a message (no edits), or gives a text that parses, whose model
// is what the reference says (for valid operations), and that differs from the old text only
// inside the lines the operation owns (see `window`). Never an exception.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseDocument, visit } from 'yaml';
import { applyEdits, editTask } from '../../engine/edit/index';
import type { EditOperation } from '../../engine/edit/types';
import { parseTask } from '../../engine/model/parse';
import type { TaskModel } from '../../engine/model/types';
import { fileSpec, renderFile, type FileSpec } from './random-files';
import { applyRef, opFor, project, stateText, touched, type RefTask } from './reference';

const OP_TYPES = ['addState', 'deleteState', 'renameState', 'duplicateState', 'pasteStates', 'setStart', 'setFinal', 'setDescription', 'setTimeout', 'addTransition', 'deleteTransition', 'retargetTransition', 'reorderTransition', 'setTransitionCondition', 'updateTransition', 'addInstruction', 'removeInstruction', 'moveInstruction', 'updateInstruction', 'setInstructionKind'];

/** Operations on fan-out instructions (test/edit/fanout.test.ts checks them on parallels and maps); here only as hostile input. */
const FANOUT_TYPES = ['addBranch', 'removeBranch', 'renameBranch', 'setMapOption'];

const junk = fc.oneof(fc.constant(null), fc.constant(undefined), fc.double({ noNaN: false }), fc.integer({ min: -2, max: 6 }), fc.string({ maxLength: 3 }), fc.constant([]), fc.constant({}), fc.boolean());
const index = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 4 }), junk);
const nameOrJunk = fc.oneof(fc.nat(9), fc.nat(9), junk);

/** An operation as untrusted JSON: right or wrong types, names from the file or not, indices in or out of range. */
const hostile = fc.record({
  type: fc.constantFrom(...OP_TYPES, ...FANOUT_TYPES, 'batch', 'nope'),
  state: nameOrJunk,
  to: nameOrJunk,
  after: fc.oneof(fc.constant(undefined), nameOrJunk),
  newName: fc.oneof(fc.constantFrom('fresh', ' ', 'a\nb', 'x y'), nameOrJunk),
  name: fc.oneof(fc.constantFrom('fresh', undefined, ''), junk),
  index,
  toIndex: index,
  list: fc.constantFrom('on', 'catch', undefined, 'else'),
  final: fc.oneof(fc.boolean(), junk),
  status: fc.constantFrom('failed', undefined, 'bogus'),
  description: fc.oneof(fc.constantFrom('d', '', 'a: b'), junk),
  condition: fc.oneof(fc.constantFrom({}, { when: 'x' }, { after: '1m' }, { poll: { every: '5s' } }, { poll: {} }, { after: 3 }), junk),
  path: fc.oneof(fc.constantFrom(['as'], ['when'], ['poll', 'every'], ['http', 'url'], ['to'], ['error'], [], ['log'], ['retry', 'attempts']), junk),
  value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), junk),
  instruction: fc.oneof(fc.constantFrom({ kind: 'log', args: 'x' }, { kind: 'as', args: 1 }, { kind: 'http', args: { url: 'u' } }, { kind: 'log' }, { kind: 'sleep', args: '1s', retry: { attempts: 2 } }), junk),
  kind: fc.oneof(fc.constantFrom('log', 'sleep', 'as', ''), junk),
  args: fc.oneof(fc.jsonValue({ maxDepth: 2 }), junk),
  branch: fc.oneof(fc.constantFrom('web', ''), junk),
  option: fc.oneof(fc.constantFrom('items', 'concurrency', 'tolerate', 'do'), junk),
  yaml: fc.oneof(fc.constantFrom('x: {}\n', 'a: [\n', '- 1\n', 'pasted:\n  next: pasted\n'), junk),
});

function hostileOp(h: Record<string, unknown>, names: string[]): unknown {
  const named = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? names[v % names.length] : v);
  const op: Record<string, unknown> = { ...h, state: named(h.state), to: named(h.to), after: named(h.after), newName: named(h.newName) };
  if (h.type === 'batch') return { type: 'batch', operations: [{ ...op, type: 'addState', name: 'b1' }, { ...op, type: 'setStart' }] };
  return op;
}

// ------------------------------------------------------------------ the invariants

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Where a state's own lines start: its key's line, with the comment lines right above it (blank lines above belong to the gap before it). */
function ownStart(text: string, m: TaskModel, i: number): number {
  const key = m.states[i].keyRange.start.offset;
  let at = lineStart(text, key);
  if (text.slice(at, key).trim()) return key;
  while (at > 0) {
    const prev = lineStart(text, at - 1);
    if (!/^\s*#/.test(text.slice(prev, at - 1))) break;
    at = prev;
  }
  return at;
}

const entryEnd = (m: TaskModel, i: number) => Math.max(m.states[i].range.end.offset, m.states[i].keyRange.end.offset);

/**
 * Where the lines after state `i` that belong to it end: at the next state's own lines (or, for
 * `between`, at its key: a separator in a flow mapping sits before the key on the key's line), or
 * at the trailing comments.
 */
function ownEnd(text: string, m: TaskModel, i: number, between = false): number {
  if (i + 1 < m.states.length) return between ? m.states[i + 1].keyRange.start.offset : Math.max(ownStart(text, m, i + 1), entryEnd(m, i));
  let end = text.length;
  while (end > 0) {
    const prev = lineStart(text, end - 1);
    const line = text.slice(prev, end).replace(/\r?\n$/, '');
    if (!(line.trim() === '' || line.startsWith('#'))) break;
    end = prev;
  }
  return Math.max(end, entryEnd(m, i));
}

/**
 * The part of the old text a valid operation may change: a state's own lines for edits inside a
 * state; the gap after a state for a state added after it; the gap a deleted state leaves; the
 * lines above the states for `start`. Renames change every reference: checked state by state instead.
 */
function window(text: string, m: TaskModel, op: EditOperation): [number, number] | undefined {
  const at = (name: string | undefined) => m.states.findIndex((s) => s.name === name);
  switch (op.type) {
    case 'renameState':
    case 'batch':
      return undefined;
    case 'setStart':
      // The whole header when the task has no states (`states: {}`).
      if (!m.states.length) return [0, text.length];
      return [0, ownStart(text, m, 0)];
    case 'addState':
    case 'pasteStates': {
      const i = op.after !== undefined ? at(op.after) : m.states.length - 1;
      return i < 0 ? undefined : [entryEnd(m, i), ownEnd(text, m, i, true)];
    }
    case 'duplicateState': {
      const i = at(op.state);
      return [entryEnd(m, i), ownEnd(text, m, i, true)];
    }
    case 'deleteState': {
      const i = at(op.state);
      return [i > 0 ? entryEnd(m, i - 1) : ownStart(text, m, i), ownEnd(text, m, i, true)];
    }
    default: {
      const i = at(op.state);
      return [ownStart(text, m, i), ownEnd(text, m, i)];
    }
  }
}

function danglingAliases(text: string): string[] {
  const doc = parseDocument(text);
  const out: string[] = [];
  visit(doc, {
    Alias(_, node) {
      if (!node.resolve(doc)) out.push(node.source);
    },
  });
  return out;
}

interface Tally {
  applied: Map<string, number>;
  refused: Map<string, number>;
}

/** Runs one operation and checks the invariants; returns the new text, or undefined when refused. */
/**
 * Why a valid operation may be refused: a state written with an explicit key (`? key`) is not
 * edited, nor a state added next to one; a snippet is not pasted into flow-style states.
 */
function mayRefuse(spec: FileSpec, op: EditOperation, error: string): boolean {
  if (/explicit key/.test(error)) return spec.states.some((s) => s.explicit);
  return op.type === 'pasteStates' && /flow style/.test(error) && spec.style === 'json';
}

function check(text: string, model: TaskModel, op: unknown, valid: RefTask | undefined, tally: Tally, spec: FileSpec): string | undefined {
  const label = () => `${JSON.stringify(op)} on:\n${text}`;
  let r: ReturnType<typeof editTask>;
  try {
    r = editTask(text, op as EditOperation);
  } catch (err) {
    assert.fail(`threw ${err instanceof Error ? err.stack : String(err)}\n${label()}`);
  }
  const type = String((op as { type?: unknown })?.type);
  if (r.error !== undefined) {
    assert.deepEqual(r.edits, [], `edits with an error: ${label()}`);
    assert.ok(r.error.length > 0 && !/internal|undefined|\[object/i.test(r.error), `unclear error '${r.error}': ${label()}`);
    if (valid) assert.ok(mayRefuse(spec, op as EditOperation, r.error), `refused '${r.error}': ${label()}`);
    tally.refused.set(type, (tally.refused.get(type) ?? 0) + 1);
    return undefined;
  }
  const next = applyEdits(text, r.edits);
  const doc = parseDocument(next);
  assert.deepEqual(doc.errors.map((e) => e.message), [], `the result does not parse: ${label()}\n---\n${next}`);
  assert.deepEqual(danglingAliases(next), danglingAliases(text), `an alias lost its anchor: ${label()}\n---\n${next}`);
  const crlf = /\r\n/.test(text);
  if (crlf) assert.ok(!/[^\r]\n/.test(next), `a bare LF in a CRLF file: ${label()}\n---\n${next}`);
  else assert.ok(!next.includes('\r'), `a CR in an LF file: ${label()}`);
  const parsed = parseTask(next);
  assert.deepEqual(parsed.diagnostics.filter((d) => d.code === 'yaml-syntax' || d.code === 'duplicate-key' || d.code === 'duplicate-state'), [], `${label()}\n---\n${next}`);
  if (type !== 'batch') {
    // States the operation does not name keep their text byte for byte.
    const keep = touched(project(model), op as EditOperation);
    for (const s of model.states) {
      if (keep.has(s.name) || !parsed.model.states.some((x) => x.name === s.name) || (type === 'renameState' && s.name === (op as { state: string }).state)) continue;
      assert.equal(stateText(next, parsed.model, s.name), stateText(text, model, s.name), `changed state '${s.name}': ${label()}\n---\n${next}`);
    }
  }
  if (valid) {
    const expected = applyRef(valid, op as EditOperation);
    assert.deepEqual(project(parsed.model), expected, `another model: ${label()}\n---\n${next}`);
    const w = window(text, model, op as EditOperation);
    for (const e of r.edits) {
      if (w) assert.ok(w[0] <= e.start && e.end <= w[1], `changed [${e.start}, ${e.end}) outside [${w[0]}, ${w[1]}): ${label()}\n---\n${next}`);
    }
  }
  tally.applied.set(type, (tally.applied.get(type) ?? 0) + 1);
  return next;
}

describe('edit operations on random files, property', () => {
  it('every operation is refused with a message or gives a text that parses, changed only where the operation says', () => {
    const tally: Tally = { applied: new Map(), refused: new Map() };
    const step = fc.oneof({ weight: 3, arbitrary: fc.record({ valid: fc.constant(true as const), seed: fc.record({ kind: fc.nat(), a: fc.nat(), b: fc.nat(), c: fc.nat() }) }) }, { weight: 1, arbitrary: fc.record({ valid: fc.constant(false as const), op: hostile }) });
    fc.assert(
      fc.property(fileSpec, fc.array(step, { minLength: 1, maxLength: 12 }), (spec, steps) => {
        let text = renderFile(spec);
        let model = parseTask(text).model;
        for (const s of steps) {
          const ref = project(model);
          const op = s.valid ? opFor(ref, text, s.seed) : hostileOp(s.op, model.states.map((x) => x.name));
          if (!op) continue;
          const next = check(text, model, op, s.valid ? ref : undefined, tally, spec);
          if (next === undefined) continue;
          text = next;
          model = parseTask(text).model;
        }
      }),
      { numRuns: 400, includeErrorInReport: true },
    );
    for (const t of OP_TYPES.filter((x) => x !== 'setInstructionKind')) {
      assert.ok((tally.applied.get(t) ?? 0) >= 10, `${t} applied ${tally.applied.get(t) ?? 0} times: ${JSON.stringify([...tally.applied])}`);
    }
  });
});
