// Runs of the command line in the Runs view: a `stepwise run` in a terminal shows up by itself
// (no Refresh), even in a store folder that did not exist yet, and the view cancels it through
// the store's inbox.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunNode } from '../../extension/runsView';
import { api, EXTENSION_ID, setSetting, waitFor, workspaceDir, writeFile } from './helpers';

const CLI_WAITER = `version: 1
name: cliwaiter
start: wait
states:
  wait:
    on:
      - to: done
        after: 1h
  done:
    final: true
`;

describe('runs of the command line', () => {
  const store = `.stepwise/cli-${Date.now()}`;
  after(() => setSetting('storeFolder', undefined));

  it('the Runs view shows a CLI run live, without a refresh, and cancels it', async function () {
    this.timeout(60_000);
    const view = (await api()).runsView;
    await setSetting('storeFolder', store);
    // What the view lists each time it tells the tree it changed: only that counts as shown.
    let shown: RunNode[] = [];
    const sub = view.onDidChangeTreeData(async () => {
      shown = await view.getChildren();
    });
    try {
      const task = writeFile('cliwaiter.task.yaml', CLI_WAITER);
      const cli = path.join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
      const child = spawn(process.execPath, [cli, 'run', task.fsPath, '--store', path.join(workspaceDir(), store)], {
        cwd: workspaceDir(),
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: 'ignore',
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const running = await waitFor('the CLI run to show as running in wait', () => shown.find((n) => n.state.task === 'cliwaiter' && n.status === 'running' && n.state.state === 'wait'));
        assert.equal(view.getTreeItem(running).contextValue, 'stepwiseRun:running', 'a run of another process: Cancel is offered (no :here)');
        assert.equal(await vscode.commands.executeCommand('stepwise.runs.cancel', running), true);
        await waitFor('the CLI run to show as cancelled', () => shown.find((n) => n.runId === running.runId && n.status === 'cancelled'));
        await exited;
      } finally {
        if (child.exitCode === null) child.kill();
      }
    } finally {
      sub.dispose();
    }
  });
});
