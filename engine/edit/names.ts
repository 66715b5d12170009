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
