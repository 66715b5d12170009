// Coverage of task files over the runs of all cases: how often each state was entered and each
// transition (`on` entry or `next`) and `catch` entry was taken, per task file.
import type { JournalEvent } from '../journal/events';
import type { TaskModel } from '../model/types';

export interface CoveredElement {
  kind: 'state' | 'transition' | 'catch';
  state: string;
  /** Position in `on` or `catch` (absent for a state). */
  index?: number;
  /** The target state of a transition or catch entry. */
  to?: string;
  /** 0-based line of the state's key or the entry's first line. */
  line: number;
  hits: number;
}

export interface FileCoverage {
  /** Absolute path of the task file. */
  file: string;
  states: CoveredElement[];
  /** Transitions and catch entries, by state in text order. */
  branches: CoveredElement[];
}

export type Coverage = Map<string, FileCoverage>;

export function fileCoverage(file: string, model: TaskModel): FileCoverage {
  const states: CoveredElement[] = [];
  const branches: CoveredElement[] = [];
  for (const st of model.states) {
    states.push({ kind: 'state', state: st.name, line: st.keyRange.start.line, hits: 0 });
    for (const t of st.on) branches.push({ kind: 'transition', state: st.name, index: t.index, to: t.to, line: t.range.start.line, hits: 0 });
    for (const c of st.catch) branches.push({ kind: 'catch', state: st.name, index: c.index, to: c.to, line: c.range.start.line, hits: 0 });
  }
  return { file, states, branches };
}

/** Counts one run's steps into its task file's coverage. */
export function addJournal(cov: FileCoverage, journal: readonly JournalEvent[]): void {
  for (const e of journal) {
    if (e.type === 'state-entered') {
      const s = cov.states.find((x) => x.state === e.state);
      if (s) s.hits++;
    } else if (e.type === 'transition-taken') {
      const kind = e.cause === 'catch' ? 'catch' : 'transition';
      const b = cov.branches.find((x) => x.kind === kind && x.state === e.from && x.index === e.index);
      if (b) b.hits++;
    }
  }
}

export interface CoverageSummary {
  states: { covered: number; total: number };
  branches: { covered: number; total: number };
}

export function summary(cov: FileCoverage): CoverageSummary {
  const count = (list: CoveredElement[]) => ({ covered: list.filter((e) => e.hits > 0).length, total: list.length });
  return { states: count(cov.states), branches: count(cov.branches) };
}
