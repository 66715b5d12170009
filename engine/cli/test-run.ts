// What `stepwise test` does: find the test files, lint them with their task and mocks files (exit 2
// on an error), run every case, report, and write the coverage when asked.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadTestFile, type LoadedTestFile } from '../testing/load';
import { TEST_FILE } from '../testing/model';
import { coverageTable } from '../testing/reporters/coverage-table';
import { jsonReport } from '../testing/reporters/json';
import { junitReport } from '../testing/reporters/junit';
import { lcovReport } from '../testing/reporters/lcov';
import { formatTextReport } from '../testing/reporters/text';
import { allCases, runCases } from '../testing/suite';
import { expandFiles } from './files';
import { formatText } from './lint-output';
import { style, useColour } from './report';

export interface TestOptions {
  reporter: 'text' | 'json' | 'junit';
  coverage?: boolean;
}

export const LCOV_FILE = path.join('coverage', 'lcov.info');

export async function runTests(patterns: string[], opts: TestOptions, cwd = process.cwd()): Promise<number> {
  const out = style(opts.reporter === 'text' && useColour(process.stdout));
  const err = style(useColour(process.stderr));
  const { files, missing } = expandFiles(patterns.length ? patterns : ['.'], cwd, TEST_FILE);
  if (missing.length) {
    process.stderr.write(`${err.red('error:')} no test file (*.test.yaml) matches: ${missing.join(', ')}\n`);
    return 2;
  }
  const tests: LoadedTestFile[] = [];
  for (const file of files) {
    try {
      tests.push(loadTestFile(path.resolve(cwd, file)));
    } catch (e) {
      process.stderr.write(`${err.red('error:')} cannot read ${file}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const broken = tests.filter((t) => t.diagnostics.some((d) => d.severity === 'error'));
  if (broken.length) {
    const findings = broken.map((t) => ({ file: path.relative(cwd, t.file), diagnostics: t.diagnostics.filter((d) => d.severity === 'error') }));
    process.stderr.write(formatText(findings, err) + '\n');
    return 2;
  }
  const started = performance.now();
  const { cases, coverage } = await runCases(allCases(tests));
  const wallMs = performance.now() - started;
  if (opts.reporter === 'json') process.stdout.write(JSON.stringify(jsonReport(cases, cwd), null, 2) + '\n');
  else if (opts.reporter === 'junit') process.stdout.write(junitReport(cases, cwd) + '\n');
  else process.stdout.write(formatTextReport(cases, out, cwd, wallMs) + '\n');
  if (opts.coverage) {
    const target = path.join(cwd, LCOV_FILE);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, lcovReport(coverage, cwd));
    // The table must not break a JSON or XML report on stdout.
    const stream = opts.reporter === 'text' ? process.stdout : process.stderr;
    stream.write(`\n${coverageTable(coverage, opts.reporter === 'text' ? out : err, cwd)}\n${(opts.reporter === 'text' ? out : err).dim(`lcov written to ${LCOV_FILE}`)}\n`);
  }
  return cases.some((c) => c.status === 'failed') ? 1 : 0;
}
