// Names the graph editor makes up. Pure and dependency-free, so the webview can use it too.

/** What a task's `name` may be (the task format). */
export const TASK_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * A task name made from a file name (`deploy prod.task.yaml` -> `deploy-prod`): the characters a
 * name may not hold become `-`, and a name that does not start with a letter gets `task-` before it.
 */
export function taskNameFor(fileName: string): string {
  const base = fileName.replace(/^.*[\\/]/, '').replace(/\.task\.ya?ml$/i, '').replace(/\.ya?ml$/i, '');
  const cleaned = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '');
  if (!cleaned) return 'task';
  return TASK_NAME.test(cleaned) ? cleaned : `task-${cleaned}`;
}

/** A free state name: `base` itself when free (and given), else `base-2`, `base-3`…, or `state1`, `state2`… */
export function freeStateName(taken: Iterable<string>, base?: string): string {
  const names = new Set(taken);
  if (base) {
    if (!names.has(base)) return base;
    for (let i = 2; ; i++) if (!names.has(`${base}-${i}`)) return `${base}-${i}`;
  }
  for (let i = 1; ; i++) if (!names.has(`state${i}`)) return `state${i}`;
}
