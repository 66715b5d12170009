// "Show on Graph" in the Runs view: opens the graph of a run's task file with the run's path
// (engine/graph/runPath.ts): visits, taken transitions, the failing state, and per state its data,
// results and timing. A run that has not ended is followed: each new journal entry (a run here,
// another process's journal file, the server's watch stream) updates the picture.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JournalEvent } from '../engine/journal/events';
import { runPath } from '../engine/graph/runPath';
import type { GraphEditorProvider } from './graph';
import type { TaskModels } from './models';
import type { TaskVersions } from './operate/versions';
import type { RunManager } from './runs';
import type { RunNode } from './runsView';
import type { ServerConnection } from './server/connection';
import type { ServerRunNode } from './server/tree';

/** Journal entries arriving in a burst are shown once per this many ms. */
const UPDATE_MS = 100;

export interface ShowOnGraphDeps {
  runs: RunManager;
  server: ServerConnection;
  graph: GraphEditorProvider;
  models: TaskModels;
  versions: TaskVersions;
  /** Asks for a local run when the command comes from the palette. */
  pick(): Promise<RunNode | undefined>;
}

/** What the command did: the task file whose graph shows the run (undefined when it could not). */
export interface ShownOnGraph {
  file: string;
  runId: string;
  /** Set when the run started with another version of the file than the one drawn. */
  olderVersion?: string;
}

export function registerShowOnGraph(deps: ShowOnGraphDeps): vscode.Disposable {
  const follows = new Map<string, vscode.Disposable>();
  const stopFollowing = (file: string) => {
    follows.get(file)?.dispose();
    follows.delete(file);
  };

  const show = async (node: RunNode | ServerRunNode | undefined): Promise<ShownOnGraph | undefined> => {
    const n = node ?? (await deps.pick());
    if (!n) return undefined;
    const source = 'kind' in n && n.kind === 'serverRun' ? serverSource(deps, n) : localSource(deps, n as RunNode);
    let events: JournalEvent[];
    try {
      events = await source.read();
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise could not read the journal of run {0}: {1}', n.runId, err instanceof Error ? err.message : String(err)));
      return undefined;
    }
    const file = await source.file(events);
    if (!file) return undefined;
    stopFollowing(file);
    const started = events.find((e) => e.type === 'run-started');
    const shown = { id: n.runId, where: source.where, olderVersion: deps.versions.older(file, started?.type === 'run-started' ? started.taskHash : undefined) };
    deps.graph.overlays.show(file, runPath(events, shown));
    await deps.graph.revealGraph(vscode.Uri.file(file));
    if (shown.olderVersion) {
      void vscode.window
        .showWarningMessage(vscode.l10n.t('Stepwise: run {0} is of an older version: {1} The graph shows the file as it is now.', n.runId, shown.olderVersion), 'Open Diff with Current File')
        .then((pick) => pick && vscode.commands.executeCommand('stepwise.runs.openDiff', n));
    }
    if (!events.some((e) => e.type === 'run-ended')) follows.set(file, follow(deps, source, file, shown, () => stopFollowing(file)));
    return { file, runId: n.runId, olderVersion: shown.olderVersion };
  };

  return vscode.Disposable.from(
    vscode.commands.registerCommand('stepwise.runs.showOnGraph', show),
    { dispose: () => [...follows.keys()].forEach(stopFollowing) },
  );
}

interface RunSource {
  where: 'local' | 'server';
  read(): Promise<JournalEvent[]>;
  /** The task file the run ran (asks nothing; says why when there is none). */
  file(events: readonly JournalEvent[]): Promise<string | undefined>;
  /** Calls back when the run's journal may have grown. */
  watch(onChange: () => void): vscode.Disposable;
}

function startedFile(events: readonly JournalEvent[]): string | undefined {
  const start = events.find((e) => e.type === 'run-started');
  return start?.type === 'run-started' ? start.file : undefined;
}

function localSource(deps: ShowOnGraphDeps, node: RunNode): RunSource {
  return {
    where: 'local',
    read: () => deps.runs.store(node.storeDir).read(node.runId),
    async file(events) {
      const file = startedFile(events);
      if (file && fs.existsSync(file)) return path.resolve(file);
      void vscode.window.showErrorMessage(file ? vscode.l10n.t('The task file of run {0} is gone: {1}.', node.runId, file) : vscode.l10n.t('The journal of run {0} does not say which task file it ran.', node.runId));
      return undefined;
    },
    watch(onChange) {
      // A run of this window says when it journals; another process's run changes its file.
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(node.storeDir), `${node.runId}.jsonl`));
      return vscode.Disposable.from(
        watcher,
        watcher.onDidChange(onChange),
        deps.runs.onDidChange((id) => (id === undefined || id === node.runId) && onChange()),
      );
    },
  };
}

function serverSource(deps: ShowOnGraphDeps, node: ServerRunNode): RunSource {
  return {
    where: 'server',
    async read() {
      const client = deps.server.client;
      if (!client) throw new Error('no server is set (stepwise.server.url)');
      return (await client.getRun(node.runId)).journal;
    },
    async file(events) {
      // The server's path, when this machine has it (a server started from this workspace);
      // else the workspace's task file of the run's task name.
      const named = startedFile(events);
      if (named && fs.existsSync(named)) return path.resolve(named);
      const found = await taskFileNamed(deps.models, node.run.task);
      if (!found) void vscode.window.showErrorMessage(vscode.l10n.t("No task file in this workspace is the task '{0}' that server run {1} ran: open the folder that holds it to see the run on its graph.", node.run.task, node.runId));
      return found;
    },
    watch: (onChange) => deps.server.onDidJournal((e) => e.runId === node.runId && onChange()),
  };
}

/** The workspace's task file whose task is `name` (its `name:`, else its file name). */
async function taskFileNamed(models: TaskModels, name: string): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles('**/*.task.{yaml,yml}', '**/node_modules/**', 1000);
  for (const f of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
    const base = path.basename(f.fsPath).replace(/\.task\.ya?ml$/i, '');
    const model = (await models.get(await vscode.workspace.openTextDocument(f))).result.model;
    if ((model.name ?? base) === name) return f.fsPath;
  }
  return undefined;
}

/** Re-reads the journal as it grows and shows it, until the run ends or another picture replaces it. */
function follow(deps: ShowOnGraphDeps, source: RunSource, file: string, shown: { id: string; olderVersion?: string }, stop: () => void): vscode.Disposable {
  const runId = shown.id;
  let timer: NodeJS.Timeout | undefined;
  let reading = false;
  let again = false;
  const update = async () => {
    timer = undefined;
    if (deps.graph.overlays.shownRun(file)?.id !== runId) return stop();
    reading = true;
    try {
      const events = await source.read();
      if (deps.graph.overlays.shownRun(file)?.id !== runId) return stop();
      deps.graph.overlays.show(file, runPath(events, { ...shown, where: source.where }));
      if (events.some((e) => e.type === 'run-ended')) stop();
    } catch {
      // A journal being written can be read between two entries' bytes: the next change reads it again.
    } finally {
      reading = false;
      if (again) schedule();
    }
  };
  // A change while the journal is being read is read after it (the last entries are never missed).
  const schedule = () => {
    again = reading;
    if (!timer && !reading) timer = setTimeout(() => void update(), UPDATE_MS);
  };
  const sub = source.watch(schedule);
  return { dispose: () => (clearTimeout(timer), sub.dispose()) };
}
