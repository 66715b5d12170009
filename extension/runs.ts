// Runs in the extension host: the engine with the file store in the workspace, the Output
// channel, the status bar item, the progress notification, and the Run/Resume/Cancel/Send
// actions. One engine per started run (its clock and mocks are the run's own); one store per
// folder, shared, so a run's journal has a single writer in this process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeEvent, style, type DisplayStatus } from '../engine/cli/report';
import { readableDuration } from '../engine/expr/duration';
import type { JournalEvent } from '../engine/journal/events';
import { replay, type RunState } from '../engine/journal/replay';
import { realClock, virtualClock } from '../engine/runtime/clock';
import type { Engine } from '../engine/runtime/engine';
import type { Mocks } from '../engine/runtime/mocks';
import type { Run } from '../engine/runtime/run';
import { secretsFromEnv } from '../engine/secrets/env';
import { fileStore } from '../engine/store/file';
import type { RunStore } from '../engine/store/store';
import type { InputDecl, TaskModel } from '../engine/model/types';
import { NO_PLUGINS, type LoadedPlugins } from '../engine/plugins/lint-options';
import { clockKind, isTaskUri, mocksFileFor, storeFolderFor } from './config';
import { endedStatus, runningStatus } from './core/runStatus';
import { runtime } from './lazy';
import type { TaskModels } from './models';

const PLAIN = style(false);
/** A run still going after this long gets a cancellable progress notification. */
const PROGRESS_AFTER_MS = 1000;
/** How long the status bar keeps an ended run's outcome (a click on it shows the output). */
const OUTCOME_SHOWN_MS = 15_000;

export interface RunOutcome {
  runId: string;
  status: RunState['status'];
  reason?: string;
}

export interface RunOptions {
  /** Input values; inputs without a value or default are asked for. */
  input?: Record<string, unknown>;
  /** Skip every prompt (inputs without a value then fail the way the engine says). */
  noPrompt?: boolean;
}

