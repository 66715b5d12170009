// The templates of `Stepwise: New Task…`: the samples that run offline (samples/, shipped with the
// extension), each with its mocks file where it calls the network, plus an empty task. Pure: no
// `vscode`, no file access, so what a template becomes is decided here and read by the command.

export interface TaskTemplate {
  /** Stable id: the command's `template` argument, and the default file name (`<id>.task.yaml`) unless `fileBase` says otherwise. */
  id: string;
  fileBase?: string;
  label: string;
  /** One line for the quick pick. */
  description: string;
  /** The sample it copies, relative to the extension's root; none for the empty task. */
  sample?: string;
  /** The sample's mocks file, copied beside the task so that it runs offline. */
  mocks?: string;
  /** Whether a run needs the virtual clock to finish at once (its timers wait minutes or hours). */
  virtualClock?: boolean;
  /** Opens in the graph editor beside its text: a task to draw rather than to read. */
  opensGraph?: boolean;
}

export const TEMPLATES: readonly TaskTemplate[] = [
  { id: 'hello', label: 'Hello', description: 'An input with a default, a log line, a set and a final state', sample: 'samples/hello.task.yaml' },
  { id: 'health', label: 'Health check', description: 'Poll an HTTP endpoint every 10s until it is healthy, with a timeout', sample: 'samples/health.task.yaml', mocks: 'samples/health.mocks.yaml', virtualClock: true },
  { id: 'approval', label: 'Approval', description: 'Wait for an approved or rejected event, racing a 24h deadline', sample: 'samples/approval.task.yaml', mocks: 'samples/approval.mocks.yaml', virtualClock: true },
  { id: 'retry', label: 'Retry and recover', description: 'Retry an HTTP call with backoff; catch a failed command and recover', sample: 'samples/retry.task.yaml', mocks: 'samples/retry.mocks.yaml', virtualClock: true },
  { id: 'deploy', label: 'Deployment pipeline', description: 'Start a deployment, poll it, open a GitOps pull request, validate', sample: 'samples/deploy.task.yaml', mocks: 'samples/deploy.mocks.yaml', virtualClock: true },
  { id: 'exec', label: 'Local command', description: 'Run a local process (node) and branch on its exit code', sample: 'samples/exec.task.yaml' },
  { id: 'timeout', label: 'Task timeout', description: 'A whole-run time limit that cuts a long wait short', sample: 'samples/timeout.task.yaml', virtualClock: true },
  { id: 'empty', fileBase: 'my-task', label: 'Empty task', description: 'One state that logs a line and ends: draw the rest on the graph', opensGraph: true },
];

export const TASK_SUFFIX = '.task.yaml';
const MOCKS_SUFFIX = '.mocks.yaml';
/** The format's pattern for a task's `name` (engine/schema/task.schema.json). */
const TASK_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function templateById(id: string): TaskTemplate | undefined {
  return TEMPLATES.find((t) => t.id === id);
}

export function defaultBase(template: TaskTemplate): string {
  return template.fileBase ?? template.id;
}

/** The task's name for a file base name: the base itself where the format allows it. */
export function taskNameFor(base: string, fallback: string): string {
  return TASK_NAME.test(base) ? base : fallback;
}

/** `deploy` → `deploy.task.yaml`; a name given with its suffix (.task.yaml or .task.yml) stays as it is. */
export function taskFileName(name: string): string {
  const trimmed = name.trim();
  if (/\.task\.ya?ml$/i.test(trimmed)) return trimmed;
  return trimmed.replace(/\.ya?ml$/i, '') + TASK_SUFFIX;
}

export function baseOf(fileName: string): string {
  return fileName.replace(/\.task\.ya?ml$/i, '');
}

export function mocksFileName(base: string): string {
  return base + MOCKS_SUFFIX;
}

/** Why a file name cannot be used for a new task, or undefined when it can. */
export function fileNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return 'Give the task file a name, such as deploy.task.yaml.';
  if (/[\\/]/.test(trimmed)) return 'A file name only, without folders (the folder is chosen separately).';
  if (/[<>:"|?*\u0000-\u001f]/.test(trimmed)) return `'${trimmed}' has characters a file name cannot hold.`;
  if (baseOf(taskFileName(trimmed)).startsWith('.') || !baseOf(taskFileName(trimmed))) return 'The name needs something before .task.yaml.';
  return undefined;
}

/** The first of `<base>.task.yaml`, `<base>-2.task.yaml`, … for which `taken` says no. */
export function freeBase(base: string, taken: (base: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) if (!taken(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * A sample's text made into the user's file: its own file names (in the header's `Run:` line and
 * the mocks file's comments) become the new ones, `samples/` paths become paths beside the file,
 * and the task's `name` follows the file name.
 */
export function instantiate(text: string, template: TaskTemplate, base: string): string {
  const out = text.replace(new RegExp(`(?:samples/)?${escape(template.id)}\\.(task|mocks)\\.yaml`, 'g'), (_m, kind: string) => `${base}.${kind}.yaml`);
  return out.replace(new RegExp(`^name: ${escape(template.id)}$`, 'm'), `name: ${taskNameFor(base, template.id)}`);
}

/** The empty task: the smallest file that lints clean and runs, one state to grow from. */
export function emptyTask(base: string): string {
  const name = taskNameFor(base, 'task');
  return [
    `# ${base}${TASK_SUFFIX}: describe what this task does and what to expect.`,
    '#',
    `# Run:   npx stepwise run ${base}${TASK_SUFFIX}`,
    'version: 1',
    `name: ${name}`,
    'description: What this task is for',
    'start: begin',
    'states:',
    '  begin:',
    '    do:',
    `      - log: "${name} ran"`,
    '    final: true',
    '',
  ].join('\n');
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
