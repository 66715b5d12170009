// What the debugger shows of its runs: the stack (the stopped step, its state, then each caller's
// `call` instruction and state), the scopes of a run, and the run's position for the graph editor.
// Functions of the runs and the current stop; nothing here moves a run.
import type { Evaluated, ExpressionScope } from '../expr/expression';
import { fanoutRunOf } from '../graph/lanes';
import type { FanoutRun } from '../graph/types';
import type { JournalEvent, ReceivedEvent } from '../journal/events';
import type { RunState } from '../journal/replay';
import type { InstructionModel, StateModel } from '../model/types';
import type { Engine } from '../runtime/engine';
import type { Mocks } from '../runtime/mocks';
import { MASK, redact } from '../runtime/redact';
import type { Run } from '../runtime/run';
import type { Point, StopInfo, StopReason } from './stops';
import { branchLine, type BranchThread } from './threads';
import { describeWaits, waitText, type Wait } from './waits';

export interface Frame {
  /** 1-based, valid until the run moves on. */
  id: number;
  name: string;
  file?: string;
  /** 0-based. */
  line: number;
  column: number;
  runId: string;
  kind: 'state' | 'instruction' | 'transition' | 'catch' | 'wait' | 'timeout' | 'branch';
  /** The thread whose stack it is (set by the runtime). */
  thread?: number;
}

/** The run's position, for the graph editor (custom event `stepwise/state`). */
export interface RunPosition {
  runId: string;
  /** The launched run (a called task's run has its caller here). */
  rootRunId: string;
  parentRunId?: string;
  task: string;
  file?: string;
  state?: string;
  phase: RunState['phase'];
  status: RunState['status'];
  stopped: boolean;
  reason?: StopReason;
  /** What the run stopped at: `state`, `instruction:2`, `transition:0`, … */
  at?: string;
  /**
   * The states entered, from `historyStart` on: events carry only the entries added since the
   * previous event for the same run (append them); the `position` request carries them all.
   */
  history: Array<{ state: string; enteredAt: number; seq: number }>;
  historyStart: number;
  /** The runs from the launched one to the innermost called one. */
  stack: Array<{ runId: string; task: string; file?: string; state?: string }>;
  /** The `parallel` or `map` under way in the state: its branches' or items' status. */
  fanout?: FanoutRun;
}

export interface RunContexts {
  data: unknown;
  input: unknown;
  result: unknown;
  event: unknown;
  run: Record<string, unknown>;
  secrets: Record<string, string>;
}

/** What the views are computed from. */
export interface View {
  engine?: Engine;
  stop?: StopInfo;
  rootRunId: string;
  /** The clock's time now. */
  now: number;
  clockKind: 'real' | 'virtual';
  secrets: Record<string, string>;
  mocks: Mocks;
  /** The fan-out branch whose `call` started a run, if one did (see threads.ts). */
  branchOf?: (runId: string) => BranchThread | undefined;
  /** The branch the stack is for when it runs no run of its own (its instruction is not a `call`). */
  branch?: BranchThread;
}

