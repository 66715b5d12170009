// The server's commands: its token (Set / Clear), Run Task on Server, and the actions on a server
// run in the Runs view (open its journal, pause, resume, cancel, send an event), all through the
// REST API. Errors are shown as the server words them (its messages say what to do).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { askEvent } from '../eventPrompt';
import type { TaskModels } from '../models';
import { RunManager, type RunOptions } from '../runs';
import { ServerError, type ControlAction, type ServerClient, type ServerTasks } from './client';
import type { ServerConnection } from './connection';
import { journalUri } from './journalDocs';
import type { RunsTreeNode } from './runsTree';
import type { ServerScheduleNode } from './schedules';
import { URL_SETTING } from './settings';
import { ServerRunNode, type ServerRunsTree } from './tree';

export interface ServerCommandDeps {
  connection: ServerConnection;
  serverTree: ServerRunsTree;
  view: vscode.TreeView<RunsTreeNode>;
  models: TaskModels;
  runs: RunManager;
  /** The task file a command acts on: its argument, the active editor's, or one picked. */
  taskFile: (uri: vscode.Uri | undefined, verb: string) => Promise<vscode.Uri | undefined>;
}

export interface ServerRunStarted {
  runId: string;
  task: string;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const TASK_FILE = /\.task\.ya?ml$/i;

export function registerServerCommands(d: ServerCommandDeps): vscode.Disposable[] {
  const { connection } = d;
  const log = (line: string) => d.runs.output.appendLine(line);

  /** The client of the configured server, or undefined after telling the user what to set. */
  function client(): ServerClient | undefined {
    const s = connection.setting;
    if (s.kind === 'on' && connection.client) return connection.client;
    const why = s.kind === 'invalid' ? vscode.l10n.t('The setting {0} is not usable: {1}', URL_SETTING, s.problem) : vscode.l10n.t('No Stepwise server is set: give its address in the setting {0}.', URL_SETTING);
    void vscode.window.showErrorMessage(why, 'Open Settings').then((pick) => pick && vscode.commands.executeCommand('workbench.action.openSettings', URL_SETTING));
    return undefined;
  }

  function showError(what: string, err: unknown): void {
    log(`server: ${what}: ${message(err)}`);
    const actions = err instanceof ServerError && err.unauthorized ? ['Set Server Token'] : [];
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: {0}: {1}', what, message(err)), ...actions).then((pick) => pick && vscode.commands.executeCommand('stepwise.server.setToken'));
  }

  async function pick(title: string, filter: (n: ServerRunNode) => boolean = () => true): Promise<ServerRunNode | undefined> {
    const c = client();
    const mirror = connection.mirror;
    if (!c || !mirror) return undefined;
    const nodes = mirror
      .list()
      .map((r) => new ServerRunNode(r, c.base.origin))
      .filter(filter);
    if (!nodes.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No run of the server at {0} fits: see the Runs view of the Stepwise panel.', c.label));
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      nodes.map((n) => ({ label: n.run.task, description: `${n.status} · ${n.runId}`, node: n })),
      { title },
    );
    return chosen?.node;
  }

  const live = (n: ServerRunNode) => n.status === 'running' || n.status === 'paused';

  async function setToken(token?: string): Promise<boolean> {
    const c = client();
    const url = connection.url;
    if (!c || !url) return false;
    const value =
      typeof token === 'string'
        ? token
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('Token of the Stepwise server at {0}', c.label),
            prompt: vscode.l10n.t("The bearer token the server was started with (--token or STEPWISE_TOKEN). Kept in VS Code's secret storage and sent only to {0}.", url.origin),
            password: true,
            ignoreFocusOut: true,
            validateInput: (t) => (t.trim() ? undefined : 'A token cannot be empty (use "Stepwise: Clear Server Token" to remove it).'),
          });
    if (!value?.trim()) return false;
    await connection.tokens.set(url.origin, value.trim());
    await connection.restart();
    log(`server ${c.label}: token set (kept in VS Code's secret storage)`);
    return true;
  }

  async function clearToken(): Promise<boolean> {
    const url = connection.url;
    if (!url || !client()) return false;
    await connection.tokens.clear(url.origin);
    await connection.restart();
    log(`server ${connection.client?.label ?? url.host}: token cleared`);
    void vscode.window.showInformationMessage(vscode.l10n.t("Stepwise: the token of {0} was removed from VS Code's secret storage.", url.origin));
    return true;
  }

  /** Why the server cannot start this task, in words that say what to do. */
  function notServed(c: ServerClient, name: string, file: vscode.Uri, known: ServerTasks): string {
    const rejected = known.rejected.find((r) => r.name === name);
    if (rejected) {
      const first = rejected.errors
        .slice(0, 3)
        .map((e) => `line ${e.line}: ${e.message} [${e.code}]`)
        .join(' ');
      return `The server at ${c.label} has the task '${name}' (${rejected.file}), but its copy does not lint clean, so it cannot run: ${first} Fix the file there; the server reloads its task folder when a file changes.`;
    }
    const served = known.tasks.map((t) => t.name);
    return (
      `The server at ${c.label} does not know the task '${name}'${served.length ? ` (it serves ${served.join(', ')})` : ' (it serves no tasks)'}. ` +
      `A server runs the tasks of the folder it was started with: serve this task's folder with 'stepwise serve --tasks ${path.dirname(file.fsPath)}'.`
    );
  }

  async function runTask(uri?: vscode.Uri, options: RunOptions = {}): Promise<ServerRunStarted | undefined> {
    if (!RunManager.trusted('run tasks on a server')) return undefined;
    const c = client();
    if (!c) return undefined;
    const file = await d.taskFile(uri, 'Run on the server');
    if (!file) return undefined;
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(file);
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot open {0}: {1}', file.fsPath, message(err)));
      return undefined;
    }
    // A server that serves this folder reloads the saved file: save first, as Run does.
    if (doc.isDirty && !(await doc.save())) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} could not be saved, so it was not run.', path.basename(file.fsPath)));
      return undefined;
    }
    const lint = await d.models.get(doc).catch((err) => err as Error);
    if (lint instanceof Error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} could not be read: {1}', path.basename(file.fsPath), lint.message));
      return undefined;
    }
    const model = lint.result.model;
    const name = model.name ?? path.basename(file.fsPath).replace(TASK_FILE, '');
    let known: ServerTasks;
    try {
      known = await c.tasks();
    } catch (err) {
      showError(`cannot run '${name}' on the server`, err);
      return undefined;
    }
    if (!known.tasks.some((t) => t.name === name)) {
      const why = notServed(c, name, file, known);
      log(`server: ${why}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: {0}', why));
      return undefined;
    }
    const input = await d.runs.askInputs(model, options);
    if (!input) return undefined;
    let started;
    try {
      started = await c.startRun(name, input);
    } catch (err) {
      showError(`the run of '${name}' was not started on ${c.label}`, err);
      return undefined;
    }
    log(`[server ${c.label}] started run ${started.id} of ${name}`);
    const run = connection.mirror?.upsert(started);
    if (run) await reveal(new ServerRunNode(run, c.base.origin));
    return { runId: started.id, task: name };
  }

  async function reveal(node: ServerRunNode): Promise<void> {
    d.serverTree.refreshNow();
    try {
      await d.view.reveal(node, { select: true, focus: false });
    } catch {
      // The view is hidden or not yet rendered: the run is listed there all the same.
    }
  }

  /** `node` is a run of the view, or the last run of a schedule (its runId and origin). */
  async function openJournal(node?: Pick<ServerRunNode, 'runId' | 'origin'>): Promise<vscode.TextEditor | undefined> {
    const n = node ?? (await pick('Open the journal of which server run?'));
    if (!n) return undefined;
    const doc = await vscode.workspace.openTextDocument(journalUri(n.origin, n.runId));
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  async function control(action: ControlAction, node?: ServerRunNode): Promise<boolean> {
    const verbs = { pause: 'Pause', resume: 'Resume', cancel: 'Cancel' } as const;
    const fits = { pause: (n: ServerRunNode) => n.status === 'running', resume: (n: ServerRunNode) => n.status === 'paused', cancel: live }[action];
    if (!RunManager.trusted(`${action} server runs`)) return false;
    const n = node ?? (await pick(`${verbs[action]} which server run?`, fits));
    const c = client();
    if (!n || !c) return false;
    try {
      const result = await c.control(n.runId, action, action === 'cancel' ? 'cancelled from VS Code' : undefined);
      log(`[server ${c.label}] ${action} run ${n.runId}${result.applied ? '' : ' (requested; its worker acts on it shortly)'}`);
      if (!result.applied) void vscode.window.showInformationMessage(vscode.l10n.t('Stepwise: {0} of run {1} was requested; the worker that runs it acts on it shortly.', action, n.runId));
      return true;
    } catch (err) {
      showError(`cannot ${action} run ${n.runId}`, err);
      return false;
    }
  }

  async function sendEvent(node?: ServerRunNode, name?: string, data?: unknown): Promise<boolean> {
    if (!RunManager.trusted('send events to server runs')) return false;
    const n = node ?? (await pick('Send an event to which server run?', live));
    const c = client();
    if (!n || !c) return false;
    const event = await askEvent(`${n.run.task} (${n.runId}) on ${c.label}`, name, data);
    if (!event) return false;
    try {
      await c.sendEvent(n.runId, event.name, event.data);
      log(`[server ${c.label}] sent event ${event.name} ${JSON.stringify(event.data)} to run ${n.runId}`);
      return true;
    } catch (err) {
      showError('the event was not sent', err);
      return false;
    }
  }

  async function setSchedulePaused(paused: boolean, node?: ServerScheduleNode): Promise<boolean> {
    const verb = paused ? 'pause' : 'resume';
    if (!RunManager.trusted(`${verb} server schedules`)) return false;
    const c = client();
    if (!c) return false;
    const id = node?.schedule.id ?? (await pickSchedule(c, verb, paused));
    if (!id) return false;
    try {
      const s = paused ? await c.pauseSchedule(id) : await c.resumeSchedule(id);
      log(`[server ${c.label}] ${verb}d schedule ${s.id}${s.nextTick ? ` (next tick ${s.nextTick})` : ''}`);
      return true;
    } catch (err) {
      showError(`cannot ${verb} schedule ${id}`, err);
      return false;
    } finally {
      await d.serverTree.schedules.refresh();
    }
  }

  async function pickSchedule(c: ServerClient, verb: string, paused: boolean): Promise<string | undefined> {
    await d.serverTree.schedules.refresh();
    const fits = d.serverTree.schedules.list().filter((s) => s.paused !== paused);
    if (!fits.length) {
      void vscode.window.showInformationMessage(
        verb === 'pause'
          ? vscode.l10n.t('No schedule of the server at {0} to pause: see the Runs view of the Stepwise panel.', c.label)
          : vscode.l10n.t('No schedule of the server at {0} to resume: see the Runs view of the Stepwise panel.', c.label),
      );
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      fits.map((s) => ({ label: s.task, description: `${s.cron ?? `every ${s.every}`} · ${s.id}`, id: s.id })),
      { title: verb === 'pause' ? vscode.l10n.t('Pause which schedule?') : vscode.l10n.t('Resume which schedule?') },
    );
    return chosen?.id;
  }

  const reg = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, fn);
  return [
    reg('stepwise.server.setToken', (token?: unknown) => setToken(typeof token === 'string' ? token : undefined)),
    reg('stepwise.server.clearToken', clearToken),
    reg('stepwise.server.reconnect', () => connection.retryNow()),
    reg('stepwise.server.runTask', (uri?: vscode.Uri, options?: RunOptions) => runTask(uri instanceof vscode.Uri ? uri : undefined, options)),
    reg('stepwise.server.openJournal', openJournal),
    reg('stepwise.server.pause', (n?: ServerRunNode) => control('pause', n)),
    reg('stepwise.server.resume', (n?: ServerRunNode) => control('resume', n)),
    reg('stepwise.server.cancel', (n?: ServerRunNode) => control('cancel', n)),
    reg('stepwise.server.sendEvent', sendEvent),
    reg('stepwise.server.pauseSchedule', (n?: ServerScheduleNode) => setSchedulePaused(true, n)),
    reg('stepwise.server.resumeSchedule', (n?: ServerScheduleNode) => setSchedulePaused(false, n)),
  ];
}
