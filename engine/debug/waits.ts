// What a run is waiting for, read from its task and its journal-built state: the timers of the
// current state's transitions, its polls, the events and messages it subscribes to, a retry delay,
// a `sleep`, the state and task timeouts and the mocked events and messages still to come. The
// debugger shows it when a run stops while it waits, and says which of them the virtual clock
// fires next.
import { formatDuration, parseDuration } from '../expr/duration';
import type { RunState } from '../journal/replay';
import type { EventMock, MessageMock } from '../runtime/mocks';
import type { TaskModel } from '../model/types';

export interface Wait {
  /** `after`, `poll`, `event`, `consume`, `retry`, `sleep`, `state-timeout`, `task-timeout`, `mock-event`, `mock-message`. */
  kind: string;
  /** One line for people: "after 24h → expired", "event 'approved' → approved". */
  text: string;
  /** Due time on the run's clock (events have none). */
  due?: number;
  state?: string;
  /** Index in the state's `on` (transition waits) or `do` (sleep, retry). */
  transition?: number;
  instruction?: number;
  /** 0-based line of the YAML that declares it, when known. */
  line?: number;
}

export function describeWaits(model: TaskModel, s: Readonly<RunState>, now: number, mocks: readonly EventMock[] = [], messages: readonly MessageMock[] = []): Wait[] {
  const waits: Wait[] = [];
  if (s.phase === 'ended') return waits;
  const st = s.state === undefined ? undefined : model.states.find((x) => x.name === s.state);
  const entered = s.stateEnteredAt ?? s.startedAt;
  if (st && s.phase === 'instructions') {
    if (s.nextInstruction < st.do.length) {
      const ins = st.do[s.nextInstruction];
      if (s.retryAt !== undefined) {
        waits.push({ kind: 'retry', text: `retry of ${ins.kind}${ins.as ? ` as ${ins.as}` : ''} (attempt ${s.attempts + 1})`, due: s.retryAt, state: st.name, instruction: ins.index, line: ins.range.start.line });
      } else if (ins.kind === 'sleep' && typeof ins.args === 'string') {
        waits.push({ kind: 'sleep', text: `sleep ${ins.args}`, state: st.name, instruction: ins.index, line: ins.range.start.line });
      } else {
        waits.push({ kind: 'instruction', text: `${ins.kind}${ins.as ? ` as ${ins.as}` : ''} running`, state: st.name, instruction: ins.index, line: ins.range.start.line });
      }
    } else {
      for (const t of st.on) {
        if (!t.to) continue;
        if (t.after !== undefined) {
          const ms = parseDuration(t.after);
          waits.push({ kind: 'after', text: `after ${t.after} → ${t.to}`, due: ms === undefined ? undefined : entered + ms, state: st.name, transition: t.index, line: t.range.start.line });
        } else if (t.event !== undefined) {
          waits.push({ kind: 'event', text: `event '${t.event}' → ${t.to}${t.when ? ` (when ${t.when})` : ''}`, state: st.name, transition: t.index, line: t.range.start.line });
        } else if (t.consume) {
          waits.push({ kind: 'consume', text: `message on '${t.consume.subject ?? '?'}' → ${t.to}${t.when ? ` (when ${t.when})` : ''}`, state: st.name, transition: t.index, line: t.range.start.line });
        } else if (t.poll) {
          const every = parseDuration(t.poll.every ?? '0s') ?? 0;
          const last = s.polls[t.index];
          waits.push({
            kind: 'poll',
            text: `poll every ${t.poll.every ?? '0s'} → ${t.to}${last ? ` (${last.count} poll${last.count === 1 ? '' : 's'} so far)` : ''}`,
            due: last ? last.lastAt + every : entered,
            state: st.name,
            transition: t.index,
            line: t.range.start.line,
          });
        }
      }
    }
    if (st.timeout) {
      const ms = parseDuration(st.timeout);
      waits.push({ kind: 'state-timeout', text: `state timeout ${st.timeout}`, due: ms === undefined ? undefined : entered + ms, state: st.name, line: st.fields.timeout?.key.start.line });
    }
  }
  if (model.timeout) {
    const ms = parseDuration(model.timeout);
    waits.push({ kind: 'task-timeout', text: `task timeout ${model.timeout}`, due: ms === undefined ? undefined : s.startedAt + ms, line: model.fields.timeout?.key.start.line });
  }
  for (const m of mocks) {
    // A mocked event is delivered when its time comes; one still ahead of the clock is pending.
    if (s.startedAt + m.afterMs > now) {
      waits.push({ kind: 'mock-event', text: `mocked event '${m.event}'`, due: s.startedAt + m.afterMs });
    }
  }
  for (const m of messages) {
    if (s.startedAt + m.afterMs > now) waits.push({ kind: 'mock-message', text: `mocked message on '${m.subject}'`, due: s.startedAt + m.afterMs });
  }
  return waits.sort((a, b) => (a.due ?? Infinity) - (b.due ?? Infinity));
}

/** "after 24h → expired (due in 23h30m)" */
export function waitText(w: Wait, now: number): string {
  if (w.due === undefined) return w.text;
  const left = w.due - now;
  return `${w.text} (${left <= 0 ? 'due now' : `due in ${formatDuration(left)}`}, at ${new Date(w.due).toISOString()})`;
}
