// Coverage of task files for VS Code's coverage view: a statement per state (at the line of its
// name, executed as often as it was entered) with a branch per transition and catch entry (taken
// as often as it was taken).
import * as vscode from 'vscode';
import type { CoveredElement, FileCoverage as EngineCoverage } from '../../engine/testing/coverage';

export class TaskFileCoverage extends vscode.FileCoverage {
  constructor(
    uri: vscode.Uri,
    readonly details: vscode.StatementCoverage[],
    /** The engine's coverage, as the graph paints it. */
    readonly source: EngineCoverage,
  ) {
    const base = vscode.FileCoverage.fromDetails(uri, details);
    super(uri, base.statementCoverage, base.branchCoverage);
  }
}

function lineRange(line: number): vscode.Range {
  return new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER);
}

function branchLabel(b: CoveredElement): string {
  return `${b.kind === 'catch' ? `catch ${b.index}` : `on ${b.index}`} → ${b.to}`;
}

export function toFileCoverage(cov: EngineCoverage): TaskFileCoverage {
  const details = cov.states.map((s) => {
    const branches = cov.branches.filter((b) => b.state === s.state).map((b) => new vscode.BranchCoverage(b.hits, lineRange(b.line), branchLabel(b)));
    return new vscode.StatementCoverage(s.hits, lineRange(s.line), branches);
  });
  return new TaskFileCoverage(vscode.Uri.file(cov.file), details, cov);
}
