// Executing one claimed run family on a PostgreSQL worker: the claimed run resumed from its journal
// with the child runs it starts (`call`) in an engine of its own, the controls and exhaustion that
// end or park it without executing it, and its release while it waits on a timer, an event or its
// fan-out's child runs, so that any worker can continue it when it is due. Claiming, leases and
// notifications are the worker's (worker.ts); these functions reach it through a FamilyHost.
import type { JournalEvent, NewJournalEvent } from '../journal/events';
import { replay, type RunState } from '../journal/replay';
import type { InstructionHandler } from '../instructions/types';
import type { ServerObserver } from '../observe/observer';
import { realClock, virtualClock, type VirtualClock } from '../runtime/clock';
import { createEngine, type Engine } from '../runtime/engine';
import type { Mocks } from '../runtime/mocks';
import type { LoadedTask, ResumeJournal, Run } from '../runtime/run';
import type { SecretValues } from '../secrets/env';
import type { Pool } from '../store/postgres/db';
import { LeaseLostError, type PgStore } from '../store/postgres/store';
import type { ChildCalls } from './child-calls';
import { broadcastEmit } from './emits';
import { passClaim, releaseLease, type Claim, type LeaseRelease } from './leases';
import { trackedClock, type TrackedClock } from './park';
import type { PassedTasks } from './passed-tasks';
import { errorMessage } from './support';
import type { TaskCache } from './task-cache';

/** The worker's options that executing a family reads. */
export interface FamilyOptions {
  pool: Pool;
  tasks: TaskCache;
  releaseAfterMs: number;
  maxAttempts: number;
  /** Tasks whose runs recovery leaves alone (no retry, no recovery-exhausted). */
  recoveryExcluded?: (task: string) => boolean;
  mocksFor?: (task: LoadedTask) => Mocks | undefined;
  secrets?: SecretValues;
  instructions?: Record<string, InstructionHandler>;
  /** Metrics and traces of the runs it executes. */
  observer?: ServerObserver;
}

/** What executing a family needs of the worker that claimed it. */
export interface FamilyHost {
  readonly o: FamilyOptions;
  readonly owner: string;
  readonly store: PgStore;
  readonly calls: ChildCalls;
  readonly passed: PassedTasks;
  /** The family of every run the worker holds, by run id: a child run joins when it starts. */
  readonly runsInFamilies: Map<string, Family>;
  /** When each held run's lease began (performance.now()): the heartbeat judges leases taken after. */
  readonly leaseTime: Map<string, number>;
  readonly stats: { ended: number; released: number; takeovers: number; lost: number };
  stopping(): boolean;
  log(line: string): void;
  /** Applies the control the run's row holds (one announced while the run was being loaded). */
  onControl(runId: string): void;
}

interface Release extends Omit<LeaseRelease, 'runId' | 'owner' | 'epoch'> {
  /** What `children` is for the family's other runs (its in-process `call` children), by run id. */
  inner?: Map<string, string[]>;
}

