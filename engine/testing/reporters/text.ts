// The text reporter: each test file, its cases with ✓/✗, each failure indented under its case, and
// a closing count.
import * as path from 'node:path';
import type { Style } from '../../cli/report';
import { formatDuration } from '../../expr/duration';
import type { CaseResult } from '../suite';

export function formatTextReport(cases: readonly CaseResult[], st: Style, cwd = process.cwd(), wallMs?: number): string {
  const lines: string[] = [];
  let file: string | undefined;
  for (const r of cases) {
    if (r.file !== file) {
      file = r.file;
      lines.push(st.bold(path.relative(cwd, r.file) || r.file));
    }
    const took = st.dim(` (${formatDuration(Math.round(r.virtualMs))} virtual)`);
    if (r.status === 'passed') {
      lines.push(`  ${st.green('✓')} ${r.name}${took}`);
      continue;
    }
    lines.push(`  ${st.red('✗')} ${r.name}${took}`);
    for (const f of r.failures) for (const line of f.message.split('\n')) lines.push(`      ${colourDiffLine(line, st)}`);
  }
  const passed = cases.filter((c) => c.status === 'passed').length;
  const failed = cases.length - passed;
  const counts = [st.green(`${passed} passed`), failed ? st.red(`${failed} failed`) : `${failed} failed`].join(', ');
  lines.push('', `${counts}${wallMs === undefined ? '' : st.dim(` in ${formatDuration(Math.round(wallMs))}`)}`);
  return lines.join('\n');
}

function colourDiffLine(line: string, st: Style): string {
  if (/^\s*- /.test(line)) return st.red(line);
  if (/^\s*\+ /.test(line)) return st.green(line);
  return line;
}
