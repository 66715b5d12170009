// The states a run entered, from its journal: what "Retry from Here…" offers. No `vscode` here.
import type { JournalEvent } from '../../engine/journal/events';

export interface EnteredState {
  state: string;
  /** How often the run entered it. */
  times: number;
  /** The run's last state when it failed there: the default to retry from. */
  failedHere: boolean;
}

/** The states a run entered, the latest entered first; the one it failed in marked. */
export function enteredStates(journal: readonly JournalEvent[]): EnteredState[] {
  const times = new Map<string, number>();
  let last: string | undefined;
  let failed = false;
  for (const e of journal) {
    if (e.type === 'state-entered') {
      times.set(e.state, (times.get(e.state) ?? 0) + 1);
      last = e.state;
    }
    if (e.type === 'run-ended') failed = e.status === 'failed';
  }
  const order: string[] = [];
  for (let i = journal.length - 1; i >= 0; i--) {
    const e = journal[i];
    if (e.type === 'state-entered' && !order.includes(e.state)) order.push(e.state);
  }
  return order.map((state) => ({ state, times: times.get(state)!, failedHere: failed && state === last }));
}
