// Problems of test files (`*.test.yaml`) in the Problems panel, from engine/testing's lint: the file's
// own (unknown keys, states the task does not have, mocks that name nothing) and those of the task
// and mocks files it names. Linted when opened, as typed (debounced) and when saved.
import * as vscode from 'vscode';
import type { Diagnostic as LintDiagnostic } from '../../engine/model/types';
import { readTaskText } from '../debug';
import { testing } from '../lazy';
import { isTestUri } from './files';

const DEBOUNCE_MS = 300;

export class TestFileDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('stepwise-tests');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly toVscode: (d: LintDiagnostic) => vscode.Diagnostic) {
    const ws = vscode.workspace;
    this.disposables.push(
      this.collection,
      ws.onDidOpenTextDocument((doc) => this.lint(doc)),
      ws.onDidSaveTextDocument((doc) => this.lint(doc)),
      ws.onDidChangeTextDocument((e) => this.later(e.document)),
      ws.onDidCloseTextDocument((doc) => this.clear(doc.uri)),
    );
    for (const doc of ws.textDocuments) this.lint(doc);
  }

  private later(doc: vscode.TextDocument): void {
    if (!isTestUri(doc.uri)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.lint(doc);
      }, DEBOUNCE_MS),
    );
  }

  /** Lints a test document as it is now; returns its diagnostics (undefined for other documents). */
  lint(doc: vscode.TextDocument): vscode.Diagnostic[] | undefined {
    if (!isTestUri(doc.uri) || doc.isClosed) return undefined;
    let found: vscode.Diagnostic[];
    try {
      found = testing().loadTestFile(doc.uri.fsPath, readTaskText, doc.getText()).diagnostics.map((d) => this.toVscode(d));
    } catch (err) {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `Stepwise could not lint this test file: ${err instanceof Error ? err.message : String(err)}`, vscode.DiagnosticSeverity.Warning);
      d.source = 'stepwise';
      found = [d];
    }
    this.collection.set(doc.uri, found);
    return found;
  }

  private clear(uri: vscode.Uri): void {
    clearTimeout(this.timers.get(uri.toString()));
    this.timers.delete(uri.toString());
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
