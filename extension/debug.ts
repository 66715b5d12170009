// The `stepwise` debug type in VS Code: the adapter (engine/debug's StepwiseDebugSession) runs
// inline in the extension host; a configuration provider makes F5 on an open task file work
// without a launch.json (with the same mocks and clock settings as Run); the Skip Wait and Send
// Event commands; and the `stepwise/state` events, forwarded for whoever shows where a run is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LaunchConfig } from '../engine/debug/launch';
import type { RunPosition } from '../engine/debug/show';
import { clockKind, isTaskUri, mocksFileFor } from './config';
import type { TaskModels } from './models';
import { askEvent } from './eventPrompt';
import { debugSession } from './lazy';
import { RunManager } from './runs';

export const DEBUG_TYPE = 'stepwise';

/** A `stepwise/state` event of a debug session: where its run is and the states it went through. */
export interface DebugStateEvent {
  session: vscode.DebugSession;
  position: RunPosition;
}

/** The launch attributes the adapter takes (docs/debugging.md#launch-attributes), any of them left out. */
export interface StepwiseLaunchConfig extends vscode.DebugConfiguration, Partial<LaunchConfig> {}

/** The text the debugger reads: an open editor's (unsaved edits included), else the file on disk. */
export function readTaskText(file: string): string {
  const abs = path.resolve(file);
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && path.resolve(d.uri.fsPath) === abs);
  return doc ? doc.getText() : fs.readFileSync(abs, 'utf8');
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class StepwiseDebugger implements vscode.Disposable, vscode.DebugConfigurationProvider, vscode.DebugAdapterDescriptorFactory {
  private readonly states = new vscode.EventEmitter<DebugStateEvent>();
  /** Fires with each `stepwise/state` event of a stepwise debug session (state entered, stop, end). */
  readonly onDidChangeState = this.states.event;
  private readonly last = new Map<string, RunPosition>();
  private readonly sessions: vscode.DebugSession[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly models: TaskModels,
    private readonly runs: RunManager,
    /** Where a session's `secrets.*` come from: STEPWISE_SECRET_* entries (see secrets.ts). */
    private readonly secretsEnv: () => Record<string, string | undefined> = () => process.env,
  ) {
    const d = vscode.debug;
    this.disposables.push(
      d.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, this),
      d.registerDebugConfigurationProvider(DEBUG_TYPE, this),
      d.registerDebugConfigurationProvider(DEBUG_TYPE, { provideDebugConfigurations: (folder) => this.dynamicConfigurations(folder) }, vscode.DebugConfigurationProviderTriggerKind.Dynamic),
      d.onDidStartDebugSession((s) => s.type === DEBUG_TYPE && this.sessions.push(s)),
      d.onDidTerminateDebugSession((s) => {
        const i = this.sessions.indexOf(s);
        if (i >= 0) this.sessions.splice(i, 1);
        this.last.delete(s.id);
      }),
      d.onDidReceiveDebugSessionCustomEvent((e) => {
        if (e.session.type !== DEBUG_TYPE || e.event !== debugSession().POSITION_EVENT || !e.body) return;
        const position = e.body as RunPosition;
        this.last.set(e.session.id, position);
        this.states.fire({ session: e.session, position });
      }),
      vscode.commands.registerCommand('stepwise.debug.skipWait', () => this.skipWait()),
      vscode.commands.registerCommand('stepwise.debug.sendEvent', (name?: string, data?: unknown) => this.sendEvent(name, data)),
    );
  }

  /** The latest `stepwise/state` event of a session (of the active stepwise session by default). */
  position(session = this.activeSession()): RunPosition | undefined {
    return session ? this.last.get(session.id) : undefined;
  }

  // ---- the adapter ----

  createDebugAdapterDescriptor(): vscode.DebugAdapterDescriptor {
    const adapter = new (debugSession().StepwiseDebugSession)({
      // Shares the extension host: the session's end must not exit the process.
      server: true,
      files: { readFile: readTaskText },
      env: this.secretsEnv(),
    });
    return new vscode.DebugAdapterInlineImplementation(adapter);
  }

  // ---- configurations ----

  /**
   * F5 without a launch.json comes with an empty configuration: debug the active task file. A
   * configuration without `program` gets the active task file too.
   */
  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (!RunManager.trusted('debug tasks')) return undefined;
    const active = vscode.window.activeTextEditor?.document;
    const activeTask = active && isTaskUri(active.uri) && active.uri.scheme === 'file' ? active.uri : undefined;
    if (!config.type && !config.request && !config.name) {
      if (!activeTask) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Stepwise: open a task file (*.task.yaml) to debug it, or add a "stepwise" configuration to launch.json.'));
        return undefined;
      }
      return { type: DEBUG_TYPE, request: 'launch', name: `Debug ${path.basename(activeTask.fsPath)}`, program: activeTask.fsPath };
    }
    // A test case's launch (the Test Explorer's Debug) names its test file and case instead; a
    // replay names a recorded run, which names its task.
    if (!config.program && !config.test && !config.replay) {
      if (!activeTask) {
        void vscode.window.showErrorMessage(vscode.l10n.t("Stepwise: the configuration '{0}' has no 'program' (the task file to debug), and the active editor is not a task file.", config.name ?? DEBUG_TYPE));
        return undefined;
      }
      return { ...config, program: activeTask.fsPath };
    }
    return config;
  }

  /**
   * Once `${…}` variables are substituted: the mocks file and the clock from the settings (as Run
   * uses them) when the configuration does not say, and the inputs the task needs but lacks.
   */
  async resolveDebugConfigurationWithSubstitutedVariables(folder: vscode.WorkspaceFolder | undefined, config: StepwiseLaunchConfig): Promise<vscode.DebugConfiguration | undefined> {
    if (typeof config.program !== 'string' || !config.program) return config; // the adapter answers with the error
    const base = typeof config.cwd === 'string' && config.cwd ? config.cwd : folder?.uri.fsPath;
    const program = base && !path.isAbsolute(config.program) ? path.resolve(base, config.program) : path.resolve(config.program);
    const uri = vscode.Uri.file(program);
    // A relative program starts at `cwd`, else at the workspace folder (not the extension host's cwd).
    const out: StepwiseLaunchConfig = { ...config, program };
    if (!('mocks' in config)) {
      const mocks = mocksFileFor(uri);
      if (mocks.problem) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: {0}', mocks.problem));
        return undefined;
      }
      if (mocks.file) out.mocks = mocks.file;
    }
    if (config.clock === undefined) out.clock = clockKind(uri);
    const input = await this.askInputs(uri, config.input);
    if (input === null) return undefined;
    if (input) out.input = input;
    return out;
  }

  /** Inputs without a value or default are asked for, as Run does. Null: the user gave up. */
  private async askInputs(uri: vscode.Uri, given: Record<string, unknown> | undefined): Promise<Record<string, unknown> | undefined | null> {
    if (given !== undefined && (!given || typeof given !== 'object' || Array.isArray(given))) return undefined; // the adapter says what is wrong
    let model;
    try {
      const lint = await this.models.get(await vscode.workspace.openTextDocument(uri));
      if (lint.result.diagnostics.some((d) => d.severity === 'error')) return undefined; // the adapter lists the errors
      model = lint.result.model;
    } catch {
      return undefined; // a missing file: the adapter says so
    }
    if (!model.input.some((decl) => !(given && decl.name in given) && !decl.hasDefault)) return undefined;
    return (await this.runs.askInputs(model, { input: given })) ?? null;
  }

  /** Configurations offered in the Run and Debug view's drop-down: one per task file of the folder. */
  private async dynamicConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const pattern = folder ? new vscode.RelativePattern(folder, '**/*.task.{yaml,yml}') : '**/*.task.{yaml,yml}';
    const files = await vscode.workspace.findFiles(pattern, '**/node_modules/**', 100);
    return files
      .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
      .map((f) => ({
        type: DEBUG_TYPE,
        request: 'launch',
        name: `Debug ${vscode.workspace.asRelativePath(f, false)}`,
        program: folder ? `\${workspaceFolder}/${path.relative(folder.uri.fsPath, f.fsPath).split(path.sep).join('/')}` : f.fsPath,
      }));
  }

  // ---- starting, and the commands of a running session ----

  /** Debugs a task file (the Debug lens, the editor's debug button, `Stepwise: Debug Task`). */
  async debugFile(file: vscode.Uri): Promise<boolean> {
    if (!RunManager.trusted('debug tasks')) return false;
    const folder = vscode.workspace.getWorkspaceFolder(file);
    try {
      return await vscode.debug.startDebugging(folder, { type: DEBUG_TYPE, request: 'launch', name: `Debug ${path.basename(file.fsPath)}`, program: file.fsPath });
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise could not start debugging: {0}', message(err)));
      return false;
    }
  }

  /** The stepwise session the commands act on: the active one, else the latest started. */
  activeSession(): vscode.DebugSession | undefined {
    const active = vscode.debug.activeDebugSession;
    if (active?.type === DEBUG_TYPE) return active;
    return this.sessions[this.sessions.length - 1];
  }

  private noSession(): undefined {
    void vscode.window.showInformationMessage(vscode.l10n.t('Stepwise: no task is being debugged.'));
    return undefined;
  }

  /** Fires the run's next timer now (virtual clock): custom request `skipWait`. */
  async skipWait(): Promise<{ skipped: string; due: string } | undefined> {
    const session = this.activeSession();
    if (!session) return this.noSession();
    try {
      const r = (await session.customRequest('skipWait')) as { skipped: string; due: string };
      vscode.window.setStatusBarMessage(`$(watch) Skipped the wait: ${r.skipped}`, 5000);
      return r;
    } catch (err) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Stepwise: {0}', message(err)));
      return undefined;
    }
  }

  /** Delivers an event with JSON data to the debugged run: custom request `sendEvent`. */
  async sendEvent(name?: string, data?: unknown): Promise<{ runId: string; seq: number } | undefined> {
    const session = this.activeSession();
    if (!session) return this.noSession();
    const event = await askEvent(session.name, name, data);
    if (!event) return undefined;
    try {
      return (await session.customRequest('sendEvent', { name: event.name, data: event.data })) as { runId: string; seq: number };
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: the event was not sent: {0}', message(err)));
      return undefined;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.states.dispose();
  }
}
