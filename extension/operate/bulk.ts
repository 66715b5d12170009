// Bulk actions of the Runs view: cancel, pause, resume or retry every run that matches a filter
// (status, task), of this workspace's stores or of the server (`POST /v1/runs/bulk`). The user
// confirms the count first; a caller that passes `expectCount` is held to it instead.
import * as vscode from 'vscode';
import type { BulkAction } from '../../engine/server/bulk';
import { RUN_STATUSES } from '../../engine/server/service';
import { RunManager } from '../runs';
import type { RunNode, RunsView } from '../runsView';
import type { ServerConnection } from '../server/connection';
import type { ServerRunsTree } from '../server/tree';

export interface BulkDeps {
  runs: RunManager;
  runsView: RunsView;
  server: ServerConnection;
  serverTree: ServerRunsTree;
}

export interface BulkOptions {
  where?: 'local' | 'server';
  action?: BulkAction;
  status?: string;
  task?: string;
  /** Act only when exactly this many runs match (instead of asking the user to confirm the count). */
  expectCount?: number;
}

export interface BulkDone {
  matched: number;
  /** The runs acted on (for retry: the new runs' ids). */
  done: string[];
  failed: Array<{ id: string; error: string }>;
}

const ACTIONS: BulkAction[] = ['cancel', 'pause', 'resume', 'retry'];
const VERB: Record<BulkAction, string> = { cancel: 'Cancel', pause: 'Pause', resume: 'Resume', retry: 'Retry' };
const LOCAL_STATUSES = ['running', 'paused', 'interrupted', 'succeeded', 'failed', 'cancelled'];

/** Which local runs an action can change: cancel and pause reach only the runs of this window. */
const LOCAL_FITS: Record<BulkAction, (n: RunNode) => boolean> = {
  cancel: (n) => n.here && (n.status === 'running' || n.status === 'paused'),
  pause: (n) => n.here && n.status === 'running',
  resume: (n) => n.status === 'paused' || n.status === 'interrupted',
  // A retry without a state retries from where a run failed.
  retry: (n) => n.status === 'failed',
};

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function pick<T extends string>(title: string, values: readonly T[], any?: string): Promise<T | '' | undefined> {
  const items = [...(any ? [{ label: any, value: '' as const }] : []), ...values.map((v) => ({ label: v, value: v }))];
  return (await vscode.window.showQuickPick(items, { title, ignoreFocusOut: true }))?.value;
}

/** Asks what was not given; undefined when the user gave up. */
async function complete(deps: BulkDeps, o: BulkOptions): Promise<Required<Pick<BulkOptions, 'where' | 'action'>> & BulkOptions | undefined> {
  const serverOn = deps.server.setting.kind === 'on';
  const where = o.where ?? (serverOn ? await pick('Act on the runs of…', ['local', 'server'] as const) : 'local');
  if (!where) return undefined;
  const action = o.action ?? (await pick('Bulk action', ACTIONS));
  if (!action) return undefined;
  let { status, task } = o;
  if (status === undefined && task === undefined) {
    const picked = await pick(`${VERB[action]} the runs with status…`, where === 'server' ? RUN_STATUSES : LOCAL_STATUSES, 'any status');
    if (picked === undefined) return undefined;
    const tasks = where === 'server' ? (deps.server.mirror?.list() ?? []).map((r) => r.task) : (await deps.runsView.list()).map((n) => n.state.task);
    const t = await pick(`${VERB[action]} the runs of task…`, [...new Set(tasks)].sort(), 'any task');
    if (t === undefined) return undefined;
    status = picked || undefined;
    task = t || undefined;
  }
  return { ...o, where, action, status, task };
}

async function confirmed(what: string, count: number, o: BulkOptions): Promise<boolean> {
  if (o.expectCount !== undefined) {
    if (count === o.expectCount) return true;
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: {0} runs match, not {1}; nothing was done.', count, o.expectCount));
    return false;
  }
  const verb = VERB[o.action!];
  const button = `${verb} ${count} Run${count === 1 ? '' : 's'}`;
  return (await vscode.window.showWarningMessage(count === 1 ? vscode.l10n.t('{0} 1 run {1}?', verb, what) : vscode.l10n.t('{0} {1} runs {2}?', verb, count, what), { modal: true }, button)) === button;
}

