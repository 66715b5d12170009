// What the runs of a server may load: only the tasks it serves. `call` names a file relative to the
// calling task, so without this a served task could make the server run any file it can read, or
// show a file's keys in the lint errors of a failed call. The served tasks are the *.task.yaml
// files under --tasks that lint clean, not reached through a symbolic link (the registry, and the
// database's copy of it on PostgreSQL); nothing else is read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isOutside } from '../paths';
import { TaskLoadError } from '../runtime/load';
import type { LoadedTask } from '../runtime/run';
import type { TaskRegistry } from './tasks';

/** A served task by its file, else the refusal. */
export function servedTask(registry: TaskRegistry, file: string): LoadedTask {
  const task = registry.getByFile(file)?.task;
  if (!task) throw notServed(file, registry);
  return task;
}

/** Why a file is not a served task, as precisely as this process can tell (a worker-only process has no registry). */
export function notServed(file: string, registry?: TaskRegistry): TaskLoadError {
  const abs = path.resolve(file);
  const rejected = registry?.rejectedFile(abs);
  if (rejected) {
    const errors = rejected.errors.map((e) => `  ${abs}:${e.line}:${e.column}: ${e.message} [${e.code}]`);
    return new TaskLoadError(abs, [], `${abs} does not lint clean, so it cannot run:\n${errors.join('\n')}`);
  }
  if (registry && outside(abs, registry.dir)) {
    return new TaskLoadError(
      abs,
      [],
      `${abs} is outside the served tasks folder ${registry.dir}: stepwise serve runs, and lets its tasks call, only the task files under its --tasks folder (not through a symbolic link).`,
    );
  }
  return new TaskLoadError(
    abs,
    [],
    `${abs} is not a served task: stepwise serve runs, and lets its tasks call, only the *.task.yaml files under its --tasks folder that lint clean (GET /v1/tasks lists them).`,
  );
}

/** Whether `file` is out of `dir`, by its path or, where it exists, by where its links lead. */
function outside(file: string, dir: string): boolean {
  if (isOutside(file, dir)) return true;
  try {
    return isOutside(fs.realpathSync(file), fs.realpathSync(dir));
  } catch {
    return false;
  }
}
