// What a plugin is: instruction kinds, each with a JSON Schema of its arguments and of its result
// and a typed handler. A plugin module exports `definePlugin({ … })` (default export) or an
// `instructions` list; a workspace names its plugins in stepwise.config.json (see config.ts).
import type { InstructionContext } from '../instructions/types';
import type { JsonSchema } from './json-schema';

export type { JsonSchema } from './json-schema';

/** What a plugin's handler gets besides its arguments (templates already resolved). */
export type PluginContext = Pick<InstructionContext, 'signal' | 'runId' | 'state' | 'index' | 'baseDir' | 'clock' | 'log' | 'sleep' | 'output'>;

export interface PluginInstruction<Args = unknown, Result = unknown> {
  /** The key a task writes (`kind: { …args }`): lowercase letters, digits, '_' and '-'. */
  kind: string;
  /** One line for completion, hover and the graph's palette. */
  description?: string;
  /** The arguments' schema: lint checks a task's arguments against it, the engine the resolved ones. */
  args: JsonSchema;
  /** The result's schema: a result that does not match fails the instruction. */
  result?: JsonSchema;
  run(args: Args, ctx: PluginContext): Promise<Result>;
}

export interface Plugin {
  name: string;
  instructions: PluginInstruction<any, any>[];
}

/** A typed instruction kind: `Args` and `Result` are what its schemas describe. */
export function defineInstruction<Args, Result>(instruction: PluginInstruction<Args, Result>): PluginInstruction<Args, Result> {
  return instruction;
}

export function definePlugin(plugin: Plugin): Plugin {
  return plugin;
}

/** What lint, completion, hover and the palette know of a plugin kind: everything but the handler. */
export interface PluginKindInfo {
  kind: string;
  description?: string;
  args: JsonSchema;
  result?: JsonSchema;
  /** The plugin it comes from (its name) and the module that was loaded. */
  plugin: string;
  module: string;
}
