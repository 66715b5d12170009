// The graph's shared types: the part of the task model the graph draws (the outline the host posts
// to the webview), where things are, and the overlay of a run (debugged, shown from the Runs view,
// or any other source of visited states). Pure data: no `vscode`, no DOM, no React; the webview,
// the extension and the CLI's `stepwise graph` all import it.
import type { CatchModel, FinalStatus, InstructionModel, Range, RetryPolicy, TaskModel } from '../model/types';
import type { TransitionList } from '../edit/types';

export type LayoutDirection = 'DOWN' | 'RIGHT';

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A transition of a state, as the model numbers it (`next:` is index 0 of `on`). */
export interface TransitionKey {
  state: string;
  index: number;
  list: TransitionList;
}

/**
 * A run's picture on the graph: the debugged run, or a run shown from the Runs view (`run`). Any
 * other source of visited states and taken transitions (e.g. test coverage) can use it as well.
 */
export interface DebugView {
  /** The run is live: a debug session runs for this file, or the shown run has not ended. */
  active: boolean;
  /** The state the run is in (lit on the graph). */
  current?: string;
  /** True while the run is stopped (breakpoint, step, pause). */
  paused?: boolean;
  /** States entered so far, each once. */
  visited: string[];
  /** Transitions taken so far. */
  taken: TransitionKey[];
  /** How often each state was entered (the last run's result, shown after it ends too). */
  counts?: Record<string, number>;
  /** States where an instruction failed. */
  failed?: string[];
  /** How the run ended, once it has. */
  status?: 'succeeded' | 'failed' | 'cancelled';
  /** Per state: visits, timing, the data it found and its instructions' results (a run read from its journal). */
  states?: Record<string, StateRunInfo>;
  /** The run shown from the Runs view (absent: the debugger's run, or none). */
  run?: ShownRun;
  /** The branches and items of each `parallel`/`map` in the last visit of its state. */
  fanouts?: FanoutRun[];
}

/** Where a branch of a `parallel` (or an item of a `map`) is: not started, under way (or waiting to retry), or its end. */
export type LaneStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** The branches (by name) or items (by index, as text) of the `parallel`/`map` at `index` of a state's `do`. */
export interface FanoutRun {
  state: string;
  index: number;
  lanes: Record<string, LaneStatus>;
  /** A map's number of items, once they are known. */
  items?: number;
}

/** A run shown on the graph from its journal: a local one or one on the server. */
export interface ShownRun {
  id: string;
  task: string;
  where: 'local' | 'server';
  /** Set when the run started with another version of the task file than the one drawn: how it differs, in words. */
  olderVersion?: string;
}

/** What one state did in a run: the last visit's data, results and timing, and how often it was entered. */
export interface StateRunInfo {
  visits: number;
  /** When the last visit began (ms since the epoch on the run's clock). */
  enteredAt: number;
  /** How long the last visit took; absent while the run is in the state. */
  durationMs?: number;
  /** All visits together (the one going on counted until the journal's last entry). */
  totalMs: number;
  /** `data` as the last visit found it (large values are cut short, see runPath). */
  input: unknown;
  /** The last visit's instruction outcomes, in order. */
  results: InstructionOutcome[];
}

export interface InstructionOutcome {
  index: number;
  kind: string;
  result?: unknown;
  /** The last attempt's error, when the instruction failed. */
  error?: string;
}

// ------------------------------------------------------------------ the model, as the graph needs it

/**
 * The part of the parsed model the graph and its inspector read. `outlineOf(model)` is what the host
 * posts: the full TaskModel carries a range for every key (about 20× the text's size as JSON) and
 * costs the webview tens of milliseconds to receive on a large file. A TaskModel is an outline too.
 */
export interface TaskOutline {
  version?: number;
  name?: string;
  description?: string;
  timeout?: string;
  start?: string;
  states: StateOutline[];
}

export interface StateOutline {
  name: string;
  description?: string;
  timeout?: string;
  final: boolean;
  status?: FinalStatus;
  /** The state's key, and its value: what a diagnostic's position is matched against, and what copy takes. */
  keyRange: Range;
  range: Range;
  do: InstructionOutline[];
  on: TransitionOutline[];
  catch: CatchOutline[];
}

export type InstructionOutline = Pick<InstructionModel, 'index' | 'kind' | 'args' | 'as' | 'retry' | 'timeout'> & { fanout?: FanoutOutline };

/** An instruction inside a `parallel` or `map`. */
export interface NestedInstructionOutline {
  kind: string;
  args: unknown;
  timeout?: string;
  retry?: RetryPolicy;
}

/** A `parallel`'s branches or a `map`'s options and instruction (a TaskModel's FanoutModel is one). */
export type FanoutOutline =
  | { kind: 'parallel'; branches: Array<{ name: string; ins: NestedInstructionOutline }> }
  | { kind: 'map'; items?: unknown; concurrency?: unknown; tolerate?: unknown; do?: NestedInstructionOutline };

export interface TransitionOutline {
  index: number;
  to?: string;
  when?: string;
  after?: string;
  event?: string;
  consume?: { subject?: string };
  poll?: { every?: string; until?: string; do?: { kind: string; args: unknown } };
  /** Written as `next: target`. */
  shorthand: boolean;
}

export type CatchOutline = Pick<CatchModel, 'index' | 'to' | 'error'>;

/** The outline of a parsed model (plain data, no field ranges): what the host posts to the webview. */
export function outlineOf(model: TaskModel): TaskOutline {
  const out: TaskOutline = { states: [] };
  if (model.version !== undefined) out.version = model.version;
  if (model.name !== undefined) out.name = model.name;
  if (model.description !== undefined) out.description = model.description;
  if (model.timeout !== undefined) out.timeout = model.timeout;
  if (model.start !== undefined) out.start = model.start;
  out.states = model.states.map((s) => ({
    name: s.name,
    description: s.description,
    timeout: s.timeout,
    final: s.final,
    status: s.status,
    keyRange: s.keyRange,
    range: s.range,
    do: s.do.map((i) => ({ index: i.index, kind: i.kind, args: i.args, as: i.as, retry: i.retry, timeout: i.timeout, fanout: i.fanout && fanoutOutline(i.fanout) })),
    on: s.on.map((t) => ({
      index: t.index,
      to: t.to,
      when: t.when,
      after: t.after,
      event: t.event,
      consume: t.consume ? { subject: t.consume.subject } : undefined,
      poll: t.poll ? { every: t.poll.every, until: t.poll.until, do: t.poll.do ? { kind: t.poll.do.kind, args: t.poll.do.args } : undefined } : undefined,
      shorthand: t.shorthand,
    })),
    catch: s.catch.map((c) => ({ index: c.index, to: c.to, error: c.error })),
  }));
  return out;
}


function nested(i: NestedInstructionOutline): NestedInstructionOutline {
  return { kind: i.kind, args: i.args, timeout: i.timeout, retry: i.retry };
}

function fanoutOutline(f: FanoutOutline): FanoutOutline {
  if (f.kind === 'parallel') return { kind: 'parallel', branches: f.branches.map((b) => ({ name: b.name, ins: nested(b.ins) })) };
  return { kind: 'map', items: f.items, concurrency: f.concurrency, tolerate: f.tolerate, do: f.do && nested(f.do) };
}
