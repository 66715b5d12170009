// Versions of a run in VS Code: whether a run started with another version of its task file than
// the file is now (the store keeps the text it started with, named by the sha256 `run-started`
// journals), the pinned text as a read-only document, and "Open Diff with Current File".
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JournalEvent } from '../../engine/journal/events';
import type { RunManager } from '../runs';
import type { ServerConnection } from '../server/connection';
import { isServerRun, journalOf, type AnyRunNode } from './nodes';

export const PINNED_SCHEME = 'stepwise-pinned';

/** The hash engine/runtime/pinned.ts names a task text by. */
function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Tells whether a run is of an older version of its task file; hashes each file once per change. */
export class TaskVersions {
  private readonly hashes = new Map<string, { size: number; mtimeMs: number; hash: string }>();

  /** The hash of a file as it is on disk now, undefined when it is gone. */
  private fileHash(file: string): string | undefined {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    const hit = this.hashes.get(file);
    if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) return hit.hash;
    const hash = textHash(fs.readFileSync(file, 'utf8'));
    this.hashes.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, hash });
    return hash;
  }

  /**
   * Why a run is of an older version of its task file (the file changed or is gone since it
   * started), in words; undefined when it runs the file as it is, or keeps no version to compare.
   */
  older(file: string | undefined, taskHash: string | undefined): string | undefined {
    if (!file || !taskHash) return undefined;
    const now = this.fileHash(file);
    if (now === taskHash) return undefined;
    return now === undefined
      ? `${path.basename(file)} is gone since this run started; the run keeps the version it started with.`
      : `${path.basename(file)} has changed since this run started; the run keeps the version it started with (${taskHash.slice(0, 12)}).`;
  }
}

type Started = Extract<JournalEvent, { type: 'run-started' }>;

/** The read-only document of a run's pinned text: named like its file, so that it is shown as YAML. */
export function pinnedUri(file: string, where: { store: string; hash: string } | { server: string; run: string }): vscode.Uri {
  return vscode.Uri.from({ scheme: PINNED_SCHEME, path: `/${path.basename(file)}`, query: new URLSearchParams(where).toString() });
}

/** Serves the pinned text of `pinnedUri` documents from the run's store or its server. */
export class PinnedDocs implements vscode.TextDocumentContentProvider {
  constructor(
    private readonly runs: RunManager,
    private readonly server: ServerConnection,
  ) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const store = q.get('store');
    const hash = q.get('hash');
    if (store && hash) {
      const text = await this.runs.store(store).readSource(hash);
      if (text === undefined) throw new Error(`The store ${store} does not keep task version ${hash.slice(0, 12)}.`);
      return text;
    }
    const run = q.get('run');
    const client = this.server.client;
    if (!run || !client || client.base.origin !== q.get('server')) throw new Error(`Stepwise cannot read ${uri.toString()}: its server is not the one set (stepwise.server.url).`);
    return (await client.runSource(run)).text;
  }
}

/** "Open Diff with Current File": the run's pinned text beside the task file as it is now. */
export async function openDiff(deps: { runs: RunManager; server: ServerConnection }, node: AnyRunNode): Promise<boolean> {
  let started: Started | undefined;
  try {
    started = (await journalOf(deps, node)).find((e): e is Started => e.type === 'run-started');
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise could not read the journal of run {0}: {1}', node.runId, err instanceof Error ? err.message : String(err)));
    return false;
  }
  if (!started?.file || !started.taskHash) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Run {0} keeps no task version to compare (it started before versions were kept).', node.runId));
    return false;
  }
  if (!fs.existsSync(started.file)) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The task file of run {0} is not on this machine (or is gone): {1}.', node.runId, started.file));
    return false;
  }
  const pinned = isServerRun(node)
    ? pinnedUri(started.file, { server: deps.server.client!.base.origin, run: node.runId })
    : pinnedUri(started.file, { store: node.storeDir, hash: started.taskHash });
  const name = path.basename(started.file);
  await vscode.commands.executeCommand('vscode.diff', pinned, vscode.Uri.file(started.file), `${name} (run ${node.runId}) ↔ ${name} (now)`);
  return true;
}

export function registerVersions(deps: { runs: RunManager; server: ServerConnection; refresh: () => void }): vscode.Disposable[] {
  // An edit of a task file on disk can make a run of it older: the Runs view says so at once.
  const watcher = vscode.workspace.createFileSystemWatcher('**/*.task.{yaml,yml}');
  return [
    vscode.workspace.registerTextDocumentContentProvider(PINNED_SCHEME, new PinnedDocs(deps.runs, deps.server)),
    watcher,
    watcher.onDidChange(deps.refresh),
    watcher.onDidCreate(deps.refresh),
    watcher.onDidDelete(deps.refresh),
    vscode.commands.registerCommand('stepwise.runs.openDiff', (node?: AnyRunNode) => (node ? openDiff(deps, node) : false)),
  ];
}
