// A debug launch of one case of a test file (launch attribute `test`): the case's task, its input,
// and its mocks made hermetic as `stepwise test` runs them, plus the `path` it expects, for the stop
// where the run leaves it.
import * as path from 'node:path';
import type { TaskModel } from '../model/types';
import type { Mocks } from '../runtime/mocks';
import { hermeticMocks } from '../testing/hermetic';
import { loadTestFile } from '../testing/load';

export interface CaseLaunch {
  /** Absolute path of the test file. */
  testFile: string;
  /** Absolute path of the task file the case runs. */
  taskFile: string;
  input: Record<string, unknown>;
  /** The case's mocks (or the file's default ones), before they are made hermetic. */
  mocks: Mocks;
  /** The case's `expect.path`, when it has one. */
  path?: string[];
  /** 0-based line of the case's name. */
  line: number;
}

export class CaseLaunchError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(message);
    this.name = 'CaseLaunchError';
  }
}

export function loadCaseLaunch(test: unknown, cwd: string, readFile: (file: string) => string): CaseLaunch {
  const t = test as { file?: unknown; case?: unknown } | null;
  if (!t || typeof t !== 'object' || typeof t.file !== 'string' || typeof t.case !== 'string') {
    throw new CaseLaunchError(`'test' must be { "file": the *.test.yaml file, "case": the case's name }.`);
  }
  const file = path.resolve(cwd, t.file);
  let loaded;
  try {
    loaded = loadTestFile(file, readFile);
  } catch (err) {
    throw new CaseLaunchError(`Cannot read the test file ${file}: ${(err as Error).message}`, file);
  }
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const lines = errors.map((d) => `${file}:${d.range.start.line + 1}:${d.range.start.column + 1}: ${d.message}`);
    throw new CaseLaunchError(`The test file has ${errors.length} error${errors.length === 1 ? '' : 's'}, so its cases cannot run:\n${lines.join('\n')}`, file, errors[0].range.start.line);
  }
  const c = loaded.model.cases.find((x) => x.name === t.case);
  if (!c) throw new CaseLaunchError(`The test file ${file} has no case '${t.case}' (its cases: ${loaded.model.cases.map((x) => `'${x.name}'`).join(', ')}).`, file);
  return { testFile: file, taskFile: loaded.taskFile!, input: c.input, mocks: c.mocks?.mocks ?? loaded.mocks, path: c.expect.path?.states.map((s) => s.value), line: c.keyRange.start.line };
}

/** The case's mocks as a test runs them: an outside call with no mock fails, naming the mock to add. */
export function caseMocks(launch: CaseLaunch, task: TaskModel): Mocks {
  return hermeticMocks(launch.mocks, task);
}
