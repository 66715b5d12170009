// What a launch loads, as one record the runtime takes whole: the launch checked (launch.ts) or
// the recorded run opened (replay.ts), with the files it shows, the store it journals into, the
// instruction kinds it runs with and how the stepper starts. Nothing here starts a run.
import * as path from 'node:path';
import type { JournalEvent } from '../journal/events';
import type { InstructionHandler } from '../instructions/types';
import { locateTaskFiles, type LocatedFile } from '../model/locate';
import { PluginConfigError } from '../plugins/config';
import { lintOptions, NO_PLUGINS, pluginsForTask, type LoadedPlugins } from '../plugins/load';
import { NO_MOCKS, type Mocks } from '../runtime/mocks';
import type { LoadedTask } from '../runtime/run';
import { memoryStore } from '../store/memory';
import type { RunStore } from '../store/store';
import { defaultOpenStore, LaunchError, launchSecrets, loadLaunch, nodeFileAccess, type FileAccess, type LaunchConfig } from './launch';
import { loadReplay, replayedFiles } from './replay';

export interface DebugRuntimeOptions {
  files?: FileAccess;
  /** Where STEPWISE_SECRET_* come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Opens the store a launch names (`memory` or a folder, resolved against `cwd`). */
  openStore?: (spec: string, cwd: string) => RunStore;
  /** Custom instruction kinds, as in createEngine. */
  instructions?: Record<string, InstructionHandler>;
}

/** A replay of a recorded run (see replay.ts): the recording, its store, the clock a live run takes. */
export interface Replaying {
  recording: JournalEvent[];
  store?: RunStore;
  server?: URL;
  liveClock: 'real' | 'virtual';
}

/** Everything a launch loaded, checked. */
export interface Launched {
  config: LaunchConfig;
  task: LoadedTask;
  mocks: Mocks;
  input: Record<string, unknown>;
  secrets: Record<string, string>;
  /** The workspace's plugins' kinds, or the ones the runtime was given. */
  instructions: Record<string, InstructionHandler>;
  /** The launched file and the files it calls, with their lines. */
  located: Map<string, LocatedFile>;
  store: RunStore;
  stopOnEntry: boolean;
  /** With a test case's `stopOnDivergence`: its `path`. */
  expectedPath?: string[];
  noDebug: boolean;
  replaying?: Replaying;
  /** Said to the user once loaded (a replayed task file that changed since the recording). */
  notice?: string;
}

/**
 * Reads, lints and checks everything a launch names, with the plugins of the task's workspace
 * (stepwise.config.json); throws LaunchError. `store`, when given, is kept (a restart journals
 * into the store it has).
 */
export async function launchTask(config: LaunchConfig, options: DebugRuntimeOptions, store?: RunStore): Promise<Launched> {
  const files = options.files ?? nodeFileAccess;
  const program = typeof config?.program === 'string' ? path.resolve(config.cwd ?? process.cwd(), config.program) : undefined;
  let plugins: LoadedPlugins;
  try {
    plugins = program && !options.instructions ? await pluginsForTask(program) : NO_PLUGINS;
  } catch (err) {
    if (err instanceof PluginConfigError) throw new LaunchError(err.message);
    throw err;
  }
  const launch = loadLaunch(config, files, options.env ?? process.env, lintOptions(plugins));
  // A test case's launch names its task, input, mocks and clock for it.
  config = launch.config;
  const located = locateTaskFiles(launch.task.file!, (f) => files.readFile(f), launch.task.model);
  return {
    config,
    task: launch.task,
    mocks: launch.mocks,
    input: launch.input,
    secrets: launch.secrets,
    instructions: options.instructions ?? plugins.handlers,
    located,
    store: store ?? (options.openStore ?? defaultOpenStore)(config.store ?? 'memory', launch.cwd),
    stopOnEntry: config.stopOnEntry === true && config.noDebug !== true,
    expectedPath: launch.expectedPath,
    noDebug: config.noDebug === true,
  };
}

/**
 * Opens a recorded run to replay (the launch names it with `replay`); throws LaunchError. The
 * replay runs in a store of its own on the virtual clock and stops on entry.
 */
export async function launchReplay(config: LaunchConfig, options: DebugRuntimeOptions): Promise<Launched> {
  const files = options.files ?? nodeFileAccess;
  const env = options.env ?? process.env;
  const r = await loadReplay(config, files, options.openStore ?? defaultOpenStore, env);
  const started = r.recording[0] as Extract<JournalEvent, { type: 'run-started' }>;
  return {
    config: { ...config, program: r.task.file!, clock: 'virtual', mocks: undefined },
    task: r.task,
    mocks: NO_MOCKS,
    input: started.input,
    secrets: launchSecrets(config, env),
    instructions: options.instructions ?? NO_PLUGINS.handlers,
    located: replayedFiles(r.task, files),
    store: memoryStore(),
    stopOnEntry: true,
    noDebug: false,
    replaying: { recording: r.recording, store: r.store, server: r.server, liveClock: config.clock ?? started.clock },
    notice: r.changed,
  };
}
