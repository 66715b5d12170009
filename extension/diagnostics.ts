// Lint results in the Problems panel: when to lint (save, type, off), how an engine diagnostic
// becomes a VS Code one (code linked to its docs page), and when diagnostics go away (close,
// delete, rename, lint turned off). Also the quick fixes, which are the linter's own text edits.
import * as vscode from 'vscode';
import { lint } from './lazy';
import type { Diagnostic as LintDiagnostic } from '../engine/model/types';
import { isTaskDocument, isTaskUri, lintMode, TASK_SELECTOR } from './config';
import type { TaskModels, VersionedLint } from './models';

export const SOURCE = 'stepwise';
const SEVERITY: Record<LintDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** On-type debounce: at least this, and more for files whose lint is slow. */
const MIN_DEBOUNCE_MS = 300;
const MAX_DEBOUNCE_MS = 3000;

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return typeof c === 'object' ? String(c.value) : String(c);
}

export class LintDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection(SOURCE);
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Bumped per document when its diagnostics must be dropped, so a lint still running is discarded. */
  private readonly generation = new Map<string, number>();
  /** Each rule's documentation page, from the linter's rule list (loaded with the first diagnostics). */
  private docsByRule: Map<string, string> | undefined;

  constructor(
    private readonly models: TaskModels,
    private readonly extensionUri: vscode.Uri,
  ) {
    const ws = vscode.workspace;
    const watcher = ws.createFileSystemWatcher('**/*.task.{yaml,yml}', true, true, false);
    this.disposables.push(
      this.collection,
      watcher,
      ws.onDidOpenTextDocument((doc) => this.whenOpened(doc)),
      ws.onDidChangeTextDocument((e) => this.whenChanged(e)),
      ws.onDidSaveTextDocument((doc) => this.whenSaved(doc)),
      ws.onDidCloseTextDocument((doc) => this.clear(doc.uri)),
      ws.onDidDeleteFiles((e) => e.files.forEach((uri) => this.clearUnder(uri))),
      ws.onDidRenameFiles((e) => e.files.forEach((f) => this.clearUnder(f.oldUri))),
      // Deleted by another program (git checkout, rm): the watcher sees it.
      watcher.onDidDelete((uri) => this.clearUnder(uri)),
      ws.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('stepwise.lint.run')) this.lintAllOpen();
      }),
    );
    this.lintAllOpen();
  }

  /** Lints every open task file now (or clears them, where linting is off). */
  lintAllOpen(): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (!isTaskDocument(doc)) continue;
      if (lintMode(doc.uri) === 'off') this.clear(doc.uri);
      else void this.lint(doc);
    }
  }

  private whenOpened(doc: vscode.TextDocument): void {
    if (isTaskDocument(doc) && lintMode(doc.uri) !== 'off') void this.lint(doc);
  }

  private whenSaved(doc: vscode.TextDocument): void {
    if (isTaskDocument(doc) && lintMode(doc.uri) !== 'off') void this.lint(doc);
  }

  private whenChanged(e: vscode.TextDocumentChangeEvent): void {
    const doc = e.document;
    if (!isTaskDocument(doc)) return;
    const mode = lintMode(doc.uri);
    if (e.contentChanges.length === 0) {
      // A change of the dirty state alone. Become clean without a save (reverted, or undone back
      // to the saved text): the text is the file's again, so lint it in "on save" mode too, or
      // the problems shown would be those of text that no longer exists.
      if (mode === 'onSave' && !doc.isDirty) void this.lint(doc);
      return;
    }
    if (mode !== 'onType') return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    const slow = this.models.latest(doc.uri)?.ms ?? 0;
    const delay = Math.min(MAX_DEBOUNCE_MS, Math.max(MIN_DEBOUNCE_MS, slow * 2));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.lint(doc);
      }, delay),
    );
  }

  /** Lints a document as it is now and shows the result; resolves with it. */
  async lint(doc: vscode.TextDocument): Promise<VersionedLint | undefined> {
    const key = doc.uri.toString();
    const generation = this.generation.get(key) ?? 0;
    let lint: VersionedLint;
    try {
      lint = await this.models.get(doc);
    } catch (err) {
      if (doc.isClosed || (this.generation.get(key) ?? 0) !== generation) return undefined;
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `Stepwise could not lint this file: ${err instanceof Error ? err.message : String(err)}`, vscode.DiagnosticSeverity.Warning);
      d.source = SOURCE;
      d.code = 'internal';
      this.collection.set(doc.uri, [d]);
      return undefined;
    }
    // Closed, deleted or switched off while the lint ran: its result must not come back.
    if (doc.isClosed || (this.generation.get(key) ?? 0) !== generation || lintMode(doc.uri) === 'off') return lint;
    this.collection.set(doc.uri, lint.result.diagnostics.map((d) => this.toVscode(d)));
    return lint;
  }

  toVscode(d: LintDiagnostic): vscode.Diagnostic {
    const range = new vscode.Range(d.range.start.line, d.range.start.column, d.range.end.line, d.range.end.column);
    const out = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
    out.source = SOURCE;
    const docs = this.docs().get(d.code);
    out.code = docs ? { value: d.code, target: vscode.Uri.joinPath(this.extensionUri, docs) } : d.code;
    if (d.code === 'unreachable-state') out.tags = [vscode.DiagnosticTag.Unnecessary];
    return out;
  }

  private docs(): Map<string, string> {
    return (this.docsByRule ??= new Map(lint().RULES.map((r) => [r.id, r.docs])));
  }

  clear(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.generation.set(key, (this.generation.get(key) ?? 0) + 1);
    this.collection.delete(uri);
    this.models.forget(uri);
  }

  /** A deleted or renamed path may be a folder: clear every file under it. */
  private clearUnder(uri: vscode.Uri): void {
    const prefix = uri.toString().replace(/\/?$/, '/');
    const doomed: vscode.Uri[] = [uri];
    this.collection.forEach((u) => {
      if (u.toString().startsWith(prefix)) doomed.push(u);
    });
    for (const u of doomed) this.clear(u);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/** Quick fixes: the linter's fixes for the diagnostics under the cursor, applied as they are. */
export class LintQuickFixes implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly models: TaskModels) {}

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    if (!isTaskUri(doc.uri)) return [];
    if (context.only && !context.only.contains(vscode.CodeActionKind.QuickFix)) return [];
    // The fixes' offsets are into the text that was linted: only the lint of the current text will do.
    let lint: VersionedLint | undefined;
    try {
      lint = await this.models.current(doc);
    } catch {
      return [];
    }
    if (!lint) return [];
    const actions: vscode.CodeAction[] = [];
    for (const d of lint.result.diagnostics) {
      if (!d.fix) continue;
      const where = new vscode.Range(doc.positionAt(d.range.start.offset), doc.positionAt(d.range.end.offset));
      if (!where.intersection(range)) continue;
      const shown = context.diagnostics.find((cd) => cd.source === SOURCE && codeOf(cd) === d.code && cd.range.intersection(where));
      for (const [i, fix] of [d.fix, ...(d.otherFixes ?? [])].entries()) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.newText);
        action.edit = edit;
        if (shown) action.diagnostics = [shown];
        action.isPreferred = i === 0;
        // Re-lint right after the edit, so the fixed problem leaves the Problems panel without a save.
        action.command = { title: vscode.l10n.t('Lint'), command: 'stepwise.lintDocument', arguments: [doc.uri] };
        actions.push(action);
      }
    }
    return actions;
  }
}

export function registerQuickFixes(models: TaskModels): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider(TASK_SELECTOR, new LintQuickFixes(models), { providedCodeActionKinds: LintQuickFixes.kinds });
}
