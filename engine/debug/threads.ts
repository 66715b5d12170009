// The debugger's threads: the launched run and the runs it calls are thread 1; each running branch
// of a `parallel` and item of a `map` is a thread of its own (`state › branch`, `state › item 3`),
// and so are the runs its `call` starts, down to the next fan-out. Threads are read off the journal
// as it is written: a branch's thread starts with its first `branch-started` entry and exits with
// its outcome (or when the fan-out, or its run, ends). Only bookkeeping: nothing here holds a run.
import type { BranchTag, JournalEvent } from '../journal/events';
import { branchKey } from '../journal/fanout';
import type { StateModel } from '../model/types';
import type { Run } from '../runtime/run';

export const MAIN_THREAD = 1;

export interface BranchThread {
  id: number;
  name: string;
  /** The thread of the run whose fan-out runs this branch. */
  parent: number;
  /** That run, its state and the `parallel`/`map` instruction's index in the state's `do`. */
  ownerRunId: string;
  state: string;
  index: number;
  tag: BranchTag;
  /** A map item's value (items are journaled, so never a secret). */
  item?: unknown;
}

export interface ThreadChanges {
  started: BranchThread[];
  exited: BranchThread[];
}

const NONE: ThreadChanges = { started: [], exited: [] };

/** The label of a branch or item: `web`, `item 3`. */
function branchLabel(tag: BranchTag): string {
  return tag.branch ?? `item ${tag.item}`;
}

/** Where a branch is written: the branch's key (`web:`), or the map's `do`. */
export function branchLine(st: StateModel | undefined, index: number, tag: BranchTag): { line: number; column: number } | undefined {
  const f = st?.do[index]?.fanout;
  if (!f) return undefined;
  const range = f.kind === 'parallel' ? f.branches.find((b) => b.name === tag.branch)?.keyRange : f.do?.range;
  return range && { line: range.start.line, column: range.start.column };
}

export class Threads {
  private nextId = MAIN_THREAD + 1;
  /** Live branch threads by `run, instruction, branch`, in the order they started. */
  private readonly live = new Map<string, BranchThread>();
  /** The thread each run of the session runs on (a run not listed is on thread 1). */
  private readonly runThread = new Map<string, number>();
  /** The runs a branch's `call` starts (their id comes from the branch's `branch-started` entry). */
  private readonly branchChild = new Map<string, number>();

  list(): BranchThread[] {
    return [...this.live.values()];
  }

  get(id: number): BranchThread | undefined {
    for (const t of this.live.values()) if (t.id === id) return t;
    return undefined;
  }

  has(id: number): boolean {
    return id === MAIN_THREAD || this.get(id) !== undefined;
  }

  threadOf(runId: string): number {
    return this.runThread.get(runId) ?? MAIN_THREAD;
  }

  /** The branch a run was called from, if a branch's `call` started it. */
  branchOf(runId: string): BranchThread | undefined {
    const id = this.branchChild.get(runId);
    return id === undefined ? undefined : this.get(id);
  }

  /** True when `thread` is `ancestor` or runs inside one of its branches (however deep). */
  within(thread: number, ancestor: number): boolean {
    for (let id: number | undefined = thread, depth = 0; id !== undefined && depth < 64; depth++) {
      if (id === ancestor) return true;
      id = id === MAIN_THREAD ? undefined : this.get(id)?.parent;
    }
    return false;
  }

  /** The live threads of a fan-out other than `thread`. */
  siblings(thread: BranchThread): BranchThread[] {
    return this.list().filter((t) => t.id !== thread.id && t.ownerRunId === thread.ownerRunId && t.index === thread.index);
  }

  /** A run journaled `e`: the threads it starts or ends. */
  journaled(run: Run, e: JournalEvent, rootRunId: string): ThreadChanges {
    switch (e.type) {
      case 'run-started':
        if (e.parentRunId && !this.runThread.has(run.id)) {
          const thread = this.branchChild.get(run.id) ?? this.threadOf(e.parentRunId);
          if (thread !== MAIN_THREAD) this.runThread.set(run.id, thread);
        }
        return NONE;
      case 'branch-started': {
        const key = `${run.id}\u0000${e.index}\u0000${branchKey(e)}`;
        let thread = this.live.get(key);
        const started: BranchThread[] = [];
        if (!thread) {
          const prefix = run.id === rootRunId ? '' : `${run.task.model.name} · `;
          const tag: BranchTag = e.branch !== undefined ? { branch: e.branch } : { item: e.item };
          thread = { id: this.nextId++, name: `${prefix}${e.state} › ${branchLabel(tag)}`, parent: this.threadOf(run.id), ownerRunId: run.id, state: e.state, index: e.index, tag };
          if (e.item !== undefined) thread.item = run.state.fanout?.items?.[e.item];
          this.live.set(key, thread);
          started.push(thread);
        }
        // A `call` in the branch starts its child run with this id (see runtime/fanout.ts).
        const child = `${run.id}.${e.seq}`;
        this.branchChild.set(child, thread.id);
        this.runThread.set(child, thread.id);
        return { started, exited: [] };
      }
      case 'branch-finished':
      case 'branch-cancelled':
        return this.end((t) => t.ownerRunId === run.id && t.index === e.index && branchKey(t.tag) === branchKey(e));
      case 'branch-failed':
        return e.retryInMs === undefined ? this.end((t) => t.ownerRunId === run.id && t.index === e.index && branchKey(t.tag) === branchKey(e)) : NONE;
      case 'instruction-finished':
      case 'instruction-failed':
        return this.end((t) => t.ownerRunId === run.id && t.index === e.index);
      case 'state-entered':
      case 'run-ended':
        return this.end((t) => t.ownerRunId === run.id);
      default:
        return NONE;
    }
  }

  /** Every branch thread ends (the runs were replaced or ended). */
  reset(): BranchThread[] {
    const all = this.list();
    this.live.clear();
    this.runThread.clear();
    this.branchChild.clear();
    return all;
  }

  private end(which: (t: BranchThread) => boolean): ThreadChanges {
    const exited: BranchThread[] = [];
    for (const [key, t] of this.live) {
      if (!which(t)) continue;
      this.live.delete(key);
      exited.push(t);
    }
    return exited.length ? { started: [], exited } : NONE;
  }
}
