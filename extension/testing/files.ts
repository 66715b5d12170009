// Which files are task test files, and how their text is read: an open editor's text (unsaved
// edits included), else the file on disk, as the debugger reads task files.
import * as vscode from 'vscode';

export const TEST_FILE = /\.test\.ya?ml$/i;
export const TEST_GLOB = '**/*.test.{yaml,yml}';
const EDITABLE_SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

export const TEST_SELECTOR: vscode.DocumentSelector = [...EDITABLE_SCHEMES].flatMap((scheme) => [
  { scheme, pattern: '**/*.test.yaml' },
  { scheme, pattern: '**/*.test.yml' },
]);

export function isTestUri(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && TEST_FILE.test(uri.path);
}

/** The test file beside a task file: `deploy.task.yaml` → `deploy.test.yaml`. */
export function testFileFor(taskFile: string): string {
  return taskFile.replace(/\.task\.(ya?ml)$/i, '.test.$1');
}
