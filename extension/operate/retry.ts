// "Retry from Here…" on a run of the Runs view: a QuickPick of the states the run entered (the one
// it failed in first and selected), then a new run that takes everything before the last entry into
// that state from the run's journal — through the engine for a run of a store here, through
// `POST /v1/runs/{id}/retry` for a server's run. The new run's id is shown.
import * as vscode from 'vscode';
import { enteredStates, type EnteredState } from '../core/entered';
import { RunManager, type RunOutcome } from '../runs';
import type { ServerConnection } from '../server/connection';
import type { ServerRunsTree } from '../server/tree';
import { isServerRun, journalOf, type AnyRunNode } from './nodes';

export interface RetryDeps {
  runs: RunManager;
  server: ServerConnection;
  serverTree: ServerRunsTree;
}

/** What the command did: the new run, and for a run here how it ended. */
export interface Retried {
  runId: string;
  retryOf: string;
  from: string;
  outcome?: RunOutcome;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Asks which state to retry from; undefined when the user gave up. */
async function pickState(node: AnyRunNode, states: EnteredState[]): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { state: string }>();
  qp.title = `Retry run ${node.runId} from which state?`;
  qp.placeholder = 'The steps before the last entry into the state are taken from the journal, not done again';
  qp.items = states.map((s) => ({
    label: s.state,
    description: `${s.failedHere ? 'where it failed · ' : ''}entered ${s.times} time${s.times === 1 ? '' : 's'}`,
    state: s.state,
  }));
  const failed = qp.items.find((_, i) => states[i].failedHere);
  if (failed) qp.activeItems = [failed];
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      resolve(qp.selectedItems[0]?.state ?? qp.activeItems[0]?.state);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

export async function retryFromHere(deps: RetryDeps, node: AnyRunNode | undefined, from?: string): Promise<Retried | undefined> {
  if (!node || !RunManager.trusted('retry runs')) return undefined;
  let state = from;
  if (state === undefined) {
    let states: EnteredState[];
    try {
      states = enteredStates(await journalOf(deps, node));
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise could not read the journal of run {0}: {1}', node.runId, message(err)));
      return undefined;
    }
    if (!states.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Run {0} entered no state; there is nothing to retry from. Use "Run Again".', node.runId));
      return undefined;
    }
    state = await pickState(node, states);
    if (state === undefined) return undefined;
  }
  const told = (runId: string, at: string) => {
    void vscode.window.showInformationMessage(vscode.l10n.t('Stepwise: run {0} retries run {1} from state {2}.', runId, node.runId, at));
  };
  if (!isServerRun(node)) {
    let started: { runId: string; from: string } | undefined;
    const outcome = await deps.runs.retry(node.storeDir, node.runId, state, (runId, at) => {
      started = { runId, from: at };
      told(runId, at);
    });
    return started && outcome ? { ...started, retryOf: node.runId, outcome } : undefined;
  }
  const client = deps.server.client;
  if (!client) return undefined;
  try {
    const r = await client.retry(node.runId, state);
    deps.runs.output.appendLine(`[server ${client.label}] run ${r.run.id} retries ${node.runId} from state ${r.from}`);
    if (deps.server.mirror?.upsert(r.run)) deps.serverTree.refreshNow();
    told(r.run.id, r.from);
    return { runId: r.run.id, retryOf: node.runId, from: r.from };
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: run {0} was not retried on {1}: {2}', node.runId, client.label, message(err)));
    return undefined;
  }
}

export function registerRetry(deps: RetryDeps): vscode.Disposable {
  return vscode.commands.registerCommand('stepwise.runs.retryFrom', (node?: AnyRunNode, from?: string) => retryFromHere(deps, node, typeof from === 'string' ? from : undefined));
}