interface ActiveRun {
  run: Run;
  engine: Engine;
  storeDir: string;
  file: string;
  task: string;
  watcher?: vscode.Disposable;
  changedOnDisk: boolean;
  /**
   * The file's text on disk when the run took its task, compared again when the run ends: a change
   * made before VS Code's file watcher had started is not missed.
   */
  diskText?: string;
  /** Date.now() when this window started following the run: the status bar's real time. */
  wallStart: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A file's text, or undefined when it cannot be read. */
function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export class RunManager implements vscode.Disposable {
  readonly output: vscode.OutputChannel;
  private readonly stores = new Map<string, RunStore>();
  private readonly active = new Map<string, ActiveRun>();
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  /** Fires with a run id when a run's journal grows, or undefined when the store may have changed. */
  readonly onDidChange = this.changed.event;
  private readonly status: vscode.StatusBarItem;
  private ticker: NodeJS.Timeout | undefined;
  /** The last ended run's outcome, shown while no run goes on, until it expires. */
  private outcome: { text: string; tooltip: string; until: number } | undefined;
  private outcomeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly models: TaskModels,
    /** Where `secrets.*` come from: STEPWISE_SECRET_* entries (see secrets.ts). */
    private readonly secretsEnv: () => Record<string, string | undefined> = () => process.env,
    /** The plugins of a task file (their handlers run its plugin kinds); rejects when they fail to load. */
    private readonly pluginsFor: (file: string) => Promise<LoadedPlugins> = async () => NO_PLUGINS,
  ) {
    this.output = vscode.window.createOutputChannel('Stepwise');
    this.status = vscode.window.createStatusBarItem('stepwise.run', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Stepwise run';
    this.status.command = 'stepwise.showOutput';
  }

  store(dir: string): RunStore {
    let s = this.stores.get(dir);
    if (!s) this.stores.set(dir, (s = fileStore(dir)));
    return s;
  }

  /** A run executing in this extension host. */
  get(runId: string): Run | undefined {
    return this.active.get(runId)?.run;
  }

  isActiveHere(runId: string): boolean {
    return this.active.has(runId);
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Refuses, with a message that says why, when the workspace is not trusted. */
  static trusted(action: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window
      .showErrorMessage(
        vscode.l10n.t("Stepwise cannot {0} in Restricted Mode: a task runs the HTTP requests and local commands written in the workspace's files. Trust this workspace to {0}.", action),
        vscode.l10n.t('Manage Workspace Trust'),
      )
      .then((pick) => pick && vscode.commands.executeCommand('workbench.trust.manage'));
    return false;
  }

  /** Runs a task file to its end. Returns undefined when it did not start (the user was told why). */
  async runFile(uri: vscode.Uri, options: RunOptions = {}): Promise<RunOutcome | undefined> {
    if (!RunManager.trusted('run tasks')) return undefined;
    if (!isTaskUri(uri)) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} is not a task file: Stepwise runs files named *.task.yaml or *.task.yml.', path.basename(uri.fsPath)));
      return undefined;
    }
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot open {0}: {1}', uri.fsPath, message(err)));
      return undefined;
    }
    // The run reads what the editor shows: save first, as a person expects of "Run".
    if (doc.isDirty && !(await doc.save())) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} could not be saved, so it was not run.', path.basename(uri.fsPath)));
      return undefined;
    }
    const lint = await this.models.get(doc).catch((err) => err as Error);
    if (lint instanceof Error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} could not be read: {1}', path.basename(uri.fsPath), lint.message));
      return undefined;
    }
    const errors = lint.result.diagnostics.filter((d) => d.severity === 'error');
    const name = path.basename(uri.fsPath);
    if (errors.length) {
      const first = errors
        .slice(0, 3)
        .map((d) => `line ${d.range.start.line + 1}: ${d.message} [${d.code}]`)
        .join(' ');
      void vscode.window
        .showErrorMessage(errors.length === 1 ? vscode.l10n.t('{0} has 1 error and cannot run. {1}', name, first) : vscode.l10n.t('{0} has {1} errors and cannot run. {2}{3}', name, errors.length, first, errors.length > 3 ? ' …' : ''), 'Show Problems')
        .then((pick) => pick && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return undefined;
    }
    const model = lint.result.model;
    const input = await this.askInputs(model, options);
    if (!input) return undefined;
    const mocks = this.readMocks(uri);
    if (mocks === null) return undefined;
    const storeDir = storeFolderFor(uri);
    // The text the model was linted from: the store keeps it, and the run is pinned to it.
    return this.launch({ model, file: uri.fsPath, source: doc.getText(), diskText: readText(uri.fsPath) }, input, storeDir, mocks, clockKind(uri));
  }

  /** Asks for inputs that have neither a given value nor a default; undefined when the user gave up. */
  async askInputs(model: TaskModel, options: RunOptions): Promise<Record<string, unknown> | undefined> {
    const given: Record<string, unknown> = { ...(options.input ?? {}) };
    for (const decl of model.input) {
      if (decl.name in given || decl.hasDefault || options.noPrompt) continue;
      const value = await this.askInput(model, decl);
      if (value === undefined) {
        if (decl.required) {
          void vscode.window.showInformationMessage(vscode.l10n.t("The run of '{0}' was not started: input '{1}' is required.", String(model.name), decl.name));
          return undefined;
        }
        continue;
      }
      given[decl.name] = value;
    }
    return given;
  }

  private async askInput(model: TaskModel, decl: InputDecl): Promise<unknown> {
    const title = `Run ${model.name}: input '${decl.name}'${decl.type ? ` (${decl.type})` : ''}`;
    if (decl.enum?.length) {
      const pick = await vscode.window.showQuickPick(
        decl.enum.map((v) => ({ label: typeof v === 'string' ? v : JSON.stringify(v), value: v })),
        { title, placeHolder: decl.description ?? `One of the allowed values of '${decl.name}'`, ignoreFocusOut: true },
      );
      return pick?.value;
    }
    const text = await vscode.window.showInputBox({
      title,
      prompt: decl.description ?? (decl.required ? 'Required' : 'Optional: leave empty to give no value'),
      ignoreFocusOut: true,
      validateInput: (t) => {
        if (t === '' && !decl.required) return undefined;
        try {
          runtime().resolveInput({ ...model, input: [decl] }, { [decl.name]: runtime().coerceInput(model, decl.name, t) });
          return undefined;
        } catch (err) {
          return err instanceof runtime().InputError ? err.message : message(err);
        }
      },
    });
    if (text === undefined || (text === '' && !decl.required)) return undefined;
    return runtime().coerceInput(model, decl.name, text);
  }

  /** The mocks for a run: undefined for none, null when they could not be read (the user was told). */
  private readMocks(uri: vscode.Uri): Mocks | undefined | null {
    const setting = mocksFileFor(uri);
    if (setting.problem) {
      void vscode.window.showErrorMessage(setting.problem);
      return null;
    }
    if (!setting.file) return undefined;
    try {
      return runtime().parseMocks(fs.readFileSync(setting.file, 'utf8'), setting.file);
    } catch (err) {
      void vscode.window.showErrorMessage(err instanceof runtime().MocksError ? vscode.l10n.t('Invalid mocks file: {0}', err.message) : vscode.l10n.t('Cannot read the mocks file {0}: {1}', setting.file, message(err)));
      return null;
    }
  }

  private newEngine(storeDir: string, mocks: Mocks | undefined, clock: 'real' | 'virtual', plugins: LoadedPlugins, virtualStart = Date.now()): Engine {
    const engine = runtime().createEngine({
      instructions: plugins.handlers,
      store: this.store(storeDir),
      clock: clock === 'virtual' ? virtualClock(virtualStart) : realClock(),
      mocks,
      // Read again for each run, so that a secret set meanwhile is used; a bad *_FILE fails the run.
      secrets: () => secretsFromEnv(this.secretsEnv()),
    });
    engine.onJournal((run, e) => this.onJournal(engine, storeDir, run, e));
    engine.onOutput((chunk) => {
      if (chunk.stream === 'log') return;
      const task = this.active.get(chunk.runId)?.task ?? chunk.runId;
      for (const line of chunk.text.replace(/\n$/, '').split('\n')) this.output.appendLine(`[${task}]           │ ${line}`);
    });
    return engine;
  }

  private async launch(task: { model: TaskModel; file: string; source: string; diskText?: string }, input: Record<string, unknown>, storeDir: string, mocks: Mocks | undefined, clock: 'real' | 'virtual'): Promise<RunOutcome | undefined> {
    const plugins = await this.pluginsOrSay(task.file);
    if (!plugins) return undefined;
    const engine = this.newEngine(storeDir, mocks, clock, plugins);
    let run: Run;
    try {
      run = engine.start(task, { input });
    } catch (err) {
      void vscode.window.showErrorMessage(err instanceof runtime().InputError ? vscode.l10n.t('Invalid input for {0}: {1}', String(task.model.name), err.message) : vscode.l10n.t('The run could not start: {0}', message(err)));
      return undefined;
    }
    return this.follow(engine, run, storeDir, task.file, task.diskText);
  }

  /** The plugins a run of `file` needs, or undefined after saying why they cannot be loaded. */
  private async pluginsOrSay(file: string): Promise<LoadedPlugins | undefined> {
    if (!file) return NO_PLUGINS;
    try {
      return await this.pluginsFor(file);
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The run cannot start: {0}', message(err)));
      return undefined;
    }
  }

  /** Tracks a started (or resumed) run until it ends; resolves with its outcome. */
  private async follow(engine: Engine, run: Run, storeDir: string, file: string, diskText?: string): Promise<RunOutcome> {
    const entry: ActiveRun = { run, engine, storeDir, file, task: run.task.model.name ?? path.basename(file), changedOnDisk: false, diskText, wallStart: Date.now() };
    this.active.set(run.id, entry);
    entry.watcher = this.watchTaskFile(entry);
    this.tick();
    this.changed.fire(run.id);
    const progressTimer = setTimeout(() => this.showProgress(entry), PROGRESS_AFTER_MS);
    const final = await run.done;
    clearTimeout(progressTimer);
    entry.watcher?.dispose();
    if (entry.diskText !== undefined) {
      const now = readText(file);
      if (now !== entry.diskText) this.noteChange(entry, now === undefined ? 'deleted' : 'changed', true);
    }
    this.active.delete(run.id);
    const why = final.error ? final.error.message : final.reason;
    const ended = endedStatus({
      task: entry.task,
      runId: run.id,
      status: final.status,
      clock: final.clock,
      wallMs: Date.now() - entry.wallStart,
      clockMs: (final.endedAt ?? final.startedAt) - final.startedAt,
      why,
    });
    this.outcome = { ...ended, until: Date.now() + OUTCOME_SHOWN_MS };
    clearTimeout(this.outcomeTimer);
    this.outcomeTimer = setTimeout(() => this.renderStatus(), OUTCOME_SHOWN_MS);
    this.tick();
    this.changed.fire(run.id);
    const outcome: RunOutcome = { runId: run.id, status: final.status, reason: final.reason };
    if (final.status === 'succeeded') {
      const show = vscode.l10n.t('Show Output');
      void vscode.window.showInformationMessage(vscode.l10n.t('Stepwise: {0}.', ended.summary), show).then((p) => p && this.output.show(true));
    } else {
      const notify = final.status === 'cancelled' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
      const show = vscode.l10n.t('Show Output');
      void notify(why ? vscode.l10n.t('Stepwise: {0}: {1}', ended.summary, why) : vscode.l10n.t('Stepwise: {0}.', ended.summary), show).then((p) => p && this.output.show(true));
    }
    return outcome;
  }

  /** A task file edited while its run goes on: the run keeps the version it started with. Say so once. */
  private watchTaskFile(entry: ActiveRun): vscode.Disposable | undefined {
    try {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(entry.file)), path.basename(entry.file)), true, false, false);
      w.onDidChange(() => this.noteChange(entry, 'changed', false));
      w.onDidDelete(() => this.noteChange(entry, 'deleted', false));
      return w;
    } catch {
      return undefined;
    }
  }

  private noteChange(entry: ActiveRun, what: 'changed' | 'deleted', ended: boolean): void {
    if (entry.changedOnDisk) return;
    entry.changedOnDisk = true;
    const text = `${path.basename(entry.file)} was ${what} on disk during run ${entry.run.id}; the run ${ended ? 'went' : 'goes'} on with the version it started with. Run it again to use the new version.`;
    this.output.appendLine(`[${entry.task}] note: ${text}`);
    void vscode.window.showWarningMessage(vscode.l10n.t('Stepwise: {0}', text));
  }

  private showProgress(entry: ActiveRun): void {
    if (entry.run.ended) return;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stepwise: {0}', entry.task), cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => entry.run.cancel('cancelled from the progress notification'));
        const report = () => progress.report({ message: entry.run.state.state ? `in ${entry.run.state.state}` : 'starting' });
        report();
        const sub = this.onDidChange((id) => id === entry.run.id && report());
        return entry.run.done.finally(() => sub.dispose());
      },
    );
  }

  private onJournal(engine: Engine, storeDir: string, run: Run, e: JournalEvent): void {
    // Child runs (`call`) belong to the same engine: follow them too, so the view sees them.
    if (!this.active.has(run.id) && e.type === 'run-started') {
      this.active.set(run.id, { run, engine, storeDir, file: run.task.file ?? '', task: run.task.model.name ?? run.id, changedOnDisk: false, wallStart: Date.now() });
      void run.done.then(() => {
        this.active.delete(run.id);
        this.changed.fire(run.id);
      });
    }
    const task = this.active.get(run.id)?.task ?? run.task.model.name ?? run.id;
    const line = describeEvent(e, PLAIN, run.state.startedAt || e.at);
    if (line) this.output.appendLine(`[${task}] ${line}`);
    if (e.type === 'run-ended') {
      const took = readableDuration((run.state.endedAt ?? e.at) - run.state.startedAt);
      this.output.appendLine(`[${task}] run ${run.id} ${e.status} in ${took} (${run.state.clock} clock)`);
    }
    this.changed.fire(run.id);
    this.renderStatus();
  }

  /** Keeps the status bar's elapsed time moving while runs are active. */
  private tick(): void {
    if (this.active.size && !this.ticker) this.ticker = setInterval(() => this.renderStatus(), 1000);
    if (!this.active.size && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    this.renderStatus();
  }

  private renderStatus(): void {
    const runs = [...this.active.values()].filter((a) => !a.run.ended);
    if (!runs.length) {
      if (this.outcome && this.outcome.until > Date.now()) {
        this.status.text = this.outcome.text;
        this.status.tooltip = this.outcome.tooltip;
        this.status.show();
      } else this.status.hide();
      return;
    }
    const newest = runs[runs.length - 1];
    const s = newest.run.state;
    this.status.text = runningStatus({ task: newest.task, state: s.state, paused: s.paused, clock: s.clock, wallMs: Date.now() - newest.wallStart, others: runs.length - 1 });
    this.status.tooltip = `Stepwise run ${newest.run.id} of ${newest.task}: state ${s.state ?? '(starting)'}${s.paused ? ', paused' : ''}${s.clock === 'virtual' ? ', on the virtual clock' : ''}. Click to show the output.`;
    this.status.show();
  }

  /** Reads a run's journal as it is now. */
  async readRun(storeDir: string, runId: string): Promise<RunState> {
    return replay(await this.store(storeDir).read(runId));
  }

  async rerun(storeDir: string, runId: string): Promise<RunOutcome | undefined> {
    if (!RunManager.trusted('run tasks')) return undefined;
    const state = await this.readRun(storeDir, runId).catch((err) => err as Error);
    if (state instanceof Error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot read run {0}: {1}', runId, state.message));
      return undefined;
    }
    if (!state.file || !fs.existsSync(state.file)) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Run {0} cannot be run again: its task file {1} is gone.', runId, state.file ?? '(unknown)'));
      return undefined;
    }
    return this.runFile(vscode.Uri.file(state.file), { input: state.input });
  }

  async resume(storeDir: string, runId: string): Promise<RunOutcome | undefined> {
    if (!RunManager.trusted('resume runs')) return undefined;
    const here = this.active.get(runId);
    if (here) {
      if (!here.run.state.paused) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Run {0} is running; there is nothing to resume.', runId));
        return undefined;
      }
      await here.run.resume();
      return { runId, status: here.run.state.status };
    }
    const state = await this.readRun(storeDir, runId).catch((err) => err as Error);
    if (state instanceof Error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot read run {0}: {1}', runId, state.message));
      return undefined;
    }
    if (state.phase === 'ended') {
      void vscode.window.showInformationMessage(vscode.l10n.t('Run {0} has ended ({1}); nothing to resume. Use "Run Again" for a new run.', runId, state.status));
      return undefined;
    }
    const fileUri = state.file ? vscode.Uri.file(state.file) : undefined;
    const mocks = fileUri ? this.readMocks(fileUri) : undefined;
    if (mocks === null) return undefined;
    const plugins = await this.pluginsOrSay(state.file ?? '');
    if (!plugins) return undefined;
    const engine = this.newEngine(storeDir, mocks, state.clock, plugins);
    let run: Run;
    try {
      run = await engine.resume(runId);
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Run {0} cannot resume: {1}', runId, err instanceof runtime().TaskLoadError ? err.message : message(err)));
      return undefined;
    }
    return this.follow(engine, run, storeDir, state.file ?? '');
  }

  /**
   * A new run of `runId`'s pinned task that takes its journal up to the last entry into `from`
   * (default: the state it failed in) and goes on from there (engine/runtime/retry.ts). `onStarted`
   * hears the new run's id as soon as it has one; resolves with its outcome.
   */
  async retry(storeDir: string, runId: string, from: string | undefined, onStarted?: (newRunId: string, from: string) => void): Promise<RunOutcome | undefined> {
    if (!RunManager.trusted('retry runs')) return undefined;
    let journal: JournalEvent[];
    let prefixEnd: number;
    try {
      journal = await this.store(storeDir).read(runId);
      const { prefix } = runtime().retryPrefix(journal, from);
      prefixEnd = prefix[prefix.length - 1].at;
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Run {0} cannot be retried: {1}', runId, message(err)));
      return undefined;
    }
    const state = replay(journal);
    const mocks = state.file ? this.readMocks(vscode.Uri.file(state.file)) : undefined;
    if (mocks === null) return undefined;
    const plugins = await this.pluginsOrSay(state.file ?? '');
    if (!plugins) return undefined;
    const engine = this.newEngine(storeDir, mocks, state.clock, plugins, Math.max(Date.now(), prefixEnd));
    let retried: { run: Run; from: string };
    try {
      retried = await runtime().retryRun(engine, runId, {
        from,
        loadTask: runtime().loadTaskFile,
        onChanged: (m) => this.output.appendLine(`[${state.task}] note: ${m}`),
      });
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Run {0} cannot be retried: {1}', runId, message(err)));
      return undefined;
    }
    this.output.appendLine(`[${state.task}] run ${retried.run.id} retries ${runId} from state ${retried.from}`);
    onStarted?.(retried.run.id, retried.from);
    return this.follow(engine, retried.run, storeDir, state.file ?? '');
  }

  /**
   * Cancels a run: here directly; a run of another process (the CLI, another window) through its
   * store's inbox, which that process watches. Resolves with whether a cancel was asked for.
   */
  async cancel(storeDir: string, runId: string, status: DisplayStatus): Promise<boolean> {
    const here = this.active.get(runId);
    if (here) {
      here.run.cancel('cancelled from VS Code');
      return true;
    }
    if (status !== 'running' && status !== 'paused') {
      void vscode.window.showInformationMessage(vscode.l10n.t('Run {0} is {1}: there is nothing to cancel.', runId, status));
      return false;
    }
    try {
      await this.store(storeDir).requestCancel?.(runId, 'cancelled from VS Code');
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Run {0} could not be cancelled: {1}', runId, message(err)));
      return false;
    }
    this.output.appendLine(`[${runId}] asked the process that runs it to cancel it`);
    return true;
  }

  async send(storeDir: string, runId: string, name: string, data: unknown): Promise<void> {
    const here = this.active.get(runId);
    if (here) await here.engine.send(runId, name, data);
    else await this.store(storeDir).sendEvent(runId, name, data);
    this.output.appendLine(`[${here?.task ?? runId}] sent event ${name} ${JSON.stringify(data)}`);
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    clearTimeout(this.outcomeTimer);
    // Runs end with the window; their journals stay, and "Resume" continues them next time.
    for (const a of this.active.values()) a.watcher?.dispose();
    for (const s of this.stores.values()) void s.close();
    this.status.dispose();
    this.output.dispose();
    this.changed.dispose();
  }
}
