// Restricted Mode (an untrusted workspace): lint and language features work, running does not.
// The harness runs these alone in a second window with workspace trust on; in a trusted window
// they are skipped.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, open, positionOf, stepwiseDiagnostics, waitFor, workspaceDir, workspaceFile } from './helpers';

describe('restricted mode', () => {
  before(function () {
    if (vscode.workspace.isTrusted) this.skip();
  });
  after(async () => {
    await closeAll();
  });

  it('lints and answers language features in an untrusted workspace', async () => {
    await api();
    const broken = workspaceFile('broken.task.yaml');
    await open(broken);
    const diags = await waitFor('diagnostics in Restricted Mode', () => {
      const d = stepwiseDiagnostics(broken);
      return d.length > 0 && d;
    });
    assert.ok(diags.some((d) => codeOf(d) === 'unknown-target'));
    const hello = workspaceFile('hello.task.yaml');
    const editor = await open(hello);
    const defs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', hello, positionOf(editor.document, 'next: done', 7));
    assert.equal(editor.document.lineAt(defs[0].range.start.line).text.trim(), 'done:');
  });

  it('refuses to run a task, and runs nothing', async () => {
    const outcome = await vscode.commands.executeCommand('stepwise.runTask', workspaceFile('hello.task.yaml'));
    assert.equal(outcome, undefined);
    assert.equal(fs.existsSync(path.join(workspaceDir(), '.stepwise')), false, 'no run was journaled');
    assert.equal(await vscode.commands.executeCommand('stepwise.debugTask', workspaceFile('hello.task.yaml')), false);
  });

  it('refuses to debug: the debug configuration is not resolved, no session starts', async () => {
    const debug = (await api()).debug;
    const config = { type: 'stepwise', request: 'launch', name: 'Debug hello', program: workspaceFile('hello.task.yaml').fsPath };
    assert.equal(debug.resolveDebugConfiguration(vscode.workspace.workspaceFolders?.[0], config), undefined);
    assert.equal(await debug.debugFile(workspaceFile('hello.task.yaml')), false);
    assert.equal(vscode.debug.activeDebugSession, undefined);
  });
});
