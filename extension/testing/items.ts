// The Test Explorer's items: one per test file, one per case at the line of its name, kept in step
// with the file's text (an editor's, as it is typed, or the file on disk).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { testing } from '../lazy';

/** The id of a case's item: its file and its name. */
export function caseId(uri: vscode.Uri, name: string): string {
  return `${uri.toString()}::${name}`;
}

/** Sets a test file's item and its cases' items from the file's text. */
export function updateFileItem(controller: vscode.TestController, uri: vscode.Uri, text: string): vscode.TestItem {
  let file = controller.items.get(uri.toString());
  if (!file) {
    file = controller.createTestItem(uri.toString(), vscode.workspace.asRelativePath(uri, false) || path.basename(uri.fsPath), uri);
    controller.items.add(file);
  }
  const parsed = testing().parseTestFile(text, uri.fsPath);
  const syntax = parsed.diagnostics.find((d) => d.code === 'yaml-syntax');
  file.error = syntax ? `Line ${syntax.range.start.line + 1}: ${syntax.message}` : undefined;
  const children: vscode.TestItem[] = [];
  for (const c of parsed.model.cases) {
    const id = caseId(uri, c.name);
    const item = file.children.get(id) ?? controller.createTestItem(id, c.name, uri);
    item.range = new vscode.Range(c.keyRange.start.line, c.keyRange.start.column, c.keyRange.end.line, c.keyRange.end.column);
    children.push(item);
  }
  file.children.replace(children);
  return file;
}

/** The case items a request names (files stand for all their cases), minus the excluded ones. */
export function casesOf(controller: vscode.TestController, request: vscode.TestRunRequest): vscode.TestItem[] {
  const excluded = new Set((request.exclude ?? []).map((i) => i.id));
  const roots: vscode.TestItem[] = [];
  if (request.include) roots.push(...request.include);
  else controller.items.forEach((i) => roots.push(i));
  const out = new Map<string, vscode.TestItem>();
  const visit = (item: vscode.TestItem) => {
    if (excluded.has(item.id)) return;
    if (item.children.size === 0 && item.parent) out.set(item.id, item);
    item.children.forEach(visit);
  };
  roots.forEach(visit);
  return [...out.values()];
}
