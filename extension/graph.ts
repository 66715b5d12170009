// The graph editor: a CustomTextEditorProvider for task files whose webview (webview/, bundled to
// dist/webview/) draws the state machine. The TextDocument is the only truth: each change of it is
// posted to the webview (text, model, diagnostics); the webview only proposes edit operations,
// which become minimal text edits (engine/edit) applied with `workspace.applyEdit`, so VS Code's
// undo/redo, dirty marker, save and hot exit work unchanged. Pins live in the workspace state,
// breakpoints are VS Code's own (the gutter's), the debug picture comes from StepwiseDebugger.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EditOperation, EditResult } from '../engine/edit/types';
import { kindOffer, type KindOffer } from '../engine/graph/kinds';
import type { Range as ModelRange, StateModel, TaskModel } from '../engine/model/types';
import { webviewHtml, makeNonce } from '../webview/html';
import { asPanels, asWebviewMessage, DEFAULT_VIEW_STATE, outlineOf, type GraphViewState, type HostMessage, type ThemeKind, type TransitionKey, type WebviewMessage } from '../webview/protocol';
import { graphIsDefaultEditor } from './config';
import { taskEdits } from './lazy';
import type { StepwiseDebugger } from './debug';
import { GraphOverlays } from './graphOverlay';
import { calledTaskUri } from './graphCalls';
import { GraphCoverageLayer } from './graphCoverage';
import { GraphExports, type ExportedGraph } from './graphExport';
import { keepGraphsInView } from './graphTabs';
import { taskFileFor } from './taskFile';
import type { TaskModels } from './models';

export const GRAPH_VIEW_TYPE = 'stepwise.graph';
const VIEW_STATE_KEY = 'stepwise.graph.view:';
/** Whether the graph shows its minimap and inspector: one choice per workspace. */
const PANELS_KEY = 'stepwise.graph.panels';
/** How long document changes are gathered before the webview hears of them (well under 100 ms with the lint). */
const DOCUMENT_DEBOUNCE_MS = 15;
const ASSOCIATIONS = ['*.task.yaml', '*.task.yml'];

interface Panel {
  document: vscode.TextDocument;
  panel: vscode.WebviewPanel;
  ready: boolean;
  timer?: NodeJS.Timeout;
  /** The document version last posted (for tests and to skip duplicates). */
  posted?: number;
  model?: TaskModel;
  /** Counts the kinds asked for: an older answer (plugins that changed since) is not posted. */
  kindsAsked?: number;
}

