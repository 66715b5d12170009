// What a launch names, read and checked before anything runs: the task file (linted), the mocks
// file, the input against the task's declarations, the secrets. Every problem is a LaunchError
// that names the file, the line and what is wrong.
import { SecretsError, secretsFromEnv } from '../secrets/env';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintText, type LintOptions } from '../lint/index';
import { InputError, resolveInput } from '../runtime/load';
import { MocksError, NO_MOCKS, parseMocks, type Mocks } from '../runtime/mocks';
import type { LoadedTask } from '../runtime/run';
import { fileStore } from '../store/file';
import { memoryStore } from '../store/memory';
import type { RunStore } from '../store/store';
import { caseMocks, CaseLaunchError, loadCaseLaunch, type CaseLaunch } from './test-case';

/** How the debugger reads files: the extension passes one that sees unsaved editors. */
export interface FileAccess {
  /** A file's text; throws (with `code: 'ENOENT'` for a missing file) when it cannot be read. */
  readFile(file: string): string;
}

export const nodeFileAccess: FileAccess = { readFile: (file) => fs.readFileSync(file, 'utf8') };

/** The launch attributes (launch.json) the debugger understands. */
export interface LaunchConfig {
  /** The task file to debug (relative paths start at `cwd`). */
  program: string;
  /** Input values, checked against the task's declarations. */
  input?: Record<string, unknown>;
  /** A mocks file (see docs/format.md). */
  mocks?: string;
  /** `real` (default) or `virtual`: timers jump; "step in" stops where the run waits. */
  clock?: 'real' | 'virtual';
  /** Stop before the first state. */
  stopOnEntry?: boolean;
  /** `memory` (default) or a folder for the journals (e.g. `.stepwise/runs`). */
  store?: string;
  /** Where relative paths start; default: the program's folder. */
  cwd?: string;
  /** Values of `secrets.*` in addition to the STEPWISE_SECRET_* environment variables. */
  secrets?: Record<string, string>;
  /** After a step back, reuse the recorded http/exec results while the run takes the same steps (default true). */
  reuseResults?: boolean;
  /** Run without debugging (VS Code's Ctrl+F5): no stops at all. */
  noDebug?: boolean;
  /** Debug a case of a test file instead of `program`: its task, input and mocks, on the virtual clock. */
  test?: { file: string; case: string };
  /** With `test`: stop where the run enters a state other than the one the case's `path` has there. */
  stopOnDivergence?: boolean;
  /**
   * Replay the recorded run with this id (from `store`, default .stepwise/runs) instead of starting
   * one: nothing is executed; `program` is not needed (the run names its task). See replay.ts.
   */
  replay?: string;
  /** With `replay`: the URL of the Stepwise server the run is on (read through its REST API instead of `store`). */
  server?: string;
  /** With `server`: its bearer token (default: the STEPWISE_TOKEN environment variable). */
  token?: string;
}

/** A launch that cannot start: the message names the file, line and problem. */
export class LaunchError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number, readonly column?: number) {
    super(message);
    this.name = 'LaunchError';
  }
}

/** Everything a launch names, checked. */
export interface Launch {
  config: LaunchConfig;
  cwd: string;
  task: LoadedTask;
  mocks: Mocks;
  input: Record<string, unknown>;
  secrets: Record<string, string>;
  /** With `test` and `stopOnDivergence`: the case's `path`, to stop where the run leaves it. */
  expectedPath?: string[];
}

