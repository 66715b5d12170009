// What the editor shows above a `schedule:` entry: its next ticks, in the schedule's time zone, or
// why it has none (the linter's reason). Pure, so that it is tested without VS Code.
import type { ScheduleModel } from '../../engine/model/types';
import { scheduleOf, upcomingTicks } from '../../engine/schedule/spec';

export function nextTicksLabel(m: ScheduleModel, now: number, count = 3): string {
  const read = scheduleOf('task', m);
  if ('problem' in read) return 'no ticks: ' + read.problem.replace(/^schedule \d+:? ?/, '');
  const s = read.ok;
  const seconds = s.everyMs !== undefined && s.everyMs % 60_000 !== 0;
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone: s.timezone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
    hourCycle: 'h23',
  });
  const ticks = upcomingTicks(s, now, count).map((t) => format.format(t).replace(',', ''));
  return `next: ${ticks.join(', ')} ${s.timezone}`;
}
