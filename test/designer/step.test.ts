// The designer's gesture reducer (webview/designer/step.ts), without a browser: field edits commit
// once with the whole value, Escape proposes nothing, a pending field edit resolves on its own
// element before any canvas gesture, Delete acts on the selected state or transition; and, for
// random gesture sequences on the samples, every proposed edit applies to the text it reaches.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyOperation } from '../../engine/edit/index';
import { parseTask } from '../../engine/model/parse';
import { edgeId } from '../../engine/graph/model';
import { documentEvent, INITIAL, RENAME_FIELD, step, type DesignerState, type Element, type FieldCommit, type Proposal, type UiEvent } from '../../webview/designer/step';

const rename: FieldCommit = (value, element, elements) => {
  const v = value.trim();
  if (!v) return { error: 'A state needs a name.' };
  if (v === element.id) return undefined;
  if (elements.states.has(v)) return { error: `There is already a state '${v}'.` };
  return { operation: { type: 'renameState', state: element.id, newName: v }, label: 'Rename state' };
};
const describeState: FieldCommit = (value, element) => ({ operation: { type: 'setDescription', state: element.id, description: value }, label: 'Edit description' });

/** The event of a document's text, as the app sends it. */
const documentOf = (text: string) => documentEvent(parseTask(text).model, false);

/** Runs events; returns the final state and every proposal made. */
function run(state: DesignerState, events: UiEvent[]): { state: DesignerState; proposals: Proposal[]; messages: unknown[] } {
  const proposals: Proposal[] = [];
  const messages: unknown[] = [];
  for (const e of events) {
    const r = step(state, e);
    state = r.state;
    proposals.push(...r.proposals);
    messages.push(...r.messages);
  }
  return { state, proposals, messages };
}

const TEXT = `version: 1
name: t
start: notify
states:
  notify:
    next: alerts
  alerts:
    on:
      - to: done
        when: "data.ok"
      - to: notify
  done:
    final: true
`;
const DOC = step(INITIAL, documentOf(TEXT)).state;
const state = (id: string): Element => ({ kind: 'state', id });
const typing = (field: string, element: Element, original: string, text: string, commit: FieldCommit): UiEvent[] =>
  [...text].map((_, i) => ({ type: 'fieldInput', field, element, original, value: text.slice(0, i + 1), commit }));

