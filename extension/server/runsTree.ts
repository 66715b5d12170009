// What the Runs view shows: the server's group (when `stepwise.server.url` is set) above the
// workspace's own runs. The two providers keep their jobs; this one only routes between them.
import * as vscode from 'vscode';
import { RunNode, type RunsView } from '../runsView';
import type { ServerRunsTree, ServerTreeNode } from './tree';

export type RunsTreeNode = RunNode | ServerTreeNode;

export class RunsTree implements vscode.TreeDataProvider<RunsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    readonly local: RunsView,
    readonly server: ServerRunsTree,
  ) {
    this.disposables = [
      this.changed,
      local.onDidChangeTreeData(() => this.changed.fire(undefined)),
      server.onDidChange((node) => this.changed.fire(node)),
    ];
  }

  getTreeItem(node: RunsTreeNode): vscode.TreeItem {
    return node instanceof RunNode ? this.local.getTreeItem(node) : this.server.item(node);
  }

  async getChildren(node?: RunsTreeNode): Promise<RunsTreeNode[]> {
    if (!node) return [...this.server.roots(), ...(await this.local.getChildren())];
    return node instanceof RunNode ? [] : this.server.children(node);
  }

  getParent(node: RunsTreeNode): RunsTreeNode | undefined {
    return node instanceof RunNode ? undefined : this.server.parent(node);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
