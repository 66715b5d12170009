// Rebuilds a run's state from its journal. The live runner folds each event it appends through
// the same `applyEvent`, so a replay of any prefix is, by construction, the state the run had.
import type { FinalRunStatus, JournalEvent, ReceivedEvent, RunError } from './events';
import { applyFanoutEvent, type FanoutState } from './fanout';

/** `between`: before the first state, or after a transition and before its target is entered. */
export type RunPhase = 'between' | 'instructions' | 'ended';

export interface HistoryEntry {
  state: string;
  enteredAt: number;
  seq: number;
}

export interface RunState {
  runId: string;
  task: string;
  file?: string;
  /** sha256 of the task text the run is pinned to (see runtime/pinned.ts). */
  taskHash?: string;
  parentRunId?: string;
  clock: 'real' | 'virtual';
  pid?: number;
  input: Record<string, unknown>;
  data: Record<string, unknown>;
  /** The last instruction's or poll's result. */
  result: unknown;
  /** The event that fired the last event transition. */
  event: ReceivedEvent | null;
  state?: string;
  stateEnteredAt?: number;
  /** The state a taken transition leads to, until it is entered. */
  target?: string;
  phase: RunPhase;
  /** Index in the current state's `do` of the next instruction to run. */
  nextInstruction: number;
  /** Attempts made of the next instruction (failed ones). */
  attempts: number;
  /** When the last failed attempt of the next instruction may be retried. */
  retryAt?: number;
  /**
   * Polls made and time of the last one, per transition index of the current state; `done` once
   * a result met `until` (its transition is then taken, also by a run continued from here).
   */
  polls: Record<number, { count: number; lastAt: number; done?: true }>;
  /** The `parallel` or `map` under way in the current state. */
  fanout?: FanoutState;
  /** The message a `consume` transition of the current state took, until the transition is journaled. */
  message?: { transition: number; event: ReceivedEvent };
  /** Events received and not yet consumed by a transition. */
  pendingEvents: ReceivedEvent[];
  history: HistoryEntry[];
  paused: boolean;
  status: 'running' | FinalRunStatus;
  reason?: string;
  error?: RunError;
  startedAt: number;
  endedAt?: number;
  /** seq of the last event applied. */
  seq: number;
}

export function emptyRunState(): RunState {
  return {
    runId: '',
    task: '',
    clock: 'real',
    input: {},
    data: {},
    result: null,
    event: null,
    phase: 'between',
    nextInstruction: 0,
    attempts: 0,
    polls: {},
    pendingEvents: [],
    history: [],
    paused: false,
    status: 'running',
    startedAt: 0,
    seq: 0,
  };
}

export function replay(events: readonly JournalEvent[]): RunState {
  const state = emptyRunState();
  for (const e of events) applyEvent(state, e);
  return state;
}

/** Applies one journal event to a run state, in place. */
export function applyEvent(s: RunState, e: JournalEvent): RunState {
  s.seq = e.seq;
  applyFanoutEvent(s, e);
  switch (e.type) {
    case 'run-started':
      s.runId = e.runId;
      s.task = e.task;
      s.file = e.file;
      if (e.taskHash) s.taskHash = e.taskHash;
      s.parentRunId = e.parentRunId;
      s.clock = e.clock;
      s.pid = e.pid;
      s.input = clone(e.input);
      s.data = clone(e.data);
      s.startedAt = e.at;
      break;
    case 'state-entered':
      s.state = e.state;
      s.target = undefined;
      s.stateEnteredAt = e.at;
      s.phase = 'instructions';
      s.nextInstruction = 0;
      s.attempts = 0;
      s.retryAt = undefined;
      s.polls = {};
      s.message = undefined;
      s.history.push({ state: e.state, enteredAt: e.at, seq: e.seq });
      break;
    case 'instruction-started':
      break;
    case 'instruction-finished':
      s.result = clone(e.result);
      if (e.kind === 'set' && e.result && typeof e.result === 'object') {
        for (const [path, value] of Object.entries(e.result)) assignPath(s.data, path, clone(value));
      }
      if (e.as) s.data[e.as] = clone(e.result);
      s.nextInstruction = e.index + 1;
      s.attempts = 0;
      s.retryAt = undefined;
      break;
    case 'instruction-failed':
      s.attempts = e.attempt;
      s.retryAt = e.retryInMs === undefined ? undefined : e.at + e.retryInMs;
      break;
    case 'poll-result': {
      const p = s.polls[e.transition] ?? { count: 0, lastAt: e.at };
      p.count += 1;
      p.lastAt = e.at;
      if (e.done) p.done = true;
      s.polls[e.transition] = p;
      if (e.result !== undefined) {
        s.result = clone(e.result);
        if (e.as) s.data[e.as] = clone(e.result);
      }
      break;
    }
    case 'event-received':
      s.pendingEvents.push({ name: e.name, data: clone(e.data), seq: e.seq });
      break;
    case 'message-received':
      s.message = { transition: e.transition, event: { name: e.subject, data: clone(e.data), ...(e.headers ? { headers: clone(e.headers) } : {}), seq: e.seq } };
      break;
    case 'transition-taken':
      s.message = undefined;
      if (e.event) {
        const consumed = e.event.seq;
        s.pendingEvents = s.pendingEvents.filter((p) => p.seq !== consumed);
        s.event = clone(e.event);
      }
      s.phase = 'between';
      s.target = e.to;
      break;
    case 'run-paused':
      s.paused = true;
      break;
    case 'run-resumed':
      s.paused = false;
      break;
    case 'run-recovered':
    case 'run-forked':
      s.pid = e.pid;
      break;
    case 'data-set':
      setAtPath(s.data, e.path, clone(e.value));
      break;
    case 'run-ended':
      s.status = e.status;
      s.reason = e.reason;
      s.error = e.error;
      s.endedAt = e.at;
      s.phase = 'ended';
      s.paused = false;
      break;
    case 'log':
    case 'emitted':
      break;
  }
  return s;
}

/** Assigns at a dotted path (`a.b.c`), creating objects on the way. */
export function assignPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let obj = target;
  for (const part of parts.slice(0, -1)) {
    const next = obj[part];
    if (!next || typeof next !== 'object' || Array.isArray(next)) obj[part] = {};
    obj = obj[part] as Record<string, unknown>;
  }
  obj[parts[parts.length - 1]] = value;
}

/**
 * Sets a value at a path of keys and indices, creating objects on the way; an empty path replaces
 * the whole object's content (the value must then be an object).
 */
export function setAtPath(target: Record<string, unknown>, path: ReadonlyArray<string | number>, value: unknown): void {
  if (path.length === 0) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    for (const k of Object.keys(target)) delete target[k];
    Object.assign(target, value);
    return;
  }
  let obj: Record<string | number, unknown> | unknown[] = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i];
    const next = (obj as Record<string | number, unknown>)[key];
    if (!next || typeof next !== 'object') (obj as Record<string | number, unknown>)[key] = typeof path[i + 1] === 'number' ? [] : {};
    obj = (obj as Record<string | number, unknown>)[key] as Record<string, unknown>;
  }
  (obj as Record<string | number, unknown>)[path[path.length - 1]] = value;
}

function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  return structuredClone(value);
}
