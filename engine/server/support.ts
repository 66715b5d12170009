// Small pieces shared by the server's parts: mocks per task, secrets, errors with a status.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseMocks, type Mocks } from '../runtime/mocks';
import type { LoadedTask } from '../runtime/run';

/** An error the API answers with: an HTTP status, a stable code and a message for people. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = 'ApiError';
  }
}

export const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Mocks for each task from the `mocks` setting: one file for every task, or a pattern in which
 * `${taskDir}` and `${taskName}` stand for the task file's folder and name (`deploy` for
 * deploy.task.yaml), so that each task takes the mocks file beside it; a task without one runs
 * unmocked. Files are read once (and again when they change).
 */
export function mocksResolver(setting: string | undefined): ((task: LoadedTask) => Mocks | undefined) | undefined {
  if (!setting) return undefined;
  const cache = new Map<string, { mtime: number; mocks: Mocks | undefined }>();
  const read = (file: string): Mocks | undefined => {
    let mtime: number;
    try {
      mtime = fs.statSync(file).mtimeMs;
    } catch {
      cache.set(file, { mtime: -1, mocks: undefined });
      return undefined;
    }
    const hit = cache.get(file);
    if (hit && hit.mtime === mtime) return hit.mocks;
    const mocks = parseMocks(fs.readFileSync(file, 'utf8'), file);
    cache.set(file, { mtime, mocks });
    return mocks;
  };
  const pattern = setting.includes('${');
  if (!pattern) read(path.resolve(setting)); // a missing or broken single file is an error at start
  return (task) => {
    if (!pattern) return read(path.resolve(setting));
    if (!task.file) return undefined;
    const taskDir = path.dirname(task.file);
    const taskName = path.basename(task.file).replace(/\.task\.ya?ml$/, '');
    const file = setting.replace(/\$\{taskDir\}/g, taskDir).replace(/\$\{taskName\}/g, taskName);
    return read(path.resolve(file));
  };
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
