// A clock that knows when the runs using it are idle (no work in flight) and what they wait for:
// the worker uses it to release a run that waits on a timer or an event, so that any worker can
// continue it from its journal when it is due.
import type { Clock } from '../runtime/clock';

export interface TrackedClock extends Clock {
  readonly inner: Clock;
  /** Work in flight (held clock). */
  holds(): number;
  /** The earliest due time of a pending timer, on this clock. */
  nextDue(): number | undefined;
  /** Due times of every pending timer, earliest first. */
  pending(): number[];
}

/**
 * Wraps a clock; `onIdle` is called, two turns of the event loop after the last hold is released
 * (as the virtual clock waits before it moves), while nothing holds the clock.
 */
export function trackedClock(inner: Clock, onIdle: () => void): TrackedClock {
  let holds = 0;
  const timers = new Set<{ due: number }>();
  let scheduled = false;
  const check = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        scheduled = false;
        if (holds === 0) onIdle();
      }),
    );
  };
  return {
    kind: inner.kind,
    inner,
    now: () => inner.now(),
    hold() {
      holds++;
      const release = inner.hold();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        release();
        if (holds === 0) check();
      };
    },
    sleep(ms, signal) {
      const t = { due: inner.now() + Math.max(0, ms) };
      timers.add(t);
      const p = inner.sleep(ms, signal);
      const done = () => {
        timers.delete(t);
      };
      p.then(done, done);
      if (holds === 0) check();
      return p;
    },
    holds: () => holds,
    nextDue() {
      let best: number | undefined;
      for (const t of timers) if (best === undefined || t.due < best) best = t.due;
      return best;
    },
    pending: () => [...timers].map((t) => t.due).sort((a, b) => a - b),
  };
}
