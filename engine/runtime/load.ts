// Loading a task file to run it, and checking a run's input against the task's declarations.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintText, type LintOptions } from '../lint/index';
import { checkInput, valueProblemText, type InputProblem } from '../model/inputs';
import type { Diagnostic, TaskModel } from '../model/types';
import type { LoadedTask } from './run';

export class TaskLoadError extends Error {
  constructor(readonly file: string, readonly diagnostics: Diagnostic[], detail?: string) {
    super(
      detail ??
        `${file} has ${diagnostics.length} error${diagnostics.length === 1 ? '' : 's'} and cannot run:\n` +
          diagnostics.map((d) => `  ${file}:${d.range.start.line + 1}:${d.range.start.column + 1}: ${d.message} [${d.code}]`).join('\n'),
    );
    this.name = 'TaskLoadError';
  }
}

/** Reads and lints a task file; a file with lint errors does not run. */
export function loadTaskFile(file: string, lint: LintOptions = {}): LoadedTask & { warnings: Diagnostic[] } {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new TaskLoadError(abs, [], e.code === 'ENOENT' ? `Task file not found: ${abs}` : `Cannot read ${abs}: ${e.message}`);
  }
  const { model, diagnostics } = lintText(text, lint);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new TaskLoadError(abs, errors);
  return { model, file: abs, source: text, warnings: diagnostics.filter((d) => d.severity !== 'error') };
}

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** The run's input: declared defaults overlaid by the given values, checked by type and enum. */
export function resolveInput(model: TaskModel, given: Record<string, unknown>): Record<string, unknown> {
  const { input, problems } = checkInput(model.input, given);
  if (problems.length) throw new InputError(problems.map((p) => problemText(model, p)).join('\n'));
  return input;
}

function problemText(model: TaskModel, p: InputProblem): string {
  switch (p.kind) {
    case 'undeclared':
      return `'${p.name}' is not an input of task '${model.name}' (declared: ${model.input.map((d) => d.name).join(', ') || 'none'}).`;
    case 'missing':
      return `input '${p.decl.name}' is required${p.decl.description ? ` (${p.decl.description})` : ''}.`;
    default:
      return `input '${p.decl.name}' ${valueProblemText(p)}.`;
  }
}

/** Converts a command-line text to the declared input type. */
export function coerceInput(model: TaskModel, name: string, text: string): unknown {
  const decl = model.input.find((d) => d.name === name);
  switch (decl?.type) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? n : text;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'object':
    case 'array':
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    default:
      return text;
  }
}
