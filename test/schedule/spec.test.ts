import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latestTick, nextTick, scheduleOf, upcomingTicks, type Schedule } from '../../engine/schedule/spec';

function sched(m: Partial<Schedule> & { cron?: string; every?: string; timezone?: string }): Schedule {
  const r = scheduleOf('t', { index: 0, cron: m.cron, every: m.every, timezone: m.timezone, range: null as never, fields: {} });
  assert.ok('ok' in r, JSON.stringify(r));
  return r.ok;
}

describe('schedule ticks', () => {
  it('reads cron in its time zone, across a daylight saving change', () => {
    const s = sched({ cron: '0 3 * * 1-5', timezone: 'Europe/Berlin' });
    // Friday 2026-03-27 .. : Berlin moves to summer time on Sunday 2026-03-29.
    const ticks = upcomingTicks(s, Date.UTC(2026, 2, 27, 0, 0), 3).map((t) => new Date(t).toISOString());
    assert.deepEqual(ticks, ['2026-03-27T02:00:00.000Z', '2026-03-30T01:00:00.000Z', '2026-03-31T01:00:00.000Z']);
  });

  it('the latest tick counts a tick exactly at the time', () => {
    const s = sched({ cron: '*/15 * * * *' });
    const at = Date.UTC(2026, 0, 1, 10, 15);
    assert.equal(latestTick(s, at), at);
    assert.equal(latestTick(s, at - 1), Date.UTC(2026, 0, 1, 10, 0));
    assert.equal(nextTick(s, at), Date.UTC(2026, 0, 1, 10, 30));
  });

  it('every ticks on whole multiples of the interval since the epoch', () => {
    const s = sched({ every: '15m' });
    const at = Date.UTC(2026, 0, 1, 10, 7, 12);
    assert.equal(latestTick(s, at), Date.UTC(2026, 0, 1, 10, 0));
    assert.equal(nextTick(s, at), Date.UTC(2026, 0, 1, 10, 15));
    assert.equal(nextTick(s, Date.UTC(2026, 0, 1, 10, 15)), Date.UTC(2026, 0, 1, 10, 30));
  });

  it('refuses what lint refuses', () => {
    for (const m of [{ cron: '61 * * * *' }, { cron: '0 3 * * *', timezone: 'Mars/Olympus' }, { every: '500ms' }, {}, { cron: '* * * * *', every: '1m' }]) {
      const r = scheduleOf('t', { index: 0, ...m, range: null as never, fields: {} });
      assert.ok('problem' in r, JSON.stringify(m));
    }
  });
});
