// Replay debugging: the debugger opens a recorded run and moves through its steps without doing
// anything outside the run. The replayed run is a fork of the recording's first entry into a store
// of its own (memory), on the virtual clock, whose every outcome comes from the recording (see
// Timeline.replay); stepping, breakpoints, step back and what is shown are the debugger's own.
// "Continue Live" forks a real run, in the recording's store, from the point the replay stands at.
import * as path from 'node:path';
import type { JournalEvent } from '../journal/events';
import { lintText } from '../lint/index';
import { locateTaskFiles } from '../model/locate';
import { TaskLoadError } from '../runtime/load';
import { fileChange, pinnedTask } from '../runtime/pinned';
import type { LoadedTask } from '../runtime/run';
import { DEFAULT_RUNS_DIR } from '../store/file';
import type { RunStore } from '../store/store';
import { LaunchError, loadTask, type FileAccess, type LaunchConfig } from './launch';
import { fetchServerRecording, replayServerUrl } from './replay-server';

export interface ReplayLaunch {
  task: LoadedTask;
  /** The store the recorded run is in (Continue Live forks into it); none for a server's run. */
  store?: RunStore;
  /** The server the recorded run is on, for a replay through its REST API. */
  server?: URL;
  recording: JournalEvent[];
  /** Set when the task file differs from the version the run was recorded with. */
  changed?: string;
}

/**
 * Reads the recorded run a launch names (`replay`, in `store`, default .stepwise/runs, or on the
 * `server` it names); throws LaunchError.
 */
export async function loadReplay(
  config: LaunchConfig,
  files: FileAccess,
  openStore: (spec: string, cwd: string) => RunStore,
  env: Record<string, string | undefined> = {},
): Promise<ReplayLaunch> {
  const runId = config.replay!;
  if (typeof runId !== 'string' || !runId) throw new LaunchError("'replay' must be the id of a recorded run.");
  if (config.server !== undefined) return loadServerReplay(config, runId, files, env);
  if (config.store === 'memory') throw new LaunchError("A replay reads a recorded run from a store folder: set 'store' to it (default .stepwise/runs), not 'memory'.");
  const cwd = path.resolve(typeof config.cwd === 'string' && config.cwd ? config.cwd : typeof config.program === 'string' && config.program ? path.dirname(path.resolve(config.program)) : '.');
  const store = openStore(config.store ?? DEFAULT_RUNS_DIR, cwd);
  let recording: JournalEvent[];
  try {
    recording = await store.read(runId);
  } catch (err) {
    await store.close();
    throw new LaunchError(`Cannot replay run '${runId}': ${(err as Error).message}`);
  }
  try {
    const load = (file: string) => loadTask(files, file, (message) => new TaskLoadError(file, [], message));
    const pinned = await pinnedTask(store, recording, load, (f) => files.readFile(f));
    if (!pinned.task.file) throw new Error('its journal names no task file.');
    return { task: pinned.task, store, recording, changed: pinned.changed };
  } catch (err) {
    await store.close();
    throw new LaunchError(`Cannot replay run '${runId}': ${(err as Error).message}`);
  }
}

/** A server's run: its journal and pinned text through the REST API, with `token` (or STEPWISE_TOKEN). */
async function loadServerReplay(config: LaunchConfig, runId: string, files: FileAccess, env: Record<string, string | undefined>): Promise<ReplayLaunch> {
  if (config.store !== undefined) throw new LaunchError("A replay reads a run from 'store' or from 'server', not both: leave one out.");
  const server = replayServerUrl(config.server);
  const token = typeof config.token === 'string' && config.token ? config.token : env.STEPWISE_TOKEN || undefined;
  try {
    const { recording, source } = await fetchServerRecording(server, runId, token);
    const started = recording[0] as Extract<JournalEvent, { type: 'run-started' }>;
    if (!started.file) throw new Error('its journal names no task file.');
    // The server's file may be on another machine: say it changed only when it is here and differs.
    const here = exists(files, started.file);
    const changed = here ? fileChange(started, (f) => files.readFile(f)) : undefined;
    return { task: { model: lintText(source).model, file: started.file, source }, recording, server, changed };
  } catch (err) {
    throw new LaunchError(`Cannot replay run '${runId}': ${(err as Error).message}`);
  }
}

function exists(files: FileAccess, file: string): boolean {
  try {
    files.readFile(file);
    return true;
  } catch {
    return false;
  }
}

/** The files a replay shows, with their lines: the recorded version for the task itself. */
export function replayedFiles(task: LoadedTask, files: FileAccess): ReturnType<typeof locateTaskFiles> {
  return locateTaskFiles(task.file!, (f) => (f === task.file && task.source !== undefined ? task.source : files.readFile(f)), task.model);
}

/** Entries about the process, not the run's steps. */
const BOOKKEEPING = new Set<JournalEvent['type']>(['run-forked', 'run-recovered', 'run-paused', 'run-resumed']);

/**
 * The prefix of the recording a live run continues from: as many of its steps as the replay has
 * journaled (the replay takes the recording's steps one for one, bookkeeping aside).
 */
export function livePrefix(recording: readonly JournalEvent[], replayed: readonly JournalEvent[]): JournalEvent[] {
  const steps = replayed.filter((e) => e.type !== 'run-started' && !BOOKKEEPING.has(e.type)).length;
  let i = 1;
  for (let seen = 0; i < recording.length && seen < steps; i++) if (!BOOKKEEPING.has(recording[i].type)) seen++;
  return recording.slice(0, i);
}
