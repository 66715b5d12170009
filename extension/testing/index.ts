// Task tests in VS Code: the Test Explorer's cases and profiles, the test files' problems, state
// name completion, and "Save as Test Case" on a run.
import * as vscode from 'vscode';
import type { LintDiagnostics } from '../diagnostics';
import type { RunManager } from '../runs';
import type { RunsView } from '../runsView';
import type { ServerConnection } from '../server/connection';
import { registerTestCompletion } from './completion';
import { TaskTests } from './controller';
import { TestFileDiagnostics } from './diagnostics';
import { saveRunAsTestCase } from './saveCase';

export interface TaskTestsParts {
  tests: TaskTests;
  diagnostics: TestFileDiagnostics;
}

export function registerTaskTests(context: vscode.ExtensionContext, deps: { lint: LintDiagnostics; runs: RunManager; runsView: RunsView; server: ServerConnection }): TaskTestsParts {
  const tests = new TaskTests();
  const diagnostics = new TestFileDiagnostics((d) => deps.lint.toVscode(d));
  context.subscriptions.push(
    tests,
    diagnostics,
    registerTestCompletion(),
    vscode.commands.registerCommand('stepwise.runs.saveAsTest', (node) => saveRunAsTestCase(node, deps)),
  );
  return { tests, diagnostics };
}
