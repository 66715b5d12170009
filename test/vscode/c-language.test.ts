// Language features through VS Code's own provider commands (what the editor calls).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, open, positionOf, waitFor, workspaceFile, writeFile } from './helpers';

const LANG = `version: 1
name: lang
description: Language features fixture
start: collect
states:
  collect:
    description: Ask for the actual state
    do:
      - log: "collecting"
        as: first
    on:
      - to: compare
        when: "data.x = 1"
      - to: failed
        after: 5m
  compare:
    next: done
  done:
    final: true
  failed:
    final: true
    status: failed
`;

async function labels(uri: vscode.Uri, pos: vscode.Position): Promise<string[]> {
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos);
  return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
}

async function insertLine(editor: vscode.TextEditor, after: string, line: string): Promise<vscode.Position> {
  const doc = editor.document;
  const at = doc.getText().indexOf(after) + after.length;
  await editor.edit((b) => b.insert(doc.positionAt(at), line + '\n'));
  return doc.positionAt(at + line.length);
}

describe('language features', () => {
  let uri: vscode.Uri;
  let editor: vscode.TextEditor;

  before(async () => {
    await api();
  });
  beforeEach(async () => {
    uri = writeFile('lang.task.yaml', LANG);
    editor = await open(uri);
  });
  afterEach(async () => {
    await closeAll();
  });

  it('completes state names after next:, to: and start:', async () => {
    const doc = editor.document;
    for (const [needle, delta] of [['next: done', 6], ['to: compare', 4], ['start: collect', 7]] as const) {
      const got = await labels(uri, positionOf(doc, needle, delta));
      assert.deepEqual(got.filter((l) => ['collect', 'compare', 'done', 'failed'].includes(l)), ['collect', 'compare', 'done', 'failed'], `after ${needle}`);
    }
  });

  it('completes instruction keys in a do list and condition keys in an on list', async () => {
    const inDo = await insertLine(editor, '        as: first\n', '      - ');
    const doKeys = await labels(uri, inDo);
    for (const k of ['http', 'exec', 'set', 'log', 'emit', 'sleep', 'call']) assert.ok(doKeys.includes(k), `instruction key ${k} in ${doKeys.join(',')}`);

    const inOn = await insertLine(editor, '        after: 5m\n', '      - ');
    const onKeys = await labels(uri, inOn);
    for (const k of ['to', 'when', 'after', 'poll', 'event']) assert.ok(onKeys.includes(k), `condition key ${k} in ${onKeys.join(',')}`);
    assert.ok(!onKeys.includes('http'), 'no instruction keys among the transition keys');
  });

  it('hovers a state reference with its description, instructions and transitions', async () => {
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, positionOf(editor.document, 'start: collect', 9));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /State `collect`/);
    assert.match(text, /Ask for the actual state/);
    assert.match(text, /`log`/);
    assert.match(text, /→ `compare` when `data\.x = 1`/);
    assert.match(text, /→ `failed` after `5m`/);
  });

  it('goes to the definition of a state and finds its references', async () => {
    const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', uri, positionOf(editor.document, 'to: compare', 6));
    assert.equal(defs.length, 1);
    const def = defs[0];
    const range = 'targetRange' in def ? def.targetRange : def.range;
    assert.equal(range.start.line, 15, 'compare: is on line 16');

    const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', uri, positionOf(editor.document, 'done:', 1));
    assert.deepEqual(refs.map((r) => r.range.start.line).sort((a, b) => a - b), [16, 17], 'the definition and `next: done`');
  });

  it('renames a state everywhere, and refuses a taken or invalid name with a message', async () => {
    const at = positionOf(editor.document, 'to: compare', 5);
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', uri, at, 'judge');
    assert.equal(edit.get(uri).length, 2);
    assert.ok(await vscode.workspace.applyEdit(edit));
    const text = editor.document.getText();
    assert.match(text, /\n {2}judge:\n/);
    assert.match(text, /- to: judge\n/);
    assert.doesNotMatch(text, /compare/);

    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', uri, positionOf(editor.document, 'to: judge', 5), 'done')),
      /A state named 'done' already exists/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.executeDocumentRenameProvider', uri, positionOf(editor.document, 'to: judge', 5), '9 lives')),
      /not a valid state name/,
    );
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('vscode.prepareRename', uri, positionOf(editor.document, 'description: Ask', 3))),
      /Only state names can be renamed/,
    );
  });

  it('lists states with their instructions and transitions in the outline', async () => {
    const symbols = await waitFor('document symbols', async () => {
      const s = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
      return s?.length ? s : undefined;
    });
    assert.deepEqual(symbols.map((s) => s.name), ['collect', 'compare', 'done', 'failed']);
    assert.deepEqual(symbols[0].children.map((c) => c.name), ['log', '→ compare', '→ failed']);
    assert.equal(symbols[0].detail.startsWith('start'), true);
  });

  it('shows Run | Debug code lenses over start:', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    assert.deepEqual(lenses.map((l) => [l.range.start.line, l.command?.command]), [
      [3, 'stepwise.runTask'],
      [3, 'stepwise.debugTask'],
    ]);
    assert.match(lenses[0].command!.title, /Run/);
    assert.match(lenses[1].command!.title, /Debug/);
  });

  it('works on a real sample: deploy.task.yaml', async () => {
    const deploy = workspaceFile('deploy.task.yaml');
    const ed = await open(deploy);
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', deploy);
    assert.ok(symbols.length >= 5, `deploy has states (${symbols.map((s) => s.name).join(', ')})`);
    const start = ed.document.getText().match(/^start: (\S+)/m)![1];
    const defs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', deploy, positionOf(ed.document, `start: ${start}`, 8));
    assert.equal(ed.document.lineAt(defs[0].range.start.line).text.trim(), `${start}:`);
  });
});
