// The server's part of the Runs view: a "Server — host:port" group with the connection's state
// and the server's runs (task, status, current state, start, duration), as live as its watch stream.
import * as vscode from 'vscode';
import { readableDuration } from '../../engine/expr/duration';
import { STATUS_ICONS, startedText } from '../runsView';
import type { ServerConnection } from './connection';
import type { MirroredRun } from './mirror';
import { ServerScheduleNode, ServerSchedules, ServerSchedulesNode } from './schedules';
import { URL_SETTING } from './settings';
import { ServerTaskVersions } from './versions';

export class ServerGroupNode {
  readonly kind = 'server';
}

export class ServerRunNode {
  readonly kind = 'serverRun';
  constructor(
    readonly run: MirroredRun,
    /** The server's origin, for the journal document's URI. */
    readonly origin: string,
  ) {}

  get runId(): string {
    return this.run.id;
  }

  get status(): MirroredRun['status'] {
    return this.run.status;
  }
}

/** A line that says what is wrong (or that there is nothing), with the action that helps. */
export class ServerMessageNode {
  readonly kind = 'serverMessage';
  constructor(
    readonly text: string,
    readonly icon: string,
    readonly command?: vscode.Command,
    readonly detail?: string,
  ) {}
}

export type ServerTreeNode = ServerGroupNode | ServerRunNode | ServerMessageNode | ServerSchedulesNode | ServerScheduleNode;

export function durationOfServerRun(r: MirroredRun): number {
  const start = Date.parse(r.createdAt);
  const end = r.endedAt ? Date.parse(r.endedAt) : r.clock === 'real' ? Date.now() : Date.parse(r.updatedAt);
  return Math.max(0, end - start);
}

