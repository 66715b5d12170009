// The engine: starts, resumes and tracks runs over one store and one clock. Runs of an engine can
// reach each other (`emit`, `call`); everything outside goes through the store.
import type { JournalEvent, ScheduleTrigger } from '../journal/events';
import { replay, type RunState } from '../journal/replay';
import { instructionRegistry } from '../instructions/registry';
import type { InstructionHandler } from '../instructions/types';
import type { RunObserver } from '../observe/observer';
import { currentSecrets, type SecretValues } from '../secrets/env';
import type { RunStore } from '../store/store';
import { memoryStore } from '../store/memory';
import { realClock, type Clock } from './clock';
import { loadTaskFile, resolveInput } from './load';
import { mockSession, NO_MOCKS, type Mocks } from './mocks';
import { pinnedTask } from './pinned';
import { newRunId } from './run-id';
import { Run, type LoadedTask, type OutputChunk, type RecordedOutcomes, type ResumeJournal, type RunEnvironment, type RunHooks } from './run';

export interface EngineOptions {
  store?: RunStore;
  clock?: Clock;
  mocks?: Mocks;
  /** Mocks per task (a server gives each task its own mocks file); overrides `mocks` when it answers. */
  mocksFor?: (task: LoadedTask) => Mocks | undefined;
  /**
   * Values of `secrets.*`: readable by expressions, masked everywhere they would be written. A
   * function is asked again for each run started or continued (secrets that rotate).
   */
  secrets?: SecretValues;
  /** Custom instruction kinds by name. */
  instructions?: Record<string, InstructionHandler>;
  hooks?: RunHooks;
  /** How `call` and `resume` read a task file; lints it by default. */
  loadTask?: (file: string) => LoadedTask | Promise<LoadedTask>;
  /**
   * Also delivers an `emit` to runs outside this engine (a server's other runs, through its store);
   * called after the runs of this engine that wait for the event have it.
   */
  broadcast?: (from: string, name: string, data: unknown) => Promise<void>;
  /** Metrics and traces: told every journal entry; may add headers to `http` calls. */
  observer?: RunObserver;
  /** Runs the `call` of a fan-out branch as a run of the store (see RunEnvironment.callChild). */
  callChild?: RunEnvironment['callChild'];
}

export interface ResumeOptions {
  /** The run's journal, when the caller has just read it. */
  history?: JournalEvent[];
  /** The task to continue with, instead of the version the run is pinned to. */
  task?: LoadedTask;
  /** Told when the task file differs from the run's pinned version (see pinned.ts). */
  onChanged?: (message: string) => void;
  /** What the run journals as it continues (default: a `run-recovered` entry). */
  journal?: ResumeJournal;
}

export interface StartOptions {
  input?: Record<string, unknown>;
  runId?: string;
  parentRunId?: string;
  trigger?: ScheduleTrigger;
}

export type JournalListener = (run: Run, event: JournalEvent) => void;
export type OutputListener = (chunk: OutputChunk) => void;

export interface Engine {
  readonly store: RunStore;
  readonly clock: Clock;
  /** Starts a run; `run.done` settles with its final state. */
  start(task: LoadedTask, options?: StartOptions): Run;
  /** Continues a run from its journal (after a crash or in another process). */
  resume(runId: string, options?: ResumeOptions): Promise<Run>;
  /**
   * Starts a new run that continues a prefix of another run's journal (the debugger's step back):
   * the prefix is copied under `runId`, a `run-forked` entry follows it, and the run goes on from
   * the prefix's last step. `recorded` lets it reuse outcomes of the run it was forked from.
   */
  fork(task: LoadedTask, prefix: readonly JournalEvent[], options: { runId: string; recorded?: RecordedOutcomes }): Promise<Run>;
  /** A run this engine is executing. */
  get(runId: string): Run | undefined;
  active(): Run[];
  /** Sends an event to a run, here or, through the store, in another process. */
  send(runId: string, name: string, data: unknown): Promise<void>;
  onJournal(listener: JournalListener): () => void;
  onOutput(listener: OutputListener): () => void;
  /** Waits for every active run to end. */
  settle(): Promise<RunState[]>;
}

type Shared = Omit<RunEnvironment, 'mocks' | 'recorded' | 'secrets'>;

