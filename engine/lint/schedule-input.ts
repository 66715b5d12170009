// schedule-input: the `input` a schedule gives its runs, checked against the task's declarations
// the way the engine checks it when the scheduled run starts (model/inputs.ts), so that a
// misspelt, missing or wrong value is found while editing rather than by a failed run at night.
import type { Node } from 'yaml';
import { checkInput, valueProblemText, type InputProblem } from '../model/inputs';
import type { Fix, Range, ScheduleModel } from '../model/types';
import { nearest } from '../schema/suggest';
import { nodeSpan, replaceScalar } from '../schema/yamltext';
import type { LintContext } from './context';
import { rule, type Finding } from './rule';

export const scheduleInput = rule('schedule-input', 'error', "A schedule's `input` that names an undeclared input, leaves out a required one, or gives a value of the wrong type or outside the `enum`.", (model, ctx) => {
  const out: Finding[] = [];
  for (const s of model.schedule ?? []) {
    // An `input` that is not a mapping is the schema's finding.
    if (s.fields.input && !s.input) continue;
    const given = s.input ?? {};
    for (const p of checkInput(model.input, given).problems) out.push(finding(ctx, s, given, p));
  }
  return out;
});

function finding(ctx: LintContext, s: ScheduleModel, given: Record<string, unknown>, p: InputProblem): Finding {
  const which = `Schedule ${s.index + 1}`;
  const path = ['schedule', s.index, 'input'];
  const inputRange = s.fields.input ? ctx.valueRange(path, s.range) : s.range;
  if (p.kind === 'missing') {
    const at = s.fields.input?.key ?? s.fields.cron?.key ?? s.fields.every?.key;
    const todo = s.fields.input ? "add it under the schedule's 'input:'" : `add 'input: { ${p.decl.name}: ... }' to the schedule`;
    return { message: `${which} does not give input '${p.decl.name}', which the task requires and has no default for: ${todo}.`, range: at ? ctx.range(at.start.offset, at.end.offset) : s.range };
  }
  const name = p.kind === 'undeclared' ? p.name : p.decl.name;
  const entry = ctx.node([...path, name]);
  if (p.kind === 'undeclared') {
    const declared = ctx.model.input.map((d) => d.name);
    const suggestion = nearest(name, declared.filter((d) => !Object.hasOwn(given, d)));
    const key = written(entry?.key, s.range);
    const edit = suggestion && key ? replaceScalar(key, suggestion) : undefined;
    const list = declared.length ? `inputs: ${declared.join(', ')}` : 'it declares none';
    return {
      message: `${which}'s input '${name}' is not an input of the task (${list}): ${suggestion ? `did you mean '${suggestion}'?` : "remove it, or declare it under the task's 'input:'."}`,
      range: spanRange(ctx, key) ?? inputRange,
      fix: edit ? { title: `Rename to '${suggestion}'`, edits: [edit] } : undefined,
    };
  }
  const value = written(entry?.node, s.range);
  let todo = 'change the value.';
  let fix: Fix | undefined;
  if (p.kind === 'type' && p.decl.type === 'string' && (typeof p.value === 'number' || typeof p.value === 'boolean')) {
    todo = 'change the value (quote it to make it a string).';
  } else if (p.kind === 'enum' && typeof p.value === 'string') {
    const suggestion = nearest(p.value, p.decl.enum!.filter((e): e is string => typeof e === 'string'));
    const edit = suggestion !== undefined && value ? replaceScalar(value, suggestion) : undefined;
    if (suggestion !== undefined) todo = `did you mean '${suggestion}'?`;
    if (edit) fix = { title: `Change to '${suggestion}'`, edits: [edit] };
  }
  return { message: `${which}'s input '${name}' ${valueProblemText(p)}: ${todo}`, range: spanRange(ctx, value) ?? inputRange, fix };
}

/**
 * The node when the schedule itself writes it. A key or value reached through an alias is written
 * where its anchor is, maybe shared with other places: the finding goes on the schedule's input
 * and nothing there is rewritten.
 */
function written(node: Node | undefined, schedule: Range): Node | undefined {
  const span = nodeSpan(node);
  if (!node || !span || span[0] < schedule.start.offset || span[1] > schedule.end.offset) return undefined;
  return node;
}

function spanRange(ctx: LintContext, node: Node | undefined): Range | undefined {
  const span = nodeSpan(node);
  return span && span[1] > span[0] ? ctx.range(span[0], span[1]) : undefined;
}
