// The extension's entry point: wires VS Code events and commands to the engine adapters.
// Everything lives in objects created here and disposed with the extension: no module state.
import * as vscode from 'vscode';
import { isTaskDocument } from './config';
import { StepwiseDebugger } from './debug';
import { LintDiagnostics, registerQuickFixes } from './diagnostics';
import { askEvent } from './eventPrompt';
import { GraphEditorProvider } from './graph';
import { registerLanguageFeatures } from './language';
import { registerScheduleLens } from './scheduleLens';
import { defaultWorkerFile, TaskModels } from './models';
import { WorkspacePlugins } from './plugins';
import { registerNewTask } from './newTask';
import { RunManager, type RunOptions, type RunOutcome } from './runs';
import { registerOperate } from './operate/index';
import { TaskVersions } from './operate/versions';
import { RunNode, RunsView } from './runsView';
import { registerServerCommands } from './server/commands';
import { ServerConnection } from './server/connection';
import { JOURNAL_SCHEME, ServerJournals } from './server/journalDocs';
import { RunsTree } from './server/runsTree';
import { ServerTokens } from './server/settings';
import { taskFileFor } from './taskFile';
import { ServerRunsTree } from './server/tree';
import { StoredSecrets } from './secrets';
import { registerShowOnGraph } from './showRun';
import { registerTaskTests, type TaskTestsParts } from './testing/index';
import { offerYamlExtension, YAML_EXTENSION } from './yamlOffer';
import { registerYamlSchemas } from './yamlSchema';
import { registerShowCoverage } from './graphCoverage';

/** What `activate` returns: the extension's parts, for other extensions and the integration tests. */
export interface StepwiseApi {
  models: TaskModels;
  diagnostics: LintDiagnostics;
  runs: RunManager;
  runsView: RunsView;
  /** The Runs view's provider: the server's group (when `stepwise.server.url` is set) and the local runs. */
  runsTree: RunsTree;
  /** The connection to the server of `stepwise.server.url`: its client and live runs. */
  server: ServerConnection;
  /** The `stepwise` debug type: its sessions, and their `stepwise/state` events (onDidChangeState). */
  debug: StepwiseDebugger;
  /** The graph editor (custom editor `stepwise.graph`): the webview's intents, callable directly. */
  graph: GraphEditorProvider;
  /** Task tests: the Test Explorer's controller and profiles, and the test files' problems. */
  testing: TaskTestsParts;
}

