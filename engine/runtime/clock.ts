// Clocks that timers read. The virtual clock jumps to the next due timer as soon as nothing else
// can happen: work in flight (I/O, a debugger stop, a paused run) holds it, waiting releases it.
import { Interrupt, type Abortable } from './scope';

export interface Clock {
  readonly kind: 'real' | 'virtual';
  now(): number;
  /** Resolves after `ms`; rejects when the signal aborts first, with its reason (see abortError). */
  sleep(ms: number, signal?: Abortable): Promise<void>;
  /** Keeps virtual time still until the returned function is called (a no-op on the real clock). */
  hold(): () => void;
}

/** What a wait that was aborted rejects with: the reason itself when it is an Error or an Interrupt. */
export function abortError(signal?: Abortable): Error {
  const reason = signal?.reason;
  if (reason instanceof Error || reason instanceof Interrupt) return reason;
  const err = new Error(typeof reason === 'string' ? reason : 'aborted');
  err.name = 'AbortError';
  return err;
}

export function realClock(): Clock {
  return {
    kind: 'real',
    now: () => Date.now(),
    hold: () => () => undefined,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortError(signal));
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, Math.max(0, ms));
        const onAbort = () => {
          clearTimeout(timer);
          reject(abortError(signal));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

interface VirtualTimer {
  due: number;
  order: number;
  fire: () => void;
}

export interface VirtualClock extends Clock {
  readonly kind: 'virtual';
  /** Fires the earliest pending timer now, even while held (the debugger's "Skip wait"). */
  skipToNextTimer(): boolean;
  /** Due time of the earliest pending timer. */
  nextDue(): number | undefined;
  /**
   * Asks `gate` before time jumps to the next due timer; when it answers false, time stays still
   * until `poke()` (or `skipToNextTimer()`). A debugger stepping through a run uses it to stop
   * where the run waits. Undefined removes the gate.
   */
  setGate(gate: ((due: number) => boolean) | undefined): void;
  /** Lets time move again after a gate said no (when nothing holds it). */
  poke(): void;
}

export function virtualClock(start = Date.now()): VirtualClock {
  let now = start;
  let holds = 0;
  let order = 0;
  let scheduled = false;
  let gate: ((due: number) => boolean) | undefined;
  const timers: VirtualTimer[] = [];

  const earliestIndex = () => {
    let best = -1;
    for (let i = 0; i < timers.length; i++) {
      const t = timers[i];
      if (best < 0 || t.due < timers[best].due || (t.due === timers[best].due && t.order < timers[best].order)) best = i;
    }
    return best;
  };

  const fireNext = () => {
    const i = earliestIndex();
    if (i < 0) return false;
    const [timer] = timers.splice(i, 1);
    now = Math.max(now, timer.due);
    timer.fire();
    return true;
  };

  // Two turns of the event loop let promise chains and already-completed I/O callbacks settle
  // before time moves; anything still running holds the clock.
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() =>
      setImmediate(() => {
        scheduled = false;
        if (holds !== 0 || timers.length === 0) return;
        if (gate && !gate(timers[earliestIndex()].due)) return;
        if (fireNext()) schedule();
      }),
    );
  };

  return {
    kind: 'virtual',
    now: () => now,
    hold() {
      holds++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        if (holds === 0) schedule();
      };
    },
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortError(signal));
        const timer: VirtualTimer = {
          due: now + Math.max(0, ms),
          order: order++,
          fire: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          const i = timers.indexOf(timer);
          if (i >= 0) timers.splice(i, 1);
          reject(abortError(signal));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        timers.push(timer);
        schedule();
      });
    },
    skipToNextTimer: fireNext,
    setGate(g) {
      gate = g;
    },
    poke() {
      if (holds === 0) schedule();
    },
    nextDue() {
      const i = earliestIndex();
      return i < 0 ? undefined : timers[i].due;
    },
  };
}