/** One claimed run with the child runs it started (`call`), executed by an engine of its own. */
export interface Family {
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

export function newFamily(claim: Claim): Family {
  return { claim, virtualUntil: claim.virtual_until === null ? -Infinity : Number(claim.virtual_until), lost: false, children: new Map() };
}

export async function executeFamily(host: FamilyHost, fam: Family): Promise<void> {
  const { o, owner, store } = host;
  const { claim } = fam;
  const history = await store.read(claim.id);
  const state = replay(history);
  if (history.length === 0 || state.phase === 'ended') {
    // Cannot happen through this store (the end and its row move together); never leave it claimable.
    await o.pool.query(`UPDATE runs SET ended_at = COALESCE(ended_at, now()), lease_owner = NULL WHERE id = $1 AND lease_owner = $2`, [claim.id, owner]);
    return;
  }
  const takeover = claim.prev_owner !== null;
  // Counted and said only when this worker keeps the run: one it hands back was never taken over.
  const tookOver = () => {
    if (!takeover) return;
    host.stats.takeovers++;
    o.observer?.takenOver?.();
    host.log(`took over run ${claim.id} from ${claim.prev_owner} (attempt ${claim.attempts})`);
  };
  if (await settledWithoutRunning(host, fam, history, state, takeover)) return tookOver();

  let task: LoadedTask;
  try {
    task = await o.tasks.forRun(claim.task_hash, claim.task_file ?? state.file ?? null);
  } catch (err) {
    tookOver();
    await appendDirect(store, claim.id, history, state, {
      type: 'run-ended',
      status: 'failed',
      reason: 'error',
      error: { kind: 'task', message: `The task cannot be loaded: ${errorMessage(err)}` },
    });
    return;
  }
  const missing = host.passed.missing(task);
  if (missing.length > 0) {
    host.log(host.passed.pass(claim, missing));
    await passClaim(o.pool, claim, owner);
    return;
  }
  tookOver();

  const engine = familyEngine(host, fam, state, history[history.length - 1].at);
  const journal: ResumeJournal = takeover
    ? { reason: 'lease-expired', worker: owner, attempt: claim.attempts }
    : claim.prev_reason
      ? { reason: claim.prev_reason, worker: owner, attempt: claim.attempts }
      : false;
  if (host.stopping()) {
    // Stopping while the run was being loaded: hand it straight back.
    await releaseRow(host, fam, { due: Date.now(), waiting: [], timers: [], children: [] });
    return;
  }
  const run = await engine.resume(claim.id, { history, task, journal });
  fam.root = run;
  if (fam.release) run.detach('released while it waits');
  // A control announced while the run was being loaded.
  if (fam.controlPending) host.onControl(claim.id);
  const final = await run.done;
  await leave(host, fam, engine, run, final);
}

/**
 * Ends or parks a claimed run that is not to be executed (recovery exhausted, a control waiting
 * for it, paused); true when it did. A resume is cleared from the row for the run to go on.
 */
async function settledWithoutRunning(host: FamilyHost, fam: Family, history: JournalEvent[], state: RunState, takeover: boolean): Promise<boolean> {
  const { o, owner, store } = host;
  const { claim } = fam;
  const retry = claim.prev_reason === 'retry';
  const recoverable = !o.recoveryExcluded?.(claim.task);
  if ((takeover || retry) && recoverable && claim.attempts > o.maxAttempts) {
    await appendDirect(store, claim.id, history, state, {
      type: 'run-ended',
      status: 'failed',
      reason: 'recovery-exhausted',
      error: { kind: 'recovery', message: `The run did not end after ${o.maxAttempts} attempt${o.maxAttempts === 1 ? '' : 's'}; its last worker was lost in state '${state.state ?? '-'}'.` },
    });
    return true;
  }
  if (claim.control === 'cancel') {
    await appendDirect(store, claim.id, history, state, {
      type: 'run-ended',
      status: 'cancelled',
      reason: 'cancelled',
      error: { kind: 'cancelled', message: claim.control_reason ?? 'cancelled through the API' },
    });
    return true;
  }
  if (claim.control === 'pause' && !state.paused) {
    await appendDirect(store, claim.id, history, state, { type: 'run-paused' });
    await releaseRow(host, fam, { waiting: [], timers: [], children: [] });
    return true;
  }
  if (state.paused && claim.control !== 'resume') {
    if (claim.control) await o.pool.query(`UPDATE runs SET control = NULL WHERE id = $1 AND lease_owner = $2`, [claim.id, owner]);
    await releaseRow(host, fam, { waiting: [], timers: [], children: [] });
    return true;
  }
  if (claim.control === 'resume') await o.pool.query(`UPDATE runs SET control = NULL WHERE id = $1 AND lease_owner = $2 AND control = 'resume'`, [claim.id, owner]);
  return false;
}

/** The family's engine over a clock of its own whose idle moments and virtual jumps may release it. */
function familyEngine(host: FamilyHost, fam: Family, state: RunState, lastAt: number): Engine {
  const { o, store } = host;
  const { claim } = fam;
  const inner = state.clock === 'virtual' ? virtualClock(lastAt) : realClock();
  const clock = trackedClock(inner, () => onIdle(host, fam));
  if (inner.kind === 'virtual') (inner as VirtualClock).setGate((due) => gate(host, fam, due));
  fam.clock = clock;
  const engine = createEngine({
    store,
    clock,
    mocksFor: o.mocksFor,
    secrets: o.secrets,
    instructions: o.instructions,
    loadTask: (file) => o.tasks.load(file),
    broadcast: (from, name, data) => broadcastEmit(o.pool, from, name, data),
    observer: o.observer,
    callChild: host.calls.caller(clock),
  });
  fam.engine = engine;
  engine.onJournal((run, e) => {
    if (e.type === 'run-started' && run.id !== claim.id) {
      fam.children.set(run.id, run);
      host.runsInFamilies.set(run.id, fam);
      host.leaseTime.set(run.id, performance.now());
    }
  });
  return engine;
}

/** After the root's end or detach: its children stopped, the row released or left, the children's rows too. */
async function leave(host: FamilyHost, fam: Family, engine: Engine, run: Run, final: RunState): Promise<void> {
  const { o, owner, store } = host;
  const { claim } = fam;
  // Children still going (the root was released, lost or ended under them).
  const others = engine.active();
  for (const r of others) {
    if (final.phase === 'ended') r.cancel(`its parent run ${claim.id} ended`);
    else r.detach('its parent run left this worker');
  }
  await Promise.all(others.map((r) => r.done));

  if (final.phase === 'ended') {
    host.stats.ended++;
  } else if (fam.release && !fam.lost && !(run.detachError instanceof LeaseLostError)) {
    await releaseRow(host, fam, fam.release, final);
  } else if (!fam.lost && !(run.detachError instanceof LeaseLostError)) {
    // The store failed under the run, maybe in the middle of a step: let another worker (or this
    // one) continue it at once, journaling that it was interrupted.
    host.log(`run ${claim.id} stopped: ${errorMessage(run.detachError)}`);
    await releaseRow(host, fam, { due: Date.now(), waiting: [], timers: [], children: [], reason: 'interrupted' }).catch(() => undefined);
  } else {
    host.stats.lost++;
    o.observer?.leaseLost?.();
  }
  for (const [id, child] of fam.children) {
    if (child.ended || !store.leases.has(id)) continue;
    // One that waits for fan-out children of its own is due when they end, not at once.
    const waits = fam.release?.inner?.get(id) ?? [];
    await o.pool
      .query('SELECT * FROM stepwise_release($1, $2, $3, $4, NULL, NULL, NULL, NULL, $5)', [id, owner, store.leases.get(id), waits.length ? null : new Date(), waits])
      .catch(() => undefined);
  }
}

/** Journals one entry for a run the worker holds but does not execute (control, exhaustion). */
async function appendDirect(store: PgStore, runId: string, history: JournalEvent[], state: RunState, event: NewJournalEvent): Promise<void> {
  const last = history[history.length - 1];
  const at = state.clock === 'virtual' ? last.at : Math.max(Date.now(), last.at);
  await store.append(runId, [{ ...event, seq: last.seq + 1, at } as JournalEvent]);
}

/** Waiting runs are released; the decision is taken when nothing of the family is in flight. */
function onIdle(host: FamilyHost, fam: Family): void {
  if (fam.release || fam.lost || host.stopping() || !fam.engine || !fam.clock) return;
  const runs = fam.engine.active();
  if (runs.length === 0 || !runs.every((r) => r.parked)) return;
  const due = fam.clock.nextDue();
  if (fam.clock.kind === 'virtual') {
    // Timers are the gate's business; here the run waits for an event or its child runs only
    // (whose virtual time is their own: the parent's timers do not jump ahead of them).
    if (waitsForChildren(host.calls, fam)) releaseUnlessChildrenEnd(host, fam);
    else if (due === undefined) beginRelease(host, fam, undefined, fam.clock.now());
    return;
  }
  if (waitsForChildren(host.calls, fam)) return releaseUnlessChildrenEnd(host, fam);
  if (due !== undefined && due - fam.clock.now() < host.o.releaseAfterMs) return;
  beginRelease(host, fam, due);
}

/** The virtual clock asks before it jumps to the next timer: far enough, the run is released. */
function gate(host: FamilyHost, fam: Family, due: number): boolean {
  if (fam.release || fam.lost) return false;
  if (host.stopping()) return false;
  if (due <= fam.virtualUntil || !fam.engine || !fam.clock) return true;
  const runs = fam.engine.active();
  if (runs.length === 0 || !runs.every((r) => r.parked)) return true;
  if (waitsForChildren(host.calls, fam)) {
    releaseUnlessChildrenEnd(host, fam);
    return false;
  }
  if (due - fam.clock.now() < host.o.releaseAfterMs) return true;
  beginRelease(host, fam, Date.now(), due);
  return false;
}

/**
 * A family that waits for its fan-out's child runs keeps its worker for releaseAfter (children
 * often end sooner, and each release costs the parent a claim and a replay), then is released
 * if it still does; a child's end wakes it. Its virtual clock stays where it is meanwhile.
 */
function releaseUnlessChildrenEnd(host: FamilyHost, fam: Family): void {
  if (fam.childWait) return;
  fam.childWait = setTimeout(() => {
    fam.childWait = undefined;
    if (fam.release || fam.lost || host.stopping() || !fam.engine || !fam.clock || fam.clock.holds() > 0) return;
    const runs = fam.engine.active();
    if (runs.length === 0 || !runs.every((r) => r.parked) || !waitsForChildren(host.calls, fam)) return;
    if (fam.clock.kind === 'virtual') beginRelease(host, fam, undefined, fam.clock.now());
    else beginRelease(host, fam, fam.clock.nextDue());
  }, host.o.releaseAfterMs);
}

/** True when a run of the family waits for child runs of its fan-out. */
function waitsForChildren(calls: ChildCalls, fam: Family): boolean {
  return (fam.engine?.active() ?? []).some((r) => calls.waitingFor(r.id).length > 0);
}

/** Detaches the family's runs; executeFamily then writes what they wait for to the root's row. */
export function beginRelease(host: FamilyHost, fam: Family, due: number | undefined, virtualUntil?: number): void {
  if (fam.release) return;
  const root = fam.root;
  // Read before the runs are detached, which ends their waits.
  const inner = new Map<string, string[]>();
  for (const id of fam.children.keys()) inner.set(id, host.calls.waitingFor(id));
  fam.release = {
    due,
    virtualUntil: virtualUntil ?? (Number.isFinite(fam.virtualUntil) ? fam.virtualUntil : undefined),
    waiting: root ? root.waitingEvents() : [],
    timers: fam.clock ? fam.clock.pending() : [],
    children: root ? host.calls.waitingFor(root.id) : [],
    inner,
  };
  for (const r of fam.engine?.active() ?? []) r.detach('released while it waits');
}

async function releaseRow(host: FamilyHost, fam: Family, rel: Release, final?: RunState): Promise<void> {
  const { claim } = fam;
  let due = rel.due;
  // An event journaled while the run was being released has nobody to take it: continue at once.
  if (final && final.pendingEvents.some((e) => rel.waiting.includes(e.name))) due = Date.now();
  const epoch = host.store.leases.get(claim.id);
  if (epoch === undefined) return;
  const ok = await releaseLease(host.o.pool, { ...rel, runId: claim.id, owner: host.owner, epoch, due });
  if (ok) host.stats.released++;
  else {
    host.stats.lost++;
    host.o.observer?.leaseLost?.();
  }
}