function describeFilter(o: BulkOptions): string {
  return [o.status && `with status ${o.status}`, o.task && `of task ${o.task}`].filter(Boolean).join(' ');
}

export async function bulkRuns(deps: BulkDeps, given: BulkOptions = {}): Promise<BulkDone | undefined> {
  if (!RunManager.trusted('change runs')) return undefined;
  const o = await complete(deps, given);
  if (!o) return undefined;
  if (o.status === undefined && o.task === undefined) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: a bulk action needs a filter: a status, a task or both.'));
    return undefined;
  }
  const done = o.where === 'server' ? await onServer(deps, o) : await locally(deps, o);
  if (!done) return undefined;
  const failures = done.failed.map((f) => `${f.id}: ${f.error}`);
  for (const f of failures) deps.runs.output.appendLine(`bulk ${o.action}: ${f}`);
  const summary = `Stepwise: ${VERB[o.action].toLowerCase()} — ${done.done.length} of ${done.matched} run${done.matched === 1 ? '' : 's'} done${failures.length ? `; ${failures.length} could not be changed (see the Output)` : ''}.`;
  void (failures.length ? vscode.window.showWarningMessage(summary) : vscode.window.showInformationMessage(summary));
  return done;
}

async function locally(deps: BulkDeps, o: BulkOptions & { action: BulkAction }): Promise<BulkDone | undefined> {
  const nodes = (await deps.runsView.list()).filter((n) => (!o.status || n.status === o.status) && (!o.task || n.state.task === o.task) && LOCAL_FITS[o.action](n));
  const scope = `${describeFilter(o)}${o.action === 'cancel' || o.action === 'pause' ? ' running in this window' : ''}`;
  if (!(await confirmed(scope, nodes.length, o))) return undefined;
  const result: BulkDone = { matched: nodes.length, done: [], failed: [] };
  for (const n of nodes) {
    try {
      if (o.action === 'cancel') {
        deps.runs.get(n.runId)?.cancel('cancelled from VS Code (bulk)');
        result.done.push(n.runId);
      } else if (o.action === 'pause') {
        await deps.runs.get(n.runId)?.pause();
        result.done.push(n.runId);
      } else if (o.action === 'resume') {
        // A resumed run goes on in the background; the action is done once it has started.
        void deps.runs.resume(n.storeDir, n.runId);
        result.done.push(n.runId);
      } else {
        const started = await new Promise<string | undefined>((resolve) => {
          void deps.runs.retry(n.storeDir, n.runId, undefined, (id) => resolve(id)).then(() => resolve(undefined));
        });
        if (started) result.done.push(started);
        else result.failed.push({ id: n.runId, error: 'not retried (see the message shown)' });
      }
    } catch (err) {
      result.failed.push({ id: n.runId, error: message(err) });
    }
  }
  deps.runsView.refreshSoon();
  return result;
}

async function onServer(deps: BulkDeps, o: BulkOptions & { action: BulkAction }): Promise<BulkDone | undefined> {
  const client = deps.server.client;
  if (!client) return undefined;
  try {
    // The count to confirm: the server's runs that match now (the bulk request matches again).
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await client.listRuns({ status: o.status as (typeof RUN_STATUSES)[number] | undefined, task: o.task, limit: 500, cursor });
      count += page.runs.length;
      cursor = page.next ?? undefined;
    } while (cursor);
    if (!(await confirmed(`${describeFilter(o)} on ${client.label}`, count, o))) return undefined;
    const r = await client.bulk({ action: o.action, status: o.status as (typeof RUN_STATUSES)[number] | undefined, task: o.task });
    for (const x of r.results) if (x.run) deps.server.mirror?.upsert(x.run);
    deps.serverTree.refreshNow();
    return {
      matched: r.matched,
      done: r.results.filter((x) => x.ok).map((x) => (o.action === 'retry' ? x.run!.id : x.id)),
      failed: r.results.filter((x) => !x.ok).map((x) => ({ id: x.id, error: x.error?.message ?? 'failed' })),
    };
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: the bulk {0} on {1} failed: {2}', o.action, client.label, message(err)));
    return undefined;
  }
}

export function registerBulk(deps: BulkDeps): vscode.Disposable {
  return vscode.commands.registerCommand('stepwise.runs.bulk', (o?: BulkOptions) => bulkRuns(deps, o && typeof o === 'object' ? o : {}));
}
