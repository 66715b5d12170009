// A worker on PostgreSQL: claims runnable runs with a lease (leases.ts), executes them with the
// engine, journals each step through the lease-checked store, renews its leases, and releases a run
// while it waits on a timer or an event so that any worker can continue it from its journal when it
// is due. Events a run emits reach the runs waiting for them through emits.ts.
import type { SecretValues } from '../secrets/env';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import type { JournalEvent, NewJournalEvent, RunError } from '../journal/events';
import { replay, type RunState } from '../journal/replay';
import { instructionRegistry } from '../instructions/registry';
import type { InstructionHandler } from '../instructions/types';
import { FANOUT_KINDS } from '../model/types';
import { realClock, virtualClock, type VirtualClock } from '../runtime/clock';
import { createEngine, type Engine } from '../runtime/engine';
import type { Mocks } from '../runtime/mocks';
import type { LoadedTask, ResumeJournal, Run } from '../runtime/run';
import { ChildRuns } from '../store/postgres/children';
import type { Listener, Pool } from '../store/postgres/db';
import type { ServerObserver } from '../observe/observer';
import { LeaseLostError, PgStore } from '../store/postgres/store';
import { ChildCalls } from './child-calls';
import { broadcastEmit, deliverToHeld, EMIT_CHANNEL, parseEmit } from './emits';
import { claimRuns, nextDueMs, passClaim, releaseLease, renewLeases, type Claim, type LeaseRelease } from './leases';
import { trackedClock, type TrackedClock } from './park';
import { PassedTasks } from './passed-tasks';
import { errorMessage } from './support';
import type { TaskCache } from './task-cache';

export interface WorkerOptions {
  pool: Pool;
  listener: Listener;
  tasks: TaskCache;
  /** The lease owner's name; unique per worker (default: host, pid and random bits). */
  owner?: string;
  concurrency: number;
  leaseTtlMs: number;
  /** How often leases are renewed (and idle runs marked as making progress); default leaseTtl / 3. */
  heartbeatMs?: number;
  releaseAfterMs: number;
  pollMs: number;
  maxAttempts: number;
  /** Tasks whose runs recovery leaves alone (no retry, no recovery-exhausted). */
  recoveryExcluded?: (task: string) => boolean;
  mocksFor?: (task: LoadedTask) => Mocks | undefined;
  secrets?: SecretValues;
  instructions?: Record<string, InstructionHandler>;
  /** Metrics and traces of the runs it executes. */
  observer?: ServerObserver;
  log?: (line: string) => void;
}

