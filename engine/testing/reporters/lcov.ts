// Coverage as lcov tracefile text (what Codecov, Coveralls, genhtml and editors read): an SF record
// per task file, DA lines at each state's and each transition's line, BRDA entries for the
// transitions and catch entries of each state.
import * as path from 'node:path';
import type { Coverage } from '../coverage';

export function lcovReport(coverage: Coverage, cwd = process.cwd()): string {
  const out: string[] = [];
  for (const cov of [...coverage.values()].sort((a, b) => a.file.localeCompare(b.file))) {
    out.push('TN:', `SF:${path.relative(cwd, cov.file).split(path.sep).join('/') || cov.file}`);
    // Several elements on one line (flow style) make one DA line: covered only if all of them are.
    const lines = new Map<number, number>();
    for (const e of [...cov.states, ...cov.branches]) lines.set(e.line, Math.min(lines.get(e.line) ?? Infinity, e.hits));
    let block = 0;
    for (const s of cov.states) {
      const branches = cov.branches.filter((b) => b.state === s.state);
      // '-': the state was never entered, so its branches were not even reached.
      branches.forEach((b, i) => out.push(`BRDA:${s.line + 1},${block},${i},${s.hits > 0 ? b.hits : '-'}`));
      if (branches.length) block++;
    }
    out.push(`BRF:${cov.branches.length}`, `BRH:${cov.branches.filter((b) => b.hits > 0).length}`);
    const sorted = [...lines].sort((a, b) => a[0] - b[0]);
    for (const [line, hits] of sorted) out.push(`DA:${line + 1},${hits}`);
    out.push(`LF:${sorted.length}`, `LH:${sorted.filter(([, h]) => h > 0).length}`, 'end_of_record');
  }
  return out.length ? out.join('\n') + '\n' : '';
}
