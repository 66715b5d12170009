// `Stepwise: Export Graph…`: the graph editor draws its graph as an SVG and a PNG (in the theme's
// colours, with a shown run's marks) and posts both; this writes them, by default next to the
// task file (`<name>.svg` and `<name>.png`), where a save dialog lets the person choose.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PNG_DATA_URL } from '../webview/protocol';

/** How long a graph editor may take to draw its export before the command gives up. */
const EXPORT_TIMEOUT_MS = 30_000;

export interface ExportedGraph {
  svg: string;
  png: string;
}

/** The default SVG file of a task file's export: beside it, named after it. */
export function defaultExportUri(task: vscode.Uri): vscode.Uri {
  const base = path.basename(task.path).replace(/\.task\.ya?ml$/i, '').replace(/\.ya?ml$/i, '');
  return vscode.Uri.joinPath(task, '..', `${base}.svg`);
}

export class GraphExports {
  /** Exports asked for by the command, per document, waiting for the webview's drawing. */
  private readonly waiting = new Map<string, { target?: vscode.Uri; resolve(r: ExportedGraph | undefined): void }>();

  /**
   * Asks a graph editor for its drawing (`ask` posts the command to it) and writes it: to `target`
   * (an SVG path; the PNG goes beside it) or where the save dialog says.
   */
  async run(task: vscode.Uri, ask: () => boolean, target?: vscode.Uri): Promise<ExportedGraph | undefined> {
    const key = task.toString();
    this.waiting.get(key)?.resolve(undefined);
    const done = new Promise<ExportedGraph | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: the graph editor did not draw its export; is it still loading?'));
        resolve(undefined);
      }, EXPORT_TIMEOUT_MS);
      this.waiting.set(key, { target, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
    if (!ask()) {
      this.waiting.get(key)?.resolve(undefined);
      this.waiting.delete(key);
      void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise: open the graph of a task file to export it.'));
    }
    return done;
  }

  /** The webview's drawing arrived (from the command, or from its own toolbar). */
  async received(task: vscode.Uri, svg: string, png: string): Promise<void> {
    const key = task.toString();
    const w = this.waiting.get(key);
    this.waiting.delete(key);
    let written: ExportedGraph | undefined;
    try {
      written = await this.write(task, svg, png, w?.target);
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Stepwise could not write the export: {0}', err instanceof Error ? err.message : String(err)));
    }
    w?.resolve(written);
  }

  private async write(task: vscode.Uri, svg: string, png: string, target?: vscode.Uri): Promise<ExportedGraph | undefined> {
    const svgUri =
      target ??
      (await vscode.window.showSaveDialog({
        defaultUri: defaultExportUri(task),
        filters: { SVG: ['svg'] },
        title: vscode.l10n.t('Export the graph (a PNG of the same name is written beside the SVG)'),
        saveLabel: 'Export',
      }));
    if (!svgUri) return undefined;
    const pngUri = svgUri.with({ path: svgUri.path.replace(/(\.svg)?$/i, '.png') });
    await vscode.workspace.fs.writeFile(svgUri, Buffer.from(svg, 'utf8'));
    await vscode.workspace.fs.writeFile(pngUri, Buffer.from(png.slice(PNG_DATA_URL.length), 'base64'));
    void vscode.window.showInformationMessage(vscode.l10n.t('Stepwise: the graph is exported to {0} and {1}.', path.basename(svgUri.path), path.basename(pngUri.path)));
    return { svg: svgUri.fsPath, png: pngUri.fsPath };
  }
}
