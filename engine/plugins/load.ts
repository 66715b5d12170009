// Loading the plugins a config file names: each module imported once, its instruction kinds
// checked (names, schemas, handlers), and wrapped as engine handlers that check the resolved
// arguments and the result against the kind's schemas.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { BUILTIN_KINDS } from '../instructions/registry';
import { InstructionFailure, type InstructionHandler } from '../instructions/types';
import { FANOUT_KINDS } from '../model/types';
import { findConfig, PluginConfigError, readConfig } from './config';
import type { Plugin, PluginInstruction } from './define';
import { NO_PLUGINS, type LoadedPlugins } from './lint-options';

export { lintOptions, NO_PLUGINS, type LoadedPlugins } from './lint-options';

const KIND = /^[a-z][a-z0-9_-]*$/;

function errorsText(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '(the value)'} ${e.message}${e.keyword === 'additionalProperties' ? ` '${(e.params as { additionalProperty: string }).additionalProperty}'` : ''}`).join('; ');
}

function resolveModule(spec: string, configFile: string): string {
  if (spec.startsWith('.') || path.isAbsolute(spec)) return path.resolve(path.dirname(configFile), spec);
  try {
    return createRequire(configFile).resolve(spec);
  } catch {
    throw new PluginConfigError(configFile, `plugin '${spec}' is not installed next to it (npm install ${spec}).`);
  }
}

function pluginOf(mod: Record<string, unknown>, spec: string, configFile: string): Plugin {
  const candidate = (mod.default && typeof mod.default === 'object' ? mod.default : mod) as Partial<Plugin>;
  if (!Array.isArray(candidate.instructions)) {
    throw new PluginConfigError(configFile, `plugin '${spec}' exports no instructions: export default definePlugin({ name, instructions: [defineInstruction({ … })] }).`);
  }
  return { name: typeof candidate.name === 'string' ? candidate.name : spec, instructions: candidate.instructions };
}

function handlerFor(ins: PluginInstruction, checkArgs: ValidateFunction, checkResult: ValidateFunction | undefined): InstructionHandler {
  return async (ctx) => {
    if (!checkArgs(ctx.args)) throw new InstructionFailure(ins.kind, `The arguments of '${ins.kind}' do not fit its schema: ${errorsText(checkArgs.errors)}.`);
    const { signal, runId, state, index, baseDir, clock, log, sleep, output } = ctx;
    const result = await ins.run(ctx.args, { signal, runId, state, index, baseDir, clock, log, sleep, output });
    if (checkResult && !checkResult(result)) throw new InstructionFailure(ins.kind, `'${ins.kind}' returned a result that does not fit its schema: ${errorsText(checkResult.errors)}.`);
    return result;
  };
}

/**
 * Imports the plugins of `configFile` and checks every kind they export. `fresh`: import an ES
 * module again when its file changed since an earlier load (a long-lived process such as the
 * editor's extension host; a CommonJS module stays in Node's require cache).
 */
export async function loadPluginsFrom(configFile: string, options: { fresh?: boolean } = {}): Promise<LoadedPlugins> {
  const config = readConfig(configFile);
  // Loaded here, not at the top: a CLI command in a workspace without plugins never loads ajv.
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const lintAjv = new Ajv({ allErrors: true, strict: false, verbose: true });
  const loaded: LoadedPlugins = { config: configFile, kinds: [], handlers: {}, compileSchema: (schema) => lintAjv.compile(schema) };
  for (const spec of config.plugins) {
    const file = resolveModule(spec, configFile);
    let mod: Record<string, unknown>;
    try {
      const version = options.fresh ? `?mtime=${fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0}` : '';
      mod = (await import(pathToFileURL(file).href + version)) as Record<string, unknown>;
    } catch (err) {
      throw new PluginConfigError(configFile, `plugin '${spec}' cannot be loaded: ${(err as Error).message}`);
    }
    const plugin = pluginOf(mod, spec, configFile);
    for (const ins of plugin.instructions) {
      const where = `plugin '${plugin.name}' (${spec})`;
      if (!ins || typeof ins.kind !== 'string' || !KIND.test(ins.kind)) throw new PluginConfigError(configFile, `${where} has an instruction kind ${JSON.stringify(ins?.kind)}: use lowercase letters, digits, '_' and '-'.`);
      if ((BUILTIN_KINDS as readonly string[]).includes(ins.kind) || (FANOUT_KINDS as readonly string[]).includes(ins.kind)) throw new PluginConfigError(configFile, `${where} defines '${ins.kind}', which is built in.`);
      if (loaded.handlers[ins.kind]) throw new PluginConfigError(configFile, `${where} defines '${ins.kind}', which another plugin defines too.`);
      if (typeof ins.run !== 'function') throw new PluginConfigError(configFile, `${where}: '${ins.kind}' has no run(args, ctx) function.`);
      let checkArgs: ValidateFunction;
      let checkResult: ValidateFunction | undefined;
      try {
        checkArgs = ajv.compile(ins.args ?? {});
        checkResult = ins.result ? ajv.compile(ins.result) : undefined;
      } catch (err) {
        throw new PluginConfigError(configFile, `${where}: the schema of '${ins.kind}' is not a valid JSON Schema: ${(err as Error).message}`);
      }
      loaded.handlers[ins.kind] = handlerFor(ins, checkArgs, checkResult);
      loaded.kinds.push({ kind: ins.kind, description: ins.description, args: ins.args ?? {}, result: ins.result, plugin: plugin.name, module: file });
    }
  }
  return loaded;
}

/** The plugins that apply to a task file (from the nearest config file above it), or none. */
export async function pluginsForTask(taskFile: string): Promise<LoadedPlugins> {
  const config = findConfig(path.dirname(path.resolve(taskFile)));
  return config ? loadPluginsFrom(config) : NO_PLUGINS;
}
