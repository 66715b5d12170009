// The extension's settings, read fresh each time (a settings change needs no reload), and the
// files they point at. Only here does the extension read or write `stepwise.*` settings.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_RUNS_DIR } from '../engine/store/file';

export type LintMode = 'onSave' | 'onType' | 'off';
export type ClockKind = 'real' | 'virtual';

export const TASK_FILE = /\.task\.ya?ml$/i;
/** Schemes whose documents are files a person edits (not diffs, output or settings). */
const EDITABLE_SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-vfs']);

export const TASK_SELECTOR: vscode.DocumentSelector = [...EDITABLE_SCHEMES].flatMap((scheme) => [
  { scheme, pattern: '**/*.task.yaml' },
  { scheme, pattern: '**/*.task.yml' },
]);

export function isTaskDocument(doc: vscode.TextDocument): boolean {
  return EDITABLE_SCHEMES.has(doc.uri.scheme) && TASK_FILE.test(doc.uri.path);
}

export function isTaskUri(uri: vscode.Uri): boolean {
  return EDITABLE_SCHEMES.has(uri.scheme) && TASK_FILE.test(uri.path);
}

function section(scope?: vscode.Uri) {
  return vscode.workspace.getConfiguration('stepwise', scope);
}

export function lintMode(scope?: vscode.Uri): LintMode {
  const v = section(scope).get<string>('lint.run', 'onSave');
  return v === 'onType' || v === 'off' ? v : 'onSave';
}

export function clockKind(scope?: vscode.Uri): ClockKind {
  return section(scope).get<string>('clock', 'real') === 'virtual' ? 'virtual' : 'real';
}

/** The folder relative paths in settings start from: the file's workspace folder, else its own folder. */
export function baseFolder(file: vscode.Uri): string {
  const folder = vscode.workspace.getWorkspaceFolder(file) ?? vscode.workspace.workspaceFolders?.[0];
  return folder ? folder.uri.fsPath : path.dirname(file.fsPath);
}

/** Where runs of this task file are journaled. */
export function storeFolderFor(file: vscode.Uri): string {
  const setting = section(file).get<string>('storeFolder', DEFAULT_RUNS_DIR) || DEFAULT_RUNS_DIR;
  return path.resolve(baseFolder(file), setting);
}

/** Every store folder of the workspace (one per workspace folder, deduplicated). */
export function workspaceStoreFolders(): string[] {
  const out = new Set<string>();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const setting = section(folder.uri).get<string>('storeFolder', DEFAULT_RUNS_DIR) || DEFAULT_RUNS_DIR;
    out.add(path.resolve(folder.uri.fsPath, setting));
  }
  return [...out];
}

export interface MocksSetting {
  /** The resolved path, or undefined when no mocks file applies. */
  file?: string;
  /** Set when the setting names a file that is missing. */
  problem?: string;
}

/** `stepwise.mocksFile` as written (empty when unset). */
export function mocksFileSetting(scope?: vscode.Uri): string {
  return (section(scope).get<string>('mocksFile', '') ?? '').trim();
}

/** `stepwise.graph.defaultEditor`: open task files in the graph editor. */
export function graphIsDefaultEditor(): boolean {
  return section().get<boolean>('graph.defaultEditor', false) === true;
}

/** `stepwise.server.url` as written (empty: no server). */
export function serverUrlSetting(): string {
  return (section().get<string>('server.url', '') ?? '').trim();
}

/** Sets the workspace to run tasks offline: each task's own mocks file, and the virtual clock. */
export async function runOfflineInWorkspace(scope: vscode.Uri, what: { mocks: boolean; clock: boolean }): Promise<void> {
  if (what.mocks) await section(scope).update('mocksFile', '${taskDir}/${taskName}.mocks.yaml', vscode.ConfigurationTarget.Workspace);
  if (what.clock) await section(scope).update('clock', 'virtual', vscode.ConfigurationTarget.Workspace);
}

/**
 * The mocks file for a task. `${taskDir}` and `${taskName}` let one setting serve every task
 * (`${taskDir}/${taskName}.mocks.yaml`); such a templated path that does not exist means "no
 * mocks for this task", while a plain path that does not exist is an error worth a message.
 */
export function mocksFileFor(file: vscode.Uri): MocksSetting {
  const raw = mocksFileSetting(file);
  if (!raw) return {};
  const taskDir = path.dirname(file.fsPath);
  const taskName = path.basename(file.fsPath).replace(TASK_FILE, '');
  const templated = raw.includes('${');
  const resolved = path.resolve(baseFolder(file), raw.replace(/\$\{taskDir\}/g, taskDir).replace(/\$\{taskName\}/g, taskName));
  if (fs.existsSync(resolved)) return { file: resolved };
  return templated ? {} : { problem: `The mocks file set in 'stepwise.mocksFile' does not exist: ${resolved}` };
}
