// Loaded plugins as the rest of Stepwise sees them, apart from the loader (load.ts), so that a
// command can hold them without loading what loading them needs.
import type { ValidateFunction } from 'ajv';
import type { InstructionHandler } from '../instructions/types';
import type { JsonSchema, PluginKindInfo } from './define';

export interface LoadedPlugins {
  /** The config file they come from (undefined: no config applies). */
  config?: string;
  kinds: PluginKindInfo[];
  /** Engine handlers by kind. */
  handlers: Record<string, InstructionHandler>;
  /** The files they were loaded from: each plugin module and the workspace modules a CommonJS one requires. */
  files?: string[];
  /** For the linter's `compileSchema` (see LintOptions). */
  compileSchema?: (schema: JsonSchema) => ValidateFunction;
}

export const NO_PLUGINS: LoadedPlugins = { kinds: [], handlers: {} };

/** What the linter needs of loaded plugins. */
export function lintOptions(plugins: LoadedPlugins): { plugins: PluginKindInfo[]; compileSchema?: (schema: JsonSchema) => ValidateFunction } {
  return { plugins: plugins.kinds, compileSchema: plugins.compileSchema };
}
