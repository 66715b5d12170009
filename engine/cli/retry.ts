// `stepwise retry RUN_ID [--from STATE]`: a new run of the pinned task that takes everything before
// the last entry into STATE from RUN_ID's journal (see runtime/retry.ts), printed as it goes.
import type { JournalEvent } from '../journal/events';
import type { LoadedPlugins } from '../plugins/load';
import { replay } from '../journal/replay';
import { realClock, virtualClock } from '../runtime/clock';
import { createEngine, type Engine } from '../runtime/engine';
import { loadTaskFile, TaskLoadError } from '../runtime/load';
import type { Mocks } from '../runtime/mocks';
import { RetryError, retryPrefix, retryRun } from '../runtime/retry';
import type { Run } from '../runtime/run';
import type { RunStore } from '../store/store';

export interface RetryCliOptions {
  from?: string;
  store: string;
  mocks?: string;
  clock?: 'real' | 'virtual';
  json?: boolean;
}

/** What the command shares with the others of main.ts. */
export interface CliDeps {
  openStore(spec: string): RunStore;
  readMocks(file: string | undefined): Mocks | undefined;
  secrets(): Record<string, string>;
  follow(engine: Engine, run: Run, json: boolean): Promise<number>;
  /** Prints a line for the user (stderr), e.g. a warning. */
  warn(text: string): void;
  /** The plugins that apply to a task file. */
  plugins(file: string): Promise<LoadedPlugins>;
  /** A usage error, or one with the run (exit code 1). */
  fail(message: string, exitCode: number): Error;
}

async function runFile(journal: JournalEvent[], deps: CliDeps): Promise<LoadedPlugins | undefined> {
  const started = journal.find((e) => e.type === 'run-started');
  return started?.type === 'run-started' && started.file ? deps.plugins(started.file) : undefined;
}

export async function retryCommand(runId: string, opts: RetryCliOptions, deps: CliDeps): Promise<number> {
  const store = deps.openStore(opts.store);
  const journal = await store.read(runId);
  let prefixEnd: number;
  try {
    const { prefix } = retryPrefix(journal, opts.from);
    prefixEnd = prefix[prefix.length - 1].at;
  } catch (e) {
    if (e instanceof RetryError) throw deps.fail(e.message, 2);
    throw e;
  }
  const clockKind = opts.clock ?? replay(journal).clock;
  const engine = createEngine({
    store,
    clock: clockKind === 'virtual' ? virtualClock(Math.max(Date.now(), prefixEnd)) : realClock(),
    mocks: deps.readMocks(opts.mocks),
    secrets: deps.secrets(),
    instructions: (await runFile(journal, deps))?.handlers,
  });
  let retried: Awaited<ReturnType<typeof retryRun>>;
  try {
    retried = await retryRun(engine, runId, { from: opts.from, loadTask: loadTaskFile, onChanged: (m) => deps.warn(`warning: ${m}`) });
  } catch (e) {
    if (e instanceof TaskLoadError || e instanceof RetryError) throw deps.fail(e.message, 2);
    throw deps.fail((e as Error).message, 1);
  }
  if (!opts.json) process.stdout.write(`run ${retried.run.id} retries ${runId} from state ${retried.from}\n`);
  return deps.follow(engine, retried.run, Boolean(opts.json));
}
