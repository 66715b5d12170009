// The layout bench's stall evidence: what the main thread ran inside the longest gap, and what the
// renderer's other threads took, read from a Chromium trace.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { GAP_MEASURE, stallEvidence, type TraceEvent } from '../../bench/stall-trace';

const PID = 7;
const MAIN = 7;
const WORKER = 20;
const HELPER = 21;

function threads(): TraceEvent[] {
  return [
    { name: 'thread_name', ph: 'M', pid: PID, tid: MAIN, ts: 0, args: { name: 'CrRendererMain' } },
    { name: 'thread_name', ph: 'M', pid: PID, tid: WORKER, ts: 0, args: { name: 'DedicatedWorker thread' } },
    { name: 'thread_name', ph: 'M', pid: PID, tid: HELPER, ts: 0, args: { name: 'ThreadPoolForegroundWorker' } },
  ];
}

/** The page's measure of its longest gap, from..to in µs. */
function gap(from: number, to: number): TraceEvent[] {
  return [
    { name: GAP_MEASURE, ph: 'b', pid: PID, tid: MAIN, ts: from },
    { name: GAP_MEASURE, ph: 'e', pid: PID, tid: MAIN, ts: to },
  ];
}

function task(tid: number, ts: number, dur: number, tdur: number, srcFile = 'mojo/public/cpp/bindings/lib/connector.cc'): TraceEvent {
  return { name: tid === MAIN || tid === WORKER ? 'ThreadControllerImpl::RunTask' : 'ThreadPool_RunTask', ph: 'X', pid: PID, tid, ts, dur, tdur, args: { src_file: srcFile } };
}

describe('stall evidence from a trace', () => {
  it('counts the main thread\'s tasks only for the part of them inside the gap', () => {
    // Gap 10..50 ms: a task 0..20 ms (half its CPU in the gap's part), one 30..34 ms, one after.
    const e = stallEvidence([...threads(), ...gap(10_000, 50_000), task(MAIN, 0, 20_000, 8_000), task(MAIN, 30_000, 4_000, 4_000), task(MAIN, 60_000, 1_000, 1_000)]);
    assert.equal(e.gap, 40);
    assert.equal(e.mainWall, 14);
    assert.equal(e.mainCpu, 8);
    assert.equal(e.longestTask, 20);
  });

  it('sorts the other threads\' CPU into the worker, V8 compiling and V8 GC', () => {
    const e = stallEvidence([
      ...threads(),
      ...gap(0, 1_000),
      task(WORKER, 0, 900_000, 300_000),
      task(HELPER, 0, 50_000, 20_000, 'v8/src/maglev/maglev-concurrent-dispatcher.cc'),
      task(HELPER, 0, 50_000, 10_000, 'v8/src/compiler-dispatcher/optimizing-compile-dispatcher.cc'),
      task(HELPER, 0, 50_000, 5_000, 'v8/src/heap/scavenger.cc'),
      task(HELPER, 0, 50_000, 2_000, 'v8/src/heap/cppgc-js/cpp-heap.cc'),
      task(HELPER, 0, 50_000, 1_000, 'base/trace_event/trace_session_observer.cc'),
    ]);
    assert.deepEqual([e.worker, e.compile, e.gc, e.other], [300, 30, 7, 1]);
  });

  it('never counts a thread\'s CPU above its wall time (a loaded VM\'s thread clocks run ahead)', () => {
    const e = stallEvidence([...threads(), ...gap(0, 10_000), task(MAIN, 0, 10_000, 25_000), task(WORKER, 0, 10_000, 30_000)]);
    assert.equal(e.mainCpu, 10);
    assert.equal(e.worker, 10);
  });

  it('ignores other processes\' threads', () => {
    const other: TraceEvent = { ...task(MAIN, 0, 5_000, 5_000), pid: PID + 1 };
    const e = stallEvidence([...threads(), ...gap(0, 10_000), other]);
    assert.equal(e.mainWall, 0);
  });

  it('says what to do when the page\'s measure is missing', () => {
    assert.throws(() => stallEvidence(threads()), /no 'stepwise-longest-gap' measure: was 'blink\.user_timing' among the categories/);
  });

  it('keeps the main thread\'s time within the gap and its CPU within that, for any run of tasks', () => {
    // One thread runs one task at a time: each task starts after a pause after the one before.
    const span = fc.record({ pause: fc.integer({ min: 0, max: 20_000 }), dur: fc.integer({ min: 0, max: 50_000 }), tdur: fc.integer({ min: 0, max: 80_000 }) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200_000 }), fc.integer({ min: 0, max: 100_000 }), fc.array(span, { maxLength: 30 }), (from, length, spans) => {
        let at = 0;
        const tasks = spans.map((t) => {
          at += t.pause;
          const ev = task(MAIN, at, t.dur, t.tdur);
          at += t.dur;
          return ev;
        });
        const e = stallEvidence([...threads(), ...gap(from, from + length), ...tasks]);
        assert.ok(e.mainCpu <= e.mainWall + 1e-9, `CPU ${e.mainCpu} > wall ${e.mainWall}`);
        assert.ok(e.mainWall <= e.gap + 1e-9, `tasks ${e.mainWall} > gap ${e.gap}`);
      }),
    );
  });
});
