import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lintText } from '../../engine/lint/index';
import { cronProblem, timezoneProblem } from '../../engine/schedule/spec';
import { assertRange, fixClears, none, one, VALID, variant } from './helpers';

// VALID with a default for its required input, so that schedules without `input` are complete
// (schedule-input.test.ts checks the input).
const BASE = variant('    required: true\n', '    default: "1.0"\n');

function scheduled(entries: string): string {
  return variant('timeout: 30m', `timeout: 30m\nschedule:\n${entries}`, BASE);
}

const CODES = ['invalid-cron', 'unknown-timezone', 'invalid-schedule', 'invalid-duration', 'schema'];

describe('schedules in lint', () => {
  it('accepts cron with a time zone, every, input and overlap', () => {
    const text = scheduled('  - cron: "0 3 * * 1-5"\n    timezone: Europe/Berlin\n    input: { env: prod }\n    overlap: cancel\n  - every: 15m\n    overlap: allow\n');
    assert.deepEqual(lintText(text).diagnostics, []);
    const model = lintText(text).model;
    assert.deepEqual(
      model.schedule?.map((s) => ({ cron: s.cron, tz: s.timezone, every: s.every, input: s.input, overlap: s.overlap })),
      [
        { cron: '0 3 * * 1-5', tz: 'Europe/Berlin', every: undefined, input: { env: 'prod' }, overlap: 'cancel' },
        { cron: undefined, tz: undefined, every: '15m', input: undefined, overlap: 'allow' },
      ],
    );
  });

  it('a task without schedule has no schedule in its model', () => {
    assert.equal(lintText(VALID).model.schedule, undefined);
  });

  it('says which cron field is out of its range, on the value', () => {
    const text = scheduled('  - cron: "61 3 * * *"\n');
    const d = one(text, 'invalid-cron');
    assert.equal(d.message, "The cron of schedule 1 field 1 (minute, 0-59) is '61': got value 61 expected range 0-59.");
    assertRange(text, d.range, '"61 3 * * *"');
    assert.match(one(scheduled('  - cron: "0 3 * * 8"\n'), 'invalid-cron').message, /field 5 \(day of week, 0-7 or SUN-SAT, 0 and 7 are Sunday\) is '8'/);
    assert.match(one(scheduled('  - cron: "0 25 * * *"\n'), 'invalid-cron').message, /field 2 \(hour, 0-23\) is '25'/);
  });

  it('wants exactly five fields', () => {
    assert.match(one(scheduled('  - cron: "0 3 * *"\n'), 'invalid-cron').message, /has 4 fields; a cron expression has five: minute hour day-of-month month day-of-week/);
    assert.match(one(scheduled('  - cron: "0 0 3 * * *"\n'), 'invalid-cron').message, /has 6 fields/);
    assert.match(one(scheduled('  - cron: "@daily"\n'), 'invalid-cron').message, /'@daily' is not supported/);
    assert.match(one(scheduled('  - cron: ""\n'), 'invalid-cron').message, /is empty/);
  });

  it('reports a date that never comes', () => {
    assert.match(one(scheduled('  - cron: "0 0 30 2 *"\n'), 'invalid-cron').message, /never matches a date/);
  });

  it('reports an unknown time zone, with a fix for a near miss', () => {
    const text = scheduled('  - cron: "0 3 * * *"\n    timezone: europe/berlin\n');
    // Intl reads names case-insensitively; the fix still writes the canonical name.
    const odd = scheduled('  - cron: "0 3 * * *"\n    timezone: Berlin\n');
    const d = one(odd, 'unknown-timezone');
    assert.equal(d.message, "The timezone of schedule 1: 'Berlin' is not an IANA time zone: write a name such as UTC, Europe/Berlin or America/New_York (did you mean 'Europe/Berlin'?).");
    assertRange(odd, d.range, 'Berlin', 'timezone: ');
    assert.match(fixClears(odd, 'unknown-timezone'), /timezone: Europe\/Berlin/);
    none(text, 'invalid-cron');
    const far = one(scheduled('  - cron: "0 3 * * *"\n    timezone: Mars/Olympus\n'), 'unknown-timezone');
    assert.equal(far.fix, undefined);
  });

  it('wants one of cron and every', () => {
    const neither = scheduled('  - overlap: skip\n');
    assert.match(one(neither, 'invalid-schedule').message, /Schedule 1 has neither 'cron' nor 'every'/);
    const both = scheduled('  - cron: "* * * * *"\n    every: 1m\n');
    const d = one(both, 'invalid-schedule');
    assert.match(d.message, /has both 'cron' and 'every'/);
    assertRange(both, d.range, 'every');
  });

  it('checks the interval: a duration, at least a second', () => {
    const bad = scheduled('  - every: 15 minutes\n');
    assert.match(one(bad, 'invalid-duration').message, /The 'every' of schedule 1 is '15 minutes', not a duration/);
    assert.equal(fixClears(bad, 'invalid-duration'), scheduled('  - every: 15m\n'));
    none(bad, 'invalid-schedule');
    const fast = scheduled('  - every: 500ms\n');
    assert.equal(one(fast, 'invalid-schedule').message, "The 'every' of schedule 1 is '500ms'; a schedule's interval is at least 1s.");
  });

  it('warns about a timezone beside every', () => {
    const d = one(scheduled('  - every: 1h\n    timezone: UTC\n'), 'invalid-schedule');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /'timezone' has no effect/);
  });

  it('the schema refuses unknown keys and overlap values', () => {
    const diags = lintText(scheduled('  - every: 1h\n    overlap: queue\n    when: now\n')).diagnostics.filter((d) => d.code === 'schema');
    assert.equal(diags.length, 2, JSON.stringify(diags.map((d) => d.message)));
  });

  it('never throws, whatever the cron, every and timezone (fast-check)', () => {
    const cronChar = fc.constantFrom(...'0123456789*/-,LW#?@ ABCDEFGHIJKLMNOPQRSTUVWXYZmonjan\t'.split(''));
    const cronish = fc.oneof(
      fc.array(cronChar, { maxLength: 30 }).map((a) => a.join('')),
      fc.array(fc.oneof(fc.constantFrom('*', '*/5', '1-5', 'MON', 'L', '5#2', '?'), fc.integer({ min: -5, max: 100 }).map(String)), { minLength: 1, maxLength: 7 }).map((a) => a.join(' ')),
      fc.string({ maxLength: 20 }),
    );
    const zone = fc.oneof(fc.constantFrom('UTC', 'Europe/Berlin', 'berlin', 'Etc/GMT+3', '+02:00', ''), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(cronish, zone, fc.string({ maxLength: 8 }), (cron, tz, every) => {
        assert.doesNotThrow(() => cronProblem(cron));
        assert.doesNotThrow(() => timezoneProblem(tz));
        const text = scheduled(`  - cron: ${JSON.stringify(cron)}\n    timezone: ${JSON.stringify(tz)}\n  - every: ${JSON.stringify(every)}\n`);
        const diags = lintText(text).diagnostics;
        for (const d of diags) {
          assert.notEqual(d.code, 'internal', d.message);
          assert.doesNotMatch(d.message, /undefined|\[object Object\]/, d.message);
        }
        const codes = new Set(diags.map((d) => d.code));
        for (const c of codes) assert.ok(CODES.includes(c) || c === 'yaml-syntax' || c === 'yaml-warning', `${c}: ${JSON.stringify(diags)}`);
        // What lints clean is what the server can tick.
        if (!codes.has('invalid-cron')) assert.equal(cronProblem(cron), undefined);
      }),
      { numRuns: 300 },
    );
  });
});