/** The stack: the stopped step, its state, then each caller's `call` instruction and state. */
export function stackFrames(view: View): Frame[] {
  const out: Frame[] = [];
  const { stop, engine } = view;
  if (!stop || !engine) return out;
  const chain = [stop.runId, ...ancestors(engine, stop.runId)];
  const push = (f: Omit<Frame, 'id'>) => out.push({ ...f, id: out.length + 1 });
  for (const [i, runId] of chain.entries()) {
    const run = engine.get(runId);
    if (!run) continue;
    const { model, file } = run.task;
    const tag = runId === view.rootRunId ? '' : `${model.name} · `;
    const stateFrame = (name: string | undefined, suffix = '') => {
      const st = name === undefined ? undefined : model.states.find((s) => s.name === name);
      if (!st) return;
      push({ name: `${tag}${st.name}${suffix}`, file, line: st.keyRange.start.line, column: st.keyRange.start.column, runId, kind: 'state' });
    };
    const instructionFrame = (st: StateModel | undefined, index: number | undefined, note = '') => {
      const ins = st && index !== undefined ? st.do[index] : undefined;
      if (!st || !ins) return;
      push({ name: `${tag}${st.name} › ${describeInstruction(ins)}${note}`, file, line: ins.range.start.line, column: ins.range.start.column, runId, kind: 'instruction' });
    };
    const st = (name: string | undefined) => (name === undefined ? undefined : model.states.find((s) => s.name === name));
    const branchFrame = (b: BranchThread) => {
      const at = branchLine(st(b.state), b.index, b.tag);
      if (at) push({ name: b.name, file, line: at.line, column: at.column, runId, kind: 'branch' });
    };
    if (runId !== stop.runId) {
      // A caller: inside its `call` instruction, or in the branch of a fan-out that called.
      const branch = view.branchOf?.(chain[i - 1]);
      if (branch) branchFrame(branch);
      else instructionFrame(st(run.state.state), run.state.nextInstruction);
      stateFrame(run.state.state);
      continue;
    }
    switch (stop.at) {
      case 'state':
        stateFrame(stop.state, ' (entering)');
        break;
      case 'instruction':
        instructionFrame(st(stop.state), stop.index, stop.attempt && stop.attempt > 1 ? ` (attempt ${stop.attempt})` : '');
        stateFrame(stop.state);
        break;
      case 'transition':
      case 'catch': {
        const s = st(stop.state);
        const item = stop.at === 'catch' ? s?.catch[stop.index ?? 0] : s?.on[stop.index ?? 0];
        if (s && item) push({ name: `${tag}${s.name} → ${stop.to} (${stop.cause})`, file, line: item.range.start.line, column: item.range.start.column, runId, kind: stop.at });
        stateFrame(stop.state);
        break;
      }
      case 'failure': {
        const s = st(stop.state);
        if (stop.error?.where === 'timeout' && s?.fields.timeout) {
          const k = s.fields.timeout.key;
          push({ name: `${tag}${s.name} timed out after ${s.timeout}`, file, line: k.start.line, column: k.start.column, runId, kind: 'timeout' });
        } else if (stop.error?.where === 'instruction' || (run.state.phase === 'instructions' && s && run.state.nextInstruction < s.do.length)) {
          instructionFrame(s, stop.index ?? run.state.nextInstruction, ' (failed)');
        }
        stateFrame(stop.state);
        break;
      }
      case 'wait':
      case 'paused': {
        if (run.state.phase === 'between') {
          const target = run.state.target ?? model.start;
          stateFrame(target, ' (next)');
          break;
        }
        const s = st(run.state.state);
        if (view.branch?.ownerRunId === runId) branchFrame(view.branch);
        else if (s && run.state.phase === 'instructions' && run.state.nextInstruction < s.do.length) {
          instructionFrame(s, run.state.nextInstruction, run.state.retryAt !== undefined ? ' (waiting to retry)' : '');
        } else if (s) {
          const waits = waitsOf(view, run).filter((w) => w.state === s.name && w.line !== undefined);
          const w = waits.find((x) => x.due !== undefined) ?? waits[0];
          if (w) push({ name: `${tag}${s.name} · waiting: ${waitText(w, view.now)}`, file, line: w.line!, column: 0, runId, kind: 'wait' });
        }
        stateFrame(run.state.state);
        break;
      }
    }
  }
  return out;
}

