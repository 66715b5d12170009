// The graph's gesture operations: `connect` (a drag from one state to another) and `insertState`
// (a new state dropped on a transition). Each is one edit (one undo step) built from the plain
// operations, decided on the text as written; bad arguments are refused with a clear error.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyOperation, editTask } from '../../engine/edit/index';
import type { EditOperation } from '../../engine/edit/types';
import { parseTask } from '../../engine/model/parse';
import { COMMENTED } from './fixtures';

const TASK = `version: 1
name: t
start: a
states:
  a:
    next: b   # keep me
  b:
    on:
      - to: c
        when: "data.x = 1"
  c:
    on:
      - to: a
  d:
    final: true
`;

describe('connect', () => {
  it('retargets a state whose only way out is `next:`, keeping its comment', () => {
    const r = applyOperation(TASK, { type: 'connect', state: 'a', to: 'd' });
    assert.equal(r.error, undefined);
    assert.equal(r.text, TASK.replace('next: b   # keep me', 'next: d   # keep me'));
    assert.equal(r.state, 'a');
  });
  it('retargets a state whose only `on` entry has no condition', () => {
    const r = applyOperation(TASK, { type: 'connect', state: 'c', to: 'd' });
    assert.equal(r.text, TASK.replace('      - to: a\n', '      - to: d\n'));
  });
  it('adds a transition to a state whose ways out are conditional', () => {
    const r = applyOperation(TASK, { type: 'connect', state: 'b', to: 'd' });
    const b = parseTask(r.text).model.states.find((s) => s.name === 'b')!;
    assert.deepEqual(b.on.map((t) => [t.to, t.when]), [
      ['c', 'data.x = 1'],
      ['d', undefined],
    ]);
  });
  it('adds `next:` to a state with no way out', () => {
    const r = applyOperation(TASK, { type: 'connect', state: 'd', to: 'a' });
    assert.match(r.text, /\n {2}d:\n {4}next: a\n {4}final: true\n|\n {2}d:\n {4}final: true\n {4}next: a\n/);
  });
  it('on the hand-written sample: connecting retargets or adds, and touches nothing else', () => {
    const model = parseTask(COMMENTED).model;
    for (const s of model.states) {
      for (const t of model.states) {
        const r = applyOperation(COMMENTED, { type: 'connect', state: s.name, to: t.name });
        assert.equal(r.error, undefined, `${s.name} -> ${t.name}`);
        const after = parseTask(r.text).model.states.find((x) => x.name === s.name)!;
        const onlyExit = s.on.length === 1 && !s.on[0].when && !s.on[0].after && !s.on[0].event && !s.on[0].poll;
        if (onlyExit) assert.deepEqual(after.on.map((x) => x.to), [t.name]);
        else assert.deepEqual(after.on.map((x) => x.to).sort(), [...s.on.map((x) => x.to), t.name].sort());
        assert.deepEqual(parseTask(r.text).model.states.map((x) => x.name), model.states.map((x) => x.name));
      }
    }
  });
  it('refuses bad arguments with a message that names them', () => {
    assert.match(editTask(TASK, { type: 'connect', state: 'nope', to: 'a' }).error ?? '', /no state 'nope'/);
    assert.match(editTask(TASK, { type: 'connect', state: 'a', to: 'nope' }).error ?? '', /no state 'nope' to connect to/);
    assert.match(editTask(TASK, { type: 'connect', state: 'a', to: 3 } as unknown as EditOperation).error ?? '', /'connect\.to' must be a non-empty string/);
    assert.match(editTask(TASK, { type: 'connect', to: 'a' } as unknown as EditOperation).error ?? '', /'connect\.state' must be a non-empty string/);
  });
});

