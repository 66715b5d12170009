// Retry from a step: a new run of the pinned task that continues a copy of another run's journal
// from the last entry into a state. Everything before that entry is taken from the journal and not
// done again (an `exec` before it does not run twice); the state is entered afresh. The new run's
// `run-started` names the run it retries (`retryOf`), and a `run-forked` entry marks where it took
// over.
import type { JournalEvent } from '../journal/events';
import { replay } from '../journal/replay';
import type { Engine } from './engine';
import { pinnedTask } from './pinned';
import { newRunId } from './run-id';
import type { LoadedTask, Run } from './run';

export class RetryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryError';
  }
}

/**
 * The part of a journal a retry from `from` keeps: the entries before the last entry into that
 * state (default: the state the run failed in), with `run-started` naming the retried run.
 */
export function retryPrefix(journal: readonly JournalEvent[], from?: string): { prefix: JournalEvent[]; from: string } {
  const first = journal[0];
  if (!first || first.type !== 'run-started') throw new RetryError('The journal has no run-started entry, so the run cannot be retried.');
  const s = replay(journal);
  if (s.phase !== 'ended') throw new RetryError(`Run ${first.runId} has not ended; cancel it (or let it end) before retrying it.`);
  const entered = journal.filter((e): e is Extract<JournalEvent, { type: 'state-entered' }> => e.type === 'state-entered').map((e) => e.state);
  let state = from;
  if (state === undefined) {
    if (s.status !== 'failed' || s.state === undefined) {
      throw new RetryError(`Run ${first.runId} ${s.status === 'failed' ? 'failed before its first state' : s.status}; name the state to retry from (--from STATE).`);
    }
    state = s.state;
  }
  let at = journal.length - 1;
  while (at >= 0 && !(journal[at].type === 'state-entered' && (journal[at] as { state: string }).state === state)) at--;
  if (at < 0) {
    const known = [...new Set(entered)].join(', ') || 'none';
    throw new RetryError(`Run ${first.runId} never entered state '${state}'; it entered: ${known}.`);
  }
  const prefix = journal.slice(0, at);
  // A retry stands on its own: it is not a child its parent waits for.
  const { parentRunId: _parent, ...started } = first;
  prefix[0] = { ...started, retryOf: first.runId };
  return { prefix, from: state };
}

export interface RetryOptions {
  /** The state to retry from (default: the state the run failed in). */
  from?: string;
  /** The new run's id (default: a new one). */
  runId?: string;
  /** How a task file is loaded when the journal predates pinned versions. */
  loadTask: (file: string) => LoadedTask | Promise<LoadedTask>;
  /** Told when the task file differs from the run's pinned version. */
  onChanged?: (message: string) => void;
}

/** Starts a retry of `runId` in `engine`; resolves with the new run once it has started. */
export async function retryRun(engine: Engine, runId: string, options: RetryOptions): Promise<{ run: Run; from: string }> {
  const journal = await engine.store.read(runId);
  const { prefix, from } = retryPrefix(journal, options.from);
  const pinned = await pinnedTask(engine.store, journal, options.loadTask);
  if (pinned.changed) options.onChanged?.(pinned.changed);
  if (!pinned.task.model.states.some((st) => st.name === from)) throw new RetryError(`State '${from}' is not in the task version run ${runId} started with.`);
  const run = await engine.fork(pinned.task, prefix, { runId: options.runId ?? newRunId() });
  return { run, from };
}
