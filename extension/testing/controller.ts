// The Test Explorer for task tests (`*.test.yaml`): every case of every test file in the workspace,
// with Run, Coverage and Debug profiles. Running needs a trusted workspace (a case runs its task,
// mocked but still); listing the cases does not.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FileCoverage as EngineCoverage } from '../../engine/testing/coverage';
import type { LoadedTestFile } from '../../engine/testing/load';
import type { SelectedCase } from '../../engine/testing/suite';
import { readTaskText } from '../debug';
import { testing } from '../lazy';
import { RunManager } from '../runs';
import { toFileCoverage, type TaskFileCoverage } from './coverage';
import { debugCase } from './debugCase';
import { isTestUri, TEST_GLOB } from './files';
import { casesOf, updateFileItem } from './items';
import { failureMessages, fileErrorMessage } from './messages';

/** What a test run reported to VS Code, case by case: for whoever follows runs (and the integration tests). */
export interface TestReport {
  profile: 'run' | 'coverage';
  cases: Array<{ item: vscode.TestItem; status: 'passed' | 'failed' | 'errored' | 'skipped'; messages: vscode.TestMessage[] }>;
  coverage: TaskFileCoverage[];
}

export class TaskTests implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('stepwise.tests', 'Stepwise Task Tests');
  private readonly reported = new vscode.EventEmitter<TestReport>();
  /** Fires when a Run or Coverage run has reported every case. */
  readonly onDidReport = this.reported.event;
  private readonly coverageChanged = new vscode.EventEmitter<string>();
  /** Fires with a task file's path when its coverage changes (a Coverage run reported it). */
  readonly onDidChangeCoverage = this.coverageChanged.event;
  private readonly lastCoverage = new Map<string, EngineCoverage>();
  private readonly disposables: vscode.Disposable[] = [];
  private discovered: Promise<void> | undefined;

  constructor() {
    const c = this.controller;
    c.resolveHandler = (item) => (item ? undefined : this.discover());
    c.refreshHandler = () => this.discover(true);
    c.createRunProfile('Run', vscode.TestRunProfileKind.Run, async (r, t) => void (await this.run(r, t, 'run')), true);
    const cov = c.createRunProfile('Coverage', vscode.TestRunProfileKind.Coverage, async (r, t) => void (await this.run(r, t, 'coverage')), true);
    cov.loadDetailedCoverage = async (_run, file) => (file as TaskFileCoverage).details;
    c.createRunProfile('Debug', vscode.TestRunProfileKind.Debug, async (r) => void (await this.debug(r, false)), true);
    c.createRunProfile('Debug, Stopping Where the Run Leaves the Path', vscode.TestRunProfileKind.Debug, async (r) => void (await this.debug(r, true)), false);

    const ws = vscode.workspace;
    const watcher = ws.createFileSystemWatcher(TEST_GLOB);
    this.disposables.push(
      c,
      this.reported,
      this.coverageChanged,
      watcher,
      watcher.onDidCreate((uri) => this.fromDisk(uri)),
      watcher.onDidChange((uri) => this.fromDisk(uri)),
      watcher.onDidDelete((uri) => c.items.delete(uri.toString())),
      ws.onDidOpenTextDocument((doc) => this.fromDocument(doc)),
      ws.onDidChangeTextDocument((e) => this.fromDocument(e.document)),
      // Closed without saving: the file's own text counts again.
      ws.onDidCloseTextDocument((doc) => isTestUri(doc.uri) && this.fromDisk(doc.uri)),
    );
    for (const doc of ws.textDocuments) this.fromDocument(doc);
  }

  /** Finds every test file of the workspace (once, or again when `again`). */
  discover(again = false): Promise<void> {
    if (!this.discovered || again) {
      this.discovered = (async () => {
        const files = await vscode.workspace.findFiles(TEST_GLOB, '**/node_modules/**');
        const seen = new Set(files.map((f) => f.toString()));
        this.controller.items.forEach((i) => !seen.has(i.id) && this.controller.items.delete(i.id));
        for (const f of files) this.fromDisk(f);
      })();
    }
    return this.discovered;
  }

  private fromDocument(doc: vscode.TextDocument): void {
    if (isTestUri(doc.uri)) updateFileItem(this.controller, doc.uri, doc.getText());
  }

  private fromDisk(uri: vscode.Uri): void {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    let text: string;
    try {
      text = open ? open.getText() : readTaskText(uri.fsPath);
    } catch {
      this.controller.items.delete(uri.toString());
      return;
    }
    updateFileItem(this.controller, uri, text);
  }

  /** The coverage of a task file from the latest Coverage run, for the graph to paint. */
  coverageOf(taskFile: string): EngineCoverage | undefined {
    return this.lastCoverage.get(path.resolve(taskFile));
  }

  /** Runs the cases a request names and reports them; undefined when refused (Restricted Mode). */
  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken | undefined, profile: TestReport['profile']): Promise<TestReport | undefined> {
    if (!RunManager.trusted('run task tests')) return undefined;
    if (!request.include) await this.discover();
    const items = casesOf(this.controller, request);
    const run = this.controller.createTestRun(request);
    const report: TestReport = { profile, cases: [], coverage: [] };
    const note = (item: vscode.TestItem, status: TestReport['cases'][number]['status'], messages: vscode.TestMessage[] = [], ms?: number) => {
      report.cases.push({ item, status, messages });
      if (status === 'passed') run.passed(item, ms);
      else if (status === 'failed') run.failed(item, messages, ms);
      else if (status === 'errored') run.errored(item, messages);
      else run.skipped(item);
    };
    try {
      const selected: Array<SelectedCase & { item: vscode.TestItem }> = [];
      for (const [uri, cases] of byFile(items)) {
        let loaded: LoadedTestFile;
        try {
          loaded = testing().loadTestFile(uri.fsPath, readTaskText);
        } catch (err) {
          for (const item of cases) note(item, 'errored', [new vscode.TestMessage(`The test file cannot be read: ${err instanceof Error ? err.message : String(err)}`)]);
          continue;
        }
        const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
        if (errors.length) {
          const message = fileErrorMessage(uri, errors);
          for (const item of cases) note(item, 'errored', [message]);
          continue;
        }
        for (const item of cases) {
          const c = loaded.model.cases.find((x) => x.name === item.label);
          if (!c) note(item, 'skipped');
          else selected.push({ test: loaded, case: c, item });
        }
      }
      if (token?.isCancellationRequested) {
        for (const s of selected) note(s.item, 'skipped');
        return report;
      }
      for (const s of selected) run.started(s.item);
      const suite = await testing().runCases(selected, {
        onResult: (r) => {
          const s = selected.find((x) => x.test.file === r.file && x.case.name === r.name)!;
          const at = new vscode.Location(s.item.uri!, new vscode.Range(r.line, 0, r.line, Number.MAX_SAFE_INTEGER));
          note(s.item, r.status, failureMessages(r, at), r.wallMs);
        },
      });
      if (profile === 'coverage') {
        for (const cov of suite.coverage.values()) {
          const fc = toFileCoverage(cov);
          report.coverage.push(fc);
          run.addCoverage(fc);
          this.lastCoverage.set(path.resolve(cov.file), cov);
          this.coverageChanged.fire(path.resolve(cov.file));
        }
      }
      return report;
    } finally {
      run.end();
      this.reported.fire(report);
    }
  }

  async debug(request: vscode.TestRunRequest, stopOnDivergence: boolean): Promise<boolean> {
    if (!RunManager.trusted('debug task tests')) return false;
    const [item, ...more] = casesOf(this.controller, request);
    if (!item) return false;
    if (more.length) void vscode.window.showInformationMessage(more.length === 1 ? vscode.l10n.t("Stepwise debugs one case at a time: '{0}' (not the 1 other).", item.label) : vscode.l10n.t("Stepwise debugs one case at a time: '{0}' (not the {1} others).", item.label, more.length));
    return debugCase(this.controller, request, item, stopOnDivergence);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

function byFile(items: readonly vscode.TestItem[]): Map<vscode.Uri, vscode.TestItem[]> {
  const out = new Map<string, { uri: vscode.Uri; items: vscode.TestItem[] }>();
  for (const item of items) {
    const key = item.uri!.toString();
    let g = out.get(key);
    if (!g) out.set(key, (g = { uri: item.uri!, items: [] }));
    g.items.push(item);
  }
  return new Map([...out.values()].map((g) => [g.uri, g.items]));
}
