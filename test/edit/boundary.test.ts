// Operations arrive from the webview as untrusted JSON, and files come in every YAML style: each
// case here once corrupted a document or threw an internal error (found by fuzzing).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { applyOperation, editTask } from '../../engine/edit/index';
import type { EditOperation } from '../../engine/edit/types';
import { COMMENTED, expectEdit, expectError } from './fixtures';

const C = COMMENTED;
const bad = (op: unknown) => op as EditOperation;

describe('arguments are checked at the boundary', () => {
  it('refuses fractional, null, negative and non-number indices, naming the argument', () => {
    expectError(C, bad({ type: 'reorderTransition', state: 'collect', index: 0, toIndex: 0.5 }), /'reorderTransition\.toIndex' must be a whole number, 0 or more \(got 0\.5\)/);
    expectError(C, bad({ type: 'reorderTransition', state: 'collect', index: 0, toIndex: null }), /'reorderTransition\.toIndex' must be a whole number.*got null/);
    expectError(C, bad({ type: 'moveInstruction', state: 'collect', index: 0, toIndex: 0.5 }), /'moveInstruction\.toIndex' must be a whole number/);
    expectError(C, bad({ type: 'deleteTransition', state: 'collect', index: -1 }), /'deleteTransition\.index' must be a whole number.*got -1/);
    expectError(C, bad({ type: 'addInstruction', state: 'collect', index: '1', instruction: { kind: 'log', args: 'x' } }), /'addInstruction\.index' must be a whole number.*got "1"/);
    expectError(C, bad({ type: 'addTransition', state: 'collect', to: 'done', index: 1.5 }), /'addTransition\.index'/);
  });
  it('refuses names that are not strings, and missing required arguments', () => {
    expectError(C, bad({ type: 'deleteState', state: 3 }), /'deleteState\.state' must be a non-empty string \(got 3\)/);
    expectError(C, bad({ type: 'renameState', state: 'done' }), /'renameState\.newName' must be a string \(got nothing\)/);
    expectError(C, bad({ type: 'addTransition', state: 'collect', to: ['done'] }), /'addTransition\.to' must be a non-empty string \(got a list\)/);
    expectError(C, bad({ type: 'setFinal', state: 'done', final: 'yes' }), /'setFinal\.final' must be true or false/);
    expectError(C, bad({ type: 'setFinal', state: 'done', final: true, status: 'ok' }), /'setFinal\.status' must be one of 'succeeded', 'failed', 'cancelled'/);
    expectError(C, bad({ type: 'addTransition', state: 'collect', to: 'done', list: 'else' }), /'addTransition\.list' must be one of 'on', 'catch'/);
  });
  it('refuses nested arguments of the wrong shape', () => {
    expectError(C, bad({ type: 'setTransitionCondition', state: 'collect', index: 0, condition: { poll: { until: 'x' } } }), /'setTransitionCondition\.condition\.poll\.every' must be a string/);
    expectError(C, bad({ type: 'setTransitionCondition', state: 'collect', index: 0 }), /'setTransitionCondition\.condition' must be an object/);
    expectError(C, bad({ type: 'updateInstruction', state: 'collect', index: 0, path: [], value: 1 }), /'updateInstruction\.path' must be a non-empty list of keys/);
    expectError(C, bad({ type: 'updateInstruction', state: 'collect', index: 0, path: ['http', 2], value: 1 }), /'updateInstruction\.path\[1\]' must be a non-empty string/);
    expectError(C, bad({ type: 'addInstruction', state: 'collect', instruction: { kind: '', args: 1 } }), /'addInstruction\.instruction\.kind'/);
    expectError(C, bad({ type: 'addInstruction', state: 'collect', instruction: { kind: 'log', args: 'x', retry: { attempts: '3' } } }), /'addInstruction\.instruction\.retry\.attempts' must be a number/);
  });
  it('refuses values that are not plain data', () => {
    expectError(C, bad({ type: 'updateInstruction', state: 'collect', index: 0, path: ['as'], value: new Date(0) }), /'updateInstruction\.value' must be plain data/);
    expectError(C, bad({ type: 'updateInstruction', state: 'collect', index: 0, path: ['http'], value: { a: [1, () => 1] } }), /'updateInstruction\.value\.a\[1\]' must be plain data/);
    expectError(C, bad({ type: 'updateInstruction', state: 'collect', index: 0, path: ['as'], value: Number.NaN }), /must be a finite number/);
  });
  it('refuses what is not an operation, and checks each operation of a batch', () => {
    expectError(C, bad(null), /'operation' must be an edit operation object \(got null\)/);
    expectError(C, bad({ type: 'nope' }), /'operation\.type' is not a known edit operation \(got "nope"\)/);
    expectError(C, bad({ type: 'batch', operations: 'x' }), /'batch\.operations' must be a list/);
    expectError(C, bad({ type: 'batch', operations: [{ type: 'addState', name: 'x' }, { type: 'setStart', state: null }] }), /'batch\.operations\[1\]\.state' must be a non-empty string/);
  });
});

