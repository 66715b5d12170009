// Which task file a command acts on when it is not given one. The walkthrough, the Runs view and
// the graph editor take the focus away from text editors, so the active text editor alone is not
// enough: a task visible beside them, or the task behind the active graph tab, is what the user
// is looking at; only then is the user asked.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isTaskUri } from './config';

function taskInView(): vscode.Uri | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isTaskUri(active)) return active;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if ((input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) && isTaskUri(input.uri)) return input.uri;
  const visible = vscode.window.visibleTextEditors.map((e) => e.document.uri).filter(isTaskUri);
  return visible.length === 1 ? visible[0] : undefined;
}

export async function taskFileFor(uri: vscode.Uri | undefined, verb: string): Promise<vscode.Uri | undefined> {
  if (uri instanceof vscode.Uri) return uri;
  const inView = taskInView();
  if (inView) return inView;
  const files = await vscode.workspace.findFiles('**/*.task.{yaml,yml}', '**/node_modules/**', 500);
  if (!files.length) {
    const create = 'New Task…';
    const answer = await vscode.window.showInformationMessage(vscode.l10n.t('There is no task file (*.task.yaml) in this workspace yet.'), create);
    if (answer === create) await vscode.commands.executeCommand('stepwise.newTask');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    files.map((f) => ({ label: path.basename(f.fsPath), description: vscode.workspace.asRelativePath(path.dirname(f.fsPath)), uri: f })),
    { title: vscode.l10n.t('{0} which task?', verb), matchOnDescription: true, ignoreFocusOut: true },
  );
  return pick?.uri;
}