describe('insertState', () => {
  it('puts a new state in the middle of a `next:` transition, as one edit', () => {
    const r = editTask(TASK, { type: 'insertState', state: 'a', index: 0, name: 'review' });
    assert.equal(r.error, undefined);
    assert.equal(r.edits.length, 1, 'one text edit: one undo step');
    const after = applyOperation(TASK, { type: 'insertState', state: 'a', index: 0, name: 'review' });
    assert.equal(after.state, 'review');
    const m = parseTask(after.text).model;
    assert.deepEqual(m.states.find((s) => s.name === 'a')!.on.map((t) => t.to), ['review']);
    assert.deepEqual(m.states.find((s) => s.name === 'review')!.on.map((t) => [t.to, t.shorthand]), [['b', true]]);
    assert.ok(after.text.includes('next: review   # keep me'), 'the comment stays');
  });
  it('keeps the condition on the first half of a conditional transition', () => {
    const after = applyOperation(TASK, { type: 'insertState', state: 'b', index: 0 });
    const m = parseTask(after.text).model;
    const name = after.state!;
    assert.equal(name, 'state1');
    assert.deepEqual(m.states.find((s) => s.name === 'b')!.on.map((t) => [t.to, t.when]), [[name, 'data.x = 1']]);
    assert.deepEqual(m.states.find((s) => s.name === name)!.on.map((t) => t.to), ['c']);
  });
  it('inserts on a catch entry of the hand-written sample', () => {
    const model = parseTask(COMMENTED).model;
    const s = model.states.find((x) => x.catch.length)!;
    const after = applyOperation(COMMENTED, { type: 'insertState', state: s.name, index: 0, list: 'catch', name: 'cleanup' });
    assert.equal(after.error, undefined);
    const m = parseTask(after.text).model;
    assert.equal(m.states.find((x) => x.name === s.name)!.catch[0].to, 'cleanup');
    assert.deepEqual(m.states.find((x) => x.name === 'cleanup')!.on.map((t) => t.to), [s.catch[0].to]);
  });
  it('refuses bad arguments: a missing transition, a bad index or list, a taken name', () => {
    assert.match(editTask(TASK, { type: 'insertState', state: 'a', index: 4 }).error ?? '', /no transition 5/);
    assert.match(editTask(TASK, { type: 'insertState', state: 'a', index: -1 }).error ?? '', /'insertState\.index' must be a whole number/);
    assert.match(editTask(TASK, { type: 'insertState', state: 'a', index: 0, list: 'off' } as unknown as EditOperation).error ?? '', /'insertState\.list' must be/);
    assert.match(editTask(TASK, { type: 'insertState', state: 'a', index: 0, name: 'b' }).error ?? '', /already a state 'b'/);
    assert.match(editTask(TASK, { type: 'insertState', state: 'x', index: 0 }).error ?? '', /no state 'x'/);
  });
  it('for any transition of the sample: the old target is reached through the new state, nothing else changes', () => {
    const model = parseTask(COMMENTED).model;
    const refs = model.states.flatMap((s) => [...s.on.map((t) => ({ state: s.name, index: t.index, list: 'on' as const, to: t.to })), ...s.catch.map((c) => ({ state: s.name, index: c.index, list: 'catch' as const, to: c.to }))]);
    fc.assert(
      fc.property(fc.constantFrom(...refs), fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/), (ref, name) => {
        const r = applyOperation(COMMENTED, { type: 'insertState', state: ref.state, index: ref.index, list: ref.list, name });
        if (model.states.some((s) => s.name === name)) return assert.match(r.error ?? '', /already a state/);
        assert.equal(r.error, undefined);
        const m = parseTask(r.text).model;
        const edited = m.states.find((s) => s.name === ref.state)!;
        assert.equal((ref.list === 'on' ? edited.on : edited.catch)[ref.index].to, name);
        assert.deepEqual(m.states.find((s) => s.name === name)!.on.map((t) => t.to), [ref.to]);
        assert.deepEqual(m.states.filter((s) => s.name !== name).map((s) => s.name), model.states.map((s) => s.name));
      }),
      { numRuns: 60 },
    );
  });
});
