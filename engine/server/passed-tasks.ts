// The task versions a worker passes on because they need instruction kinds it lacks (a worker-only
// process started away from the stepwise.config.json that names the plugins): it hands their runs
// back to the workers that have the kinds and claims no more of them, so that no run fails for want
// of a kind and none is claimed over and over. A run nobody can take stays queued.
import { instructionKinds } from '../model/kinds';
import type { LoadedTask } from '../runtime/run';
import type { Claim } from './leases';
import { Lru } from './lru';

export class PassedTasks {
  /** Keyed by the task cache's objects, so that a task version is looked through once. */
  private readonly missingOf = new WeakMap<LoadedTask, string[]>();
  /** Task hashes (task files for runs without one), as the claim query compares them. */
  private readonly passed: Lru<string, true>;

  constructor(private readonly has: (kind: string) => boolean, capacity = 256) {
    this.passed = new Lru(capacity);
  }

  /** The instruction kinds the task uses that this worker lacks. */
  missing(task: LoadedTask): string[] {
    let kinds = this.missingOf.get(task);
    if (!kinds) {
      kinds = instructionKinds(task.model).filter((k) => !this.has(k));
      this.missingOf.set(task, kinds);
    }
    return kinds;
  }

  /** Passes on the claimed run's task version; the line to log says why and what to do. */
  pass(claim: Claim, missing: string[]): string {
    this.passed.set(claim.task_hash ?? claim.task_file ?? '', true);
    const kinds = missing.map((k) => `'${k}'`).join(', ');
    const one = missing.length === 1;
    return (
      `run ${claim.id} (task '${claim.task}') needs the instruction kind${one ? '' : 's'} ${kinds}, which this worker does not have: ` +
      `handed back to the workers that have ${one ? 'it' : 'them'}; this worker claims no more runs of this task version. ` +
      `Plugin kinds come from the stepwise.config.json above the worker's folder: start the worker in the folder of that file, or give that folder with --tasks.`
    );
  }

  /** What the claim query leaves alone. */
  keys(): string[] {
    return this.passed.keys();
  }
}
