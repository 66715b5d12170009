// Problems found while reading the file (parse.ts and the schema check). They have no check of
// their own here: the entries describe the codes so that every code the linter emits is listed,
// with a docs page.
import { MAX_NESTING } from '../model/nesting';
import type { RuleInfo } from './rule';

const info = (id: string, severity: RuleInfo['severity'], description: string): RuleInfo => ({ id, severity, description, docs: `docs/rules/${id}.md` });

export const PARSE_RULES: RuleInfo[] = [
  info('yaml-syntax', 'error', 'The text is not valid YAML (what can be read is still checked).'),
  info('too-deep', 'error', `Mappings and lists nested more than ${MAX_NESTING} levels deep: the file is not read further.`),
  info('yaml-warning', 'warning', 'YAML that reads, but probably not as meant (e.g. an unknown tag).'),
  info('schema', 'error', 'A key, value or shape the task format does not allow (unknown key, missing field, wrong type).'),
  info('duplicate-state', 'error', 'Two states with the same name: the later one is ignored.'),
  info('duplicate-key', 'error', 'A key given twice in one mapping: the later value is ignored.'),
];
