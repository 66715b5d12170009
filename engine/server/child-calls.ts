// A worker's fan-out calls: the `call` of a branch or map item becomes a child run in the store
// (see store/postgres/children.ts) that any worker may claim, instead of a run in the parent's
// engine. The parent waits parked; the worker releases it meanwhile and names the children it waits
// for, whose end makes it due again.
import { currentSecrets, type SecretValues } from '../secrets/env';
import type { BranchTag } from '../journal/events';
import type { Clock } from '../runtime/clock';
import { resolveInput } from '../runtime/load';
import { pinSource, sourceHash } from '../runtime/pinned';
import { redact } from '../runtime/redact';
import type { LoadedTask, RunEnvironment } from '../runtime/run';
import type { ChildRuns } from '../store/postgres/children';
import type { RunStore } from '../store/store';

export interface ChildCallsOptions {
  children: ChildRuns;
  store: RunStore;
  loadTask(file: string): Promise<LoadedTask>;
  secrets?: SecretValues;
}

export class ChildCalls {
  /** The child runs each parent run waits for now. */
  private readonly waiting = new Map<string, Set<string>>();
  /** Task versions this worker has kept in the store already (a map calls one task many times). */
  private readonly kept = new Set<string>();

  constructor(private readonly o: ChildCallsOptions) {}

  /** The engine's `callChild` for the runs of one family (on its clock). */
  caller(clock: Clock): NonNullable<RunEnvironment['callChild']> {
    return async (parent, file, input, childId, branch, signal) => {
      const ids = this.waiting.get(parent.id) ?? new Set<string>();
      // Named before it exists: a release meanwhile must wait for it (its end wakes the parent).
      this.waiting.set(parent.id, ids.add(childId));
      const onAbort = () => {
        if (!parent.detached) void this.o.children.cancel(childId, `the calling run ${parent.id} stopped waiting for it`).catch(() => undefined);
      };
      try {
        // Work in flight: the parent is not parked (nor released) before its child exists.
        const release = clock.hold();
        try {
          await this.create(parent.id, file, input, childId, branch, clock);
        } finally {
          release();
        }
        signal.addEventListener('abort', onAbort, { once: true });
        if (signal.aborted) onAbort();
        return await this.o.children.ended(parent.id, childId, signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        ids.delete(childId);
        if (ids.size === 0 && this.waiting.get(parent.id) === ids) this.waiting.delete(parent.id);
      }
    };
  }

  private async create(parentId: string, file: string, input: Record<string, unknown>, childId: string, branch: BranchTag, clock: Clock): Promise<void> {
    const task = await this.o.loadTask(file);
    const hash = task.source === undefined ? undefined : sourceHash(task.source);
    const taskHash = hash && this.kept.has(hash) ? hash : await pinSource(this.o.store, task);
    if (taskHash) this.kept.add(taskHash);
    const started = {
      type: 'run-started' as const,
      seq: 1,
      at: clock.now(),
      runId: childId,
      task: task.model.name ?? 'task',
      file: task.file,
      taskHash,
      input: resolveInput(task.model, input),
      data: structuredClone(task.model.data),
      clock: clock.kind,
      parentRunId: parentId,
    };
    // As a run journals its first entry: the secrets' values masked.
    await this.o.children.start({ parentId, branch, started: redact(started, currentSecrets(this.o.secrets)) });
  }

  /** The children a run waits for (those that ended meanwhile included). */
  waitingFor(runId: string): string[] {
    return [...(this.waiting.get(runId) ?? [])];
  }
}
