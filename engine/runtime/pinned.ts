// Versions of a running task: a run is pinned to the text of the task file it started with. The
// text is kept in the run's store under its sha256, which `run-started` journals as `taskHash`;
// whatever continues a run (resume, recovery, retry, replay) reads that text back, and says so when
// the file on disk no longer matches it.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { JournalEvent } from '../journal/events';
import { lintText } from '../lint/index';
import type { RunStore } from '../store/store';
import type { LoadedTask } from './run';

export function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/** Keeps a task's text in the store; returns the hash to journal (none for a task given without its text). */
export async function pinSource(store: RunStore, task: LoadedTask): Promise<string | undefined> {
  if (task.source === undefined) return undefined;
  const hash = sourceHash(task.source);
  await store.keepSource({ hash, source: task.source, name: task.model.name ?? 'task', file: task.file });
  return hash;
}

export interface PinnedTask {
  task: LoadedTask;
  /** Why what continues is not the file as it is now (it changed, is gone, or the run has no pinned version). */
  changed?: string;
}

type RunStarted = Extract<JournalEvent, { type: 'run-started' }>;

/**
 * The task a run continues with: the version it started with, from the store. A journal written
 * before versions were kept continues with the file as it is now (and says so).
 */
export async function pinnedTask(
  store: RunStore,
  history: readonly JournalEvent[],
  loadFile: (file: string) => LoadedTask | Promise<LoadedTask>,
  readFile: (file: string) => string = (f) => fs.readFileSync(f, 'utf8'),
): Promise<PinnedTask> {
  const started = history.find((e): e is RunStarted => e.type === 'run-started');
  if (!started) throw new Error('The journal has no run-started entry, so the run cannot continue.');
  if (!started.taskHash) {
    if (!started.file) throw new Error(`Run '${started.runId}' has no task file in its journal, so it cannot continue.`);
    return {
      task: await loadFile(started.file),
      changed: `Run ${started.runId} has no pinned task version (it started before versions were kept); it continues with ${started.file} as the file is now.`,
    };
  }
  const source = await store.readSource(started.taskHash);
  if (source === undefined) {
    throw new Error(
      `The version of task '${started.task}' that run ${started.runId} started with (${started.taskHash.slice(0, 12)}) is not in the store, so the run cannot continue as it started.`,
    );
  }
  const task: LoadedTask = { model: lintText(source).model, file: started.file, source };
  return { task, changed: started.file ? fileChange(started, readFile) : undefined };
}

/** How the file differs from the run's version, or undefined when it is the same text. */
export function fileChange(started: RunStarted, readFile: (file: string) => string): string | undefined {
  const file = started.file!;
  let now: string;
  try {
    now = readFile(file);
  } catch {
    return `${file} is gone since run ${started.runId} started; the run continues with the version it started with.`;
  }
  if (sourceHash(now) === started.taskHash) return undefined;
  return `${file} has changed since run ${started.runId} started; the run continues with the version it started with (${started.taskHash!.slice(0, 12)}).`;
}
