// A worker on PostgreSQL: claims runnable runs with a lease (leases.ts) and has each executed with
// the child runs it starts, journaling through the lease-checked store and released while it waits
// (family.ts); it renews its leases, applies the controls announced for the runs it holds, and
// hands them the events other runs emit (emits.ts).
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { instructionRegistry } from '../instructions/registry';
import { FANOUT_KINDS } from '../model/types';
import { ChildRuns } from '../store/postgres/children';
import type { Listener } from '../store/postgres/db';
import { LeaseLostError, PgStore } from '../store/postgres/store';
import { ChildCalls } from './child-calls';
import { deliverToHeld, EMIT_CHANNEL, parseEmit } from './emits';
import { beginRelease, executeFamily, newFamily, type Family, type FamilyHost, type FamilyOptions } from './family';
import { claimRuns, nextDueMs, renewLeases, type Claim } from './leases';
import { PassedTasks } from './passed-tasks';
import { errorMessage } from './support';

export interface WorkerOptions extends FamilyOptions {
  listener: Listener;
  /** The lease owner's name; unique per worker (default: host, pid and random bits). */
  owner?: string;
  concurrency: number;
  leaseTtlMs: number;
  /** How often leases are renewed (and idle runs marked as making progress); default leaseTtl / 3. */
  heartbeatMs?: number;
  pollMs: number;
  log?: (line: string) => void;
}

