// Test coverage on the graph: the Test Explorer's latest Coverage run of a task file (see
// extension/testing), painted on that file's graph when the user asks for it: the toolbar's
// Coverage toggle or "Stepwise: Show Coverage on Graph". Which files show it is remembered here
// for the session; graph editors post `messageFor(file)` as the `coverage` message.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { graphCoverage } from '../engine/graph/coverage';
import type { FileCoverage } from '../engine/testing/coverage';
import type { HostMessage } from '../webview/protocol';
import { taskFileFor } from './taskFile';

/** Where coverage comes from: the Test Explorer's Coverage profile (TaskTests). */
export interface CoverageSource {
  coverageOf(taskFile: string): FileCoverage | undefined;
  readonly onDidChangeCoverage: vscode.Event<string>;
}

export class GraphCoverageLayer implements vscode.Disposable {
  private source: CoverageSource | undefined;
  private readonly shown = new Set<string>();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with a task file (absolute path) whose coverage message changed. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];

  /** Reads coverage from `source` from now on (the Test Explorer is set up after the graph editor). */
  connect(source: CoverageSource): vscode.Disposable {
    this.source = source;
    return source.onDidChangeCoverage((file) => this.changed.fire(path.resolve(file)));
  }

  coverageOf(file: string): FileCoverage | undefined {
    return this.source?.coverageOf(path.resolve(file));
  }

  messageFor(file: string | undefined): Extract<HostMessage, { type: 'coverage' }> {
    const cov = file ? this.coverageOf(file) : undefined;
    return { type: 'coverage', available: !!cov, coverage: cov && this.shown.has(path.resolve(file!)) ? graphCoverage(cov) : null };
  }

  /** Paints (or stops painting) the file's coverage on its graphs. False when the file has no coverage to show. */
  setShown(file: string, show: boolean): boolean {
    const abs = path.resolve(file);
    if (show && !this.coverageOf(abs)) return false;
    if (show) this.shown.add(abs);
    else this.shown.delete(abs);
    this.changed.fire(abs);
    return true;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * "Stepwise: Show Coverage on Graph": the task file's graph (opened when needed) paints the
 * coverage of the latest Coverage run. Without one, says how to get it. Returns whether it is shown.
 */
export function registerShowCoverage(layer: GraphCoverageLayer, revealGraph: (uri: vscode.Uri) => Promise<void>): vscode.Disposable {
  return vscode.commands.registerCommand('stepwise.showCoverageOnGraph', async (uri?: vscode.Uri): Promise<boolean> => {
    const target = await taskFileFor(uri, 'Show the test coverage of');
    if (!target) return false;
    if (target.scheme !== 'file' || !layer.setShown(target.fsPath, true)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Stepwise: there is no coverage of {0} yet. Run its tests with Coverage (Test Explorer › Run Tests with Coverage), then show it on the graph.', path.basename(target.path)));
      return false;
    }
    await revealGraph(target);
    return true;
  });
}
