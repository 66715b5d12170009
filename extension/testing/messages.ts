// A case's failures as Test Explorer messages: an expected/actual diff where the failure has both
// (a path, a status, an error kind), at the line of the case's name.
import * as vscode from 'vscode';
import type { Diagnostic } from '../../engine/model/types';
import type { CaseResult } from '../../engine/testing/suite';

export function failureMessages(result: CaseResult, at: vscode.Location): vscode.TestMessage[] {
  return result.failures.map((f) => {
    const m = f.expected !== undefined && f.actual !== undefined ? vscode.TestMessage.diff(f.message, f.expected, f.actual) : new vscode.TestMessage(f.message);
    m.location = at;
    return m;
  });
}

/** A test file that cannot run: its errors (and those of the files it names), where they are. */
export function fileErrorMessage(uri: vscode.Uri, errors: readonly Diagnostic[]): vscode.TestMessage {
  const lines = errors.slice(0, 5).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  if (errors.length > 5) lines.push(`… and ${errors.length - 5} more (see the Problems panel)`);
  const m = new vscode.TestMessage(`The test file has ${errors.length} error${errors.length === 1 ? '' : 's'}, so no case of it runs:\n${lines.join('\n')}`);
  const first = errors[0].range;
  m.location = new vscode.Location(uri, new vscode.Range(first.start.line, first.start.column, first.end.line, first.end.column));
  return m;
}