export function workerName(): string {
  return `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export class Worker {
  readonly owner: string;
  readonly store: PgStore;
  private readonly children: ChildRuns;
  /** What the families this worker executes see of it. */
  private readonly host: FamilyHost;
  private readonly active = new Map<string, Family>();
  private readonly runsInFamilies = new Map<string, Family>();
  private readonly leaseTime = new Map<string, number>();
  private stopping = false;
  private wakeFlag = false;
  private wakeup: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly families = new Set<Promise<void>>();
  private readonly passed: PassedTasks;
  /** Runs executed to their end, released, taken over, lost (for logs and tests). */
  readonly stats = { claimed: 0, ended: 0, released: 0, takeovers: 0, lost: 0 };

  /** Runs this worker holds that wait for a timer, a poll or an event (not yet released). */
  parkedRuns(): number {
    let n = 0;
    for (const fam of this.active.values()) n += fam.engine?.active().filter((r) => r.parked).length ?? 0;
    return n;
  }

  constructor(private readonly o: WorkerOptions) {
    this.owner = o.owner ?? workerName();
    this.store = new PgStore({ pool: o.pool, listener: o.listener, owner: this.owner, leaseTtlMs: o.leaseTtlMs });
    this.children = new ChildRuns({ pool: o.pool, listener: o.listener, owner: this.owner, pollMs: o.pollMs });
    const kinds = instructionRegistry(o.instructions);
    this.passed = new PassedTasks((kind) => kinds.has(kind) || (FANOUT_KINDS as readonly string[]).includes(kind));
    this.host = {
      o,
      owner: this.owner,
      store: this.store,
      calls: new ChildCalls({ children: this.children, store: this.store, loadTask: async (file) => o.tasks.load(file), secrets: o.secrets }),
      passed: this.passed,
      runsInFamilies: this.runsInFamilies,
      leaseTime: this.leaseTime,
      stats: this.stats,
      stopping: () => this.stopping,
      log: (line) => this.log(line),
      onControl: (runId) => void this.onControl(runId),
    };
  }

  start(): void {
    this.unsubscribe.push(this.o.listener.subscribe('stepwise_wake', () => this.wake()));
    this.unsubscribe.push(this.o.listener.subscribe('stepwise_control', (id) => void this.onControl(id)));
    this.unsubscribe.push(this.o.listener.subscribe(EMIT_CHANNEL, (payload) => void this.onEmit(payload)));
    // Recovery took a run away: check the leases now rather than at the next heartbeat.
    this.unsubscribe.push(this.o.listener.subscribe('stepwise_revoked', (id) => this.runsInFamilies.has(id) && void this.heartbeat()));
    const onReconnect = () => this.wake();
    this.o.listener.on('reconnected', onReconnect);
    this.unsubscribe.push(() => this.o.listener.off('reconnected', onReconnect));
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), Math.max(50, this.o.heartbeatMs ?? Math.floor(this.o.leaseTtlMs / 3)));
    this.loopDone = this.loop();
  }

  /** Runs this worker executes now. */
  get running(): number {
    return this.active.size;
  }

  /**
   * Stops claiming, releases the runs it holds (due at once, so other workers continue them) and
   * waits for them to be released.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake();
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.loopDone;
    for (const fam of this.active.values()) beginRelease(this.host, fam, Date.now());
    await Promise.allSettled([...this.families]);
    this.children.close();
  }

  private log(line: string): void {
    this.o.log?.(`[${this.owner}] ${line}`);
  }

  wake(): void {
    this.wakeFlag = true;
    const w = this.wakeup;
    this.wakeup = undefined;
    w?.();
  }

  // ---- claiming ----

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const free = this.o.concurrency - this.active.size;
      this.wakeFlag = false;
      if (free > 0) {
        let rows: Claim[] = [];
        try {
          // Never a run this worker still executes (its lease taken away, not yet noticed).
          const mine = [...this.runsInFamilies.keys()];
          rows = await claimRuns(this.o.pool, this.owner, free, this.o.leaseTtlMs, mine, this.passed.keys());
        } catch (err) {
          this.log(`claim failed: ${errorMessage(err)}`);
          await this.sleep(this.o.pollMs);
          continue;
        }
        for (const row of rows) this.launch(row);
        if (rows.length === free) continue;
      }
      if (this.wakeFlag || this.stopping) continue;
      await this.sleep(free > 0 ? await this.nextDueIn() : this.o.pollMs);
    }
  }

  /** How long until the earliest released run is due or lease expires (at most pollEvery). */
  private async nextDueIn(): Promise<number> {
    try {
      const ms = await nextDueMs(this.o.pool, this.passed.keys());
      return ms === undefined ? this.o.pollMs : Math.max(5, Math.min(this.o.pollMs, Math.ceil(ms) + 5));
    } catch {
      return this.o.pollMs;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.wakeFlag || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakeup = undefined;
        resolve();
      }, ms);
      this.wakeup = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private launch(claim: Claim): void {
    const fam = newFamily(claim);
    this.active.set(claim.id, fam);
    this.runsInFamilies.set(claim.id, fam);
    this.store.leases.set(claim.id, claim.epoch);
    this.leaseTime.set(claim.id, performance.now());
    this.stats.claimed++;
    const p = executeFamily(this.host, fam)
      .catch((err) => this.log(`run ${claim.id}: ${errorMessage(err)}`))
      .finally(() => {
        clearTimeout(fam.childWait);
        this.active.delete(claim.id);
        this.runsInFamilies.delete(claim.id);
        for (const id of fam.children.keys()) this.runsInFamilies.delete(id);
        for (const id of [claim.id, ...fam.children.keys()]) {
          this.store.leases.delete(id);
          this.leaseTime.delete(id);
        }
        this.families.delete(p);
        this.wake();
      });
    this.families.add(p);
  }

  // ---- leases ----

  private async heartbeat(): Promise<void> {
    if (this.store.leases.size === 0) return;
    const started = performance.now();
    const idle = [...this.active.values()].filter((f) => f.clock && f.clock.holds() === 0).map((f) => f.claim.id);
    let held: Map<string, number>;
    try {
      held = await renewLeases(this.o.pool, this.owner, this.o.leaseTtlMs, idle);
    } catch (err) {
      this.log(`heartbeat failed: ${errorMessage(err)}`);
      return;
    }
    for (const [id, epoch] of [...this.store.leases]) {
      const since = this.leaseTime.get(id);
      if (since === undefined || since > started) continue;
      if (held.get(id) === epoch) continue;
      const fam = this.runsInFamilies.get(id);
      const run = fam && (fam.root?.id === id ? fam.root : fam.children.get(id));
      // A run that ended meanwhile is no loss.
      if (run?.ended) continue;
      this.store.leases.delete(id);
      if (!fam || fam.lost) continue;
      this.log(`lost the lease of run ${id}; leaving it to its new owner`);
      fam.lost = true;
      for (const r of fam.engine?.active() ?? []) r.detach('its lease was lost', new LeaseLostError(id));
    }
  }

  // ---- controls and events ----

  private async onControl(runId: string): Promise<void> {
    const fam = this.active.get(runId);
    if (fam && !fam.root) fam.controlPending = true;
    if (!fam?.root || fam.release || fam.lost) return;
    let row: { control: string | null; control_reason: string | null } | undefined;
    try {
      const r = await this.o.pool.query('SELECT control, control_reason FROM runs WHERE id = $1 AND lease_owner = $2', [runId, this.owner]);
      row = r.rows[0];
    } catch {
      return;
    }
    const run = fam.root;
    if (!row?.control || run.ended || run.detached) return;
    if (row.control === 'cancel') {
      run.cancel(row.control_reason ?? 'cancelled through the API');
    } else if (row.control === 'pause' && !run.state.paused) {
      try {
        await run.pause();
      } catch {
        return;
      }
      beginRelease(this.host, fam, undefined);
    }
  }

  /** Another run emitted an event: the runs this worker holds that wait for it get it in their inbox. */
  private async onEmit(payload: string): Promise<void> {
    const m = parseEmit(payload);
    if (m === undefined) return;
    // The emitter's own family heard it already, inside its engine.
    const own = this.runsInFamilies.get(m.from);
    const targets: string[] = [];
    for (const fam of this.active.values()) {
      if (fam === own || !fam.engine) continue;
      // A family being released has stopped its runs; its row keeps what the root waited for.
      if (fam.release) {
        if (fam.release.waiting.includes(m.name)) targets.push(fam.claim.id);
        continue;
      }
      for (const r of fam.engine.active()) if (r.id !== m.from && !r.ended && r.isWaitingFor(m.name)) targets.push(r.id);
    }
    try {
      await deliverToHeld(this.o.pool, m, targets);
    } catch (err) {
      this.log(`emit of ${m.name} from run ${m.from}: ${errorMessage(err)}`);
    }
  }
}
