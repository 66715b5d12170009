// Operating runs from the Runs view: versions (the older-version mark, the diff with the file),
// Retry from Here…, bulk actions, Debug This Run and Continue Live. Each lives in its own module.
import type * as vscode from 'vscode';
import type { RunManager } from '../runs';
import type { RunsView } from '../runsView';
import type { ServerConnection } from '../server/connection';
import type { ServerRunsTree } from '../server/tree';
import { registerBulk } from './bulk';
import { registerDebugRun } from './debugRun';
import { registerRetry } from './retry';
import { registerVersions } from './versions';

export interface OperateDeps {
  runs: RunManager;
  runsView: RunsView;
  server: ServerConnection;
  serverTree: ServerRunsTree;
}

/** A task file changed here: local runs may be older now, and so may runs of a server serving it. */
function taskFileChanged(d: OperateDeps): void {
  d.serverTree.versions.invalidate();
  d.runsView.refreshSoon();
}

export function registerOperate(d: OperateDeps): vscode.Disposable[] {
  return [
    ...registerVersions({ runs: d.runs, server: d.server, refresh: () => taskFileChanged(d) }),
    registerRetry(d),
    registerBulk(d),
    ...registerDebugRun({ server: d.server, output: d.runs.output }),
  ];
}
