// The workspace's plugins in the extension (trusted window): lint knows a plugin kind's arguments,
// completion offers them, and Run Task runs the plugin's handler. On a copy of samples/plugins.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../extension/runs';
import { api, closeAll, codeOf, open, positionOf, stepwiseDiagnostics, waitFor, workspaceDir, workspaceFile, writeFile } from './helpers';

const DIR = 'plugin-copy';

const NOTES_DIGEST = createHash('sha256').update('Stepwise 1.0: fan-out, task tests, plugins.').digest('hex');

const MISSPELT = `version: 1
name: misspelt
start: digest
states:
  digest:
    do:
      - checksum:
          text: hello
          algoritm: sha256
    next: done
  done: { final: true }
`;

function copySample(): void {
  for (const name of ['stepwise.config.json', 'checksum.mjs', 'release-notes.task.yaml']) {
    writeFile(path.join(DIR, name), fs.readFileSync(path.join(workspaceDir(), 'plugins', name), 'utf8'));
  }
}

describe('workspace plugins in the extension', () => {
  before(async () => {
    await api();
    copySample();
  });
  after(async () => {
    await closeAll();
  });

  it("shows the plugin-arguments problem for a misspelt argument, with 'did you mean'", async () => {
    const uri = writeFile(path.join(DIR, 'misspelt.task.yaml'), MISSPELT);
    await open(uri);
    const d = await waitFor('the plugin-arguments diagnostic', () => stepwiseDiagnostics(uri).find((x) => codeOf(x) === 'plugin-arguments'));
    assert.match(d.message, /algoritm/);
    assert.match(d.message, /algorithm/);
    assert.ok(!stepwiseDiagnostics(uri).some((x) => codeOf(x) === 'unknown-kind'), 'checksum is a known kind');
  });

  it('completes the argument names inside a checksum: mapping, and the kind among instruction kinds', async () => {
    const uri = writeFile(path.join(DIR, 'typing.task.yaml'), MISSPELT.replace('          algoritm: sha256\n', '          \n'));
    const editor = await open(uri);
    const labels = async (pos: vscode.Position) => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, pos);
      return list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    };
    const inArgs = await labels(positionOf(editor.document, 'text: hello\n', 'text: hello\n'.length + 10));
    assert.ok(inArgs.includes('algorithm') && inArgs.includes('text'), `offered: ${inArgs.join(', ')}`);
    const hover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, positionOf(editor.document, 'checksum:', 2));
    const md = hover.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(md, /The digest of a text/);
    assert.match(md, /`algorithm`/);
  });

  it('Run Task runs release-notes.task.yaml with the plugin, its digest in the journal', async () => {
    const outcome = await vscode.commands.executeCommand<RunOutcome>('stepwise.runTask', workspaceFile(path.join(DIR, 'release-notes.task.yaml')));
    assert.equal(outcome?.status, 'succeeded');
    const file = path.join(workspaceDir(), '.stepwise', 'runs', `${outcome.runId}.jsonl`);
    const events = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(JSON.stringify(events).includes(NOTES_DIGEST), 'the journal holds the digest');
  });

  it('debugging release-notes.task.yaml (inline adapter) runs the plugin to the end', async () => {
    const messages: Array<{ type: string; event?: string; body?: { exitCode?: number; output?: string } }> = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('stepwise', {
      createDebugAdapterTracker: () => ({ onDidSendMessage: (m: (typeof messages)[number]) => messages.push(m) }),
    });
    try {
      const uri = workspaceFile(path.join(DIR, 'release-notes.task.yaml'));
      const ok = await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], { type: 'stepwise', request: 'launch', name: 'Debug release-notes', program: uri.fsPath });
      assert.equal(ok, true);
      const exited = await waitFor('the debugged run to exit', () => messages.find((m) => m.event === 'exited'));
      assert.equal(exited.body?.exitCode, 0, messages.filter((m) => m.event === 'output').map((m) => m.body?.output).join(''));
      assert.ok(messages.some((m) => m.event === 'output' && m.body?.output?.includes(NOTES_DIGEST)), 'the log shows the digest');
    } finally {
      tracker.dispose();
    }
  });

  it('lints again when the config changes: without the plugin, checksum is an unknown kind; with it, its arguments are checked', async () => {
    const uri = writeFile(path.join(DIR, 'reloaded.task.yaml'), MISSPELT);
    await open(uri);
    await waitFor('plugin-arguments with the plugin loaded', () => stepwiseDiagnostics(uri).some((x) => codeOf(x) === 'plugin-arguments'));
    const config = path.join(DIR, 'stepwise.config.json');
    const original = fs.readFileSync(workspaceFile(config).fsPath, 'utf8');
    writeFile(config, '{ "plugins": [] }\n');
    const unknown = await waitFor('unknown-kind once the config names no plugin', () => stepwiseDiagnostics(uri).find((x) => codeOf(x) === 'unknown-kind'));
    assert.match(unknown.message, /checksum/);
    writeFile(config, original);
    await waitFor('plugin-arguments once the plugin is back', () => stepwiseDiagnostics(uri).some((x) => codeOf(x) === 'plugin-arguments') && !stepwiseDiagnostics(uri).some((x) => codeOf(x) === 'unknown-kind'));
  });
});
