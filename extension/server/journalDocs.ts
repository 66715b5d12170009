// A server run's journal as a read-only document (`stepwise-server:/<run>.jsonl?<origin>`), one
// JSON line per entry like a local journal file, updated as the run's entries arrive.
import * as vscode from 'vscode';
import type { ServerConnection } from './connection';

export const JOURNAL_SCHEME = 'stepwise-server';

export function journalUri(origin: string, runId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: JOURNAL_SCHEME, path: `/${runId}.jsonl`, query: origin });
}

function runIdOf(uri: vscode.Uri): string {
  return uri.path.replace(/^\//, '').replace(/\.jsonl$/, '');
}

export class ServerJournals implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly connection: ServerConnection) {
    this.disposables = [this.changed, connection.onDidJournal((e) => this.touch(e.runId))];
  }

  /** An open journal document of this run refreshes (coalesced: a run journals in bursts). */
  private touch(runId: string): void {
    const origin = this.connection.url?.origin;
    if (!origin || this.pending.has(runId)) return;
    const uri = journalUri(origin, runId);
    if (!vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString())) return;
    this.pending.set(
      runId,
      setTimeout(() => {
        this.pending.delete(runId);
        this.changed.fire(uri);
      }, 200),
    );
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const client = this.connection.client;
    const runId = runIdOf(uri);
    if (!client || client.base.origin !== uri.query) {
      return `The journal of run ${runId} is on the server ${uri.query}, which is not the server set in stepwise.server.url now.\n`;
    }
    try {
      const run = await client.getRun(runId);
      return run.journal.map((e) => JSON.stringify(e)).join('\n') + '\n';
    } catch (err) {
      return `The journal of run ${runId} could not be read: ${err instanceof Error ? err.message : String(err)}\n`;
    }
  }

  dispose(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
  }
}
