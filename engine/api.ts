// The library entry point of @stepwise-tasks/cli (its `exports`), for programs that embed the
// engine: what they need to load, lint and run tasks, keep runs in a store, add instruction kinds
// and give secrets. Everything else under engine/ is internal and may change without notice.
import * as path from 'node:path';
import type { LintOptions } from './lint/index';
import { lintText } from './lint/index';
import { TaskLoadError } from './runtime/load';
import type { LoadedTask } from './runtime/run';

// Running tasks.
export { createEngine, type Engine, type EngineOptions, type JournalListener, type OutputListener, type ResumeOptions, type StartOptions } from './runtime/engine';
export type { LoadedTask, OutputChunk, Run, RunHooks, StepInfo, TransitionInfo } from './runtime/run';
export { InputError, loadTaskFile, resolveInput, TaskLoadError } from './runtime/load';
export { realClock, virtualClock, type Clock, type VirtualClock } from './runtime/clock';
export { MocksError, NO_MOCKS, parseMocks, type Mocks } from './runtime/mocks';
export type { RunObserver } from './observe/observer';

// Stores of run journals.
export { memoryStore } from './store/memory';
export { fileStore, type FileStoreOptions } from './store/file';
export { UnknownRunError, type InboxEvent, type RunStore, type TaskSource } from './store/store';
export { PgStore, type PgStoreOptions } from './store/postgres/store';
export { createPool, migrate } from './store/postgres/db';

// Task files: parsing and lint.
export { parseTask } from './model/parse';
export { lintText, RULES, type LintOptions, type LintResult, type RuleInfo } from './lint/index';
export type { Diagnostic, InstructionModel, ParseResult, Range, Severity, StateModel, TaskModel, TaskModel as Task, TransitionModel } from './model/types';

// Journals.
export type { FinalRunStatus, JournalEvent, JournalEvent as JournalEntry, RunError } from './journal/events';
export { replay, type RunState } from './journal/replay';

// Instruction kinds of your own, and the plugins of a stepwise.config.*.
export { defineInstruction, definePlugin, type JsonSchema, type Plugin, type PluginContext, type PluginInstruction, type PluginKindInfo } from './plugins/define';
export { instructionHandlers } from './plugins/handlers';
export { lintOptions, loadPluginsFrom, pluginsForTask, type LoadedPlugins } from './plugins/load';
export { findConfig, PluginConfigError } from './plugins/config';
export { InstructionFailure, type InstructionContext, type InstructionHandler } from './instructions/types';

// Secrets.
export { secretsFromEnv, SecretsError, type SecretValues } from './secrets/env';
export { readVaultSecrets, type VaultSettings } from './secrets/vault';

/**
 * A task from its text, linted (with `lint`: the plugin kinds, see lintOptions): a task with lint
 * errors throws TaskLoadError, as a task file does. `file` places it (relative paths of `exec`,
 * `call` … start at its folder).
 */
export function taskFromText(text: string, options: { file?: string; lint?: LintOptions } = {}): LoadedTask {
  const { model, diagnostics } = lintText(text, options.lint);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new TaskLoadError(options.file ?? '(task text)', errors);
  return { model, file: options.file === undefined ? undefined : path.resolve(options.file), source: text };
}
