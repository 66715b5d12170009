// A clock the test moves by hand: sleepers wake when it is set past their due time.
import { abortError } from '../../engine/runtime/clock';
import type { TickClock } from '../../engine/schedule/scheduler';

export interface ManualClock extends TickClock {
  set(at: number): void;
  /** Sleepers not woken yet. */
  sleeping(): number;
}

export function manualClock(start: number): ManualClock {
  let t = start;
  const sleepers = new Set<{ due: number; wake: () => void }>();
  return {
    now: () => t,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortError(signal));
        const s = { due: t + ms, wake: resolve };
        sleepers.add(s);
        signal?.addEventListener('abort', () => sleepers.delete(s) && reject(abortError(signal)), { once: true });
      });
    },
    set(at) {
      t = at;
      for (const s of [...sleepers]) if (s.due <= t) sleepers.delete(s) && s.wake();
    },
    sleeping: () => sleepers.size,
  };
}
