// The next ticks the editor shows above a schedule entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from '../../engine/lint/index';
import { nextTicksLabel } from '../../extension/core/schedules';

const task = (entries: string) => `version: 1
name: t
schedule:
${entries}
start: done
states:
  done: { final: true }
`;

describe('next ticks label', () => {
  const now = Date.UTC(2026, 0, 2, 12, 0); // Friday 2 January 2026, 13:00 in Berlin
  it('shows cron ticks in the schedule time zone', () => {
    const [m] = lintText(task('  - cron: "0 3 * * 1-5"\n    timezone: Europe/Berlin')).model.schedule!;
    assert.equal(nextTicksLabel(m, now), 'next: Mon 5 Jan 03:00, Tue 6 Jan 03:00, Wed 7 Jan 03:00 Europe/Berlin');
  });

  it('shows intervals in UTC, with seconds when they tick within a minute', () => {
    const [a, b] = lintText(task('  - every: 15m\n  - every: 90s')).model.schedule!;
    assert.equal(nextTicksLabel(a, now), 'next: Fri 2 Jan 12:15, Fri 2 Jan 12:30, Fri 2 Jan 12:45 UTC');
    assert.equal(nextTicksLabel(b, now, 2), 'next: Fri 2 Jan 12:01:30, Fri 2 Jan 12:03:00 UTC');
  });

  it('says why an entry has no ticks', () => {
    const [m] = lintText(task('  - cron: "0 3 * * 9"')).model.schedule!;
    assert.match(nextTicksLabel(m, now), /^no ticks: field 5 \(day of week/);
  });
});
