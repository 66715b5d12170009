// The palette in the real workbench: an instruction kind dragged with the mouse onto a state adds
// it there; a kind dropped on a transition inserts a new state with it in that transition. The
// document's text after each drop is exactly what the operation makes of the text before, and
// one undo takes it back.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { applyEdits, editTask } from '../../engine/edit/index';
import type { EditOperation } from '../../engine/edit/types';
import { api, closeAll, waitFor, writeFile } from './helpers';
import { nodeSelector, WebviewDom } from './webview';

const FILE = 'palette.task.yaml';
const TEXT = `version: 1
name: palette
start: notify
states:
  notify:
    do:
      - log: "deploying"
    next: review
  review:
    on:
      - to: done
        when: "data.ok = true"
      - to: notify
  done:
    final: true
`;

describe('graph palette (real workbench)', () => {
  const dom = new WebviewDom(FILE);
  let doc: vscode.TextDocument;

  const intended = (operation: EditOperation) => {
    const r = editTask(TEXT, operation);
    assert.equal(r.error, undefined);
    return applyEdits(TEXT, r.edits);
  };
  const oneUndoStep = async () => {
    await vscode.commands.executeCommand('undo');
    await waitFor('one undo to restore the text', () => doc.getText() === TEXT);
  };

  before(async () => {
    await api();
    await closeAll();
    const uri = writeFile(FILE, TEXT);
    doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('stepwise.openGraph', uri);
  });
  // Each test starts from TEXT, drawn and at rest (laid out by ELK and fitted: nothing moves under the mouse).
  beforeEach(async () => {
    if (doc.getText() !== TEXT) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), TEXT);
      await vscode.workspace.applyEdit(edit);
    }
    await dom.waitFor('the graph of three states at rest', `document.querySelectorAll('.react-flow__node').length === 3 && !!document.querySelector('main.sw-canvas[data-busy="false"]') && !!document.querySelector('.sw-palette')`);
  });
  after(closeAll);

  it('an http instruction dragged onto a state is added to it (one undo step)', async () => {
    await dom.drag('.sw-palette-item[data-item="http"]', `${nodeSelector('review')} .sw-node-name`);
    const want = intended({ type: 'addInstruction', state: 'review', instruction: { kind: 'http', args: { method: 'GET', url: 'https://example.com' } } });
    await waitFor('the drop to edit the text', () => doc.getText() !== TEXT);
    assert.equal(doc.getText(), want);
    await oneUndoStep();
  });

  it('a log instruction dropped on a transition inserts a new state with it there (one undo step)', async () => {
    await dom.drag('.sw-palette-item[data-item="log"]', '.sw-edge-label[data-edge="on:0:review"]');
    const name = await waitFor('a new state in the text', () => doc.getText().match(/^ {2}(state[\w-]*):$/m)?.[1]);
    const want = intended({ type: 'batch', operations: [{ type: 'insertState', state: 'review', index: 0, list: 'on', name }, { type: 'addInstruction', state: name, instruction: { kind: 'log', args: 'message' } }] });
    assert.equal(doc.getText(), want);
    await oneUndoStep();
  });
});