describe('edits that once corrupted the document', () => {
  it('sets a poll on a flow-style transition whose `poll: {}` is empty while removing its other condition', () => {
    const text = 'states:\n  a:\n    on:\n      - { to: b, when: x, poll: {} }\n  b: {}\n';
    expectEdit(text, { type: 'setTransitionCondition', state: 'a', index: 0, condition: { poll: { every: '5s' } } }, [['{ to: b, when: x, poll: {} }', '{ to: b, poll: { every: 5s } }']]);
  });
  it('sets a condition on a transition without `to:` and leaves the next key where it is', () => {
    const text = 'states:\n  a:\n    on:\n      - when: x\n        event: e\n    next: b\n  b: {}\n';
    expectEdit(text, { type: 'setTransitionCondition', state: 'a', index: 0, condition: { after: '5m' } }, [['      - when: x\n        event: e\n', '      - after: 5m\n']]);
    const last = 'states:\n  a:\n    on:\n      - when: x  # why\n  b: {}\n';
    expectEdit(last, { type: 'setTransitionCondition', state: 'a', index: 0, condition: { event: 'go' } }, [['- when: x  # why\n', '- event: go\n']]);
    expectEdit(last.slice(0, -'  b: {}\n'.length), { type: 'setTransitionCondition', state: 'a', index: 0, condition: { after: '1m' } }, [['- when: x  # why\n', '- after: 1m\n']]);
  });
});

const JSON_TASK = ['{', '  "version": 1,', '  "name": "j",', '  "start": "a",', '  "states": {', '    "a": { "next": "b" },', '    "b": { "final": true }', '  }', '}', ''].join('\n');

describe('JSON-style files (flow style throughout)', () => {
  it('adds a state on a line of its own, after the last one or after a given one', () => {
    expectEdit(JSON_TASK, { type: 'addState', name: 'c' }, [['    "b": { "final": true }\n', '    "b": { "final": true },\n    "c": {}\n']]);
    expectEdit(JSON_TASK, { type: 'addState', name: 'c', after: 'a', description: 'x' }, [['    "a": { "next": "b" },\n', '    "a": { "next": "b" },\n    "c": { "description": "x" },\n']]);
  });
  it('deletes a state and its separator only', () => {
    expectEdit(JSON_TASK, { type: 'deleteState', state: 'a' }, [['    "a": { "next": "b" },\n', '']]);
    expectEdit(JSON_TASK, { type: 'deleteState', state: 'b' }, [['"b" },\n    "b": { "final": true }', '"b" }']]);
  });
  it('adds `start` after `name` on a line of its own', () => {
    const text = JSON_TASK.replace('  "start": "a",\n', '');
    expectEdit(text, { type: 'setStart', state: 'b' }, [['  "name": "j",\n', '  "name": "j",\n  "start": "b",\n']]);
  });
  it('edits a state on one line without touching the others', () => {
    expectEdit(JSON_TASK, { type: 'setDescription', state: 'b', description: 'end' }, [['"b": { "final": true }', '"b": { "description": "end", "final": true }']]);
  });
  it('keeps a one-line flow mapping on its line when only a value changes, even to a list', () => {
    expectEdit(C, { type: 'updateTransition', state: 'collect', list: 'catch', index: 0, path: ['error'], value: ['http', 'timeout'] }, [['{ to: failed, error: http }', '{ to: failed, error: [ http, timeout ] }']]);
  });
  it('refuses to remove an entry whose separator holds a comment (it would be lost)', () => {
    const text = JSON_TASK.replace('"a": { "next": "b" },', '"a": { "next": "b" }, # first');
    expectError(text, { type: 'deleteState', state: 'a' }, /comment/);
  });
});

describe('explicit keys and keys with properties', () => {
  const X = 'version: 1\nstart: a\nstates:\n  ? |-\n    a\n  : next: b\n  b: {}\n';
  it('refuses to edit a state written with an explicit key (`? key`), with a clear message', () => {
    for (const op of [
      { type: 'addState', name: 'c', after: 'a' },
      { type: 'deleteState', state: 'a' },
      { type: 'renameState', state: 'a', newName: 'z' },
      { type: 'setDescription', state: 'a', description: 'hi' },
    ] as EditOperation[])
      expectError(X, op, /explicit key/);
  });
  it('edits the other states of such a file', () => {
    expectEdit(X, { type: 'setFinal', state: 'b', final: true }, [['  b: {}', '  b:\n    final: true']]);
    expectEdit(X, { type: 'addState', name: 'c' }, [['  b: {}\n', '  b: {}\n  c: {}\n']]);
  });
  it('refuses to edit an entry whose key has an anchor or a tag', () => {
    const text = 'version: 1\nstart: a\nstates:\n  &k a:\n    next: b\n  !!str b: {}\n';
    expectError(text, { type: 'deleteState', state: 'a' }, /anchor or a tag/);
    expectError(text, { type: 'renameState', state: 'b', newName: 'c' }, /anchor or a tag/);
  });
  it('refuses an edit that removes an anchor an alias still uses', () => {
    const text = 'version: 1\nstart: a\nstates:\n  a:\n    do:\n      - log: &msg hello\n  b:\n    do:\n      - log: *msg\n';
    expectError(text, { type: 'deleteState', state: 'a' }, /&msg/);
    const r = applyOperation(text, { type: 'deleteState', state: 'b' });
    assert.equal(r.error, undefined);
    assert.deepEqual(parseDocument(r.text).errors, []);
  });
});
