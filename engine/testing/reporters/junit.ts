// The JUnit XML reporter (as CI systems read it): one <testsuite> per test file, one <testcase> per
// case, a <failure> with the message for each failed case.
import * as path from 'node:path';
import { failureMessage, type CaseResult } from '../suite';

export function junitReport(cases: readonly CaseResult[], cwd = process.cwd()): string {
  const byFile = new Map<string, CaseResult[]>();
  for (const r of cases) {
    const list = byFile.get(r.file) ?? [];
    list.push(r);
    byFile.set(r.file, list);
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = cases.reduce((s, r) => s + r.wallMs, 0);
  const failed = cases.filter((r) => r.status === 'failed').length;
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="stepwise" tests="${cases.length}" failures="${failed}" errors="0" time="${seconds(total)}">`];
  for (const [file, list] of byFile) {
    const name = (path.relative(cwd, file) || file).split(path.sep).join('/');
    const fails = list.filter((r) => r.status === 'failed').length;
    const time = list.reduce((s, r) => s + r.wallMs, 0);
    out.push(`  <testsuite name="${attr(name)}" tests="${list.length}" failures="${fails}" errors="0" skipped="0" time="${seconds(time)}">`);
    for (const r of list) {
      const open = `    <testcase name="${attr(r.name)}" classname="${attr(name)}" file="${attr(name)}" line="${r.line + 1}" time="${seconds(r.wallMs)}"`;
      if (r.status === 'passed') {
        out.push(`${open}/>`);
        continue;
      }
      const message = failureMessage(r) ?? '';
      const first = message.split('\n')[0];
      out.push(`${open}>`, `      <failure message="${attr(first)}" type="${attr(r.failures[0]?.key ?? 'run')}">${text(message)}</failure>`, '    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n');
}

/** XML 1.0 cannot hold most control characters at all, escaped or not. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