/** The values a run's scopes show; secrets are masked. */
export function runContexts(view: View, run: Run): RunContexts {
  const s = run.state;
  const stop = view.stop?.runId === run.id ? view.stop : undefined;
  const waits = waitsOf(view, run).map((w) => waitText(w, view.now));
  const info: Record<string, unknown> = {
    id: run.id,
    task: run.task.model.name,
    file: run.task.file,
    state: stop?.at === 'state' ? stop.state : s.state,
    phase: stop?.at === 'state' ? 'entering' : s.phase,
    status: s.paused ? 'paused' : s.status,
    attempt: stop?.attempt ?? s.attempts + 1,
    startedAt: new Date(s.startedAt).toISOString(),
    now: new Date(view.now).toISOString(),
    clock: view.clockKind,
    history: s.history.map((h) => h.state),
  };
  if (s.parentRunId) info.calledBy = s.parentRunId;
  if (stop?.to) info.transition = { to: stop.to, cause: stop.cause };
  if (stop?.error) info.error = stop.error;
  if (waits.length) info.waiting = waits;
  if (s.pendingEvents.length) info.pendingEvents = s.pendingEvents.map((e) => ({ name: e.name, data: e.data }));
  const secrets: Record<string, string> = {};
  for (const k of Object.keys(view.secrets)) secrets[k] = MASK;
  const event = stop?.event ?? s.event;
  return {
    data: redact(s.data, view.secrets),
    input: redact(s.input, view.secrets),
    result: redact(s.result, view.secrets),
    event: redact(event ? { name: event.name, data: event.data } : null, view.secrets),
    run: info,
    secrets,
  };
}

/** Where a run stands, with its history from `historyStart` on. */
export function runPosition(view: View, runId: string, s: Readonly<RunState>, historyStart: number): RunPosition {
  const run = view.engine?.get(runId);
  const stop = view.stop?.runId === runId ? view.stop : undefined;
  const chain = [...ancestors(view.engine, runId)].reverse().concat(runId);
  return {
    runId,
    rootRunId: view.rootRunId,
    parentRunId: s.parentRunId,
    task: s.task,
    file: s.file,
    state: stop?.at === 'state' ? stop.state : s.state,
    phase: s.phase,
    status: s.status,
    stopped: Boolean(stop),
    reason: stop?.reason,
    at: stop ? (stop.index !== undefined ? `${stop.at}:${stop.index}` : stop.at) : undefined,
    history: s.history.slice(historyStart).map((h) => ({ ...h })),
    historyStart,
    fanout: s.fanout && s.state ? fanoutRunOf(s.state, s.fanout) : undefined,
    stack: chain.map((id) => {
      const r = id === runId ? undefined : view.engine?.get(id);
      const st = r?.state ?? (id === runId ? s : undefined);
      return { runId: id, task: st?.task ?? run?.task.model.name ?? '', file: st?.file, state: st?.state };
    }),
  };
}

/** The names a task's expressions see, for conditions, logpoints and evaluate. */
export function expressionScope(s: Readonly<RunState>, secrets: Record<string, string>, event?: ReceivedEvent): ExpressionScope {
  return {
    input: s.input,
    data: s.data,
    result: s.result,
    event: event ?? s.event,
    run: { id: s.runId, state: s.state, attempt: s.attempts + 1, startedAt: new Date(s.startedAt).toISOString() },
    secrets,
  };
}

/** What a run waits for (timers, polls, events, messages, retries, timeouts, mocked events and messages still to come). */
export function waitsOf(view: View, run: Run): Wait[] {
  return describeWaits(run.task.model, run.state, view.now, run.id === view.rootRunId || !run.state.parentRunId ? view.mocks.events : [], view.mocks.messages);
}

/** The callers of a run, nearest first. */
export function ancestors(engine: Engine | undefined, runId: string): string[] {
  const out: string[] = [];
  let id = engine?.get(runId)?.state.parentRunId;
  while (id && out.length < 64) {
    out.push(id);
    id = engine?.get(id)?.state.parentRunId;
  }
  return out;
}

/** The run deepest in the call chain under the launched run (the one a pause or an event is for). */
export function innermost(engine: Engine | undefined, rootRunId: string): Run | undefined {
  const active = engine?.active().filter((r) => !r.ended) ?? [];
  if (!active.length) return undefined;
  const parents = new Set(active.map((r) => r.state.parentRunId).filter((x): x is string => Boolean(x)));
  return active.find((r) => !parents.has(r.id) && (r.id === rootRunId || ancestors(engine, r.id).includes(rootRunId))) ?? active[0];
}

