// Export: the graph as the canvas shows it (positions, pins, routes, a shown run's marks) drawn by
// engine/graph/svg.ts in the current theme's colours, and a PNG of that SVG at twice its size.
import type { EdgeRoute } from '../../engine/graph/layout';
import type { GraphModel } from '../../engine/graph/model';
import { DARK_PALETTE, graphSvg, LIGHT_PALETTE, type SvgPalette } from '../../engine/graph/svg';
import type { DebugView, LayoutDirection, Point } from '../protocol';

/** The theme's colours, as VS Code's variables give them (the built-in palette for any it lacks). */
export function themePalette(): SvgPalette {
  const style = getComputedStyle(document.body);
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const base = dark ? DARK_PALETTE : LIGHT_PALETTE;
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    ...base,
    background: v('--vscode-editor-background', base.background),
    node: v('--vscode-editorWidget-background', base.node),
    border: v('--vscode-editorWidget-border', base.border),
    text: v('--vscode-editor-foreground', base.text),
    muted: v('--vscode-descriptionForeground', base.muted),
    taken: v('--vscode-textLink-foreground', base.taken),
    failed: v('--vscode-testing-iconFailed', base.failed),
    succeeded: v('--vscode-testing-iconPassed', base.succeeded),
    label: v('--vscode-button-foreground', base.label),
    font: v('--vscode-font-family', base.font),
    mono: v('--vscode-editor-font-family', base.mono),
  };
}

export interface ExportInput {
  graph: GraphModel;
  position(id: string): Point;
  routes: Record<string, EdgeRoute>;
  direction: LayoutDirection;
  overlay?: DebugView;
  title: string;
}

export function exportSvg(input: ExportInput): string {
  const positions = Object.fromEntries(input.graph.nodes.map((n) => [n.name, input.position(n.name)]));
  return graphSvg({ graph: input.graph, positions, routes: input.routes, direction: input.direction, palette: themePalette(), overlay: input.overlay?.visited.length || input.overlay?.run ? input.overlay : undefined, title: input.title });
}

/** The PNG of an SVG document (a data: URL), drawn at `scale` times its size. */
export function svgToPng(svg: string, scale = 2): Promise<string> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = Math.ceil(img.naturalWidth * scale);
      canvas.height = Math.ceil(img.naturalHeight * scale);
      const ctx = canvas.getContext('2d');
      if (!ctx) return reject(new Error('no 2D canvas'));
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0);
      resolve(canvas.toDataURL('image/png'));
    };
    img.onerror = () => reject(new Error('the SVG could not be drawn'));
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  });
}
