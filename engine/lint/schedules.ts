// `schedule:` entries: cron expressions, time zones and intervals, checked with the cron library
// the server runs them with (engine/schedule/spec.ts). `every` that is not a duration at all is
// invalid-duration's.
import { parseDuration } from '../expr/duration';
import type { FieldRange, ScheduleModel } from '../model/types';
import { cronProblem, everyProblem, suggestTimezone, timezoneProblem } from '../schedule/spec';
import { replaceScalar } from '../schema/yamltext';
import type { LintContext } from './context';
import { rule, type Finding } from './rule';

function schedules(ctx: LintContext): ScheduleModel[] {
  return ctx.model.schedule ?? [];
}

function valueRange(ctx: LintContext, f: FieldRange) {
  return ctx.range(f.value.start.offset, f.value.end.offset);
}

export const invalidCron = rule('invalid-cron', 'error', 'A schedule `cron` that is not five valid fields (minute hour day-of-month month day-of-week).', (_model, ctx) => {
  const out: Finding[] = [];
  for (const s of schedules(ctx)) {
    if (s.cron === undefined || !s.fields.cron) continue;
    const problem = cronProblem(s.cron);
    if (problem) out.push({ message: `The cron of schedule ${s.index + 1} ${problem}.`, range: valueRange(ctx, s.fields.cron) });
  }
  return out;
});

export const unknownTimezone = rule('unknown-timezone', 'error', 'A schedule `timezone` that is not an IANA time zone name such as Europe/Berlin.', (_model, ctx) => {
  const out: Finding[] = [];
  for (const s of schedules(ctx)) {
    if (s.timezone === undefined || !s.fields.timezone) continue;
    const problem = timezoneProblem(s.timezone);
    if (!problem) continue;
    const suggestion = suggestTimezone(s.timezone);
    const node = ctx.node(['schedule', s.index, 'timezone'])?.node;
    const edit = suggestion && node ? replaceScalar(node, suggestion) : undefined;
    out.push({
      message: `The timezone of schedule ${s.index + 1}: ${problem}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}.`,
      range: valueRange(ctx, s.fields.timezone),
      fix: edit ? { title: `Change to '${suggestion}'`, edits: [edit] } : undefined,
    });
  }
  return out;
});

export const invalidSchedule = rule('invalid-schedule', 'error', 'A schedule with neither or both of `cron` and `every`, an interval under 1s, or a `timezone` beside `every`.', (_model, ctx) => {
  const out: Finding[] = [];
  for (const s of schedules(ctx)) {
    const n = s.index + 1;
    const hasCron = !!s.fields.cron;
    const hasEvery = !!s.fields.every;
    if (hasCron === hasEvery) {
      const range = hasCron ? ctx.range(s.fields.every.key.start.offset, s.fields.every.key.end.offset) : s.range;
      out.push({
        message: hasCron
          ? `Schedule ${n} has both 'cron' and 'every': give one of them (two schedules for both).`
          : `Schedule ${n} has neither 'cron' nor 'every': add e.g. cron: "0 3 * * *" or every: 15m.`,
        range,
      });
      continue;
    }
    if (hasEvery && s.every !== undefined && parseDuration(s.every) !== undefined) {
      const problem = everyProblem(s.every);
      if (problem) out.push({ message: `The 'every' of schedule ${n} ${problem}.`, range: valueRange(ctx, s.fields.every) });
    }
    if (hasEvery && s.fields.timezone) {
      out.push({
        message: `Schedule ${n}'s 'timezone' has no effect: an 'every' interval ticks on fixed instants. Remove it, or use 'cron'.`,
        range: ctx.range(s.fields.timezone.key.start.offset, s.fields.timezone.key.end.offset),
        severity: 'warning',
      });
    }
  }
  return out;
});