export function activate(context: vscode.ExtensionContext): StepwiseApi {
  const plugins = new WorkspacePlugins((line) => runs.output.appendLine(line));
  const models = new TaskModels(defaultWorkerFile(context.extensionUri.fsPath), (file) => plugins.forFile(file));
  const diagnostics = new LintDiagnostics(models, context.extensionUri);
  plugins.onDidChange(() => {
    models.pluginsChanged();
    diagnostics.lintAllOpen();
  });
  const secrets = new StoredSecrets(context.secrets);
  const runs = new RunManager(models, () => secrets.env(), (file) => plugins.load(file));
  const versions = new TaskVersions();
  const runsView = new RunsView(runs, versions);
  const server = new ServerConnection(new ServerTokens(context.secrets), (line) => runs.output.appendLine(line));
  const serverTree = new ServerRunsTree(server);
  const runsTree = new RunsTree(runsView, serverTree);
  const tree = vscode.window.createTreeView('stepwise.runs', { treeDataProvider: runsTree, showCollapseAll: false });
  serverTree.schedules.setVisible(tree.visible);
  context.subscriptions.push(tree.onDidChangeVisibility((e) => serverTree.schedules.setVisible(e.visible)));
  const debug = new StepwiseDebugger(models, runs, () => secrets.env());
  const graph = new GraphEditorProvider(context, models, debug, (line) => runs.output.appendLine(line), plugins);
  context.subscriptions.push(plugins, secrets, models, diagnostics, runs, runsView, tree, debug, graph, registerQuickFixes(models), ...registerLanguageFeatures(models, (file) => plugins.forFile(file)), ...registerScheduleLens(models));
  const journals = new ServerJournals(server);
  context.subscriptions.push(server, serverTree, runsTree, journals, vscode.workspace.registerTextDocumentContentProvider(JOURNAL_SCHEME, journals));
  context.subscriptions.push(...registerServerCommands({ connection: server, serverTree, view: tree, models, runs, taskFile: taskFileFor }));
  context.subscriptions.push(registerNewTask(context.extensionUri));
  context.subscriptions.push(...registerOperate({ runs, runsView, server, serverTree }));
  context.subscriptions.push(registerShowOnGraph({ runs, server, graph, models, versions, pick: () => pickRun(runsView, vscode.l10n.t('Show which run on its graph?')) }));
  const testing = registerTaskTests(context, { lint: diagnostics, runs, runsView, server });
  context.subscriptions.push(graph.coverage.connect(testing.tests), registerShowCoverage(graph.coverage, (uri) => graph.revealGraph(uri)));

  context.subscriptions.push(offerYamlOnFirstTaskFile(context), registerYamlSchemas(plugins, (line) => runs.output.appendLine(line)));

  const command = (id: string, handler: (...args: any[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, handler));

  command('stepwise.runTask', async (uri?: vscode.Uri, options?: RunOptions): Promise<RunOutcome | undefined> => {
    const file = await taskFileFor(uri, 'Run');
    return file ? runs.runFile(file, options) : undefined;
  });

  command('stepwise.debugTask', async (uri?: vscode.Uri): Promise<boolean> => {
    if (!RunManager.trusted('debug tasks')) return false;
    const file = await taskFileFor(uri, 'Debug');
    return file ? debug.debugFile(file) : false;
  });

  command('stepwise.lintDocument', async (uri?: vscode.Uri) => {
    const doc = uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) : vscode.window.activeTextEditor?.document;
    if (doc && isTaskDocument(doc)) return (await diagnostics.lint(doc))?.result.diagnostics.length;
    return undefined;
  });

  command('stepwise.showOutput', () => runs.output.show(true));

  command('stepwise.runs.refresh', () => runsView.refreshSoon());

  command('stepwise.runs.openJournal', async (node?: RunNode) => {
    const n = node ?? (await pickRun(runsView, vscode.l10n.t('Open the journal of which run?')));
    if (n) await vscode.window.showTextDocument(vscode.Uri.file(n.journal), { preview: true });
  });

  command('stepwise.runs.rerun', async (node?: RunNode) => {
    const n = node ?? (await pickRun(runsView, vscode.l10n.t('Run which run again?')));
    return n ? runs.rerun(n.storeDir, n.runId) : undefined;
  });

  command('stepwise.runs.resume', async (node?: RunNode) => {
    const n = node ?? (await pickRun(runsView, vscode.l10n.t('Resume which run?'), (r) => r.status === 'interrupted' || r.status === 'paused'));
    return n ? runs.resume(n.storeDir, n.runId) : undefined;
  });

  command('stepwise.runs.cancel', async (node?: RunNode) => {
    const n = node ?? (await pickRun(runsView, vscode.l10n.t('Cancel which run?'), (r) => r.status === 'running' || r.status === 'paused', vscode.l10n.t('There is no run to cancel: no run of this workspace is running or paused.')));
    return n ? runs.cancel(n.storeDir, n.runId, n.status) : false;
  });

  command('stepwise.runs.sendEvent', async (node?: RunNode, name?: string, data?: unknown) => {
    const n = node ?? (await pickRun(runsView, vscode.l10n.t('Send an event to which run?'), (r) => r.status !== 'succeeded' && r.status !== 'failed' && r.status !== 'cancelled'));
    if (!n) return false;
    const event = await askEvent(`${n.state.task} (${n.runId})`, name, data);
    if (!event) return false;
    try {
      await runs.send(n.storeDir, n.runId, event.name, event.data);
      return true;
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('The event was not sent: {0}', err instanceof Error ? err.message : String(err)));
      return false;
    }
  });

  return { models, diagnostics, runs, runsView, runsTree, server, debug, graph, testing };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

/** Offers Red Hat's YAML extension when the first task file of the session is opened without it. */
function offerYamlOnFirstTaskFile(context: vscode.ExtensionContext): vscode.Disposable {
  const offer = () =>
    offerYamlExtension({
      installed: () => !!vscode.extensions.getExtension(YAML_EXTENSION),
      get: (key) => context.globalState.get(key),
      update: (key, value) => context.globalState.update(key, value),
      show: (message, ...items) => vscode.window.showInformationMessage(message, ...items),
      install: (id) => vscode.commands.executeCommand('workbench.extensions.installExtension', id),
    });
  if (vscode.workspace.textDocuments.some(isTaskDocument)) {
    void offer();
    return new vscode.Disposable(() => undefined);
  }
  const sub = vscode.workspace.onDidOpenTextDocument((doc) => {
    if (!isTaskDocument(doc)) return;
    sub.dispose();
    void offer();
  });
  return sub;
}

async function pickRun(view: RunsView, title: string, filter: (n: RunNode) => boolean = () => true, none = vscode.l10n.t('No run fits: see the Runs view of the Stepwise panel.')): Promise<RunNode | undefined> {
  const nodes = (await view.list()).filter(filter);
  if (!nodes.length) {
    void vscode.window.showInformationMessage(none);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    nodes.map((n) => ({ label: n.state.task, description: `${n.status} · ${n.runId}`, node: n })),
    { title },
  );
  return pick?.node;
}
