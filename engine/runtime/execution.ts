// How a run runs one instruction of a state: its attempts with the retry delays between them, a
// recorded outcome or a mock in its place, the hand-off of `parallel` and `map` to fanout.ts, and
// running it for real (its handler, its timeout, its context, a result made of arguments computed
// from secrets). The loop stays in run.ts; the journal, the pause gate and the clock hold are the
// run's host (run-host.ts).
import * as path from 'node:path';
import { durationMs } from '../expr/duration';
import { resolveTemplates, type ValuePath } from '../expr/expression';
import type { InstructionRegistry } from '../instructions/registry';
import { InstructionFailure, type CallResult, type InstructionContext } from '../instructions/types';
import type { BranchTag, JournalEvent, NewJournalEvent, RunError } from '../journal/events';
import type { RunState } from '../journal/replay';
import type { InstructionModel, StateModel } from '../model/types';
import type { InstructionSite } from '../observe/observer';
import { abortError, type Clock } from './clock';
import { runFanout, type BranchRun, type FanoutHost } from './fanout';
import type { MockOutcome, MockSession } from './mocks';
import { isDeterministicKind } from './run-journal';
import { Interrupt, Scope, type Abortable } from './scope';
import type { ClearResult, SecretState } from './secret-state';

/** The outcome an instruction had in the run a forked run continues; undefined to run it as usual. */
export interface RecordedInstructions {
  instruction(state: string, index: number, kind: string, attempt: number): MockOutcome | undefined;
}

/** What running an instruction needs of the run's environment (see RunEnvironment). */
export interface ExecutionEnvironment {
  readonly clock: Clock;
  readonly instructions: InstructionRegistry;
  readonly mocks: MockSession;
  readonly recorded?: RecordedInstructions;
  readonly hooks: {
    beforeInstruction?(info: { runId: string; run: Readonly<RunState>; state: StateModel; instruction: InstructionModel; attempt: number }): void | Promise<void>;
  };
  broadcast(from: string, name: string, data: unknown): Promise<void>;
  headers?(site: InstructionSite): Record<string, string>;
  onOutput(chunk: { runId: string; state?: string; stream: 'stdout' | 'stderr' | 'log'; text: string }): void;
}

export interface ExecutionHost {
  readonly runId: string;
  /** Absolute path of the task file; relative paths in the task start at its folder. */
  readonly taskFile: string | undefined;
  readonly env: ExecutionEnvironment;
  /** The state the run decides over (values computed from secrets in clear: never show it). */
  readonly live: Readonly<RunState>;
  readonly secrets: SecretState;
  /** The run as its journal has it: what a hook is shown. */
  shown(): Readonly<RunState>;
  journal(event: NewJournalEvent, clear?: ClearResult, point?: boolean): Promise<JournalEvent>;
  /** Journals what the run waits with, or shows. */
  flush(): Promise<void>;
  /** Whether the run must stop at the gate before its next step; gate() waits there. */
  mustStop(): boolean;
  gate(): Promise<void>;
  /** Lets virtual time move while the run waits on a timer or a child run. */
  idle<T>(p: Promise<T>): Promise<T>;
  /** Marks the run parked (see Run.parked) until the returned function is called. */
  park(): () => void;
  /** Runs a child run (see RunEnvironment.callTask). */
  callTask(file: string, input: Record<string, unknown>, childId: string, signal: AbortSignal): Promise<CallResult>;
  /** True when a fan-out branch's `call` is a run of the store, run with callChild (see RunEnvironment.callChild). */
  readonly reattachCalls: boolean;
  callChild(file: string, input: Record<string, unknown>, childId: string, branch: BranchTag, signal: AbortSignal): Promise<CallResult>;
}

/** An instruction's outcome; `secret` when its result is its arguments and some came from secrets. */
type Outcome = MockOutcome & { secret?: { shown: unknown; paths: ValuePath[] } };

/** Runs an instruction with its retries; returns the error that survived them, or undefined when it succeeded. */
export async function runInstruction(host: ExecutionHost, st: StateModel, ins: InstructionModel, stateSignal: Scope): Promise<RunError | undefined> {
  const { env, live } = host;
  const retry = ins.retry;
  for (;;) {
    if (host.mustStop()) await host.gate();
    if (live.retryAt !== undefined) {
      await host.flush();
      const unpark = host.park();
      try {
        await host.idle(env.clock.sleep(Math.max(0, live.retryAt - env.clock.now()), stateSignal));
      } finally {
        unpark();
      }
    }
    const attempt = live.attempts + 1;
    // A fan-out whose attempt the journal started and did not end goes on where it was.
    const open = ins.fanout !== undefined && live.fanout?.index === ins.index && live.fanout.attempt === attempt;
    if (env.hooks.beforeInstruction && !open) {
      await host.flush();
      await env.hooks.beforeInstruction({ runId: host.runId, run: host.shown(), state: st, instruction: ins, attempt });
    }
    if (host.mustStop()) await host.gate();
    const started = open ? { seq: host.shown().seq } : await host.journal({ type: 'instruction-started', state: st.name, index: ins.index, kind: ins.kind, attempt });
    const replayed = env.recorded?.instruction(st.name, ins.index, ins.kind, attempt);
    const mock = replayed ? undefined : env.mocks.instruction(st.name, ins.index, ins.as);
    let outcome: Outcome;
    if (replayed) outcome = replayed;
    else if (mock) outcome = mock;
    else if (ins.fanout) outcome = await host.idle(runFanout(fanoutHost(host, st), st, ins, stateSignal.signal));
    else outcome = await execute(host, st, ins, stateSignal, started.seq);
    const how = { mocked: mock ? true : undefined, replayed: replayed ? true : undefined };
    if ('result' in outcome) {
      const { secret } = outcome;
      await host.journal(
        { type: 'instruction-finished', state: st.name, index: ins.index, kind: ins.kind, as: ins.as, result: secret ? secret.shown : outcome.result, secret: secret?.paths, ...how },
        secret && { result: outcome.result, paths: secret.paths },
      );
      return undefined;
    }
    const error = outcome.error;
    const retryInMs = retry && attempt < retry.attempts ? retryDelay(retry, attempt) : undefined;
    await host.journal({ type: 'instruction-failed', state: st.name, index: ins.index, kind: ins.kind, as: ins.as, attempt, error, retryInMs, ...how });
    if (retryInMs === undefined) return error;
  }
}

