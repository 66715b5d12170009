// A run's input against the task's `input:` declarations: what the engine checks when a run starts
// (runtime/load.ts resolveInput) and what the linter checks ahead of time for a schedule's input
// (lint/schedule-input.ts), so that both agree on what a run accepts.
import type { InputDecl } from './types';

export type InputProblem =
  | { kind: 'undeclared'; name: string }
  | { kind: 'missing'; decl: InputDecl }
  | { kind: 'type'; decl: InputDecl; value: unknown }
  | { kind: 'enum'; decl: InputDecl; value: unknown };

export interface CheckedInput {
  /** The declared defaults overlaid by the given values (the values with a problem included). */
  input: Record<string, unknown>;
  problems: InputProblem[];
}

/** Checks given values against the declarations: unknown names, required inputs, types and enums. */
export function checkInput(declared: readonly InputDecl[], given: Record<string, unknown>): CheckedInput {
  const input: Record<string, unknown> = {};
  const problems: InputProblem[] = [];
  const names = new Set(declared.map((d) => d.name));
  for (const name of Object.keys(given)) if (!names.has(name)) problems.push({ kind: 'undeclared', name });
  for (const decl of declared) {
    // Own keys only: an input named like an Object.prototype member is not given by every object.
    const value = Object.hasOwn(given, decl.name) ? given[decl.name] : decl.hasDefault ? decl.default : undefined;
    if (value === undefined) {
      if (decl.required) problems.push({ kind: 'missing', decl });
      continue;
    }
    if (decl.type && !hasType(value, decl.type)) problems.push({ kind: 'type', decl, value });
    else if (decl.enum && !decl.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) problems.push({ kind: 'enum', decl, value });
    input[decl.name] = value;
  }
  return { input, problems };
}

/** What a value with a type or enum problem must be instead: "must be of type number, not "x"". */
export function valueProblemText(p: Extract<InputProblem, { kind: 'type' | 'enum' }>): string {
  const got = JSON.stringify(p.value);
  return p.kind === 'type' ? `must be of type ${p.decl.type}, not ${got}` : `must be one of ${p.decl.enum!.map((e) => JSON.stringify(e)).join(', ')}, not ${got}`;
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
