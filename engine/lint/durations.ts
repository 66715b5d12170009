// Durations: `500ms`, `10s`, `5m`, `2h`, `1d`, or combinations (`1h30m`).
import { isScalar } from 'yaml';
import { formatDuration, parseDuration } from '../expr/duration';
import type { Fix } from '../model/types';
import type { PathSegment } from '../schema/nodes';
import { replaceScalar } from '../schema/yamltext';
import type { LintContext } from './context';
import { rule, type Finding } from './rule';

/**
 * The fields of the task that should hold a duration but whose value (as the schema read it) is
 * not a duration text, with a name for messages. The many valid ones cost no path, name or YAML
 * node look-up.
 */
export function suspectDurations(ctx: LintContext): Array<{ path: PathSegment[]; label: string }> {
  const out: Array<{ path: PathSegment[]; label: string }> = [];
  // A file writes the same few durations over and over: each text is parsed once.
  const valid = new Map<string, boolean>();
  const isDuration = (text: string) => valid.get(text) ?? valid.set(text, parseDuration(text) !== undefined).get(text)!;
  const add = (value: unknown, where: () => [PathSegment[], string]) => {
    if (value === undefined || value === null || (typeof value === 'string' && isDuration(value))) return;
    const [path, label] = where();
    out.push({ path, label });
  };
  add(ctx.value(['timeout']), () => [['timeout'], "The task's 'timeout'"]);
  for (const sc of ctx.model.schedule ?? []) {
    if (sc.fields.every) add(ctx.value(['schedule', sc.index, 'every']), () => [['schedule', sc.index, 'every'], `The 'every' of schedule ${sc.index + 1}`]);
  }
  const states = ctx.value(['states']);
  for (const s of ctx.states.values()) {
    const state = ctx.valueIn(states, [s.name]);
    if (s.fields.timeout) add(ctx.valueIn(state, ['timeout']), () => [['states', s.name, 'timeout'], `The 'timeout' of state '${s.name}'`]);
    for (const t of s.on) {
      if (t.shorthand) continue;
      if (t.fields.after) add(ctx.valueIn(state, ['on', t.index, 'after']), () => [['states', s.name, 'on', t.index, 'after'], "'after'"]);
      if (t.poll?.fields.every) add(ctx.valueIn(state, ['on', t.index, 'poll', 'every']), () => [['states', s.name, 'on', t.index, 'poll', 'every'], "'every'"]);
    }
  }
  for (const { ins, path, value } of ctx.instructions()) {
    if (ins.fields.timeout) add(ctx.valueIn(value, ['timeout']), () => [[...path, 'timeout'], "The instruction's 'timeout'"]);
    if (ins.fields.retry) {
      add(ctx.valueIn(value, ['retry', 'delay']), () => [[...path, 'retry', 'delay'], "'retry.delay'"]);
      add(ctx.valueIn(value, ['retry', 'max_delay']), () => [[...path, 'retry', 'max_delay'], "'retry.max_delay'"]);
    }
    if (ins.kind === 'sleep') add(ctx.valueIn(value, ['sleep']), () => [[...path, 'sleep'], "'sleep'"]);
    if (ins.kind === 'http' || ins.kind === 'exec') add(ctx.valueIn(value, [ins.kind, 'timeout']), () => [[...path, ins.kind, 'timeout'], `The ${ins.kind} 'timeout'`]);
  }
  return out;
}

const UNIT_WORDS: Array<[RegExp, string]> = [
  [/^(milliseconds?|millis|msecs?|ms)$/, 'ms'],
  [/^(seconds?|secs?|s)$/, 's'],
  [/^(minutes?|mins?|m)$/, 'm'],
  [/^(hours?|hrs?|h)$/, 'h'],
  [/^(days?|d)$/, 'd'],
];
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** The intended duration when a text is a near miss (`10 sec`, `1H`, `1.5h`), else undefined. */
export function correctDuration(text: string): string | undefined {
  const compact = text.trim().toLowerCase().replace(/\s+/g, '').replace(/,|and/g, '');
  if (!compact || !/^(\d+(\.\d+)?[a-z]+)+$/.test(compact)) return undefined;
  let ms = 0;
  for (const [, n, word] of compact.matchAll(/(\d+(?:\.\d+)?)([a-z]+)/g)) {
    const unit = UNIT_WORDS.find(([re]) => re.test(word))?.[1];
    if (!unit) return undefined;
    ms += Number(n) * UNIT_MS[unit];
  }
  if (!Number.isInteger(ms) || ms <= 0) return undefined;
  const fixed = formatDuration(ms);
  return parseDuration(fixed) !== undefined && fixed !== text ? fixed : undefined;
}

export const invalidDuration = rule('invalid-duration', 'error', 'A timeout, `after`, `poll.every`, `sleep`, retry delay or schedule `every` that is not a duration such as 10s or 1h30m.', (_model, ctx) => {
  const out: Finding[] = [];
  for (const { path, label } of suspectDurations(ctx)) {
    const entry = ctx.node(path);
    if (!entry || !isScalar(entry.node)) continue;
    const v = entry.node.value;
    if (v === null || v === undefined || typeof v === 'object') continue;
    const text = String(v);
    if (parseDuration(text) !== undefined) continue;
    const suggestion = correctDuration(text);
    let message = `${label} is '${text}', not a duration: write e.g. 500ms, 10s, 5m, 2h, 1d or 1h30m`;
    if (suggestion) message += ` (did you mean '${suggestion}'?)`;
    else if (typeof v === 'number' || /^\s*\d+(\.\d+)?\s*$/.test(text)) message += ' (a number needs a unit)';
    let fix: Fix | undefined;
    if (suggestion) {
      const edit = replaceScalar(entry.node, suggestion);
      if (edit) fix = { title: `Change to '${suggestion}'`, edits: [edit] };
    }
    const span = entry.node.range;
    out.push({ message: message + '.', range: span ? ctx.range(span[0], span[1]) : ctx.range(0, 0), fix });
  }
  return out;
});