export function workerName(): string {
  return `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

interface Release extends Omit<LeaseRelease, 'runId' | 'owner' | 'epoch'> {
  /** What `children` is for the family's other runs (its in-process `call` children), by run id. */
  inner?: Map<string, string[]>;
}

/** One claimed run with the child runs it started (`call`), executed by an engine of its own. */
interface Family {
  claim: Claim;
  engine?: Engine;
  clock?: TrackedClock;
  root?: Run;
  virtualUntil: number;
  release?: Release;
  lost: boolean;
  children: Map<string, Run>;
  /** A control was announced before the run was ready to take it. */
  controlPending?: boolean;
  /** Set while the family waits for fan-out child runs: it is released if they do not end soon. */
  childWait?: NodeJS.Timeout;
}

export class Worker {
  readonly owner: string;
  readonly store: PgStore;
  private readonly children: ChildRuns;
  private readonly calls: ChildCalls;
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
    this.calls = new ChildCalls({ children: this.children, store: this.store, loadTask: async (file) => o.tasks.load(file), secrets: o.secrets });
    const kinds = instructionRegistry(o.instructions);
    this.passed = new PassedTasks((kind) => kinds.has(kind) || (FANOUT_KINDS as readonly string[]).includes(kind));
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
    for (const fam of this.active.values()) this.beginRelease(fam, Date.now());
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
    const fam: Family = { claim, virtualUntil: claim.virtual_until === null ? -Infinity : Number(claim.virtual_until), lost: false, children: new Map() };
    this.active.set(claim.id, fam);
    this.runsInFamilies.set(claim.id, fam);
    this.store.leases.set(claim.id, claim.epoch);
    this.leaseTime.set(claim.id, performance.now());
    this.stats.claimed++;
    const p = this.execute(fam)
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

  // ---- executing ----

  private async execute(fam: Family): Promise<void> {
    const { claim } = fam;
    const history = await this.store.read(claim.id);
    const state = replay(history);
    if (history.length === 0 || state.phase === 'ended') {
      // Cannot happen through this store (the end and its row move together); never leave it claimable.
      await this.o.pool.query(`UPDATE runs SET ended_at = COALESCE(ended_at, now()), lease_owner = NULL WHERE id = $1 AND lease_owner = $2`, [claim.id, this.owner]);
      return;
    }
    const takeover = claim.prev_owner !== null;
    const retry = claim.prev_reason === 'retry';
    if (takeover) {
      this.stats.takeovers++;
      this.o.observer?.takenOver?.();
      this.log(`took over run ${claim.id} from ${claim.prev_owner} (attempt ${claim.attempts})`);
    }
    const recoverable = !this.o.recoveryExcluded?.(claim.task);
    if ((takeover || retry) && recoverable && claim.attempts > this.o.maxAttempts) {
      await this.appendDirect(claim.id, history, state, {
        type: 'run-ended',
        status: 'failed',
        reason: 'recovery-exhausted',
        error: { kind: 'recovery', message: `The run did not end after ${this.o.maxAttempts} attempt${this.o.maxAttempts === 1 ? '' : 's'}; its last worker was lost in state '${state.state ?? '-'}'.` },
      });
      return;
    }
    if (claim.control === 'cancel') {
      await this.appendDirect(claim.id, history, state, {
        type: 'run-ended',
        status: 'cancelled',
        reason: 'cancelled',
        error: { kind: 'cancelled', message: claim.control_reason ?? 'cancelled through the API' },
      });
      return;
    }
    if (claim.control === 'pause' && !state.paused) {
      await this.appendDirect(claim.id, history, state, { type: 'run-paused' });
      await this.releaseRow(fam, { waiting: [], timers: [], children: [] });
      return;
    }
    if (state.paused && claim.control !== 'resume') {
      if (claim.control) await this.o.pool.query(`UPDATE runs SET control = NULL WHERE id = $1 AND lease_owner = $2`, [claim.id, this.owner]);
      await this.releaseRow(fam, { waiting: [], timers: [], children: [] });
      return;
    }
    if (claim.control === 'resume') await this.o.pool.query(`UPDATE runs SET control = NULL WHERE id = $1 AND lease_owner = $2 AND control = 'resume'`, [claim.id, this.owner]);

    let task: LoadedTask;
    try {
      task = await this.o.tasks.forRun(claim.task_hash, claim.task_file ?? state.file ?? null);
    } catch (err) {
      await this.appendDirect(claim.id, history, state, {
        type: 'run-ended',
        status: 'failed',
        reason: 'error',
        error: { kind: 'task', message: `The task cannot be loaded: ${errorMessage(err)}` },
      });
      return;
    }
    const missing = this.passed.missing(task);
    if (missing.length > 0) {
      this.log(this.passed.pass(claim, missing));
      await passClaim(this.o.pool, claim, this.owner);
      return;
    }

    const lastAt = history[history.length - 1].at;
    const inner = state.clock === 'virtual' ? virtualClock(lastAt) : realClock();
    const clock = trackedClock(inner, () => this.onIdle(fam));
    if (inner.kind === 'virtual') (inner as VirtualClock).setGate((due) => this.gate(fam, due));
    fam.clock = clock;
    const engine = createEngine({
      store: this.store,
      clock,
      mocksFor: this.o.mocksFor,
      secrets: this.o.secrets,
      instructions: this.o.instructions,
      loadTask: (file) => this.o.tasks.load(file),
      broadcast: (from, name, data) => broadcastEmit(this.o.pool, from, name, data),
      observer: this.o.observer,
      callChild: this.calls.caller(clock),
    });
    fam.engine = engine;
    engine.onJournal((run, e) => {
      if (e.type === 'run-started' && run.id !== claim.id) {
        fam.children.set(run.id, run);
        this.runsInFamilies.set(run.id, fam);
        this.leaseTime.set(run.id, performance.now());
      }
    });
    const journal: ResumeJournal = takeover
      ? { reason: 'lease-expired', worker: this.owner, attempt: claim.attempts }
      : claim.prev_reason
        ? { reason: claim.prev_reason, worker: this.owner, attempt: claim.attempts }
        : false;
    if (this.stopping) {
      // Stopping while the run was being loaded: hand it straight back.
      await this.releaseRow(fam, { due: Date.now(), waiting: [], timers: [], children: [] });
      return;
    }
    const run = await engine.resume(claim.id, { history, task, journal });
    fam.root = run;
    if (fam.release) run.detach('released while it waits');
    // A control announced while the run was being loaded.
    if (fam.controlPending) void this.onControl(claim.id);
    const final = await run.done;

    // Children still going (the root was released, lost or ended under them).
    const others = engine.active();
    for (const r of others) {
      if (final.phase === 'ended') r.cancel(`its parent run ${claim.id} ended`);
      else r.detach('its parent run left this worker');
    }
    await Promise.all(others.map((r) => r.done));

    if (final.phase === 'ended') {
      this.stats.ended++;
    } else if (fam.release && !fam.lost && !(run.detachError instanceof LeaseLostError)) {
      await this.releaseRow(fam, fam.release, final);
    } else if (!fam.lost && !(run.detachError instanceof LeaseLostError)) {
      // The store failed under the run, maybe in the middle of a step: let another worker (or this
      // one) continue it at once, journaling that it was interrupted.
      this.log(`run ${claim.id} stopped: ${errorMessage(run.detachError)}`);
      await this.releaseRow(fam, { due: Date.now(), waiting: [], timers: [], children: [], reason: 'interrupted' }).catch(() => undefined);
    } else {
      this.stats.lost++;
      this.o.observer?.leaseLost?.();
    }
    for (const [id, child] of fam.children) {
      if (child.ended || !this.store.leases.has(id)) continue;
      // One that waits for fan-out children of its own is due when they end, not at once.
      const waits = fam.release?.inner?.get(id) ?? [];
      await this.o.pool
        .query('SELECT * FROM stepwise_release($1, $2, $3, $4, NULL, NULL, NULL, NULL, $5)', [id, this.owner, this.store.leases.get(id), waits.length ? null : new Date(), waits])
        .catch(() => undefined);
    }
  }

  /** Journals one entry for a run this worker holds but does not execute (control, exhaustion). */
  private async appendDirect(runId: string, history: JournalEvent[], state: RunState, event: NewJournalEvent): Promise<void> {
    const last = history[history.length - 1];
    const at = state.clock === 'virtual' ? last.at : Math.max(Date.now(), last.at);
    await this.store.append(runId, [{ ...event, seq: last.seq + 1, at } as JournalEvent]);
  }

  /** Waiting runs are released; the decision is taken when nothing of the family is in flight. */
  private onIdle(fam: Family): void {
    if (fam.release || fam.lost || this.stopping || !fam.engine || !fam.clock) return;
    const runs = fam.engine.active();
    if (runs.length === 0 || !runs.every((r) => r.parked)) return;
    const due = fam.clock.nextDue();
    if (fam.clock.kind === 'virtual') {
      // Timers are the gate's business; here the run waits for an event or its child runs only
      // (whose virtual time is their own: the parent's timers do not jump ahead of them).
      if (this.waitsForChildren(fam)) this.releaseUnlessChildrenEnd(fam);
      else if (due === undefined) this.beginRelease(fam, undefined, fam.clock.now());
      return;
    }
    if (this.waitsForChildren(fam)) return this.releaseUnlessChildrenEnd(fam);
    if (due !== undefined && due - fam.clock.now() < this.o.releaseAfterMs) return;
    this.beginRelease(fam, due);
  }

  /** The virtual clock asks before it jumps to the next timer: far enough, the run is released. */
  private gate(fam: Family, due: number): boolean {
    if (fam.release || fam.lost) return false;
    if (this.stopping) return false;
    if (due <= fam.virtualUntil || !fam.engine || !fam.clock) return true;
    const runs = fam.engine.active();
    if (runs.length === 0 || !runs.every((r) => r.parked)) return true;
    if (this.waitsForChildren(fam)) {
      this.releaseUnlessChildrenEnd(fam);
      return false;
    }
    if (due - fam.clock.now() < this.o.releaseAfterMs) return true;
    this.beginRelease(fam, Date.now(), due);
    return false;
  }

  /**
   * A family that waits for its fan-out's child runs keeps its worker for releaseAfter (children
   * often end sooner, and each release costs the parent a claim and a replay), then is released
   * if it still does; a child's end wakes it. Its virtual clock stays where it is meanwhile.
   */
  private releaseUnlessChildrenEnd(fam: Family): void {
    if (fam.childWait) return;
    fam.childWait = setTimeout(() => {
      fam.childWait = undefined;
      if (fam.release || fam.lost || this.stopping || !fam.engine || !fam.clock || fam.clock.holds() > 0) return;
      const runs = fam.engine.active();
      if (runs.length === 0 || !runs.every((r) => r.parked) || !this.waitsForChildren(fam)) return;
      if (fam.clock.kind === 'virtual') this.beginRelease(fam, undefined, fam.clock.now());
      else this.beginRelease(fam, fam.clock.nextDue());
    }, this.o.releaseAfterMs);
  }

  /** True when a run of the family waits for child runs of its fan-out. */
  private waitsForChildren(fam: Family): boolean {
    return (fam.engine?.active() ?? []).some((r) => this.calls.waitingFor(r.id).length > 0);
  }

  private beginRelease(fam: Family, due: number | undefined, virtualUntil?: number): void {
    if (fam.release) return;
    const root = fam.root;
    // Read before the runs are detached, which ends their waits.
    const inner = new Map<string, string[]>();
    for (const id of fam.children.keys()) inner.set(id, this.calls.waitingFor(id));
    fam.release = {
      due,
      virtualUntil: virtualUntil ?? (Number.isFinite(fam.virtualUntil) ? fam.virtualUntil : undefined),
      waiting: root ? root.waitingEvents() : [],
      timers: fam.clock ? fam.clock.pending() : [],
      children: root ? this.calls.waitingFor(root.id) : [],
      inner,
    };
    for (const r of fam.engine?.active() ?? []) r.detach('released while it waits');
  }

  private async releaseRow(fam: Family, rel: Release, final?: RunState): Promise<void> {
    const { claim } = fam;
    let due = rel.due;
    // An event journaled while the run was being released has nobody to take it: continue at once.
    if (final && final.pendingEvents.some((e) => rel.waiting.includes(e.name))) due = Date.now();
    const epoch = this.store.leases.get(claim.id);
    if (epoch === undefined) return;
    const ok = await releaseLease(this.o.pool, { ...rel, runId: claim.id, owner: this.owner, epoch, due });
    if (ok) this.stats.released++;
    else {
      this.stats.lost++;
      this.o.observer?.leaseLost?.();
    }
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
      this.beginRelease(fam, undefined);
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

export type { RunError };
