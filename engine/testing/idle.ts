// A virtual clock that also says when nothing at all can happen any more: no hold (no work in
// flight) and no timer. In a hermetic test nothing outside the engine can wake a run, so a run that
// has not ended by then waits forever (for an event nobody sends).
import { virtualClock, type Clock } from '../runtime/clock';

export function idleWatchingClock(start: number, onIdle: () => void): Clock {
  const inner = virtualClock(start);
  let holds = 0;
  let timers = 0;
  let checking = false;
  // Like the virtual clock, let two turns of the event loop settle promise chains before deciding.
  const check = () => {
    if (checking || holds !== 0 || timers !== 0) return;
    checking = true;
    setImmediate(() =>
      setImmediate(() => {
        checking = false;
        if (holds === 0 && timers === 0) onIdle();
      }),
    );
  };
  return {
    kind: 'virtual',
    now: inner.now,
    hold() {
      holds++;
      const release = inner.hold();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        holds--;
        release();
        check();
      };
    },
    sleep(ms, signal) {
      timers++;
      const done = () => {
        timers--;
        check();
      };
      return inner.sleep(ms, signal).then(done, (err) => {
        done();
        throw err;
      });
    },
  };
}