export class GraphEditorProvider implements vscode.CustomTextEditorProvider, vscode.Disposable {
  private readonly panels = new Set<Panel>();
  /** The edit running or last queued per document (see applyIntent). */
  private readonly editQueue = new Map<string, Promise<void>>();
  private readonly disposables: vscode.Disposable[] = [];
  /** What each file's graph shows of a run: the debugged one, or one shown from the Runs view. */
  readonly overlays: GraphOverlays;
  /** Test coverage painted on a file's graph when asked. */
  readonly coverage = new GraphCoverageLayer();
  private readonly exports = new GraphExports();
  private readonly posted = new vscode.EventEmitter<{ uri: vscode.Uri; message: HostMessage }>();
  /** Fires with every message posted to a graph webview (for tests and tools). */
  readonly onDidPost = this.posted.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly models: TaskModels,
    private readonly debug: StepwiseDebugger,
    private readonly log: (line: string) => void,
    /** The instruction kinds offered for a task file, and an event when they may have changed. */
    private readonly kinds: { offerFor(file: string): Promise<KindOffer>; onDidChange: vscode.Event<void> },
  ) {
    this.overlays = new GraphOverlays(debug, (file) => [...this.panels].find((p) => p.model && sameFsPath(p.document.uri, file))?.model);
    this.disposables.push(
      this.posted,
      vscode.window.registerCustomEditorProvider(GRAPH_VIEW_TYPE, this, { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length) for (const p of this.panelsOf(e.document.uri)) this.scheduleDocument(p);
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)),
      vscode.debug.onDidChangeBreakpoints(() => this.postBreakpointsAll()),
      vscode.window.onDidChangeActiveColorTheme(() => this.broadcast(() => ({ type: 'theme', kind: themeKind() }))),
      this.overlays,
      this.overlays.onDidChange((file) => this.postDebugFor(file)),
      this.coverage,
      this.coverage.onDidChange((file) => this.postCoverageFor(file)),
      kinds.onDidChange(() => {
        for (const p of this.panels) if (p.ready) void this.postKinds(p);
      }),
      vscode.commands.registerCommand('stepwise.openGraph', (uri?: vscode.Uri) => this.openGraph(uri)),
      vscode.commands.registerCommand('stepwise.exportGraph', (uri?: vscode.Uri, target?: vscode.Uri) => this.exportGraph(uri, target)),
      keepGraphsInView(GRAPH_VIEW_TYPE),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('stepwise.graph.defaultEditor') && void syncDefaultEditor()),
    );
    void syncDefaultEditor(true);
  }

  // ---------------------------------------------------------------- CustomTextEditorProvider

  async resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): Promise<void> {
    const root = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview');
    const webview = panel.webview;
    webview.options = { enableScripts: true, localResourceRoots: [root] };
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce((b) => b.set(randomBytes(b.length))),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      title: path.basename(document.uri.path),
    });
    const p: Panel = { document, panel, ready: false };
    this.panels.add(p);
    const subs = [
      webview.onDidReceiveMessage((data) => {
        const m = asWebviewMessage(data);
        if (m) void this.onMessage(p, m).catch((err) => this.log(`graph: ${err instanceof Error ? err.stack ?? err.message : String(err)}`));
      }),
      panel.onDidChangeViewState(() => panel.visible && p.ready && this.scheduleDocument(p)),
    ];
    panel.onDidDispose(() => {
      clearTimeout(p.timer);
      this.panels.delete(p);
      for (const s of subs) s.dispose();
    });
  }

  // ---------------------------------------------------------------- API (the webview's intents)

  /**
   * Applies an edit operation to a task document as the webview's `edit` does (one undo step).
   * Edits of a document run one after the other: each is computed on the text the previous one
   * left (two gestures in quick succession, e.g. a field's commit and then Delete, would otherwise
   * both be computed on the same text and the second applied at offsets that no longer hold).
   */
  applyIntent(uri: vscode.Uri, operation: EditOperation): Promise<EditResult & { applied: boolean }> {
    const key = uri.toString();
    const run = (this.editQueue.get(key) ?? Promise.resolve()).then(() => this.applyNow(uri, operation));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.editQueue.set(key, settled);
    void settled.then(() => this.editQueue.get(key) === settled && this.editQueue.delete(key));
    return run;
  }

  private async applyNow(uri: vscode.Uri, operation: EditOperation): Promise<EditResult & { applied: boolean }> {
    const document = await vscode.workspace.openTextDocument(uri);
    const text = document.getText();
    let result: EditResult;
    try {
      result = taskEdits().editTask(text, operation);
    } catch (err) {
      result = { edits: [], error: `The edit failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (result.error) return { ...result, applied: false };
    if (!result.edits.length) return { ...result, applied: true };
    const edit = new vscode.WorkspaceEdit();
    for (const e of result.edits) edit.replace(document.uri, new vscode.Range(document.positionAt(e.start), document.positionAt(e.end)), e.newText);
    const applied = await vscode.workspace.applyEdit(edit);
    return applied ? { ...result, applied } : { ...result, applied, error: 'VS Code did not apply the edit (is the file read-only?).' };
  }

  /** Adds or removes the VS Code breakpoint at a state's key line (the gutter's breakpoint). Returns whether one is set now. */
  async toggleBreakpoint(uri: vscode.Uri, state: string): Promise<boolean | undefined> {
    const document = await vscode.workspace.openTextDocument(uri);
    const s = (await this.modelOf(document))?.states.find((x) => x.name === state);
    if (!s) return undefined;
    const line = s.keyRange.start.line;
    const existing = vscode.debug.breakpoints.filter((b): b is vscode.SourceBreakpoint => b instanceof vscode.SourceBreakpoint && sameFile(b.location.uri, uri) && b.location.range.start.line === line);
    if (existing.length) {
      vscode.debug.removeBreakpoints(existing);
      return false;
    }
    vscode.debug.addBreakpoints([new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(line, 0)))]);
    return true;
  }

  /** The pins and layout direction stored for a file. */
  viewState(uri: vscode.Uri): GraphViewState {
    const s = this.context.workspaceState.get<GraphViewState>(VIEW_STATE_KEY + uri.toString());
    const state: GraphViewState = s && typeof s === 'object' && s.pins ? { pins: { ...s.pins }, direction: s.direction === 'RIGHT' ? 'RIGHT' : 'DOWN' } : { ...DEFAULT_VIEW_STATE, pins: {} };
    const panels = asPanels(this.context.workspaceState.get(PANELS_KEY));
    return panels ? { ...state, panels } : state;
  }

  /** Open graph editors of a document. */
  panelsOf(uri: vscode.Uri): Panel[] {
    return [...this.panels].filter((p) => p.document.uri.toString() === uri.toString());
  }

  /** The document version last posted to a graph of this file (undefined: none open or not ready). */
  postedVersion(uri: vscode.Uri): number | undefined {
    const versions = this.panelsOf(uri).map((p) => p.posted).filter((v): v is number => v !== undefined);
    return versions.length ? Math.max(...versions) : undefined;
  }

  /** Brings a file's graph editor into view: the one open already, else a new one beside. */
  async revealGraph(uri: vscode.Uri): Promise<void> {
    const open = this.panelsOf(uri)[0];
    if (open) open.panel.reveal(open.panel.viewColumn, false);
    else await this.openGraph(uri);
  }

  async openGraph(uri?: vscode.Uri): Promise<void> {
    const target = await taskFileFor(uri, 'Open the graph of');
    if (!target) return;
    // Beside the editor in use; with none open, in its place rather than beside an empty group.
    const column = vscode.window.tabGroups.activeTabGroup.tabs.length === 0 ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside;
    await vscode.commands.executeCommand('vscode.openWith', target, GRAPH_VIEW_TYPE, column);
  }

  /**
   * Exports the graph of a task file (`uri`, else the active graph editor's) as an SVG and a PNG:
   * to `target` when given, else where the save dialog says (next to the task file by default).
   */
  async exportGraph(uri?: vscode.Uri, target?: vscode.Uri): Promise<ExportedGraph | undefined> {
    const ready = [...this.panels].filter((p) => p.ready);
    const p = uri ? ready.find((x) => x.document.uri.toString() === uri.toString()) : (ready.find((x) => x.panel.active) ?? ready.find((x) => x.panel.visible));
    const task = p?.document.uri ?? uri;
    if (!task) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: open the graph of a task file to export it.'));
      return undefined;
    }
    return this.exports.run(task, () => (p ? (this.post(p, { type: 'command', command: 'exportGraph' }), true) : false), target);
  }

  // ---------------------------------------------------------------- messages

  private async onMessage(p: Panel, m: WebviewMessage): Promise<void> {
    const uri = p.document.uri;
    switch (m.type) {
      case 'ready':
        p.ready = true;
        this.post(p, { type: 'theme', kind: themeKind() });
        this.post(p, { type: 'viewState', state: this.viewState(uri) });
        await this.postDocument(p);
        this.postBreakpoints(p);
        this.postDebug(p);
        this.postCoverage(p);
        await this.postKinds(p);
        return;
      case 'edit': {
        const r = await this.applyIntent(uri, m.operation);
        this.post(p, { type: 'editResult', id: m.id, error: r.error, references: r.references, state: r.state });
        return;
      }
      case 'reveal':
        await this.reveal(p, m.state, m.element, m.focus ?? false);
        return;
      case 'toggleBreakpoint':
        await this.toggleBreakpoint(uri, m.state);
        return;
      case 'viewState':
        await this.context.workspaceState.update(VIEW_STATE_KEY + uri.toString(), { pins: m.state.pins, direction: m.state.direction });
        if (asPanels(m.state.panels)) await this.context.workspaceState.update(PANELS_KEY, asPanels(m.state.panels));
        return;
      case 'undo':
      case 'redo':
        // The graph's panel is the active editor while it has focus: VS Code undoes its document.
        if (!p.panel.active) p.panel.reveal(undefined, false);
        await vscode.commands.executeCommand(m.type);
        return;
      case 'openText':
        await vscode.window.showTextDocument(p.document, { viewColumn: this.besideColumn(p), preserveFocus: false, preview: false });
        return;
      case 'openTask': {
        const called = calledTaskUri(uri, m.task);
        if (called) await vscode.commands.executeCommand('vscode.openWith', called, GRAPH_VIEW_TYPE, p.panel.viewColumn);
        return;
      }
      case 'showCoverage':
        if (uri.scheme === 'file' && !this.coverage.setShown(uri.fsPath, m.show)) this.postCoverage(p);
        return;
      case 'export':
        await this.exports.received(uri, m.svg, m.png);
        return;
      case 'log':
        this.log(`graph ${m.level}: ${m.message}`);
        return;
    }
  }

  private post(p: Panel, message: HostMessage): void {
    void p.panel.webview.postMessage(message);
    this.posted.fire({ uri: p.document.uri, message });
  }

  private broadcast(make: (p: Panel) => HostMessage | undefined): void {
    for (const p of this.panels) {
      if (!p.ready) continue;
      const m = make(p);
      if (m) this.post(p, m);
    }
  }

  private scheduleDocument(p: Panel): void {
    if (!p.ready) return;
    clearTimeout(p.timer);
    p.timer = setTimeout(() => void this.postDocument(p).catch((err) => this.log(`graph: ${String(err)}`)), DOCUMENT_DEBOUNCE_MS);
  }

  private async postDocument(p: Panel): Promise<void> {
    const document = p.document;
    const version = document.version;
    const lint = await this.models.get(document);
    // A newer change is on its way (its own post follows); an older lint answer is never posted over a newer one.
    if (document.version !== version || lint.version !== version || (p.posted !== undefined && p.posted >= version)) return;
    p.posted = version;
    p.model = lint.result.model;
    this.post(p, {
      type: 'document',
      uri: document.uri.toString(),
      fileName: path.basename(document.uri.path),
      version,
      text: document.getText(),
      model: outlineOf(lint.result.model),
      diagnostics: lint.result.diagnostics,
      readOnly: vscode.workspace.fs.isWritableFileSystem(document.uri.scheme) === false,
    });
    // States may have moved: their breakpoints with them.
    this.postBreakpoints(p);
  }

  private async postKinds(p: Panel): Promise<void> {
    const asked = (p.kindsAsked = (p.kindsAsked ?? 0) + 1);
    const uri = p.document.uri;
    const offer = uri.scheme === 'file' ? await this.kinds.offerFor(uri.fsPath) : kindOffer([]);
    if (this.panels.has(p) && p.kindsAsked === asked) this.post(p, { type: 'kinds', offer });
  }

  private async modelOf(document: vscode.TextDocument): Promise<TaskModel | undefined> {
    const p = this.panelsOf(document.uri).find((x) => x.posted === document.version && x.model);
    if (p) return p.model;
    return (await this.models.get(document)).result.model;
  }

  // ---------------------------------------------------------------- breakpoints

  private postBreakpointsAll(): void {
    for (const p of this.panels) if (p.ready) this.postBreakpoints(p);
  }

  private postBreakpoints(p: Panel): void {
    if (!p.model) return;
    const lines = new Set(
      vscode.debug.breakpoints
        .filter((b): b is vscode.SourceBreakpoint => b instanceof vscode.SourceBreakpoint && b.enabled && sameFile(b.location.uri, p.document.uri))
        .map((b) => b.location.range.start.line),
    );
    this.post(p, { type: 'breakpoints', states: p.model.states.filter((s) => lines.has(s.keyRange.start.line)).map((s) => s.name) });
  }

  // ---------------------------------------------------------------- selection sync

  private besideColumn(p: Panel): vscode.ViewColumn {
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === p.document.uri.toString());
    if (visible?.viewColumn !== undefined && visible.viewColumn !== p.panel.viewColumn) return visible.viewColumn;
    return vscode.ViewColumn.Beside;
  }

  private async reveal(p: Panel, name: string, element: { kind: 'transition' | 'catch' | 'instruction'; index: number } | undefined, focus: boolean): Promise<void> {
    const state = (await this.modelOf(p.document))?.states.find((s) => s.name === name);
    if (!state) return;
    let range: ModelRange = state.keyRange;
    if (element?.kind === 'transition') range = state.on.find((t) => t.index === element.index)?.range ?? range;
    else if (element?.kind === 'catch') range = state.catch.find((c) => c.index === element.index)?.range ?? range;
    else if (element?.kind === 'instruction') range = state.do.find((i) => i.index === element.index)?.range ?? range;
    const selection = new vscode.Range(p.document.positionAt(range.start.offset), p.document.positionAt(range.end.offset));
    const shown = selection.start.line === selection.end.line ? selection : new vscode.Range(selection.start, selection.start);
    this.revealed = { uri: p.document.uri.toString(), selection: shown };
    const editor = await vscode.window.showTextDocument(p.document, { viewColumn: this.besideColumn(p), preserveFocus: !focus, preview: false, selection: shown });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /**
   * The selection the graph last put in the text: its echo must not come back as a selection on
   * the graph (the node or edge it came from is selected already). Recognised by value rather than
   * for a while, so that a cursor move right after is seen.
   */
  private revealed: { uri: string; selection: vscode.Range } | undefined;

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    const uri = e.textEditor.document.uri;
    const echo = this.revealed;
    if (echo && echo.uri === uri.toString() && e.selections.length === 1 && e.selections[0].isEqual(echo.selection)) return;
    const panels = this.panelsOf(uri).filter((p) => p.ready && p.model);
    if (!panels.length) return;
    const offset = e.textEditor.document.offsetAt(e.selections[0].active);
    for (const p of panels) {
      const s = stateAt(p.model!, offset);
      let transition: TransitionKey | undefined;
      if (s) {
        const t = s.on.find((x) => within(x.range, offset));
        const c = s.catch.find((x) => within(x.range, offset));
        if (t) transition = { state: s.name, index: t.index, list: 'on' };
        else if (c) transition = { state: s.name, index: c.index, list: 'catch' };
      }
      this.post(p, { type: 'select', state: s?.name, transition });
    }
  }

  // ---------------------------------------------------------------- debugging

  private postDebugFor(file: string): void {
    for (const p of this.panels) if (p.ready && sameFsPath(p.document.uri, file)) this.postDebug(p);
  }

  private postDebug(p: Panel): void {
    this.post(p, { type: 'debug', debug: p.document.uri.scheme === 'file' ? this.overlays.viewFor(path.resolve(p.document.uri.fsPath)) : { active: false, visited: [], taken: [] } });
  }

  private postCoverageFor(file: string): void {
    for (const p of this.panels) if (p.ready && sameFsPath(p.document.uri, file)) this.postCoverage(p);
  }

  private postCoverage(p: Panel): void {
    this.post(p, this.coverage.messageFor(p.document.uri.scheme === 'file' ? p.document.uri.fsPath : undefined));
  }

  dispose(): void {
    for (const p of this.panels) clearTimeout(p.timer);
    for (const d of this.disposables) d.dispose();
  }
}

// ------------------------------------------------------------------ helpers

function within(r: ModelRange, offset: number): boolean {
  return offset >= r.start.offset && offset <= r.end.offset;
}

/** The state whose key or value holds the offset. */
export function stateAt(model: TaskModel, offset: number): StateModel | undefined {
  return model.states.find((s) => within(s.keyRange, offset) || within(s.range, offset));
}

function sameFile(a: vscode.Uri, b: vscode.Uri): boolean {
  return a.scheme === 'file' && b.scheme === 'file' ? path.resolve(a.fsPath) === path.resolve(b.fsPath) : a.toString() === b.toString();
}

function sameFsPath(uri: vscode.Uri, file: string): boolean {
  return uri.scheme === 'file' && path.resolve(uri.fsPath) === file;
}

function themeKind(): ThemeKind {
  switch (vscode.window.activeColorTheme.kind) {
    case vscode.ColorThemeKind.Light:
      return 'light';
    case vscode.ColorThemeKind.HighContrast:
      return 'high-contrast';
    case vscode.ColorThemeKind.HighContrastLight:
      return 'high-contrast-light';
    default:
      return 'dark';
  }
}

/**
 * `stepwise.graph.defaultEditor`: true makes the graph the editor task files open in, through
 * `workbench.editorAssociations` (user settings); turning it off removes those associations. At
 * activation only the `true` direction is applied, so an association a person made through
 * "Configure Default Editor" stays while the setting is untouched.
 */
async function syncDefaultEditor(atActivation = false): Promise<void> {
  const want = graphIsDefaultEditor();
  if (atActivation && !want) return;
  const workbench = vscode.workspace.getConfiguration('workbench');
  const current = { ...(workbench.inspect<Record<string, string>>('editorAssociations')?.globalValue ?? {}) };
  let changed = false;
  for (const pattern of ASSOCIATIONS) {
    if (want && current[pattern] !== GRAPH_VIEW_TYPE) {
      current[pattern] = GRAPH_VIEW_TYPE;
      changed = true;
    } else if (!want && current[pattern] === GRAPH_VIEW_TYPE) {
      delete current[pattern];
      changed = true;
    }
  }
  if (!changed) return;
  try {
    await workbench.update('editorAssociations', Object.keys(current).length ? current : undefined, vscode.ConfigurationTarget.Global);
  } catch {
    // Settings not writable (e.g. a policy): "Reopen Editor With…" still offers the graph.
  }
}
