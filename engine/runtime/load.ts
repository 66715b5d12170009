// Loading a task file to run it, and checking a run's input against the task's declarations.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintText, type LintOptions } from '../lint/index';
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
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  const declared = new Set(model.input.map((d) => d.name));
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) {
      const known = [...declared].join(', ') || 'none';
      problems.push(`'${name}' is not an input of task '${model.name}' (declared: ${known}).`);
    }
  }
  for (const decl of model.input) {
    const value = decl.name in given ? given[decl.name] : decl.hasDefault ? decl.default : undefined;
    if (value === undefined) {
      if (decl.required) problems.push(`input '${decl.name}' is required${decl.description ? ` (${decl.description})` : ''}.`);
      continue;
    }
    if (decl.type && !hasType(value, decl.type)) problems.push(`input '${decl.name}' must be of type ${decl.type}, not ${JSON.stringify(value)}.`);
    else if (decl.enum && !decl.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
      problems.push(`input '${decl.name}' must be one of ${decl.enum.map((e) => JSON.stringify(e)).join(', ')}, not ${JSON.stringify(value)}.`);
    }
    input[decl.name] = value;
  }
  if (problems.length) throw new InputError(problems.join('\n'));
  return input;
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

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return !!value && typeof value === 'object' && !Array.isArray(value);
    default:
      return true;
  }
}
