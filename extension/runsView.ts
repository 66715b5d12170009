// The Runs view: every run journaled in the workspace's store folders, newest first, with its
// task, status, start and duration. It reads the journals (the store is the truth, whichever
// process wrote them) and refreshes when a run here moves or a journal file changes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { displayStatus, type DisplayStatus } from '../engine/cli/report';
import { readableDuration } from '../engine/expr/duration';
import type { RunState } from '../engine/journal/replay';
import { workspaceStoreFolders } from './config';
import { watchFolder, type FolderWatch } from './folderWatch';
import type { TaskVersions } from './operate/versions';
import type { RunManager } from './runs';

/** Runs shown at most (the newest); older journals stay in the store. */
const MAX_RUNS = 200;
const REFRESH_MS = 250;

export class RunNode {
  constructor(
    readonly runId: string,
    readonly storeDir: string,
    readonly state: RunState,
    readonly status: DisplayStatus,
    readonly here: boolean,
  ) {}

  get journal(): string {
    return path.join(this.storeDir, `${this.runId}.jsonl`);
  }
}

/** Codicon and theme colour per status (the server's runs use them too). */
export const STATUS_ICONS: Record<DisplayStatus, [string, string | undefined]> = {
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', undefined],
  running: ['sync~spin', undefined],
  paused: ['debug-pause', undefined],
  interrupted: ['warning', 'problemsWarningIcon.foreground'],
};

export function startedText(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function durationOf(s: RunState): number {
  const end = s.endedAt ?? (s.clock === 'real' ? Date.now() : s.startedAt);
  return Math.max(0, end - s.startedAt);
}

interface Cached {
  size: number;
  mtimeMs: number;
  state: RunState;
}

export class RunsView implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly cache = new Map<string, Cached>();
  private readonly disposables: vscode.Disposable[] = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private watchers: FolderWatch[] = [];

  constructor(
    private readonly runs: RunManager,
    private readonly versions: TaskVersions,
  ) {
    this.disposables.push(
      this.changed,
      runs.onDidChange(() => this.refreshSoon()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rewatch()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('stepwise.storeFolder') && this.rewatch()),
    );
    this.rewatch();
  }

  /** Journals written by another process (the CLI, another window) refresh the view too. */
  private rewatch(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = workspaceStoreFolders().map((dir) => watchFolder(dir, () => this.refreshSoon()));
    this.refreshSoon();
  }

  /** Coalesces bursts (a run journals many steps a second) into one refresh. */
  refreshSoon(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.changed.fire(undefined);
    }, REFRESH_MS);
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    const s = node.state;
    const item = new vscode.TreeItem(s.task || node.runId, vscode.TreeItemCollapsibleState.None);
    item.id = `${node.storeDir}::${node.runId}`;
    const live = node.status === 'running' || node.status === 'paused' || node.status === 'interrupted';
    const state = live ? (s.state ? ` in ${s.state}` : ' (starting)') : '';
    const older = this.versions.older(s.file, s.taskHash);
    item.description = `${node.status}${state}${older ? ' · older version' : ''} · ${startedText(s.startedAt)} · ${readableDuration(durationOf(s))}`;
    const [icon, colour] = STATUS_ICONS[node.status];
    item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${s.task}** — ${node.status}\n\n`);
    tip.appendMarkdown(`- run: \`${node.runId}\`\n- file: ${s.file ? `\`${s.file}\`` : 'unknown'}\n- state: ${s.state ?? '—'}\n`);
    tip.appendMarkdown(`- started: ${startedText(s.startedAt)} (${s.clock} clock)\n- duration: ${readableDuration(durationOf(s))}\n`);
    if (s.parentRunId) tip.appendMarkdown(`- called by: \`${s.parentRunId}\`\n`);
    if (s.error || s.reason) tip.appendMarkdown(`- ${s.error ? `error: ${s.error.message}` : `reason: ${s.reason}`}\n`);
    if (older) tip.appendMarkdown(`- older version: ${older} (Open Diff with Current File)\n`);
    item.tooltip = tip;
    // Menus key on these: `stepwiseRun:<status>` (+ `:here` when this window runs it, + `:older`).
    item.contextValue = `stepwiseRun:${node.status}${node.here ? ':here' : ''}${older ? ':older' : ''}`;
    item.command = { title: vscode.l10n.t('Open Journal'), command: 'stepwise.runs.openJournal', arguments: [node] };
    return item;
  }

  async getChildren(node?: RunNode): Promise<RunNode[]> {
    if (node) return [];
    const nodes = await this.list();
    // The durations of running runs move: refresh each second while any is shown running.
    const moving = nodes.some((n) => n.status === 'running');
    if (moving && !this.ticker) this.ticker = setInterval(() => this.refreshSoon(), 1000);
    if (!moving && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    return nodes;
  }

  /** Every run of the workspace, newest first. A journal that cannot be read is skipped, not fatal. */
  async list(): Promise<RunNode[]> {
    const out: RunNode[] = [];
    for (const dir of workspaceStoreFolders()) {
      let ids: string[];
      try {
        ids = await this.runs.store(dir).list();
      } catch {
        continue;
      }
      for (const id of ids.slice(-MAX_RUNS)) {
        const state = await this.read(dir, id);
        if (!state) continue;
        const here = this.runs.isActiveHere(id);
        const status = here ? (state.phase === 'ended' ? state.status : state.paused ? 'paused' : 'running') : displayStatus(state);
        out.push(new RunNode(id, dir, state, status, here));
      }
    }
    return out.sort((a, b) => b.state.startedAt - a.state.startedAt || (a.runId < b.runId ? 1 : -1)).slice(0, MAX_RUNS);
  }

  private async read(dir: string, id: string): Promise<RunState | undefined> {
    const file = path.join(dir, `${id}.jsonl`);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return undefined;
    }
    const key = file;
    const hit = this.cache.get(key);
    if (hit && hit.size === stat.size && hit.mtimeMs === stat.mtimeMs) return hit.state;
    try {
      const state = await this.runs.readRun(dir, id);
      this.cache.set(key, { size: stat.size, mtimeMs: stat.mtimeMs, state });
      return state;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.ticker) clearInterval(this.ticker);
    for (const w of this.watchers) w.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
