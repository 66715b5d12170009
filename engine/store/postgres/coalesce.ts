// Reads triggered by notifications, reconnections and polls, which come in bursts: each trigger
// must be followed by a read, but no trigger needs a query of its own and reads never overlap.

export interface CoalescedRead {
  /** Reads now, or once more after the read in flight. */
  trigger(): void;
  /** No read starts after this; a read in flight sees `stopped()` turn true. */
  stop(): void;
}

/** `read` may fail: the next trigger reads again. */
export function coalescedRead(read: (stopped: () => boolean) => Promise<void>): CoalescedRead {
  let stopped = false;
  let running = false;
  let again = false;
  const isStopped = () => stopped;
  const run = async () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await read(isStopped);
      } while (again && !stopped);
    } catch {
      // The next notification or poll reads again.
    } finally {
      running = false;
    }
  };
  return {
    trigger: () => void run(),
    stop: () => {
      stopped = true;
    },
  };
}
