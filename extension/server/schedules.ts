// The "Schedules" node of the server's group in the Runs view: the schedules of the connected
// server (`GET /v1/schedules`) with their next tick, pause state and last run. The list is read
// when the server connects, after a pause or resume, when the watch stream shows a run a schedule
// started, and every half minute while the view is visible (next ticks and last runs move).
import * as vscode from 'vscode';
import { startedText } from '../runsView';
import type { ServerClient, ServerSchedule } from './client';
import type { ServerConnection } from './connection';

const POLL_MS = 30_000;

export class ServerSchedulesNode {
  readonly kind = 'serverSchedules';
}

export class ServerScheduleNode {
  readonly kind = 'serverSchedule';
  constructor(
    readonly schedule: ServerSchedule,
    /** The server's origin, for the last run's journal document. */
    readonly origin: string,
  ) {}
}

export class ServerSchedules implements vscode.Disposable {
  readonly node = new ServerSchedulesNode();
  private schedules: ServerSchedule[] = [];
  /** Which client the list came from: a list of another server is never shown. */
  private from: ServerClient | undefined;
  private problem: string | undefined;
  /** Only the newest read is kept: an older answer may predate a pause. */
  private reads = 0;
  private poller: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(private readonly connection: ServerConnection) {
    this.disposables.push(
      connection.onDidChange((ids) => ids === undefined && void this.refresh()),
      connection.onDidJournal((e) => e.scheduled && void this.refresh()),
    );
  }

  /** Polls while the Runs view is visible; nothing moves the list while nobody sees it. */
  setVisible(visible: boolean): void {
    if (visible && !this.poller) {
      this.poller = setInterval(() => void this.refresh(), POLL_MS);
      void this.refresh();
    } else if (!visible && this.poller) {
      clearInterval(this.poller);
      this.poller = undefined;
    }
  }

  /** The schedules of the connected server, as last read. */
  list(): ServerSchedule[] {
    return this.from && this.from === this.connection.client ? this.schedules : [];
  }

  /** Reads the list again; a server that is not connected has none to show. */
  async refresh(): Promise<void> {
    const mirror = this.connection.mirror;
    const client = mirror?.state.kind === 'connected' ? mirror.client : undefined;
    const read = ++this.reads;
    let schedules: ServerSchedule[] = [];
    let problem: string | undefined;
    if (client) {
      try {
        schedules = await client.schedules();
      } catch (err) {
        // A blip keeps what this server last listed; a server too old for schedules (404) never listed any.
        schedules = client === this.from ? this.schedules : [];
        problem = err instanceof Error ? err.message : String(err);
      }
    }
    if (read !== this.reads) return;
    this.schedules = schedules;
    this.from = client;
    this.problem = problem;
    this.changed.fire();
  }

  children(): ServerScheduleNode[] {
    const origin = this.from?.base.origin ?? '';
    return this.list().map((s) => new ServerScheduleNode(s, origin));
  }

  groupItem(): vscode.TreeItem {
    const list = this.list();
    const item = new vscode.TreeItem('Schedules', vscode.TreeItemCollapsibleState.Expanded);
    item.id = 'stepwise.server.schedules';
    item.iconPath = new vscode.ThemeIcon('calendar');
    const paused = list.filter((s) => s.paused).length;
    item.description = `${list.length}${paused ? ` · ${paused} paused` : ''}`;
    item.tooltip = this.problem
      ? `The schedules could not be read again: ${this.problem}`
      : "The tasks this server starts by itself, from their files' schedule:. Pause a schedule to skip its ticks until it is resumed.";
    item.contextValue = 'stepwiseSchedules';
    return item;
  }

  item(node: ServerScheduleNode): vscode.TreeItem {
    const s = node.schedule;
    const when = s.cron !== null ? s.cron : `every ${s.every}`;
    const item = new vscode.TreeItem(`${s.task}: ${when}`, vscode.TreeItemCollapsibleState.None);
    item.id = `stepwise.server.schedule::${s.id}`;
    item.description = s.paused || !s.nextTick ? 'paused' : `next ${startedText(Date.parse(s.nextTick))}`;
    item.iconPath = new vscode.ThemeIcon(s.paused ? 'debug-pause' : 'calendar');
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${s.task}** — schedule \`${s.id}\`${s.paused ? ' (paused)' : ''}\n\n`);
    tip.appendMarkdown(`- ${s.cron !== null ? `cron: \`${s.cron}\`` : `every: ${s.every}`}\n- timezone: ${s.timezone}\n- overlap: ${s.overlap}\n`);
    if (s.nextTick) tip.appendMarkdown(`- next tick: ${startedText(Date.parse(s.nextTick))} (local time)\n`);
    if (s.lastRun) tip.appendMarkdown(`- last run: \`${s.lastRun.id}\` for the tick of ${startedText(Date.parse(s.lastRun.tick))}, ${s.lastRun.status ?? 'status unknown'} — click to open its journal\n`);
    else tip.appendMarkdown('- last run: none yet\n');
    item.tooltip = tip;
    // Menus key on these: `stepwiseSchedule:active|paused`.
    item.contextValue = `stepwiseSchedule:${s.paused ? 'paused' : 'active'}`;
    if (s.lastRun) item.command = { title: vscode.l10n.t('Open Journal'), command: 'stepwise.server.openJournal', arguments: [{ runId: s.lastRun.id, origin: node.origin }] };
    return item;
  }

  dispose(): void {
    if (this.poller) clearInterval(this.poller);
    for (const d of this.disposables) d.dispose();
  }
}
