// Where schedules keep what must outlive a process and be shared by all of them: each schedule's
// state (since when it counts ticks, paused) and one claim per tick. A claim succeeds for exactly
// one caller, which is what makes a tick start one run however many schedulers see it. This file:
// the embedded stores' claims (a folder of files, or memory); PostgreSQL's are in pg-claims.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ScheduleKey {
  task: string;
  index: number;
}

export interface ScheduleState {
  /** The spec the ticks were counted for (spec.ts specText). */
  spec: string;
  /** Ticks at or before this time (ms) start nothing: the schedule was first seen, changed or resumed then. */
  since: number;
  paused: boolean;
}

export interface TickRun {
  tick: number;
  runId: string;
}

export interface ScheduleClaims {
  /** The schedule's state; created (or started afresh, when its spec changed) with `since = now`. */
  state(key: ScheduleKey, spec: string, now: number): Promise<ScheduleState>;
  /** Pauses or resumes; a resume counts ticks from `now` (the ones while paused start nothing). */
  setPaused(key: ScheduleKey, spec: string, paused: boolean, now: number): Promise<ScheduleState>;
  /** True for exactly one caller per (schedule, tick). */
  claim(key: ScheduleKey, tick: number, owner: string): Promise<boolean>;
  /** Records the run a claimed tick started. */
  recordRun(key: ScheduleKey, tick: number, runId: string): Promise<void>;
  /** The latest tick that started a run. */
  lastRun(key: ScheduleKey): Promise<TickRun | undefined>;
}

/** Claims of the memory store: gone with the process, like its runs. */
export function memoryClaims(): ScheduleClaims {
  const states = new Map<string, ScheduleState>();
  const claimed = new Set<string>();
  const last = new Map<string, TickRun>();
  const k = (key: ScheduleKey) => JSON.stringify([key.task, key.index]);
  const state = (key: ScheduleKey, spec: string, now: number): ScheduleState => {
    let s = states.get(k(key));
    if (!s || s.spec !== spec) states.set(k(key), (s = { spec, since: now, paused: false }));
    return s;
  };
  return {
    async state(key, spec, now) {
      return { ...state(key, spec, now) };
    },
    async setPaused(key, spec, paused, now) {
      const s = state(key, spec, now);
      if (s.paused && !paused) s.since = now;
      s.paused = paused;
      return { ...s };
    },
    async claim(key, tick) {
      const id = `${k(key)}@${tick}`;
      if (claimed.has(id)) return false;
      claimed.add(id);
      return true;
    },
    async recordRun(key, tick, runId) {
      const prev = last.get(k(key));
      if (!prev || prev.tick <= tick) last.set(k(key), { tick, runId });
    },
    async lastRun(key) {
      return last.get(k(key));
    },
  };
}

interface FileState extends ScheduleState {
  last?: TickRun;
}

/**
 * Claims of the file store, in `<dir>/.schedules/`: a state file per schedule, and a claim file per
 * tick created with O_EXCL, so that two processes on one folder (or a restart) never both claim
 * it. Older claim files are removed once a later tick is claimed: ticks are claimed in order, and
 * a tick before the latest claimed one is never due again.
 */
export function fileClaims(dir: string): ScheduleClaims {
  const root = path.join(dir, '.schedules');
  const base = (key: ScheduleKey) => path.join(root, `${encodeURIComponent(key.task)}.${key.index}`);
  const read = (key: ScheduleKey): FileState | undefined => {
    try {
      return JSON.parse(fs.readFileSync(`${base(key)}.json`, 'utf8')) as FileState;
    } catch {
      return undefined;
    }
  };
  const write = (key: ScheduleKey, s: FileState) => {
    fs.mkdirSync(root, { recursive: true });
    const tmp = `${base(key)}.json.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(s));
    fs.renameSync(tmp, `${base(key)}.json`);
  };
  const state = (key: ScheduleKey, spec: string, now: number): FileState => {
    const s = read(key);
    if (s && s.spec === spec) return s;
    const fresh: FileState = { spec, since: now, paused: false, last: s?.last };
    write(key, fresh);
    return fresh;
  };
  const strip = ({ spec, since, paused }: FileState): ScheduleState => ({ spec, since, paused });
  return {
    async state(key, spec, now) {
      return strip(state(key, spec, now));
    },
    async setPaused(key, spec, paused, now) {
      const s = state(key, spec, now);
      if (s.paused && !paused) s.since = now;
      s.paused = paused;
      write(key, s);
      return strip(s);
    },
    async claim(key, tick) {
      fs.mkdirSync(root, { recursive: true });
      const prefix = `${path.basename(base(key))}.`;
      try {
        fs.writeFileSync(path.join(root, `${prefix}${tick}.claim`), '', { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw err;
      }
      for (const name of fs.readdirSync(root)) {
        const m = name.startsWith(prefix) && /^(\d+)\.claim$/.exec(name.slice(prefix.length));
        if (m && Number(m[1]) < tick) fs.rmSync(path.join(root, name), { force: true });
      }
      return true;
    },
    async recordRun(key, tick, runId) {
      const s = read(key);
      if (!s || (s.last && s.last.tick > tick)) return;
      write(key, { ...s, last: { tick, runId } });
    },
    async lastRun(key) {
      return read(key)?.last;
    },
  };
}
