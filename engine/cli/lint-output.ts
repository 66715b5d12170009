// Lint results as text or JSON (SARIF: sarif.ts).
import type { Diagnostic } from '../model/types';
import type { Style } from './report';

export interface FileFindings {
  file: string;
  diagnostics: Diagnostic[];
}

export interface FlatFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Diagnostic['severity'];
  code: string;
  message: string;
}

/** 1-based lines and columns, as editors and terminals count them. */
export function flatten(results: FileFindings[]): FlatFinding[] {
  return results.flatMap(({ file, diagnostics }) =>
    diagnostics.map((d) => ({
      file,
      line: d.range.start.line + 1,
      column: d.range.start.column + 1,
      endLine: d.range.end.line + 1,
      endColumn: d.range.end.column + 1,
      severity: d.severity,
      code: d.code,
      message: d.message,
    })),
  );
}

export function formatText(results: FileFindings[], st: Style): string {
  const lines: string[] = [];
  for (const f of flatten(results)) {
    const sev = f.severity === 'error' ? st.red('error') : f.severity === 'warning' ? st.yellow('warning') : st.cyan('info');
    lines.push(`${f.file}:${f.line}:${f.column}: ${sev} ${f.message} ${st.dim(`[${f.code}]`)}`);
  }
  const all = flatten(results);
  const errors = all.filter((f) => f.severity === 'error').length;
  const warnings = all.filter((f) => f.severity === 'warning').length;
  const files = results.length;
  lines.push(
    errors + warnings === 0
      ? st.green(`${files} file${files === 1 ? '' : 's'} checked, no problems.`)
      : `${files} file${files === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`,
  );
  return lines.join('\n');
}
