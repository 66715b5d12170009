// The workspace's plugins in the extension (trusted window): lint knows a plugin kind's arguments,
// completion offers them, and Run Task runs the plugin's handler. On a copy of samples/plugins.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../extension/runs';
import { api, closeAll, codeOf, open, positionOf, stepwiseDiagnostics, waitFor, workspaceDir, workspaceFile, writeFile } from './helpers';

const DIR = 'plugin-copy';

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
    const expected = (await import('node:crypto')).createHash('sha256').update('Stepwise 1.0: fan-out, task tests, plugins.').digest('hex');
    assert.ok(JSON.stringify(events).includes(expected), 'the journal holds the digest');
  });
});