/** Reads, lints and checks everything a launch names; throws LaunchError. */
export function loadLaunch(config: LaunchConfig, files: FileAccess, env: Record<string, string | undefined>, lint: LintOptions = {}): Launch {
  if (!config || typeof config !== 'object') throw new LaunchError('The launch configuration must be an object.');
  let testCase: CaseLaunch | undefined;
  if (config.test !== undefined) {
    try {
      testCase = loadCaseLaunch(config.test, path.resolve(typeof config.cwd === 'string' && config.cwd ? config.cwd : '.'), (f) => files.readFile(f));
    } catch (err) {
      if (err instanceof CaseLaunchError) throw new LaunchError(err.message, err.file, err.line);
      throw err;
    }
    // A case runs as `stepwise test` runs it: its own task, input and mocks, on the virtual clock.
    config = { ...config, program: testCase.taskFile, input: testCase.input, mocks: undefined, clock: 'virtual' };
  }
  if (typeof config.program !== 'string' || !config.program.trim()) {
    throw new LaunchError("The launch configuration needs 'program': the *.task.yaml file to debug.");
  }
  if (config.clock !== undefined && config.clock !== 'real' && config.clock !== 'virtual') {
    throw new LaunchError(`'clock' must be "real" or "virtual", not ${JSON.stringify(config.clock)}.`);
  }
  if (config.input !== undefined && (!config.input || typeof config.input !== 'object' || Array.isArray(config.input))) {
    throw new LaunchError("'input' must be an object of input names to values.");
  }
  const cwd = path.resolve(typeof config.cwd === 'string' && config.cwd ? config.cwd : path.dirname(path.resolve(config.program)));
  const file = path.resolve(cwd, config.program);
  const task = loadTask(files, file, (message, line, column) => new LaunchError(message, file, line, column), lint);
  let mocks = testCase ? caseMocks(testCase, task.model) : NO_MOCKS;
  if (config.mocks) {
    const mocksFile = path.resolve(cwd, config.mocks);
    let text: string;
    try {
      text = files.readFile(mocksFile);
    } catch (err) {
      throw new LaunchError(`${notFound(err) ? 'Mocks file not found' : 'Cannot read the mocks file'}: ${mocksFile}`, mocksFile);
    }
    try {
      mocks = parseMocks(text, mocksFile);
    } catch (err) {
      if (err instanceof MocksError) throw new LaunchError(err.message, mocksFile, err.line - 1, err.column - 1);
      throw err;
    }
  }
  let input: Record<string, unknown>;
  try {
    input = resolveInput(task.model, config.input ?? {});
  } catch (err) {
    if (err instanceof InputError) throw new LaunchError(`Invalid input for ${file}:\n  ${err.message.split('\n').join('\n  ')}`, file);
    throw err;
  }
  const expectedPath = config.stopOnDivergence === true ? testCase?.path : undefined;
  return { config, cwd, task, mocks, input, secrets: launchSecrets(config, env), expectedPath };
}

/** The values of `secrets.*`: STEPWISE_SECRET_* (and *_FILE) from the environment, then the launch's own. */
export function launchSecrets(config: LaunchConfig, env: Record<string, string | undefined>): Record<string, string> {
  let secrets: Record<string, string>;
  try {
    secrets = secretsFromEnv(env);
  } catch (err) {
    if (err instanceof SecretsError) throw new LaunchError(err.message);
    throw err;
  }
  if (config.secrets && typeof config.secrets === 'object') for (const [k, v] of Object.entries(config.secrets)) if (typeof v === 'string') secrets[k] = v;
  return secrets;
}

/** Reads and lints a task file; `fail` makes the error for a file that is missing or not clean. */
export function loadTask(files: FileAccess, file: string, fail: (message: string, line?: number, column?: number) => Error, lint: LintOptions = {}): LoadedTask {
  let text: string;
  try {
    text = files.readFile(file);
  } catch (err) {
    throw fail(notFound(err) ? `Task file not found: ${file}` : `Cannot read ${file}: ${(err as Error).message}`);
  }
  const { model, diagnostics } = lintText(text, lint);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) {
    const first = errors[0];
    const lines = errors.map((d) => `${file}:${d.range.start.line + 1}:${d.range.start.column + 1}: ${d.message} [${d.code}]`);
    throw fail(`${file} does not lint clean (${errors.length} error${errors.length === 1 ? '' : 's'}), so it cannot run:\n${lines.join('\n')}`, first.range.start.line, first.range.start.column);
  }
  return { model, file, source: text };
}

export function defaultOpenStore(spec: string, cwd: string): RunStore {
  return spec === 'memory' ? memoryStore() : fileStore(path.resolve(cwd, spec));
}

function notFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}
