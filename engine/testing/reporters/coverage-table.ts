// The coverage table printed by `stepwise test --coverage`: per task file, states entered and
// transitions taken (with catch entries), then what was missed.
import * as path from 'node:path';
import type { Style } from '../../cli/report';
import { summary, type Coverage } from '../coverage';

export function coverageTable(coverage: Coverage, st: Style, cwd = process.cwd()): string {
  const files = [...coverage.values()].sort((a, b) => a.file.localeCompare(b.file));
  const pct = (n: { covered: number; total: number }) => (n.total ? `${((100 * n.covered) / n.total).toFixed(0)}%` : '-');
  const rows = files.map((cov) => {
    const s = summary(cov);
    return [path.relative(cwd, cov.file) || cov.file, `${s.states.covered}/${s.states.total}`, pct(s.states), `${s.branches.covered}/${s.branches.total}`, pct(s.branches)];
  });
  const header = ['TASK FILE', 'STATES', '%', 'TRANSITIONS', '%'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [st.bold(fmt(header)), ...rows.map(fmt)];
  for (const cov of files) {
    const states = cov.states.filter((s) => s.hits === 0).map((s) => s.state);
    const branches = cov.branches.filter((b) => b.hits === 0).map((b) => `${b.state} → ${b.to ?? '?'}${b.kind === 'catch' ? ' (catch)' : ''}`);
    if (!states.length && !branches.length) continue;
    lines.push(st.dim(`${path.relative(cwd, cov.file) || cov.file}:`));
    if (states.length) lines.push(st.dim(`  not entered: ${states.join(', ')}`));
    if (branches.length) lines.push(st.dim(`  not taken: ${branches.join(', ')}`));
  }
  return lines.join('\n');
}
