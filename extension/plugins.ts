// The workspace's plugins (stepwise.config.* found upward from a task file), loaded in the
// extension host for lint, completion, hover and local runs. Loading imports workspace code, so
// it happens in a trusted workspace only; in Restricted Mode every task file has no plugins.
// A change of a config file or of a file a plugin was loaded from (its module, or a workspace
// module a CommonJS plugin requires) drops what was loaded and tells listeners, which lint again
// (and the graph's palette, which shows the kinds anew).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { kindOffer, type KindOffer } from '../engine/graph/kinds';
import { CONFIG_NAMES, findConfig, readConfig } from '../engine/plugins/config';
import type { LoadedPlugins } from '../engine/plugins/lint-options';
import { plugins as pluginLoader } from './lazy';

const NONE: LoadedPlugins = { kinds: [], handlers: {} };

export class WorkspacePlugins implements vscode.Disposable {
  private readonly loaded = new Map<string, Promise<LoadedPlugins>>();
  private readonly modules = new Set<string>();
  /** A plugin failed to load: which module it was is unknown, so any module change retries. */
  private failed = false;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Fires when what a task file's plugins are may have changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly report: (message: string) => void) {
    const configs = vscode.workspace.createFileSystemWatcher(`**/{${CONFIG_NAMES.join(',')}}`);
    // Plugin modules may live anywhere (a package under node_modules too): every file change is
    // checked against the modules loaded, which is a set lookup.
    const files = vscode.workspace.createFileSystemWatcher('**/*.{js,mjs,cjs}', true, false, true);
    this.disposables.push(
      this.changed,
      configs,
      files,
      configs.onDidCreate(() => this.reset()),
      configs.onDidChange(() => this.reset()),
      configs.onDidDelete(() => this.reset()),
      files.onDidChange((uri) => {
        if (this.failed || this.modules.has(uri.fsPath)) this.reset();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reset()),
    );
  }

  /** The plugins of a task file; none in Restricted Mode, without a config, or when they fail to load (reported). */
  async forFile(file: string): Promise<LoadedPlugins> {
    return (await this.load(file).catch(() => undefined)) ?? NONE;
  }

  /** Like forFile, but a config or plugin that fails to load rejects (a run must not go on without its kinds). */
  load(file: string): Promise<LoadedPlugins> {
    if (!vscode.workspace.isTrusted) return Promise.resolve(NONE);
    const config = findConfig(path.dirname(file));
    if (!config) return Promise.resolve(NONE);
    let loading = this.loaded.get(config);
    if (!loading) {
      loading = pluginLoader().loadPluginsFrom(config, { fresh: true });
      this.loaded.set(config, loading);
      loading.then(
        (p) => p.files?.forEach((f) => this.modules.add(f)),
        (err: unknown) => {
          this.failed = true;
          this.report(`Stepwise plugins: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
    }
    return loading;
  }

  /**
   * The instruction kinds the graph offers for a task file: the built-in ones and its plugins'.
   * Plugins that are not loaded (Restricted Mode, or a load that failed) are named with the reason,
   * read from the config file only (reading it runs nothing).
   */
  async offerFor(file: string): Promise<KindOffer> {
    const config = findConfig(path.dirname(file));
    if (!config) return kindOffer([]);
    if (!vscode.workspace.isTrusted) {
      return kindOffer([], { plugins: namedIn(config), reason: vscode.l10n.t('Restricted Mode: plugins run code from the workspace, so Stepwise loads them only in a trusted workspace. Trust this workspace to use them.') });
    }
    try {
      return kindOffer((await this.load(file)).kinds);
    } catch (err) {
      return kindOffer([], { plugins: namedIn(config), reason: vscode.l10n.t('The plugins could not be loaded: {0}', err instanceof Error ? err.message : String(err)) });
    }
  }

  private reset(): void {
    this.loaded.clear();
    this.modules.clear();
    this.failed = false;
    this.changed.fire();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** The plugins a config file names ([] when it cannot be read: the reason shown says why). */
function namedIn(config: string): string[] {
  try {
    return readConfig(config).plugins;
  } catch {
    return [];
  }
}
