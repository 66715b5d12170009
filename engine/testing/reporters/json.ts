// The JSON reporter: one document, `{ cases: [{ file, task, name, status, message? }], passed, failed }`,
// with paths relative to the working folder.
import * as path from 'node:path';
import { failureMessage, type CaseResult } from '../suite';

export interface JsonCase {
  file: string;
  task: string;
  name: string;
  status: 'passed' | 'failed';
  message?: string;
}

export interface JsonReport {
  cases: JsonCase[];
  passed: number;
  failed: number;
}

export function jsonReport(cases: readonly CaseResult[], cwd = process.cwd()): JsonReport {
  const out: JsonCase[] = cases.map((r) => {
    const c: JsonCase = { file: rel(cwd, r.file), task: rel(cwd, r.taskFile), name: r.name, status: r.status };
    if (r.status === 'failed') c.message = failureMessage(r) ?? '';
    return c;
  });
  const passed = out.filter((c) => c.status === 'passed').length;
  return { cases: out, passed, failed: out.length - passed };
}

function rel(cwd: string, file: string): string {
  return (path.relative(cwd, file) || file).split(path.sep).join('/');
}
