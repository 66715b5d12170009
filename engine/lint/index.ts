// The linter: parse (YAML + shape + schema), then every rule over the model. Never throws.
import type { LineCounter } from 'yaml';
import { parseTaskDocument, type ParsedDocument } from '../model/parse';
import type { Diagnostic, Fix, Severity, TaskModel } from '../model/types';
import { LintContext, type LintOptions } from './context';
import { invalidDuration } from './durations';
import { invalidExpression, undeclaredInput } from './expressions';
import { finalWithTransitions, statusWithoutFinal } from './finals';
import { noFinalReachable, noWayOut, unreachableState } from './graph';
import { duplicateAs, unknownKind } from './instructions';
import { invalidBranch, invalidConcurrency, itemOutsideMap, mapWithoutItems, singleBranchParallel } from './fanout';
import { PARSE_RULES } from './parser';
import { scheduleInput } from './schedule-input';
import { invalidCron, invalidSchedule, unknownTimezone } from './schedules';
import { pluginArguments } from './plugins';
import type { Rule, RuleInfo } from './rule';
import { plainCredential, sqlQueryTemplate } from './integrations';
import { missingStart, unknownTarget } from './targets';
import { elseNeverTaken, shadowedTransition, unknownErrorKind } from './transitions';
import { isMap } from 'yaml';

export { applyEdits, LintContext, type InstructionEntry, type LintOptions } from './context';
export type { ExpressionSite } from './sites';
export type { Finding, Rule, RuleInfo } from './rule';

/** The rules run over the model, in the order they run. */
export const LINT_RULES: readonly Rule[] = [
  missingStart,
  unknownTarget,
  unreachableState,
  noWayOut,
  noFinalReachable,
  finalWithTransitions,
  statusWithoutFinal,
  shadowedTransition,
  elseNeverTaken,
  unknownErrorKind,
  invalidDuration,
  invalidExpression,
  undeclaredInput,
  duplicateAs,
  unknownKind,
  sqlQueryTemplate,
  plainCredential,
  invalidBranch,
  mapWithoutItems,
  invalidConcurrency,
  singleBranchParallel,
  itemOutsideMap,
  invalidSchedule,
  invalidCron,
  unknownTimezone,
  scheduleInput,
  pluginArguments,
];

/** Every diagnostic code the linter can emit: id, severity, description, docs page. */
export const RULES: readonly RuleInfo[] = [...PARSE_RULES, ...LINT_RULES].map(({ id, severity, description, docs }) => ({ id, severity, description, docs }));

export interface LintResult {
  model: TaskModel;
  diagnostics: Diagnostic[];
}

/** Parses and lints a task file's text: YAML, schema and rule diagnostics, sorted by position. */
export function lintText(text: string, options: LintOptions = {}): LintResult {
  let parsed: ParsedDocument;
  try {
    parsed = parseTaskDocument(text);
  } catch (err) {
    const end = Math.min(text.length, Math.max(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n')));
    const lineEnd = { line: 0, column: end, offset: end };
    return {
      model: { input: [], data: {}, states: [], range: { start: { line: 0, column: 0, offset: 0 }, end: lineEnd }, fields: {} },
      diagnostics: [{ code: 'internal', severity: 'error', message: `The file could not be read: ${errorText(err)}`, range: { start: { line: 0, column: 0, offset: 0 }, end: lineEnd } }],
    };
  }
  return lintParsed(parsed, options);
}

/** Lints an already parsed document (its diagnostics are kept, the rules' are added). */
export function lintParsed(parsed: ParsedDocument, options: LintOptions = {}): LintResult {
  const diagnostics = [...parsed.diagnostics];
  if (isMap(parsed.doc.contents)) {
    const context = new LintContext(parsed.text, parsed.doc, parsed.lineCounter as LineCounter, parsed.model, options);
    for (const r of LINT_RULES) diagnostics.push(...runRule(r, parsed.model, context));
  }
  return { model: parsed.model, diagnostics: sortDiagnostics(diagnostics) };
}

function runRule(r: Rule, model: TaskModel, context: LintContext): Diagnostic[] {
  try {
    return r.check(model, context).map((f) => {
      const d: Diagnostic = { code: r.id, severity: f.severity ?? r.severity, message: f.message, range: f.range };
      const fixes = [f.fix, ...(f.otherFixes ?? [])].filter((x): x is Fix => x !== undefined && x.edits.length > 0);
      if (fixes.length) d.fix = fixes[0];
      if (fixes.length > 1) d.otherFixes = fixes.slice(1);
      return d;
    });
  } catch (err) {
    // A rule's bug must not hide the other rules' findings, nor break the editor.
    return [{ code: 'internal', severity: 'info', message: `Lint rule '${r.id}' failed: ${errorText(err)}`, range: model.range.start === model.range.end ? model.range : { start: model.range.start, end: model.range.start } }];
  }
}

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort(
    (a, b) =>
      a.range.start.offset - b.range.start.offset ||
      a.range.end.offset - b.range.end.offset ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