function fanoutHost(host: ExecutionHost, st: StateModel): FanoutHost {
  return {
    runId: host.runId,
    state: host.live,
    clock: host.env.clock,
    mocks: host.env.mocks,
    journal: (e) => host.journal(e),
    views: () => host.secrets.views(host.live),
    execute: (ins, signal, branch) => execute(host, st, ins, signal, undefined, branch),
    checkpoint: async () => (host.mustStop() ? host.gate() : undefined),
    retryDelay,
    park: () => host.park(),
    reattachCalls: host.reattachCalls,
  };
}

/**
 * Runs an instruction for real, turning any failure (but a run or state interrupt) into data; a
 * fan-out's branch runs it with its own scope, clock hold and child id.
 */
export async function execute(host: ExecutionHost, st: StateModel, ins: InstructionModel, stateSignal: Abortable, startedSeq = host.live.seq, branch?: BranchRun): Promise<Outcome> {
  const { env } = host;
  const handler = env.instructions.get(ins.kind);
  if (!handler) return { error: { kind: 'task', message: `Unknown instruction kind '${ins.kind}'.` } };
  const insAbort = new Scope(stateSignal);
  if (ins.timeout) {
    const startedAt = branch?.startedAt ?? env.clock.now();
    env.clock
      .sleep(Math.max(0, startedAt + durationMs(ins.timeout) - env.clock.now()), insAbort)
      .then(() => insAbort.abort(new Interrupt('instruction-timeout', `Instruction ${ins.index} (${ins.kind}) of state '${st.name}' timed out after ${ins.timeout}.`)))
      .catch(() => undefined);
  }
  try {
    const args = await resolveTemplates(ins.args, host.secrets.views(host.live, branch?.scope));
    host.secrets.learn(args.texts);
    const ctx = context(host, st, ins, args.value, args.shown, insAbort, startedSeq, branch);
    const result = await raceAbort(handler(ctx), insAbort);
    // A result that is the arguments themselves (`set`) is shown as they are.
    if (result === args.value && args.secret.length) return { result, secret: { shown: args.shown, paths: args.secret } };
    return { result: result === undefined ? null : result };
  } catch (err) {
    const reason = insAbort.reason;
    if (reason instanceof Interrupt && reason.why === 'instruction-timeout') return { error: { kind: 'timeout', message: reason.message } };
    if (insAbort.aborted) throw reason ?? err;
    return { error: toRunError(err) };
  } finally {
    insAbort.end();
  }
}

function context(host: ExecutionHost, st: StateModel, ins: InstructionModel, args: unknown, shownArgs: unknown, scope: Scope, startedSeq: number, branch?: BranchRun): InstructionContext {
  const { env, runId } = host;
  const idle = branch?.idle ?? (<T>(p: Promise<T>) => host.idle(p));
  return {
    args,
    shownArgs,
    // Made when the handler asks: `set` and `log` never do.
    get signal() {
      return scope.signal;
    },
    runId,
    state: st.name,
    index: ins.index,
    propagation: env.headers?.({ runId, state: st.name, index: ins.index, ...branch?.tag }) ?? {},
    baseDir: host.taskFile ? path.dirname(host.taskFile) : process.cwd(),
    clock: env.clock,
    log: async (message) => {
      // Its output goes out once the entry is journaled (onJournaled, in the Run's constructor): at
      // once when an instruction with effects logs, with the next durability point from `log`.
      await host.journal({ type: 'log', state: st.name, message, ...branch?.tag }, undefined, !isDeterministicKind(ins.kind));
    },
    emit: async (event, data) => {
      await host.journal({ type: 'emitted', state: st.name, event, data });
      await env.broadcast(runId, event, data);
    },
    sleep: (ms) => idle(env.clock.sleep(ms, scope)),
    output: (stream, text) => env.onOutput({ runId, state: st.name, stream, text: host.secrets.hide(text) }),
    // The child's id comes from the journal entry that started the call, so that a resumed
    // parent never reuses the id of a child started before the crash.
    callTask: (file, input) => {
      const childId = branch?.childId ?? `${runId}.${startedSeq}`;
      if (branch && host.reattachCalls) return branch.park(host.callChild(file, input, childId, branch.tag, scope.signal));
      return idle(host.callTask(file, input, childId, scope.signal));
    },
  };
}

export function retryDelay(retry: NonNullable<InstructionModel['retry']>, attempt: number): number {
  const base = retry.delay ? durationMs(retry.delay) : 1000;
  const factor = retry.backoff ?? 1;
  const delay = base * Math.pow(factor, attempt - 1);
  return retry.max_delay ? Math.min(delay, durationMs(retry.max_delay)) : delay;
}

/** A failure as the journal keeps it. */
export function toRunError(err: unknown): RunError {
  if (err instanceof InstructionFailure) return { kind: err.kind, message: err.message };
  const e = err as { name?: string; message?: string };
  if (e?.name === 'ExpressionError') return { kind: 'expression', message: e.message ?? 'expression failed' };
  return { kind: 'task', message: e?.message ?? String(err) };
}

function raceAbort<T>(p: Promise<T>, signal: Abortable): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
