// The Debug profile: a debug session of one case, with the case's input and mocks on the virtual
// clock (launch attribute `test`), stopping where the run leaves the case's `path` when asked.
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../debug';

export async function debugCase(controller: vscode.TestController, request: vscode.TestRunRequest, item: vscode.TestItem, stopOnDivergence: boolean): Promise<boolean> {
  const file = item.uri!;
  const run = controller.createTestRun(request, `Debug ${item.label}`, false);
  run.started(item);
  const config = {
    type: DEBUG_TYPE,
    request: 'launch',
    name: `Debug test case: ${item.label}`,
    test: { file: file.fsPath, case: item.label },
    stopOnDivergence,
  };
  let started = false;
  try {
    started = await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(file), config, { testRun: run });
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise could not debug the case: {0}', err instanceof Error ? err.message : String(err)));
  }
  if (!started) {
    run.skipped(item);
    run.end();
    return false;
  }
  // The session's outcome is what the debugger shows; the test run ends with it.
  const done = vscode.debug.onDidTerminateDebugSession((s) => {
    if (s.configuration.name !== config.name || s.type !== DEBUG_TYPE) return;
    done.dispose();
    run.end();
  });
  return true;
}