describe('designer step: fields', () => {
  it('a field commits once, with the whole typed value, on Enter; the blur after it proposes nothing more', () => {
    const r = run(DOC, [...typing('name', state('notify'), 'notify', 'page', rename), { type: 'fieldCommit', field: 'name' }, { type: 'fieldCommit', field: 'name' }]);
    assert.deepEqual(r.proposals.map((p) => p.operation), [{ type: 'renameState', state: 'notify', newName: 'page' }]);
    assert.equal(r.state.field, null);
  });
  it('Escape restores the field and proposes nothing, then or later', () => {
    const r = run(DOC, [...typing('name', state('notify'), 'notify', 'x', rename), { type: 'fieldCancel', field: 'name' }, { type: 'fieldCommit', field: 'name' }, { type: 'select', selection: state('done'), reveal: true }]);
    assert.deepEqual(r.proposals, []);
    assert.equal(r.state.field, null);
  });
  it('a canvas click with an edit pending commits it on the element it was started on, then selects', () => {
    const start = { ...DOC, selection: state('notify') };
    const r = run(start, [...typing('desc', state('notify'), '', 'Pages', describeState), { type: 'select', selection: state('done'), reveal: true }]);
    assert.deepEqual(r.proposals.map((p) => p.operation), [{ type: 'setDescription', state: 'notify', description: 'Pages' }]);
    assert.deepEqual(r.state.selection, state('done'));
  });
  it('Delete with a rename pending deletes the selected state under its new name, once', () => {
    const start = { ...DOC, selection: state('notify') };
    const r = run(start, [...typing('name', state('notify'), 'notify', 'page', rename), { type: 'delete' }, { type: 'delete' }]);
    assert.deepEqual(
      r.proposals.map((p) => p.operation),
      [
        { type: 'renameState', state: 'notify', newName: 'page' },
        { type: 'deleteState', state: 'page' },
      ],
    );
  });
  it('an invalid value shows its error and proposes nothing; a canvas gesture then drops it', () => {
    const a = run(DOC, [...typing('name', state('notify'), 'notify', 'done', rename), { type: 'fieldCommit', field: 'name' }]);
    assert.deepEqual(a.proposals, []);
    assert.equal(a.state.field?.error, "There is already a state 'done'.");
    const b = run(a.state, [{ type: 'select', selection: state('alerts'), reveal: false }]);
    assert.deepEqual(b.proposals, []);
    assert.equal(b.state.field, null);
  });
  it('typing in a second field resolves the first (its blur may come late)', () => {
    const r = run(DOC, [...typing('a', state('notify'), '', 'x', describeState), ...typing('b', state('done'), '', 'y', describeState), { type: 'fieldCommit', field: 'b' }]);
    assert.deepEqual(
      r.proposals.map((p) => p.operation),
      [
        { type: 'setDescription', state: 'notify', description: 'x' },
        { type: 'setDescription', state: 'done', description: 'y' },
      ],
    );
  });
  it('a document without the field element drops the edit', () => {
    const a = run(DOC, typing('desc', state('done'), '', 'x', describeState));
    const b = run(a.state, [documentOf(TEXT.replace(/ {2}done:\n {4}final: true\n/, '')), { type: 'fieldCommit', field: 'desc' }]);
    assert.deepEqual(b.proposals, []);
  });
  it('after a rename, events from components still drawing the old name act on the new one', () => {
    const r = run({ ...DOC, selection: state('notify') }, [...typing('name', state('notify'), 'notify', 'page', rename), { type: 'fieldCommit', field: 'name' }, ...typing('desc', state('notify'), '', 'd', describeState), { type: 'fieldCommit', field: 'desc' }]);
    assert.deepEqual(r.proposals[1].operation, { type: 'setDescription', state: 'page', description: 'd' });
  });
  it('a rename resolved by typing in another field of the state: that field acts on the new name', () => {
    // Found by the random gestures below: the description was proposed for the old name.
    const r = run(DOC, [...typing('name', state('notify'), 'notify', 'page', rename), ...typing('desc', state('notify'), '', 'd', describeState), { type: 'fieldCommit', field: 'desc' }]);
    assert.deepEqual(
      r.proposals.map((p) => p.operation),
      [
        { type: 'renameState', state: 'notify', newName: 'page' },
        { type: 'setDescription', state: 'page', description: 'd' },
      ],
    );
  });
  it('a rename resolved by a canvas gesture: the gesture acts on the new name', () => {
    const r = run(DOC, [...typing('name', state('notify'), 'notify', 'page', rename), { type: 'connect', source: 'notify', target: 'done' }]);
    assert.deepEqual(r.proposals[0].operation, { type: 'renameState', state: 'notify', newName: 'page' });
    assert.equal((r.proposals[1].operation as { state: string }).state, 'page');
  });
  it('the node rename ends with its field', () => {
    const a = run(DOC, [{ type: 'renameStart', state: 'done' }]);
    assert.equal(a.state.renaming, 'done');
    assert.equal(run(a.state, [...typing(RENAME_FIELD, state('done'), 'done', 'end', rename), { type: 'fieldCommit', field: RENAME_FIELD }]).state.renaming, null);
    assert.equal(run(a.state, [{ type: 'fieldCancel', field: RENAME_FIELD }]).state.renaming, null);
  });
});

