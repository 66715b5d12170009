// "Save as Test Case" on a run of the Runs view (local or on the server): the run's journal becomes
// a case appended to `<task>.test.yaml` beside its task file (see engine/testing/save-case.ts); the
// test file opens at the new case.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JournalEvent } from '../../engine/journal/events';
import { testing } from '../lazy';
import type { RunManager } from '../runs';
import type { RunNode, RunsView } from '../runsView';
import type { ServerConnection } from '../server/connection';
import type { ServerRunNode } from '../server/tree';
import { testFileFor } from './files';

export interface SavedTestCase {
  file: string;
  name: string;
}

interface Sources {
  runs: RunManager;
  runsView: RunsView;
  server: ServerConnection;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function saveRunAsTestCase(node: RunNode | ServerRunNode | undefined, sources: Sources): Promise<SavedTestCase | undefined> {
  if (!node) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Choose a finished run in the Runs view of the Stepwise panel, then "Save as Test Case" in its context menu.'));
    return undefined;
  }
  let journal: JournalEvent[];
  let called: JournalEvent[][] = [];
  try {
    if ('kind' in node && node.kind === 'serverRun') {
      const client = sources.server.client;
      if (!client) throw new Error('the server is not connected');
      journal = (await client.getRun(node.runId)).journal;
    } else {
      const local = node as RunNode;
      journal = await sources.runs.store(local.storeDir).read(local.runId);
      const children = (await sources.runsView.list()).filter((n) => n.state.parentRunId === local.runId);
      called = await Promise.all(children.map((c) => sources.runs.store(c.storeDir).read(c.runId)));
    }
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Cannot read run {0}: {1}', node.runId, message(err)));
    return undefined;
  }
  const started = journal.find((e) => e.type === 'run-started');
  const taskFile = started?.type === 'run-started' ? await localTaskFile(started.task, started.file) : undefined;
  if (!taskFile) {
    const name = started?.type === 'run-started' ? started.task : node.runId;
    void vscode.window.showErrorMessage(vscode.l10n.t("Run {0} is not saved as a test case: no task file of task '{1}' is in this workspace to put the test beside.", node.runId, name));
    return undefined;
  }
  const testFile = testFileFor(taskFile);
  const uri = vscode.Uri.file(testFile);
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const before = open ? open.getText() : fs.existsSync(testFile) ? fs.readFileSync(testFile, 'utf8') : undefined;
  let saved;
  try {
    saved = testing().saveRunAsCase({ journal, called, testText: before, taskRef: `./${path.basename(taskFile)}` });
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Run {0} is not saved as a test case: {1}', node.runId, message(err)));
    return undefined;
  }
  // One insertion: whatever the file holds (unsaved edits too) stays as it is.
  const edit = new vscode.WorkspaceEdit();
  if (before === undefined) edit.createFile(uri, { ignoreIfExists: true });
  const doc = before === undefined ? undefined : open ?? (await vscode.workspace.openTextDocument(uri));
  edit.insert(uri, doc ? doc.positionAt(saved.offset) : new vscode.Position(0, 0), saved.insert);
  if (!(await vscode.workspace.applyEdit(edit))) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The case could not be added to {0}.', testFile));
    return undefined;
  }
  const written = await vscode.workspace.openTextDocument(uri);
  await written.save();
  const editor = await vscode.window.showTextDocument(written, { preview: false });
  const at = new vscode.Range(saved.line, 0, saved.line, 0);
  editor.selection = new vscode.Selection(at.start, at.start);
  editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return { file: testFile, name: saved.name };
}

/** The run's task file here: the journaled path when it exists, else a workspace task file of that name. */
async function localTaskFile(task: string, file: string | undefined): Promise<string | undefined> {
  if (file && fs.existsSync(file)) return file;
  const files = await vscode.workspace.findFiles('**/*.task.{yaml,yml}', '**/node_modules/**', 500);
  const named = files.filter((f) => new RegExp(`^name:\\s*["']?${task.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*(#.*)?$`, 'm').test(fs.readFileSync(f.fsPath, 'utf8')));
  return named.length === 1 ? named[0].fsPath : files.find((f) => path.basename(f.fsPath).replace(/\.task\.ya?ml$/, '') === task)?.fsPath;
}
