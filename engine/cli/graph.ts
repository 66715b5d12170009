// `stepwise graph FILE --format svg|mermaid`: the task's graph for docs and pull requests, drawn
// from the same graph model and ELK layout as the graph editor. ELK is loaded only here.
import * as fs from 'node:fs';
import { Command, Option } from 'commander';
import { graphMermaid } from '../graph/mermaid';
import { graphOf, withProxies } from '../graph/model';
import { DARK_PALETTE, graphSvg, LIGHT_PALETTE } from '../graph/svg';
import { outlineOf } from '../graph/types';
import { lintText } from '../lint/index';

interface GraphOptions {
  format: 'svg' | 'mermaid';
  out?: string;
  direction: 'down' | 'right';
  theme: 'light' | 'dark';
}

/** The picture of a task file's text; a YAML error says where and stops (exit 2). */
export async function renderGraph(text: string, file: string, opts: GraphOptions): Promise<{ output?: string; error?: string }> {
  const { model, diagnostics } = lintText(text);
  const broken = diagnostics.find((d) => d.code === 'yaml-syntax' && d.severity === 'error');
  if (broken) return { error: `${file}:${broken.range.start.line + 1}:${broken.range.start.column + 1}: ${broken.message} (the YAML must be readable to draw its graph)` };
  const graph = withProxies(graphOf(outlineOf(model), diagnostics));
  const direction = opts.direction === 'right' ? 'RIGHT' : 'DOWN';
  if (opts.format === 'mermaid') return { output: graphMermaid(graph, direction) };
  // Loaded here only: ELK is large, and no other command needs it. A require, not an import():
  // the CLI's bundle runs as a vm.Script (engine/cli/start.ts), which has no loader for import().
  const { layoutGraph } = require('../graph/elkNode') as typeof import('../graph/elkNode');
  const layout = await layoutGraph(graph, direction);
  return { output: graphSvg({ graph, positions: layout.positions, routes: layout.routes, direction, palette: opts.theme === 'dark' ? DARK_PALETTE : LIGHT_PALETTE, title: model.name ?? file }) };
}

export function graphCommand(): Command {
  return new Command('graph')
    .description("draw a task file's graph as SVG or Mermaid (to stdout, or --out FILE)")
    .argument('<file>', 'a task file')
    .addOption(new Option('--format <format>', 'output format').choices(['svg', 'mermaid']).default('svg'))
    .addOption(new Option('--direction <direction>', 'layout direction').choices(['down', 'right']).default('down'))
    .addOption(new Option('--theme <theme>', 'colours of the SVG').choices(['light', 'dark']).default('light'))
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (file: string, opts: GraphOptions) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        process.stderr.write(`error: cannot read ${file}: ${(e as Error).message}\n`);
        process.exitCode = 2;
        return;
      }
      const r = await renderGraph(text, file, opts);
      if (r.error) {
        process.stderr.write(`error: ${r.error}\n`);
        process.exitCode = 2;
        return;
      }
      if (opts.out) fs.writeFileSync(opts.out, r.output!);
      else process.stdout.write(r.output!);
    });
}