describe('designer step: canvas gestures', () => {
  it('Delete removes the selected transition', () => {
    const r = run(DOC, [{ type: 'select', selection: { kind: 'edge', id: edgeId('alerts', 'on', 1) }, reveal: true }, { type: 'delete' }]);
    assert.deepEqual(r.proposals.map((p) => p.operation), [{ type: 'deleteTransition', state: 'alerts', index: 1, list: 'on' }]);
    assert.deepEqual(r.messages, [{ type: 'reveal', state: 'alerts', element: { kind: 'transition', index: 1 }, focus: false }]);
    assert.equal(r.state.selection, null);
  });
  it('connect proposes the connect gesture; a new state from a drag is added and connected in one edit', () => {
    assert.deepEqual(run(DOC, [{ type: 'connect', source: 'notify', target: 'done' }]).proposals[0].operation, { type: 'connect', state: 'notify', to: 'done' });
    const r = run(DOC, [{ type: 'addState', from: 'notify', after: 'notify', at: { x: 5, y: 6 } }]);
    assert.deepEqual(r.proposals, [
      { operation: { type: 'batch', operations: [{ type: 'addState', name: 'state1', after: 'notify' }, { type: 'connect', state: 'notify', to: 'state1' }] }, label: 'Add state', place: { state: 'state1', at: { x: 5, y: 6 } } },
    ]);
    assert.deepEqual(r.state.selection, state('state1'));
  });
  it('a palette drop: onto a state adds the instruction; onto the canvas or a transition a new state with it, in one edit', () => {
    const http = { kind: 'http', args: { url: 'https://example.com' } };
    assert.deepEqual(run(DOC, [{ type: 'addInstruction', state: 'alerts', instruction: http }]).proposals, [{ operation: { type: 'addInstruction', state: 'alerts', instruction: http }, label: 'Add instruction' }]);
    assert.deepEqual(run(DOC, [{ type: 'addInstruction', state: 'ghost', instruction: http }]).proposals, []);
    assert.deepEqual(run(DOC, [{ type: 'addState', at: { x: 1, y: 2 }, instruction: http }]).proposals[0].operation, { type: 'batch', operations: [{ type: 'addState', name: 'state1' }, { type: 'addInstruction', state: 'state1', instruction: http }] });
    assert.deepEqual(run(DOC, [{ type: 'insertOnEdge', edge: edgeId('alerts', 'on', 0), instruction: http }]).proposals[0].operation, {
      type: 'batch',
      operations: [{ type: 'insertState', state: 'alerts', index: 0, list: 'on', name: 'state1' }, { type: 'addInstruction', state: 'state1', instruction: http }],
    });
  });
  it('names no element that is not there and does nothing read-only', () => {
    assert.deepEqual(run(DOC, [{ type: 'select', selection: state('ghost'), reveal: true }, { type: 'delete' }, { type: 'connect', source: 'ghost', target: 'done' }]).proposals, []);
    const ro = step(DOC, { ...documentOf(TEXT), readOnly: true }).state;
    assert.deepEqual(run({ ...ro, selection: state('done') }, [{ type: 'delete' }, ...typing('d', state('done'), '', 'x', describeState), { type: 'fieldCommit', field: 'd' }]).proposals, []);
  });
});

// Random gestures on each sample. The simulated host applies each proposal to the text at once,
// and sends the new document only sometimes (as a slow host would): every proposal must apply.
const SAMPLES = fs
  .readdirSync(path.join(__dirname, '../../../samples'))
  .filter((f) => f.endsWith('.task.yaml') && f !== 'broken.task.yaml')
  .map((f) => fs.readFileSync(path.join(__dirname, '../../../samples', f), 'utf8'));

type Pick = (n: number) => number;
const gestureArb = fc.array(
  fc.tuple(fc.constantFrom('input', 'commit', 'cancel', 'select', 'selectEdge', 'delete', 'connect', 'retarget', 'renameStart', 'add', 'insert', 'drop', 'undo', 'deliver'), fc.nat(), fc.nat(), fc.constantFrom('name', 'desc', RENAME_FIELD), fc.stringMatching(/^[a-z -]{0,6}$/)),
  { maxLength: 40 },
);

