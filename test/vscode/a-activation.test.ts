// Activation: opening a task file brings the extension up with its commands and views.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, open, waitFor, workspaceFile } from './helpers';

describe('activation', () => {
  it('activates on a task file and registers its commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'the extension under development is loaded');
    await open(workspaceFile('hello.task.yaml'));
    await waitFor('the extension to be active', () => ext.isActive);
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['stepwise.runTask', 'stepwise.debugTask', 'stepwise.runs.rerun', 'stepwise.runs.sendEvent', 'stepwise.debug.skipWait', 'stepwise.debug.sendEvent']) {
      assert.ok(commands.includes(id), `command ${id} is registered`);
    }
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'yaml', 'task files stay YAML (the Red Hat extension keeps working)');
  });

  it('declares limited support for untrusted workspaces', () => {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON;
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.equal(pkg.main, './dist/extension.js');
  });
});
