// A lane of a `parallel`/`map` that calls a task opens that task's graph: the webview names the
// `call`'s task as written (relative to the calling file); only a task file that exists is
// opened, with the graph editor, in the calling graph's editor group.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isTaskUri } from './config';

/** The called task file's URI, or undefined (with a message saying why) when it cannot be opened. */
export function calledTaskUri(from: vscode.Uri, task: string): vscode.Uri | undefined {
  if (from.scheme !== 'file' || task.includes('{{')) {
    void vscode.window.showInformationMessage(vscode.l10n.t("Stepwise: '{0}' is computed when the task runs; open it from the Explorer.", task));
    return undefined;
  }
  const uri = vscode.Uri.file(path.resolve(path.dirname(from.fsPath), task));
  if (!isTaskUri(uri) || !fs.existsSync(uri.fsPath)) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: the called task {0} is not a task file that exists (looked for {1}).', task, uri.fsPath));
    return undefined;
  }
  return uri;
}
