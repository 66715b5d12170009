// Lint results as text, JSON or SARIF 2.1.0 (for code-scanning tools).
import * as path from 'node:path';
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

export function formatSarif(results: FileFindings[], rules: ReadonlyArray<{ id: string; description: string }>): string {
  const level = (s: Diagnostic['severity']) => (s === 'error' ? 'error' : s === 'warning' ? 'warning' : 'note');
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'stepwise',
            informationUri: 'https://github.com/stepwise/stepwise',
            rules: rules.map((r) => ({ id: r.id, shortDescription: { text: r.description } })),
          },
        },
        results: flatten(results).map((f) => ({
          ruleId: f.code,
          level: level(f.severity),
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file.split(path.sep).join('/') },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
