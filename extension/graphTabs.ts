// Keeps a graph editor in view when the debugger stops. VS Code reveals a stop's source in the
// most recently active editor group that shows the file, and a graph editor counts as showing it
// (same resource): the text then opens over the graph, hiding the lit state a person wants to
// see. When that happens while the text is visible in another group, the stop is shown there and
// the graph comes back.
import * as vscode from 'vscode';
import { isTaskUri } from './config';

export function keepGraphsInView(graphViewType: string): vscode.Disposable {
  return vscode.window.tabGroups.onDidChangeTabs((e) => {
    const session = vscode.debug.activeDebugSession;
    if (session?.type !== 'stepwise') return;
    for (const tab of e.opened) void moveBeside(tab, graphViewType);
  });
}

async function moveBeside(tab: vscode.Tab, graphViewType: string): Promise<void> {
  if (!(tab.input instanceof vscode.TabInputText) || !isTaskUri(tab.input.uri)) return;
  const uri = tab.input.uri.toString();
  const group = tab.group;
  const graphHere = group.tabs.some((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === graphViewType && t.input.uri.toString() === uri);
  if (!graphHere) return;
  // The editor that just opened (it carries the stop's selection) and the text shown elsewhere.
  const editors = () => vscode.window.visibleTextEditors.filter((ed) => ed.document.uri.toString() === uri);
  let opened = editors().find((ed) => ed.viewColumn === group.viewColumn);
  for (let i = 0; !opened && i < 20; i++) {
    await new Promise((r) => setTimeout(r, 25));
    opened = editors().find((ed) => ed.viewColumn === group.viewColumn);
  }
  const beside = editors().find((ed) => ed.viewColumn !== group.viewColumn);
  if (!opened || beside?.viewColumn === undefined) return;
  const selection = opened.selection;
  await vscode.window.showTextDocument(opened.document, { viewColumn: beside.viewColumn, selection, preserveFocus: true, preview: false });
  beside.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  const current = group.tabs.find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri);
  if (current) await vscode.window.tabGroups.close(current, true);
}
