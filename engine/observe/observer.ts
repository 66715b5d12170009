// What watches runs from outside the engine (metrics, traces): it sees every journal entry as it
// is written, and may add headers that carry the run's trace to the services an `http` calls.
import type { BranchTag, JournalEvent } from '../journal/events';

export interface ObservedRun {
  id: string;
  /** The task's name. */
  task: string;
  parentRunId?: string;
}

/** Where an instruction runs: its state, its index in `do`, and its branch or item in a fan-out. */
export interface InstructionSite extends BranchTag {
  runId: string;
  state: string;
  index: number;
}

export interface RunObserver {
  journal(run: ObservedRun, event: JournalEvent): void;
  /** Headers to send with an `http` instruction (W3C `traceparent`); the task's own headers win. */
  headers?(site: InstructionSite): Record<string, string>;
  /** The run stopped executing in this process without ending (released while it waits, detached). */
  left?(runId: string): void;
}

/** What a server's workers tell besides the journal. */
export interface ServerObserver extends RunObserver {
  /** A worker lost the lease of a run it executed (another worker or recovery has it now). */
  leaseLost?(): void;
  /** A worker took over a run whose previous worker's lease had expired. */
  takenOver?(): void;
}

/** One observer that tells each of `list` (undefined when the list is empty). */
export function allOf(list: ReadonlyArray<ServerObserver | undefined>): ServerObserver | undefined {
  const present = list.filter((o): o is ServerObserver => o !== undefined);
  if (present.length <= 1) return present[0];
  return {
    journal: (run, event) => present.forEach((o) => o.journal(run, event)),
    headers: (site) => Object.assign({}, ...present.map((o) => o.headers?.(site) ?? {})),
    leaseLost: () => present.forEach((o) => o.leaseLost?.()),
    left: (runId) => present.forEach((o) => o.left?.(runId)),
    takenOver: () => present.forEach((o) => o.takenOver?.()),
  };
}
