// What a lint rule is: a stable id, a severity, and a check over the parsed model.
import type { Fix, Range, Severity, TaskModel } from '../model/types';
import type { LintContext } from './context';

/** One problem a rule found. The runner turns it into a Diagnostic with the rule's id as code. */
export interface Finding {
  message: string;
  range: Range;
  fix?: Fix;
  otherFixes?: Array<Fix | undefined>;
  /** Overrides the rule's severity for this finding. */
  severity?: Severity;
}

export interface RuleInfo {
  /** Stable id; it is the diagnostic's `code`. */
  id: string;
  severity: Severity;
  /** One line: what the rule finds. */
  description: string;
  /** The rule's page, relative to the repository root. */
  docs: string;
}

export interface Rule extends RuleInfo {
  check(model: TaskModel, context: LintContext): Finding[];
}

export function rule(id: string, severity: Severity, description: string, check: Rule['check']): Rule {
  return { id, severity, description, docs: `docs/rules/${id}.md`, check };
}
