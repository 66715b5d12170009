// A run's path for the graph, read from its journal: each state's visits, timing, the data it
// found and its instructions' outcomes, the transitions taken (exactly the ones the journal
// names), the state where the run failed, and the status of each fan-out's branches and items.
// Pure; the Runs view's "Show on Graph" posts it.
import type { JournalEvent } from '../journal/events';
import { applyEvent, emptyRunState } from '../journal/replay';
import { fanoutRunOf, withFanoutRun } from './lanes';
import type { DebugView, FanoutRun, InstructionOutcome, ShownRun, StateRunInfo, TransitionKey } from './types';

/** A value's JSON longer than this is shown as its first characters (a run's data can be large). */
export const PREVIEW_CHARS = 4000;

/** A copy of the value when small (the run's data changes on), else the start of its JSON and an ellipsis. */
export function preview(value: unknown, max = PREVIEW_CHARS): unknown {
  if (value === undefined) return undefined;
  const json = JSON.stringify(value);
  if (json === undefined) return undefined;
  if (json.length <= max) return JSON.parse(json);
  return `${json.slice(0, max)}… (${json.length} characters)`;
}

/** The picture of a run from its journal (any prefix of it: a live run is shown as far as it went). */
export function runPath(events: readonly JournalEvent[], run: Omit<ShownRun, 'task'> & { task?: string }): DebugView {
  const states: Record<string, StateRunInfo> = {};
  const visited: string[] = [];
  const counts: Record<string, number> = {};
  const taken: TransitionKey[] = [];
  const failed: string[] = [];
  let fanouts: FanoutRun[] = [];
  // The run's state as the journal rebuilds it (the same fold as a replay): the data a state finds.
  const folded = emptyRunState();
  let task = run.task ?? '';
  let current: StateRunInfo | undefined;
  let currentName: string | undefined;
  let status: DebugView['status'];
  let lastAt = 0;
  const attempts = new Map<number, InstructionOutcome>();

  const leave = (at: number) => {
    if (!current) return;
    current.durationMs = Math.max(0, at - current.enteredAt);
    current.totalMs += current.durationMs;
    current = undefined;
  };

  for (const e of events) {
    lastAt = e.at;
    applyEvent(folded, e);
    switch (e.type) {
      case 'run-started':
        task ||= e.task;
        break;
      case 'state-entered': {
        leave(e.at);
        const prev = states[e.state];
        current = { visits: (prev?.visits ?? 0) + 1, enteredAt: e.at, totalMs: prev?.totalMs ?? 0, input: preview(folded.data), results: [] };
        states[e.state] = current;
        currentName = e.state;
        attempts.clear();
        if (!visited.includes(e.state)) visited.push(e.state);
        counts[e.state] = current.visits;
        // A new visit: its fan-outs start over.
        fanouts = fanouts.filter((f) => f.state !== e.state);
        break;
      }
      case 'instruction-started':
      case 'map-items':
      case 'branch-started':
      case 'branch-finished':
      case 'branch-failed':
      case 'branch-cancelled':
        if (folded.fanout && currentName) fanouts = withFanoutRun(fanouts, fanoutRunOf(currentName, folded.fanout));
        break;
      case 'instruction-finished':
        outcome(current, attempts, e.index, e.kind).result = preview(e.result);
        break;
      case 'instruction-failed':
        outcome(current, attempts, e.index, e.kind).error = e.error.message;
        break;
      case 'transition-taken': {
        const key: TransitionKey = { state: e.from, index: e.index, list: e.cause === 'catch' ? 'catch' : 'on' };
        if (!taken.some((t) => t.state === key.state && t.index === key.index && t.list === key.list)) taken.push(key);
        leave(e.at);
        break;
      }
      case 'run-ended':
        status = e.status;
        if (e.status === 'failed' && currentName) failed.push(currentName);
        leave(e.at);
        break;
      default:
        break;
    }
  }
  // The state the run is in: its visit so far counts up to the journal's last entry.
  if (current) current.totalMs += Math.max(0, lastAt - current.enteredAt);
  return { active: !status, current: status ? undefined : currentName, visited, taken, counts, failed, status, states, run: { id: run.id, where: run.where, task, ...(run.olderVersion ? { olderVersion: run.olderVersion } : {}) }, ...(fanouts.length ? { fanouts } : {}) };
}

function outcome(state: StateRunInfo | undefined, attempts: Map<number, InstructionOutcome>, index: number, kind: string): InstructionOutcome {
  let o = attempts.get(index);
  if (!o) {
    o = { index, kind };
    attempts.set(index, o);
    state?.results.push(o);
  }
  // A later attempt replaces an earlier one's outcome.
  delete o.result;
  delete o.error;
  return o;
}
