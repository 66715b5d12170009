// Runs the cases of loaded test files, all at once (each is an independent run on its own virtual
// clock), and gathers their results and the coverage of the task files they ran.
import * as fs from 'node:fs';
import { lintText } from '../lint/index';
import type { TaskModel } from '../model/types';
import { addJournal, fileCoverage, type Coverage } from './coverage';
import { check, observe, type Failure } from './expect';
import type { LoadedTestFile } from './load';
import type { TestCaseModel } from './model';
import { runCase, type CaseRun } from './run-case';

export interface CaseResult {
  /** Absolute path of the test file. */
  file: string;
  /** Absolute path of the task file. */
  taskFile: string;
  name: string;
  /** 0-based line of the case's name. */
  line: number;
  status: 'passed' | 'failed';
  failures: Failure[];
  /** The states the run entered, in order. */
  path: string[];
  /** Virtual time the run took. */
  virtualMs: number;
  /** Wall-clock time of the case. */
  wallMs: number;
}

export interface SelectedCase {
  test: LoadedTestFile;
  case: TestCaseModel;
}

export interface SuiteResult {
  cases: CaseResult[];
  coverage: Coverage;
}

/** Every case of the files, in file and case order. The files must have no errors. */
export function allCases(tests: readonly LoadedTestFile[]): SelectedCase[] {
  return tests.flatMap((test) => test.model.cases.map((c) => ({ test, case: c })));
}

export async function runCases(selected: readonly SelectedCase[], options: { concurrency?: number; onResult?: (r: CaseResult, run: CaseRun) => void } = {}): Promise<SuiteResult> {
  const coverage: Coverage = new Map();
  const models = new Map<string, TaskModel | undefined>();
  for (const { test } of selected) if (test.taskFile && test.task) models.set(test.taskFile, test.task);
  const modelOf = (file: string) => {
    if (!models.has(file)) {
      let model: TaskModel | undefined;
      try {
        model = lintText(fs.readFileSync(file, 'utf8')).model;
      } catch {
        model = undefined;
      }
      models.set(file, model);
    }
    return models.get(file);
  };
  const count = (run: CaseRun) => {
    for (const r of run.runs) {
      if (!r.file) continue;
      let cov = coverage.get(r.file);
      if (!cov) {
        const model = modelOf(r.file);
        if (!model) continue;
        coverage.set(r.file, (cov = fileCoverage(r.file, model)));
      }
      addJournal(cov, r.journal);
    }
  };
  // Every task file a case runs shows in the coverage, run or not.
  for (const { test } of selected) if (test.taskFile && test.task && !coverage.has(test.taskFile)) coverage.set(test.taskFile, fileCoverage(test.taskFile, test.task));

  const results: CaseResult[] = new Array(selected.length);
  let next = 0;
  const worker = async () => {
    while (next < selected.length) {
      const i = next++;
      const { test, case: c } = selected[i];
      const started = performance.now();
      const run = await runCase({ model: test.task!, file: test.taskFile }, { input: c.input, mocks: c.mocks?.mocks ?? test.mocks, limitMs: c.expect.within?.ms });
      const failures = await check(c.expect, run);
      count(run);
      const seen = observe(run);
      results[i] = {
        file: test.file,
        taskFile: test.taskFile!,
        name: c.name,
        line: c.keyRange.start.line,
        status: failures.length ? 'failed' : 'passed',
        failures,
        path: seen.path,
        virtualMs: seen.elapsedMs,
        wallMs: performance.now() - started,
      };
      options.onResult?.(results[i], run);
    }
  };
  const n = Math.max(1, Math.min(options.concurrency ?? 64, selected.length));
  await Promise.all(Array.from({ length: n }, worker));
  return { cases: results, coverage };
}

/** A failed case's failures as one message. */
export function failureMessage(r: CaseResult): string | undefined {
  return r.status === 'failed' ? r.failures.map((f) => f.message).join('\n') : undefined;
}
