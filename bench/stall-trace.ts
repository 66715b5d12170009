// What the layout bench's longest main-thread stall was made of, from a Chromium trace of one run:
// the main thread's own tasks and CPU time inside the gap (ours: posting, reading the answer, GC),
// against the gap's length (the rest is time the thread waited for a core), and the CPU the
// renderer's other threads took while the run lasted (the layout worker, and V8's helper threads
// that compile its code and collect its garbage: a worker spinning on the CPU has almost none).

/** The trace events read here (Chrome's JSON trace format; times in µs). */
export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** The thread's CPU time in the event. */
  tdur?: number;
  args?: { name?: string; src_file?: string };
}

/** The page marks its longest gap with this performance.measure (blink.user_timing). */
export const GAP_MEASURE = 'stepwise-longest-gap';

/** The trace categories the evidence needs: tasks with their origin, and the page's measure. */
export const STALL_CATEGORIES = ['toplevel', 'blink.user_timing'];

export interface StallEvidence {
  /** The longest gap, ms. */
  gap: number;
  /** The main thread's tasks inside the gap: their wall time, and their CPU time, ms. */
  mainWall: number;
  mainCpu: number;
  /** The longest main-thread task overlapping the gap, ms of wall time. */
  longestTask: number;
  /** CPU time of the renderer's other threads over the whole trace, ms. */
  worker: number;
  compile: number;
  gc: number;
  other: number;
}

const TASKS = new Set(['ThreadControllerImpl::RunTask', 'ThreadPool_RunTask']);

/** Where a helper thread's task comes from, by the V8 source file that posted it. */
function helperKind(srcFile: string): 'compile' | 'gc' | 'other' {
  if (/compiler-dispatcher|maglev|baseline|lazy-compile/.test(srcFile)) return 'compile';
  if (/\/heap\/|cppgc/.test(srcFile)) return 'gc';
  return 'other';
}

export function stallEvidence(events: TraceEvent[]): StallEvidence {
  const measure = events.filter((e) => e.name === GAP_MEASURE);
  const begin = measure.find((e) => e.ph === 'b' || e.ph === 'B');
  const end = measure.find((e) => e.ph === 'e' || e.ph === 'E');
  if (!begin || !end) throw new Error(`the trace has no '${GAP_MEASURE}' measure: was 'blink.user_timing' among the categories?`);
  const pid = begin.pid;
  const threads = new Map<number, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name) threads.set(e.tid, e.args.name);
  const main = [...threads].find(([, name]) => name === 'CrRendererMain')?.[0] ?? begin.tid;
  const out: StallEvidence = { gap: (end.ts - begin.ts) / 1000, mainWall: 0, mainCpu: 0, longestTask: 0, worker: 0, compile: 0, gc: 0, other: 0 };
  for (const e of events) {
    if (e.ph !== 'X' || e.pid !== pid || !TASKS.has(e.name)) continue;
    const dur = e.dur ?? 0;
    // A loaded VM's thread clocks can run past the wall clock: CPU is never counted above wall.
    const cpu = Math.min(e.tdur ?? 0, dur) / 1000;
    if (e.tid === main) {
      const overlap = Math.max(0, Math.min(e.ts + dur, end.ts) - Math.max(e.ts, begin.ts));
      if (overlap === 0) continue;
      out.mainWall += overlap / 1000;
      out.mainCpu += dur ? (cpu * overlap) / dur : 0;
      out.longestTask = Math.max(out.longestTask, dur / 1000);
    } else if (threads.get(e.tid) === 'DedicatedWorker thread') out.worker += cpu;
    else if (e.name === 'ThreadPool_RunTask') out[helperKind(e.args?.src_file ?? '')] += cpu;
  }
  return out;
}

/** One line of figures for the bench's output. */
export function describeStall(worker: StallEvidence, spin: StallEvidence): string {
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const cpu = (e: StallEvidence) => `worker ${e.worker.toFixed(0)}, V8 helpers ${(e.compile + e.gc).toFixed(0)} (compiling ${e.compile.toFixed(0)}, GC ${e.gc.toFixed(0)}) ms CPU`;
  return (
    `traced run: longest gap ${ms(worker.gap)}; the main thread's tasks in it ${ms(worker.mainWall)} wall, ${ms(worker.mainCpu)} CPU ` +
    `(longest ${ms(worker.longestTask)}), so it waited ${ms(worker.gap - worker.mainCpu)} for a core; while the layout ran: ${cpu(worker)}; ` +
    `the spinning worker's run: gap ${ms(spin.gap)}, main-thread CPU in it ${ms(spin.mainCpu)}, ${cpu(spin)}`
  );
}
