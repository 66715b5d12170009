// The graph as a Mermaid flowchart, for docs and pull requests: a node per state (final states
// rounded, the start marked), an edge per transition with its label, catch entries dotted.
import type { GraphModel } from './model';
import type { LayoutDirection } from './types';

/** Mermaid's text in a quoted label: quotes and the characters its parser reads as markup, as entities. */
function label(s: string): string {
  return s.replace(/[#"<>&|]/g, (c) => `#${c.charCodeAt(0)};`);
}

export function graphMermaid(graph: GraphModel, direction: LayoutDirection = 'DOWN'): string {
  const ids = new Map<string, string>();
  graph.nodes.forEach((n, i) => ids.set(n.name, `s${i}`));
  const lines = [`flowchart ${direction === 'DOWN' ? 'TD' : 'LR'}`];
  for (const n of graph.nodes) {
    if (n.proxyOf) continue;
    const id = ids.get(n.name)!;
    const text = `"${label(n.missing ? `${n.name}?` : n.name)}"`;
    lines.push(`  ${id}${n.final ? `([${text}])` : `[${text}]`}`);
  }
  if (graph.start && ids.has(graph.start)) lines.push(`  start_(("start")) --> ${ids.get(graph.start)}`);
  for (const e of graph.edges) {
    const target = e.hub ?? e.target;
    const from = ids.get(e.source);
    const to = ids.get(target);
    if (!from || !to) continue;
    const arrow = e.kind === 'catch' ? '-.->' : e.dashed ? '-.->' : '-->';
    lines.push(`  ${from} ${arrow}${e.label ? `|"${label(e.label)}"|` : ''} ${to}`);
  }
  const finals = graph.nodes.filter((n) => n.final && !n.proxyOf);
  const failed = finals.filter((n) => n.status === 'failed').map((n) => ids.get(n.name));
  const missing = graph.nodes.filter((n) => n.missing).map((n) => ids.get(n.name));
  if (failed.length) lines.push(`  classDef failed stroke:#c4314b,stroke-width:2px`, `  class ${failed.join(',')} failed`);
  if (missing.length) lines.push(`  classDef missing stroke-dasharray:5 4`, `  class ${missing.join(',')} missing`);
  return lines.join('\n') + '\n';
}