export class ServerRunsTree implements vscode.Disposable {
  readonly group = new ServerGroupNode();
  private readonly changed = new vscode.EventEmitter<ServerTreeNode | undefined>();
  /** Fires the group when its runs change, undefined when the group appears or goes. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private ticker: NodeJS.Timeout | undefined;
  private shown = false;
  private refreshTimer: NodeJS.Timeout | undefined;

  readonly schedules: ServerSchedules;
  readonly versions: ServerTaskVersions;

  constructor(private readonly connection: ServerConnection) {
    this.schedules = new ServerSchedules(connection);
    this.versions = new ServerTaskVersions({ client: () => connection.client, changed: () => this.refreshSoon() });
    this.disposables.push(this.schedules, connection.onDidChange(() => this.refreshSoon()), this.schedules.onDidChange(() => this.refreshSoon()));
  }

  /** Coalesces a burst of journal entries into one refresh. */
  private refreshSoon(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      const show = this.connection.setting.kind !== 'off';
      // The group appearing or going changes the root; otherwise only the group's subtree moved.
      this.changed.fire(show !== this.shown ? undefined : this.group);
      this.shown = show;
    }, 150);
  }

  /** Refreshes the group at once (a run just started is to be revealed). */
  refreshNow(): void {
    this.changed.fire(this.shown ? this.group : undefined);
  }

  /** The root nodes of the server part: the group when a server is set. */
  roots(): ServerTreeNode[] {
    this.shown = this.connection.setting.kind !== 'off';
    return this.shown ? [this.group] : [];
  }

  children(node: ServerTreeNode): ServerTreeNode[] {
    if (node instanceof ServerSchedulesNode) return this.schedules.children();
    if (!(node instanceof ServerGroupNode)) return [];
    const setting = this.connection.setting;
    const openSettings: vscode.Command = { title: vscode.l10n.t('Open Settings'), command: 'workbench.action.openSettings', arguments: [URL_SETTING] };
    if (setting.kind === 'invalid') return [new ServerMessageNode(`${URL_SETTING}: ${setting.problem}`, 'warning', openSettings)];
    const mirror = this.connection.mirror;
    if (setting.kind === 'off' || !mirror) return [];
    const out: ServerTreeNode[] = [];
    const s = mirror.state;
    if (s.kind === 'unauthorized') {
      out.push(new ServerMessageNode(vscode.l10n.t('Unauthorized — click to set the server token'), 'lock', { title: vscode.l10n.t('Set Server Token'), command: 'stepwise.server.setToken' }, s.error));
    } else if (s.kind === 'disconnected') {
      const at = new Date(s.retryAt).toLocaleTimeString();
      out.push(new ServerMessageNode(vscode.l10n.t('Disconnected — retrying (next at {0}); click to retry now', at), 'debug-disconnect', { title: vscode.l10n.t('Reconnect'), command: 'stepwise.server.reconnect' }, s.error));
    } else if (s.kind === 'connecting' && s.attempt > 1) {
      out.push(new ServerMessageNode(vscode.l10n.t('Disconnected — retrying…'), 'sync~spin'));
    }
    if (this.schedules.list().length) out.push(this.schedules.node);
    const runs = mirror.list();
    const origin = mirror.client.base.origin;
    out.push(...runs.map((r) => new ServerRunNode(r, origin)));
    if (!runs.length && s.kind === 'connected') {
      out.push(new ServerMessageNode(vscode.l10n.t('No runs on this server yet — Run Task on Server'), 'info', { title: vscode.l10n.t('Run Task on Server'), command: 'stepwise.server.runTask' }));
    }
    this.tick(runs.some((r) => r.status === 'running'));
    return out;
  }

  /** Durations of running runs move: refresh each second while one is shown. */
  private tick(moving: boolean): void {
    if (moving && !this.ticker) this.ticker = setInterval(() => this.refreshSoon(), 1000);
    if (!moving && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  parent(node: ServerTreeNode): ServerTreeNode | undefined {
    if (node instanceof ServerScheduleNode) return this.schedules.node;
    return node instanceof ServerGroupNode ? undefined : this.group;
  }

  item(node: ServerTreeNode): vscode.TreeItem {
    if (node instanceof ServerGroupNode) return this.groupItem();
    if (node instanceof ServerSchedulesNode) return this.schedules.groupItem();
    if (node instanceof ServerScheduleNode) return this.schedules.item(node);
    if (node instanceof ServerMessageNode) {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(node.icon);
      item.tooltip = node.detail ?? node.text;
      item.command = node.command;
      item.contextValue = 'stepwiseServerMessage';
      return item;
    }
    return this.runItem(node);
  }

  private groupItem(): vscode.TreeItem {
    const label = this.connection.url ? `Server — ${this.connection.mirror?.client.label ?? this.connection.url.host}` : 'Server';
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'stepwise.server';
    const s = this.connection.mirror?.state;
    const [description, icon] =
      this.connection.setting.kind === 'invalid'
        ? ['invalid URL', 'warning']
        : !s || s.kind === 'stopped'
          ? ['', 'server']
          : s.kind === 'connected'
            ? [`connected · ${this.connection.mirror!.list().length} runs`, 'server']
            : s.kind === 'unauthorized'
              ? ['unauthorized', 'lock']
              : s.kind === 'disconnected' || s.attempt > 1
                ? ['disconnected — retrying', 'debug-disconnect']
                : ['connecting…', 'sync~spin'];
    item.description = description;
    item.iconPath = new vscode.ThemeIcon(icon);
    item.tooltip = `Runs of the Stepwise server at ${this.connection.url?.href ?? '(not set)'}, live from its watch stream (setting ${URL_SETTING}).`;
    item.contextValue = `stepwiseServer:${s?.kind ?? 'off'}`;
    return item;
  }

  private runItem(node: ServerRunNode): vscode.TreeItem {
    const r = node.run;
    const item = new vscode.TreeItem(r.task || r.id, vscode.TreeItemCollapsibleState.None);
    item.id = `stepwise.server::${r.id}`;
    const live = r.status === 'running' || r.status === 'paused';
    const state = live ? (r.state ? ` in ${r.state}` : ' (starting)') : '';
    const started = startedText(Date.parse(r.createdAt));
    const took = readableDuration(durationOfServerRun(r));
    const older = this.versions.older(r);
    item.description = `${r.status}${state}${older ? ' · older version' : ''} · ${started} · ${took}`;
    const [icon, colour] = STATUS_ICONS[r.status];
    item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${r.task}** — ${r.status} (on the server)\n\n`);
    tip.appendMarkdown(`- run: \`${r.id}\`\n- state: ${r.state ?? '—'}\n- started: ${started} (${r.clock} clock)\n- duration: ${took}\n`);
    if (r.worker) tip.appendMarkdown(`- worker: \`${r.worker}\`${r.attempts > 1 ? ` (attempt ${r.attempts})` : ''}\n`);
    if (r.parentId) tip.appendMarkdown(`- called by: \`${r.parentId}\`\n`);
    if (older) tip.appendMarkdown(`- older version: ${older} (Open Diff with Current File)\n`);
    if (r.error || (r.reason && r.reason !== r.status)) tip.appendMarkdown(`- ${r.error ? `error: ${r.error}` : `reason: ${r.reason}`}\n`);
    item.tooltip = tip;
    // Menus key on these: `stepwiseServerRun:<status>` (+ `:older`).
    item.contextValue = `stepwiseServerRun:${r.status}${older ? ':older' : ''}`;
    item.command = { title: vscode.l10n.t('Open Journal'), command: 'stepwise.server.openJournal', arguments: [node] };
    return item;
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables) d.dispose();
  }
}
