// "Debug This Run" on a run of the Runs view: a replay debug session of the recorded run (launch
// attribute `replay`, with its store folder, or its server's URL and token), which stops on entry
// and runs nothing. "Continue Live", while a replay is stopped, forks a real run from that step.
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../debug';
import { RunManager } from '../runs';
import type { ServerConnection } from '../server/connection';
import { isServerRun, type AnyRunNode } from './nodes';

/** Set while the active debug session replays a recorded run (Continue Live shows then). */
const REPLAYING = 'stepwise.replaying';

export interface DebugRunDeps {
  server: ServerConnection;
  output: vscode.OutputChannel;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function debugThisRun(deps: DebugRunDeps, node: AnyRunNode | undefined): Promise<boolean> {
  // A replay runs nothing, but Continue Live turns it into a real run: as any debug session, trust first.
  if (!node || !RunManager.trusted('debug runs')) return false;
  const task = isServerRun(node) ? node.run.task : node.state.task;
  const config: vscode.DebugConfiguration = { type: DEBUG_TYPE, request: 'launch', name: `Replay ${task} (${node.runId})`, replay: node.runId };
  if (isServerRun(node)) {
    const url = deps.server.url;
    if (!url) return false;
    config.server = url.href;
    // The token stays in memory, in this session's configuration; launch.json never sees it.
    const token = await deps.server.tokens.get(url.origin);
    if (token) config.token = token;
  } else {
    config.store = node.storeDir;
  }
  try {
    return await vscode.debug.startDebugging(vscode.workspace.workspaceFolders?.[0], config);
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise could not replay run {0}: {1}', node.runId, message(err)));
    return false;
  }
}

/**
 * The replay Continue Live goes on from: the active debug session if it is one, else the replay
 * started last. Another session (say one a test left stopped) can stay focused while a replay
 * runs, so the active session alone does not say which replay is meant.
 */
function replayToContinue(replays: readonly vscode.DebugSession[]): vscode.DebugSession | undefined {
  const active = vscode.debug.activeDebugSession;
  return replays.find((s) => s.id === active?.id) ?? replays[replays.length - 1];
}

/** Sends `continueLive` to the replay session; resolves with the live run's id. */
export async function continueLive(deps: DebugRunDeps, replays: vscode.DebugSession[]): Promise<string | undefined> {
  const session = replayToContinue(replays);
  if (!session) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Stepwise: Continue Live forks a real run from a replay; no replay is being debugged.'));
    return undefined;
  }
  try {
    const { runId } = (await session.customRequest('continueLive')) as { runId: string };
    replays.splice(replays.indexOf(session), 1);
    void vscode.commands.executeCommand('setContext', REPLAYING, false);
    deps.output.appendLine(`[${session.name}] continuing live as run ${runId}`);
    vscode.window.setStatusBarMessage(`$(debug-continue) Continuing live as run ${runId}`, 5000);
    return runId;
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: {0}', message(err)));
    return undefined;
  }
}

export function registerDebugRun(deps: DebugRunDeps): vscode.Disposable[] {
  // Replay sessions still running that have not gone live, in the order they started.
  const replays: vscode.DebugSession[] = [];
  const isReplay = (s: vscode.DebugSession | undefined) => !!s && replays.some((r) => r.id === s.id);
  const update = (s: vscode.DebugSession | undefined) => void vscode.commands.executeCommand('setContext', REPLAYING, isReplay(s));
  return [
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type === DEBUG_TYPE && s.configuration.replay) replays.push(s);
      update(vscode.debug.activeDebugSession);
    }),
    vscode.debug.onDidChangeActiveDebugSession(update),
    vscode.debug.onDidTerminateDebugSession((s) => {
      const i = replays.findIndex((r) => r.id === s.id);
      if (i >= 0) replays.splice(i, 1);
      update(vscode.debug.activeDebugSession);
    }),
    vscode.commands.registerCommand('stepwise.runs.debugRun', (node?: AnyRunNode) => debugThisRun(deps, node)),
    vscode.commands.registerCommand('stepwise.debug.continueLive', () => continueLive(deps, replays)),
  ];
}
