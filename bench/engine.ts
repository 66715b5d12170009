// The engine against an XState 5 actor doing the same work (issue #15): one long chain, many short
// runs, and the heap a run holds while it waits for an event. Memory store and virtual clock, so
// that the figures are the engine's own cost.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createActor, createMachine, type AnyActorRef } from 'xstate';
import { parseTask } from '../engine/model/parse';
import { virtualClock } from '../engine/runtime/clock';
import { createEngine } from '../engine/runtime/engine';
import type { Run } from '../engine/runtime/run';
import { memoryStore } from '../engine/store/memory';
import { linearTask } from './generate';
import { median, row } from './measure';

export async function benchEngine(): Promise<void> {
  await benchChain();
  await benchShortRuns();
  await benchIdleHeap();
}

/** An XState machine of `n` eventless transitions, the same shape as linearTask(n). */
function chainMachine(n: number) {
  return createMachine({
    id: 'linear',
    initial: 's0',
    states: Object.fromEntries(
      Array.from({ length: n + 1 }, (_, i) => [`s${i}`, i === n ? { type: 'final' as const } : { always: { target: `s${i + 1}` } }]),
    ),
  });
}

function finished(actor: AnyActorRef): Promise<void> {
  return new Promise<void>((resolve) => {
    actor.subscribe({ complete: () => resolve() });
    actor.start();
  });
}

async function benchChain(): Promise<void> {
  const n = 20_000;
  const task = { model: parseTask(linearTask(n)).model };
  const machine = chainMachine(n);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const engine = createEngine({ store: memoryStore(), clock: virtualClock() });
    let t0 = performance.now();
    const final = await engine.start(task).done;
    ours.push(n / ((performance.now() - t0) / 1000));
    if (final.status !== 'succeeded') throw new Error(`benchmark run ended ${final.status}: ${final.error?.message}`);
    t0 = performance.now();
    await finished(createActor(machine));
    theirs.push(n / ((performance.now() - t0) / 1000));
  }
  const a = median(ours);
  const b = median(theirs);
  row(`engine transitions/s (${n} states, memory store)`, `${Math.round(a).toLocaleString('en')}/s`, `${Math.round(b).toLocaleString('en')}/s`, a / b, '≥ 0.5× XState', a / b >= 0.5);
}

const SHORT_RUNS = 1000;
const SHORT_TRANSITIONS = 10;

// A thousand runs of a 10-transition chain started together, against a thousand actors of the
// same machine: runs per second, start to the last end.
async function benchShortRuns(): Promise<void> {
  const task = { model: parseTask(linearTask(SHORT_TRANSITIONS)).model };
  const machine = chainMachine(SHORT_TRANSITIONS);
  const ours = async () => {
    const engine = createEngine({ store: memoryStore(), clock: virtualClock() });
    const t0 = performance.now();
    const finals = await Promise.all(Array.from({ length: SHORT_RUNS }, () => engine.start(task).done));
    const ms = performance.now() - t0;
    const failed = finals.find((f) => f.status !== 'succeeded');
    if (failed) throw new Error(`benchmark run ended ${failed.status}: ${failed.error?.message}`);
    return SHORT_RUNS / (ms / 1000);
  };
  const theirs = async () => {
    const t0 = performance.now();
    await Promise.all(Array.from({ length: SHORT_RUNS }, () => finished(createActor(machine))));
    return SHORT_RUNS / ((performance.now() - t0) / 1000);
  };
  await ours();
  await theirs();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 7; i++) {
    a.push(await ours());
    b.push(await theirs());
  }
  const ratio = median(a) / median(b);
  row(`engine ${SHORT_RUNS} runs × ${SHORT_TRANSITIONS} transitions (memory)`, `${Math.round(median(a)).toLocaleString('en')} runs/s`, `${Math.round(median(b)).toLocaleString('en')} runs/s`, ratio, '≥ 0.7× XState', ratio >= 0.7);
}

const IDLE_RUNS = 2000;

const WAITING = `version: 1
name: waiting
start: wait
states:
  wait:
    on:
      - event: go
        to: done
  done: { final: true }
`;

/** The garbage collector, also when node was started without --expose-gc. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** heapUsed after full collections (twice: the first may leave what finalizers free). */
function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Yields to the event loop until `ready` holds. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Heap per item of what `start` makes and keeps until `stop`: measured after the event loop has
 * let go of the previous sample (its callbacks and timers), so that neither side pays for the other.
 */
async function heapPer<T>(gc: () => void, start: () => Promise<T[]>, stop: (items: T[]) => Promise<void>): Promise<number> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
  const before = heapAfterGc(gc);
  const items = await start();
  const per = (heapAfterGc(gc) - before) / items.length;
  await stop(items);
  return per;
}

// Bytes of heap one run holds while it waits for an event (its journal in the memory store
// included), against one started XState actor of the same machine waiting in the same state.
async function benchIdleHeap(): Promise<void> {
  const gc = collector();
  const task = { model: parseTask(WAITING).model };
  const machine = createMachine({ id: 'waiting', initial: 'wait', states: { wait: { on: { go: 'done' } }, done: { type: 'final' } } });

  const ours = () => {
    const engine = createEngine({ store: memoryStore(), clock: virtualClock() });
    return heapPer(
      gc,
      async () => {
        const runs = Array.from({ length: IDLE_RUNS }, () => engine.start(task));
        await until(() => runs.every((r) => r.parked && r.isWaitingFor('go')));
        return runs;
      },
      async (runs: Run[]) => {
        await Promise.all(runs.map((r) => r.send('go', null)));
        const finals = await Promise.all(runs.map((r) => r.done));
        if (finals.some((f) => f.status !== 'succeeded')) throw new Error('an idle benchmark run did not end after its event');
      },
    );
  };
  const theirs = () =>
    heapPer(
      gc,
      async () => {
        const actors = Array.from({ length: IDLE_RUNS }, () => createActor(machine).start());
        if (actors.some((a) => a.getSnapshot().value !== 'wait')) throw new Error('an XState actor is not waiting');
        return actors;
      },
      async (actors: AnyActorRef[]) => {
        for (const a of actors) a.send({ type: 'go' });
        if (actors.some((a) => a.getSnapshot().status !== 'done')) throw new Error('an XState actor did not end after its event');
      },
    );
  await ours();
  await theirs();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 5; i++) {
    a.push(await ours());
    b.push(await theirs());
  }
  const ratio = median(a) / median(b);
  row(`engine heap per idle run (${IDLE_RUNS} waiting)`, `${(median(a) / 1024).toFixed(2)} KiB`, `${(median(b) / 1024).toFixed(2)} KiB`, ratio, '≤ 2× XState actor', ratio <= 2);
}
