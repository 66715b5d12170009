// A task's schedules and their ticks: cron expressions read in an IANA time zone by cron-parser
// (the same library checks them in the linter, so what lints clean is what runs), and fixed
// intervals whose ticks fall on whole multiples of the interval since 1970-01-01 UTC — the same
// instants in every process, which is what lets many servers agree on a tick.
import { parseDuration } from '../expr/duration';
import { OVERLAP_POLICIES, type OverlapPolicy, type ScheduleModel } from '../model/types';

export interface Schedule {
  /** The task's name. */
  task: string;
  /** 0-based position in the task's `schedule`. */
  index: number;
  cron?: string;
  /** IANA name; UTC unless given. */
  timezone: string;
  /** The interval as written (`15m`) and in ms. */
  every?: string;
  everyMs?: number;
  input: Record<string, unknown>;
  overlap: OverlapPolicy;
}

/** The id REST uses for a schedule: `task:index`. */
export function scheduleId(s: { task: string; index: number }): string {
  return `${s.task}:${s.index}`;
}

/** What decides the ticks, as one line: a changed spec starts the schedule afresh (no catch-up for the old one). */
export function specText(s: Schedule): string {
  return s.cron !== undefined ? `cron ${s.cron.trim()} ${s.timezone}` : `every ${s.every}`;
}

export const MIN_EVERY_MS = 1000;

// cron-parser brings luxon: loaded when a cron expression is read, not by every linted or run task.
function cronParser(): typeof import('cron-parser') {
  return require('cron-parser') as typeof import('cron-parser');
}

export const CRON_FIELDS = [
  { name: 'minute', range: '0-59' },
  { name: 'hour', range: '0-23' },
  { name: 'day of month', range: '1-31' },
  { name: 'month', range: '1-12 or JAN-DEC' },
  { name: 'day of week', range: '0-7 or SUN-SAT, 0 and 7 are Sunday' },
] as const;

const CRON_EXAMPLE = 'e.g. "0 3 * * 1-5" for 03:00 Monday to Friday';

function libraryMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/^Constraint error, /, '');
}

/** Why a cron expression is not five valid fields, or undefined when it is. */
export function cronProblem(expr: string): string | undefined {
  const fields = expr.trim().split(/\s+/).filter(Boolean);
  if (fields.length === 0) return `is empty: write five fields, minute hour day-of-month month day-of-week (${CRON_EXAMPLE})`;
  if (fields[0].startsWith('@')) return `'${fields[0]}' is not supported: write the five fields instead, e.g. "0 0 * * *" for daily at midnight`;
  if (fields.length !== 5) {
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron expression has five: minute hour day-of-month month day-of-week (${CRON_EXAMPLE})`;
  }
  // Each field alone first, so that the message can say which one is wrong and what it may hold.
  for (let i = 0; i < 5; i++) {
    const probe = fields.map((f, j) => (j === i ? f : '*')).join(' ');
    try {
      cronParser().parseExpression(probe, { tz: 'UTC' });
    } catch (err) {
      const f = CRON_FIELDS[i];
      return `field ${i + 1} (${f.name}, ${f.range}) is '${fields[i]}': ${libraryMessage(err)}`;
    }
  }
  try {
    cronParser().parseExpression(fields.join(' '), { tz: 'UTC' }).next();
  } catch (err) {
    return `never matches a date (${libraryMessage(err)})`;
  }
  return undefined;
}

function intlZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Why a time zone is not one cron-parser can read, or undefined when it is. */
export function timezoneProblem(name: string): string | undefined {
  if (intlZone(name)) {
    try {
      cronParser().parseExpression('* * * * *', { tz: name }).next();
      return undefined;
    } catch {
      // Intl knows it but the library does not: say so below like any unknown name.
    }
  }
  return `'${name}' is not an IANA time zone: write a name such as UTC, Europe/Berlin or America/New_York`;
}

/** The IANA name meant by a near miss (`berlin`, `Europe/berlin`, `US/Pacific ` with a space), if exactly one fits. */
export function suggestTimezone(name: string): string | undefined {
  const want = name.trim().toLowerCase().replace(/\s+/g, '_');
  if (!want) return undefined;
  const zones = Intl.supportedValuesOf('timeZone');
  const exact = zones.find((z) => z.toLowerCase() === want);
  if (exact) return exact !== name ? exact : undefined;
  const tail = zones.filter((z) => z.toLowerCase().endsWith('/' + want));
  return tail.length === 1 ? tail[0] : undefined;
}

/** Why an `every` is not an interval of at least a second, or undefined when it is. */
export function everyProblem(text: string): string | undefined {
  const ms = parseDuration(text);
  if (ms === undefined) return `is '${text}', not a duration: write e.g. 30s, 15m, 1h or 1d`;
  if (ms < MIN_EVERY_MS) return `is '${text}'; a schedule's interval is at least 1s`;
  return undefined;
}

/**
 * The schedule an entry describes, or a reason why it cannot run (the linter reports the same
 * problems where they are written; a served task lints clean, so this is for the others).
 */
export function scheduleOf(task: string, m: ScheduleModel): { ok: Schedule } | { problem: string } {
  const where = `schedule ${m.index + 1}`;
  if ((m.cron === undefined) === (m.every === undefined)) return { problem: `${where} needs either 'cron' or 'every'` };
  const timezone = m.timezone ?? 'UTC';
  const overlap = (m.overlap ?? 'skip') as OverlapPolicy;
  if (!OVERLAP_POLICIES.includes(overlap)) return { problem: `${where}: 'overlap' is one of ${OVERLAP_POLICIES.join(', ')}` };
  const base = { task, index: m.index, timezone, input: m.input ?? {}, overlap };
  if (m.cron !== undefined) {
    const problem = cronProblem(m.cron) ?? (m.timezone !== undefined ? timezoneProblem(m.timezone) : undefined);
    return problem ? { problem: `${where}: ${problem}` } : { ok: { ...base, cron: m.cron } };
  }
  const problem = everyProblem(m.every!);
  return problem ? { problem: `${where}: 'every' ${problem}` } : { ok: { ...base, every: m.every, everyMs: parseDuration(m.every!)! } };
}

/** The first tick strictly after `after` (ms since the epoch). */
export function nextTick(s: Schedule, after: number): number {
  if (s.everyMs !== undefined) return (Math.floor(after / s.everyMs) + 1) * s.everyMs;
  return cronParser().parseExpression(s.cron!, { currentDate: new Date(after), tz: s.timezone }).next().getTime();
}

/** The last tick at or before `at`, or undefined when there is none (a cron that matched no date yet). */
export function latestTick(s: Schedule, at: number): number | undefined {
  if (s.everyMs !== undefined) return Math.floor(at / s.everyMs) * s.everyMs;
  try {
    // prev() is strictly before its start: start just after `at` so that a tick at `at` counts.
    return cronParser().parseExpression(s.cron!, { currentDate: new Date(Math.floor(at / 1000) * 1000 + 1000), tz: s.timezone }).prev().getTime();
  } catch {
    return undefined;
  }
}

/** The next `count` ticks after `after`. */
export function upcomingTicks(s: Schedule, after: number, count: number): number[] {
  const out: number[] = [];
  let t = after;
  for (let i = 0; i < count; i++) {
    t = nextTick(s, t);
    out.push(t);
  }
  return out;
}
