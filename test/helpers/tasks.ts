// Small helpers shared by the runtime tests: tasks from inline YAML, running a task to its end,
// reading journals relative to the run's start, temporary folders.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTask } from '../../engine/model/parse';
import { parseMocks, type Mocks } from '../../engine/runtime/mocks';
import { createEngine, type Engine, type EngineOptions } from '../../engine/runtime/engine';
import { virtualClock, type VirtualClock } from '../../engine/runtime/clock';
import type { LoadedTask, Run } from '../../engine/runtime/run';
import type { JournalEvent } from '../../engine/journal/events';
import type { RunState } from '../../engine/journal/replay';

/** A fixed start for virtual clocks, so timestamps are the same on every run. */
export const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);

/** Removes the common indentation of a template literal, so YAML can be indented with the code. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

/** A LoadedTask from inline YAML (parsed, not linted). Throws on YAML syntax errors only. */
export function taskFrom(yaml: string, file?: string): LoadedTask {
  const { model, diagnostics } = parseTask(dedent(yaml));
  const syntax = diagnostics.filter((d) => d.code === 'yaml-syntax');
  if (syntax.length) throw new Error(`YAML error in test task: ${syntax.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('; ')}`);
  return { model, file };
}

/** Reads a task file with the parser only: a `loadTask` for engines that must not depend on lint. */
export function parseOnlyLoader(file: string): LoadedTask {
  return { model: parseTask(fs.readFileSync(file, 'utf8')).model, file: path.resolve(file) };
}

export function mocksFrom(yaml: string): Mocks {
  return parseMocks(dedent(yaml), 'test.mocks.yaml');
}

/** An engine on a virtual clock starting at T0 (memory store unless given). */
export function virtualEngine(options: EngineOptions = {}): { engine: Engine; clock: VirtualClock } {
  const clock = virtualClock(T0);
  const engine = createEngine({ clock, ...options });
  return { engine, clock };
}

export interface Finished {
  run: Run;
  state: RunState;
  journal: JournalEvent[];
}

/** Starts a task and waits for its end; returns the final state and the store's journal. */
export async function runToEnd(engine: Engine, task: LoadedTask, input?: Record<string, unknown>, runId?: string): Promise<Finished> {
  const run = engine.start(task, { input, runId });
  const state = await withTimeout(run.done, 20_000, `run ${run.id} did not end`);
  const journal = await engine.store.read(run.id);
  return { run, state, journal };
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms: ${what}`)), ms);
    }),
  ]);
}

/** Milliseconds since the run started, for each entry. */
export function rel(journal: readonly JournalEvent[]): Array<JournalEvent & { t: number }> {
  const start = journal[0]?.at ?? 0;
  return journal.map((e) => ({ ...e, t: e.at - start }));
}

export function ofType<K extends JournalEvent['type']>(journal: readonly JournalEvent[], type: K): Array<Extract<JournalEvent, { type: K }> & { t: number }> {
  return rel(journal).filter((e) => e.type === type) as Array<Extract<JournalEvent, { type: K }> & { t: number }>;
}

/** A compact trace: `type` plus the most telling field, for readable deepEqual failures. */
export function trace(journal: readonly JournalEvent[]): string[] {
  return journal.map((e) => {
    switch (e.type) {
      case 'state-entered':
        return `enter ${e.state}`;
      case 'instruction-started':
        return `start ${e.state}[${e.index}]#${e.attempt}`;
      case 'instruction-finished':
        return `finish ${e.state}[${e.index}]`;
      case 'instruction-failed':
        return `fail ${e.state}[${e.index}]#${e.attempt} ${e.error.kind}`;
      case 'transition-taken':
        return `${e.from} -> ${e.to} (${e.cause})`;
      case 'poll-result':
        return `poll ${e.state}[${e.transition}] ${e.done ? 'done' : 'not yet'}`;
      case 'event-received':
        return `event ${e.name}`;
      case 'run-ended':
        return `end ${e.status}${e.reason ? ` ${e.reason}` : ''}`;
      default:
        return e.type;
    }
  });
}

export function tmpDir(prefix = 'stepwise-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function rmDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Resolves once the engine journals an event matching `pred` (for any run). */
export function nextJournal(engine: Engine, pred: (run: Run, e: JournalEvent) => boolean): Promise<{ run: Run; event: JournalEvent }> {
  return new Promise((resolve) => {
    const off = engine.onJournal((run, event) => {
      if (pred(run, event)) {
        off();
        resolve({ run, event });
      }
    });
  });
}

export const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
