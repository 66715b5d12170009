// Runs one test case: a fresh engine with an in-memory store, its own virtual clock and the case's
// mocks made hermetic. The run is stopped early, with the reason kept, when it calls something
// unmocked, when it would wait forever, or when it runs past the case's time limit.
import { formatDuration } from '../expr/duration';
import type { JournalEvent } from '../journal/events';
import { emptyRunState, type RunState } from '../journal/replay';
import { createEngine } from '../runtime/engine';
import { InputError } from '../runtime/load';
import type { Mocks } from '../runtime/mocks';
import type { LoadedTask, Run } from '../runtime/run';
import { memoryStore } from '../store/memory';
import { hermeticMocks, UNMOCKED } from './hermetic';
import { idleWatchingClock } from './idle';

/** Why a case's run was stopped before it ended by itself. */
export interface Stop {
  kind: 'unmocked' | 'stuck' | 'limit' | 'input';
  message: string;
}

export interface CaseRun {
  /** The case's run. */
  final: RunState;
  journal: JournalEvent[];
  /** Every run of the case (the case's and those it called), each with its journal. */
  runs: Array<{ file?: string; journal: JournalEvent[] }>;
  stop?: Stop;
}

export interface CaseOptions {
  input: Record<string, unknown>;
  mocks: Mocks;
  /** Virtual time after which the run is stopped (a case's `within`). */
  limitMs?: number;
}

/** Without `within`, a run is stopped after this much virtual time or this many journal entries. */
export const DEFAULT_LIMIT_MS = 366 * 24 * 3_600_000;
export const MAX_EVENTS = 100_000;

/** The virtual clock of every case starts here, so journals compare across runs. */
const EPOCH = Date.UTC(2025, 0, 1);

export async function runCase(task: LoadedTask, options: CaseOptions): Promise<CaseRun> {
  const journals = new Map<string, { file?: string; journal: JournalEvent[] }>();
  let stop: Stop | undefined;
  const halt = (s: Stop) => {
    if (stop) return;
    stop = s;
    for (const r of engine.active()) r.cancel(s.message);
  };
  const limitMs = options.limitMs ?? DEFAULT_LIMIT_MS;
  const clock = idleWatchingClock(EPOCH, () => {
    const waiting = engine.active().filter((r) => !r.ended);
    if (waiting.length) halt({ kind: 'stuck', message: stuckMessage(waiting[0].state, waiting[0].waitingEvents(), waitingSubjects(waiting[0])) });
  });
  const byModel = new Map<object, Mocks>();
  const engine = createEngine({
    store: memoryStore(),
    clock,
    mocksFor: (t) => {
      let m = byModel.get(t.model);
      if (!m) byModel.set(t.model, (m = hermeticMocks(options.mocks, t.model)));
      return m;
    },
  });
  let events = 0;
  engine.onJournal((run, e) => {
    let entry = journals.get(run.id);
    if (!entry) journals.set(run.id, (entry = { file: run.task.file, journal: [] }));
    entry.journal.push(e);
    if ((e.type === 'instruction-failed' || e.type === 'poll-result' || e.type === 'branch-failed') && e.mocked && e.error?.kind === UNMOCKED) {
      halt({ kind: 'unmocked', message: e.error.message });
    } else if (e.type !== 'run-ended' && e.at - EPOCH > limitMs) {
      const where = `at +${formatDuration(e.at - EPOCH)} it was still in state '${run.state.state ?? run.state.target}'`;
      halt({
        kind: 'limit',
        message:
          options.limitMs !== undefined
            ? `within: expected the run to end within ${formatDuration(limitMs)} of virtual time; ${where}.`
            : `The run had not ended after ${formatDuration(limitMs)} of virtual time; ${where}.`,
      });
    } else if (++events > MAX_EVENTS) {
      halt({ kind: 'limit', message: `The run journaled ${MAX_EVENTS} steps without ending (a poll or a loop that never ends?); it was in state '${run.state.state}'.` });
    }
  });
  let run;
  try {
    run = engine.start(task, { input: options.input });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { final: { ...emptyRunState(), status: 'failed' }, journal: [], runs: [], stop: { kind: 'input', message: `The case's input does not fit the task: ${e.message}` } };
  }
  const final = await run.done;
  await engine.settle();
  return { final, journal: journals.get(run.id)?.journal ?? [], runs: [...journals.values()], stop };
}

/** The subjects the `consume` transitions of the run's current state wait on. */
function waitingSubjects(run: Run): string[] {
  const st = run.task.model.states.find((s) => s.name === run.state.state);
  return (st?.on ?? []).flatMap((t) => (t.consume ? [t.consume.subject ?? '?'] : []));
}

function stuckMessage(state: RunState, events: string[], subjects: string[]): string {
  const where = `state '${state.state ?? state.target}'`;
  if (subjects.length && !events.length) {
    const list = subjects.map((s) => `'${s}'`).join(' or ');
    return `The run waits forever in ${where} for a message on ${list}: no mock sends one. Add a mock { consume: ${subjects[0]}, after: …, data: … } to the case (a subject with no wildcard).`;
  }
  if (events.length) {
    const list = events.map((e) => `'${e}'`).join(' or ');
    return `The run waits forever in ${where} for the event ${list}: nothing sends it. Add a mock { event: ${events[0]}, after: …, data: … } to the case.`;
  }
  return `The run waits forever in ${where}: nothing can happen any more.`;
}
