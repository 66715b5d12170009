// A run of the Runs view, wherever it is (a store folder here, or the server), and its journal.
import type { JournalEvent } from '../../engine/journal/events';
import type { RunManager } from '../runs';
import type { RunNode } from '../runsView';
import type { ServerConnection } from '../server/connection';
import type { ServerRunNode } from '../server/tree';

export type AnyRunNode = RunNode | ServerRunNode;

export function isServerRun(node: AnyRunNode): node is ServerRunNode {
  return 'kind' in node && node.kind === 'serverRun';
}

export async function journalOf(deps: { runs: RunManager; server: ServerConnection }, node: AnyRunNode): Promise<JournalEvent[]> {
  if (!isServerRun(node)) return deps.runs.store(node.storeDir).read(node.runId);
  const client = deps.server.client;
  if (!client) throw new Error('no server is set (stepwise.server.url)');
  return (await client.getRun(node.runId)).journal;
}