describe('designer step: random gestures on the samples', () => {
  it('every proposal names elements that exist and applies; Escape never proposes; a gesture leaves no field pending; a field edit commits at most once', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SAMPLES), gestureArb, (sample, gestures) => {
        let text = sample;
        let shown = documentOf(text);
        let state = step(INITIAL, shown).state;
        let started = 0;
        let committed = 0;
        for (const [kind, a, b, field, value] of gestures) {
          const pick: Pick = (n) => a % n;
          const states = shown.states;
          const edges = shown.edges;
          const anyState = states.length ? states[pick(states.length)] : 'none';
          const other = states.length ? states[b % states.length] : 'none';
          const anyEdge = edges.length ? edges[pick(edges.length)] : 'on:0:none';
          let event: UiEvent;
          if (kind === 'input') event = { type: 'fieldInput', field, element: state.field?.element ?? { kind: 'state', id: anyState }, original: anyState, value: value || anyState, commit: field === 'desc' ? describeState : rename };
          else if (kind === 'commit') event = { type: 'fieldCommit', field };
          else if (kind === 'cancel') event = { type: 'fieldCancel', field };
          else if (kind === 'select') event = { type: 'select', selection: b % 5 ? { kind: 'state', id: anyState } : null, reveal: true };
          else if (kind === 'selectEdge') event = { type: 'select', selection: { kind: 'edge', id: anyEdge }, reveal: true };
          else if (kind === 'delete') event = { type: 'delete' };
          else if (kind === 'connect') event = { type: 'connect', source: anyState, target: other };
          else if (kind === 'retarget') event = { type: 'retarget', edge: anyEdge, target: other };
          else if (kind === 'renameStart') event = { type: 'renameStart', state: anyState };
          else if (kind === 'add') event = { type: 'addState', from: b % 2 ? anyState : undefined, after: anyState };
          else if (kind === 'insert') event = { type: 'insertOnEdge', edge: anyEdge, instruction: b % 2 ? { kind: 'log', args: value } : undefined };
          else if (kind === 'drop') event = b % 3 ? { type: 'addInstruction', state: anyState, instruction: { kind: 'sleep', args: '5s' } } : { type: 'addState', at: { x: a, y: b }, instruction: { kind: 'set', args: { k: value } } };
          else if (kind === 'undo') event = { type: 'undo' };
          else {
            shown = documentOf(text);
            event = shown;
          }
          const r = step(state, event);
          if (kind === 'cancel') assert.deepEqual(r.proposals, [], 'Escape proposes nothing');
          if (!['input', 'commit', 'cancel', 'deliver'].includes(kind)) assert.equal(r.state.field, null, `no field edit pending after ${kind}`);
          const f = r.state.field;
          if (kind === 'input' && f && (!state.field || state.field.field !== f.field || state.field.element.id !== f.element.id)) started++;
          committed += r.proposals.filter((p) => p.label === 'Rename state' || p.label === 'Edit description').length;
          assert.ok(committed <= started, `${committed} field commits for ${started} field edits`);
          for (const p of r.proposals) {
            const key = JSON.stringify(p.operation);
            const applied = applyOperation(text, p.operation);
            assert.equal(applied.error, undefined, `${key} on:\n${text}`);
            assert.ok(!parseTask(applied.text).diagnostics.some((d) => d.code === 'yaml-syntax'), 'the text still parses');
            text = applied.text;
          }
          state = r.state;
        }
      }),
      // A name typed, then a description typed before the name field's blur: found by this test.
      { numRuns: 150, examples: [[SAMPLES.find((t) => t.includes('name: approval'))!, [['input', 0, 0, 'name', '-'], ['input', 0, 0, 'desc', ' '], ['commit', 0, 0, 'desc', '']]]] },
    );
  });
});