export function createEngine(options: EngineOptions = {}): Engine {
  const store = options.store ?? memoryStore();
  const clock = options.clock ?? realClock();
  const instructions = instructionRegistry(options.instructions);
  const mocks = options.mocks ?? NO_MOCKS;
  const hooks = options.hooks ?? {};
  const loadTask = options.loadTask ?? loadTaskFile;
  const runs = new Map<string, Run>();
  const journalListeners = new Set<JournalListener>();
  const outputListeners = new Set<OutputListener>();

  // What every run of the engine shares; a run's environment adds its mocks, recorded outcomes and
  // secrets to it (one object per run, not a closure per function).
  const shared: Shared = {
    store,
    clock,
    instructions,
    hooks,
    async broadcast(from, name, data) {
      const waiting = [...runs.values()].filter((r) => r.id !== from && !r.ended && r.isWaitingFor(name));
      await Promise.all(waiting.map((r) => r.send(name, data, `emit:${from}`)));
      if (options.broadcast) await options.broadcast(from, name, data);
    },
    async callTask(parent, file, input, childId, signal) {
      const task = await loadTask(file);
      const child = engine.start(task, { input, runId: childId, parentRunId: parent.id });
      // A parent that stops waiting (a sibling branch failed, a timeout, a cancel) cancels its child;
      // a parent detached from this process leaves it to whoever continues the parent.
      const onAbort = () => {
        if (!parent.detached) child.cancel(`the calling run ${parent.id} stopped waiting for it`);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const final = await child.done;
        return { status: final.status, data: final.data, runId: child.id };
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    callChild: options.callChild,
    onJournal(run, event) {
      options.observer?.journal({ id: run.id, task: run.task.model.name ?? 'task', parentRunId: run.state.parentRunId }, event);
      for (const l of journalListeners) l(run, event);
    },
    headers: options.observer?.headers,
    onOutput(chunk) {
      for (const l of outputListeners) l(chunk);
    },
    onEnd(run) {
      runs.delete(run.id);
      if (!run.ended) options.observer?.left?.(run.id);
    },
  };
  // Written out, not spread: a spread of this many properties gives each run's object a hidden class of its own.
  const environment = (history: readonly JournalEvent[], recorded?: RecordedOutcomes, task?: LoadedTask): RunEnvironment => ({
    store: shared.store,
    clock: shared.clock,
    instructions: shared.instructions,
    hooks: shared.hooks,
    broadcast: shared.broadcast,
    callTask: shared.callTask,
    callChild: shared.callChild,
    onJournal: shared.onJournal,
    headers: shared.headers,
    onOutput: shared.onOutput,
    onEnd: shared.onEnd,
    mocks: mockSession((task && options.mocksFor?.(task)) ?? mocks, history),
    recorded,
    secrets: currentSecrets(options.secrets),
  });

  const engine: Engine = {
    store,
    clock,
    start(task, opts = {}) {
      const runId = opts.runId ?? newRunId();
      if (runs.has(runId)) throw new Error(`Run '${runId}' is already running.`);
      const input = resolveInput(task.model, opts.input ?? {});
      const run = new Run(runId, task, environment([], undefined, task));
      runs.set(runId, run);
      void run.start({ input, data: structuredClone(task.model.data), parentRunId: opts.parentRunId, trigger: opts.trigger });
      return run;
    },
    async resume(runId, opts = {}) {
      if (runs.has(runId)) throw new Error(`Run '${runId}' is already running here.`);
      const history = opts.history ?? (await store.read(runId));
      const state = replay(history);
      if (state.phase === 'ended') throw new Error(`Run '${runId}' has already ended (${state.status}); nothing to resume.`);
      let task = opts.task;
      if (!task) {
        const pinned = await pinnedTask(store, history, loadTask);
        if (pinned.changed) opts.onChanged?.(pinned.changed);
        task = pinned.task;
      }
      if (runs.has(runId)) throw new Error(`Run '${runId}' is already running here.`);
      const run = new Run(runId, task, environment(history, undefined, task), history, undefined, opts.journal);
      runs.set(runId, run);
      void run.start();
      return run;
    },
    async fork(task, prefix, opts) {
      if (runs.has(opts.runId)) throw new Error(`Run '${opts.runId}' is already running.`);
      const first = prefix[0];
      if (!first || first.type !== 'run-started') throw new Error('A fork needs a journal prefix that starts with run-started.');
      if (prefix.some((e) => e.type === 'run-ended')) throw new Error(`Run '${first.runId}' had ended at that point; there is nothing to continue.`);
      const copy: JournalEvent[] = prefix.map((e, i) => (i === 0 ? { ...first, runId: opts.runId } : e));
      await store.append(opts.runId, copy);
      const run = new Run(opts.runId, task, environment(copy, opts.recorded, task), copy, { runId: first.runId, atSeq: prefix[prefix.length - 1].seq });
      runs.set(opts.runId, run);
      void run.start();
      return run;
    },
    get: (runId) => runs.get(runId),
    active: () => [...runs.values()],
    async send(runId, name, data) {
      const run = runs.get(runId);
      if (run) return run.send(name, data, 'api');
      await store.sendEvent(runId, name, data);
    },
    onJournal(listener) {
      journalListeners.add(listener);
      return () => journalListeners.delete(listener);
    },
    onOutput(listener) {
      outputListeners.add(listener);
      return () => outputListeners.delete(listener);
    },
    async settle() {
      const out: RunState[] = [];
      while (runs.size > 0) out.push(...(await Promise.all([...runs.values()].map((r) => r.done))));
      return out;
    },
  };
  return engine;
}