export function describeInstruction(ins: InstructionModel): string {
  return `${ins.kind || 'instruction'}${ins.as ? ` as ${ins.as}` : ` #${ins.index}`}`;
}

/** A Debug Console line for a journal entry of a run (`tag` names a called task's run), if it has one. */
export function consoleLine(e: JournalEvent, tag: string, runId: string): string | undefined {
  switch (e.type) {
    case 'state-entered':
      return `${tag}● ${e.state}\n`;
    case 'transition-taken':
      return `  → ${e.to} (${e.cause}${e.error ? `: ${e.error.kind}` : ''})\n`;
    case 'instruction-failed':
      return `  ✗ ${e.kind} failed [${e.error.kind}]: ${e.error.message}${e.retryInMs !== undefined ? ` (retry in ${e.retryInMs}ms)` : ''}\n`;
    case 'event-received':
      return `  ⚑ event ${e.name} ${JSON.stringify(e.data)}\n`;
    case 'message-received':
      return `  ✉ message ${e.subject} ${JSON.stringify(e.data)}\n`;
    case 'data-set':
      return `  ✎ data${e.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')} = ${JSON.stringify(e.value)}\n`;
    case 'run-ended':
      return `${tag}■ run ${runId} ${e.status}${e.error ? `: ${e.error.message}` : e.reason && e.reason !== e.status ? ` (${e.reason})` : ''}\n`;
    default:
      return undefined;
  }
}

/** Where output of a run's state comes from: its next instruction, else the state. */
export function outputPlace(run: Run, state: string | undefined): { file?: string; line?: number } {
  const st = state ? run.task.model.states.find((s) => s.name === state) : undefined;
  const ins = st?.do[run.state.nextInstruction];
  return { file: run.task.file, line: ins?.range.start.line ?? st?.keyRange.start.line };
}

/** Where a step is written: its item, or its state's key. */
export function pointPlace(run: Run | undefined, p: Point): { file?: string; line?: number } {
  const item = p.kind === 'instruction' ? p.state.do[p.index ?? 0] : p.kind === 'transition' ? p.state.on[p.index ?? 0] : p.kind === 'catch' ? p.state.catch[p.index ?? 0] : undefined;
  return { file: run?.task.file, line: item ? item.range.start.line : p.state.keyRange.start.line };
}

/**
 * A stop where a run waits: `lead` ("Waiting", "Paused") and the wait due at `due` (else the next
 * timer, for "Waiting"; else the first wait, for "Paused"), then everything it waits for.
 */
export function describeWaiting(view: View, run: Run, lead: 'Waiting' | 'Paused', due?: number): { description: string; text?: string } {
  const waits = waitsOf(view, run);
  const next = lead === 'Waiting' ? (waits.find((w) => w.due === due) ?? waits.find((w) => w.due !== undefined)) : waits[0];
  const description = lead === 'Waiting' ? (next ? `Waiting: ${waitText(next, view.now)}` : 'Waiting') : next ? `Paused while waiting: ${waitText(next, view.now)}` : 'Paused';
  return { description, text: waits.map((w) => waitText(w, view.now)).join('\n') || undefined };
}

/**
 * An expression's value as the run computes it (`secret` when computed from a secret); on hover, a
 * bare name (an `as` name, a data key) also names data.
 */
export async function evaluateIn(run: Run, over: Partial<ExpressionScope>, expression: string, hover: boolean): Promise<Evaluated> {
  const r = await run.evaluate(expression, over);
  if (r.value !== undefined || !hover || !/^[A-Za-z_][\w.-]*$/.test(expression)) return r;
  return run.evaluate(`data.${expression.split('.').map((p) => (/^[A-Za-z_]\w*$/.test(p) ? p : `\`${p}\``)).join('.')}`, over);
}
