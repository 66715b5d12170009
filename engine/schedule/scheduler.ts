// Starts runs from the `schedule:` of the served tasks. Each pass looks at every schedule's latest
// tick at or before now: a tick after the schedule's `since` that this pass claims (claims.ts: one
// claimant per tick across processes and restarts) starts one run, after the overlap policy has
// looked at the schedule's previous run. Only the latest tick is ever claimed, so a server that was
// down for many ticks starts one catch-up run for the latest of them, never a burst.
import type { Clock } from '../runtime/clock';
import { errorMessage } from '../server/support';
import type { RunService, RunStatus } from '../server/service';
import type { RegisteredTask } from '../server/tasks';
import type { ScheduleClaims, ScheduleKey } from './claims';
import { latestTick, nextTick, scheduleId, scheduleOf, specText, type Schedule } from './spec';

/** What the scheduler reads time from: the real clock, or one a test drives. */
export type TickClock = Pick<Clock, 'now' | 'sleep'>;

export interface SchedulerOptions {
  claims: ScheduleClaims;
  service: RunService;
  /** The served tasks, read on every pass (the task folder is watched). */
  tasks: () => RegisteredTask[];
  clock: TickClock;
  /** Names this process in its claims. */
  owner: string;
  log?: (line: string) => void;
  /** Told how late each tick started its run (seconds, on the schedule's clock). */
  lag?: (task: string, seconds: number) => void;
  /** Longest wait between passes, so that other processes' pauses and resumes are seen. */
  maxWaitMs?: number;
}

export interface ScheduleInfo {
  id: string;
  task: string;
  index: number;
  cron: string | null;
  every: string | null;
  timezone: string;
  overlap: Schedule['overlap'];
  paused: boolean;
  /** ISO 8601; null while paused. */
  nextTick: string | null;
  lastRun: { id: string; tick: string; status: RunStatus | null } | null;
}

const STILL_RUNNING: ReadonlySet<RunStatus | null> = new Set<RunStatus | null>(['running', 'paused']);

export class UnknownScheduleError extends Error {}

export class Scheduler {
  private stopped = false;
  private wakeUp = new AbortController();
  private loop: Promise<void> | undefined;
  /** The latest tick each schedule saw claimed, by this process or another: no need to ask again. */
  private readonly seen = new Map<string, number>();

  constructor(private readonly o: SchedulerOptions) {}

  /** The schedules of the served tasks that can run (a served task lints clean, so all of them). */
  schedules(): Array<{ task: RegisteredTask; schedule: Schedule }> {
    const out: Array<{ task: RegisteredTask; schedule: Schedule }> = [];
    for (const task of this.o.tasks()) {
      for (const m of task.task.model.schedule ?? []) {
        const s = scheduleOf(task.name, m);
        if ('ok' in s) out.push({ task, schedule: s.ok });
        else this.o.log?.(`task ${task.name}: ${s.problem}; it starts no runs`);
      }
    }
    return out;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Makes the loop look again now (tasks reloaded, a schedule paused or resumed). */
  wake(): void {
    this.wakeUp.abort();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.pass();
      if (this.stopped) break;
      const now = this.o.clock.now();
      const next = Math.min(...this.schedules().map(({ schedule }) => nextTick(schedule, now)));
      const wait = Math.max(0, Math.min(next - now, this.o.maxWaitMs ?? 60_000));
      const signal = this.wakeUp.signal;
      await this.o.clock.sleep(wait, signal).catch(() => undefined);
      if (signal.aborted) this.wakeUp = new AbortController();
    }
  }

  /** One look at every schedule: claims and starts what is due. Never throws. */
  async pass(): Promise<void> {
    for (const { task, schedule } of this.schedules()) {
      try {
        await this.due(task, schedule);
      } catch (err) {
        this.o.log?.(`schedule ${scheduleId(schedule)}: ${errorMessage(err)}`);
      }
    }
  }

  private async due(task: RegisteredTask, s: Schedule): Promise<void> {
    const id = scheduleId(s);
    const key: ScheduleKey = { task: s.task, index: s.index };
    const now = this.o.clock.now();
    const tick = latestTick(s, now);
    if (tick === undefined || this.seen.get(id) === tick) return;
    const state = await this.o.claims.state(key, specText(s), now);
    if (state.paused || tick <= state.since) return;
    const mine = await this.o.claims.claim(key, tick, this.o.owner);
    this.seen.set(id, tick);
    if (mine) await this.fire(task, s, key, tick);
  }

  private async fire(task: RegisteredTask, s: Schedule, key: ScheduleKey, tick: number): Promise<void> {
    const id = scheduleId(s);
    const when = new Date(tick).toISOString();
    const prev = await this.o.claims.lastRun(key);
    if (prev && s.overlap !== 'allow' && STILL_RUNNING.has(await this.status(prev.runId))) {
      if (s.overlap === 'skip') {
        this.o.log?.(`schedule ${id}: tick ${when} skipped, run ${prev.runId} still runs (overlap: skip)`);
        return;
      }
      await this.o.service.control(prev.runId, 'cancel', `schedule ${id}: the tick of ${when} replaces it (overlap: cancel)`);
    }
    const run = await this.o.service.start(task, s.input, { schedule: s.index, tick: when });
    this.o.lag?.(task.name, Math.max(0, this.o.clock.now() - tick) / 1000);
    await this.o.claims.recordRun(key, tick, run.id);
    this.o.log?.(`schedule ${id}: tick ${when} started run ${run.id}`);
  }

  private async status(runId: string): Promise<RunStatus | null> {
    try {
      return (await this.o.service.get(runId)).status;
    } catch {
      return null;
    }
  }

  async list(): Promise<ScheduleInfo[]> {
    const out: ScheduleInfo[] = [];
    for (const { schedule } of this.schedules()) out.push(await this.info(schedule));
    return out;
  }

  /** Throws UnknownScheduleError for an id no served task has. */
  async setPaused(id: string, paused: boolean): Promise<ScheduleInfo> {
    const found = this.schedules().find(({ schedule }) => scheduleId(schedule) === id);
    if (!found) throw new UnknownScheduleError(id);
    const s = found.schedule;
    await this.o.claims.setPaused({ task: s.task, index: s.index }, specText(s), paused, this.o.clock.now());
    this.wake();
    return this.info(s);
  }

  private async info(s: Schedule): Promise<ScheduleInfo> {
    const key = { task: s.task, index: s.index };
    const now = this.o.clock.now();
    const state = await this.o.claims.state(key, specText(s), now);
    const last = await this.o.claims.lastRun(key);
    return {
      id: scheduleId(s),
      task: s.task,
      index: s.index,
      cron: s.cron ?? null,
      every: s.every ?? null,
      timezone: s.timezone,
      overlap: s.overlap,
      paused: state.paused,
      nextTick: state.paused ? null : new Date(nextTick(s, now)).toISOString(),
      lastRun: last ? { id: last.runId, tick: new Date(last.tick).toISOString(), status: await this.status(last.runId) } : null,
    };
  }
}
