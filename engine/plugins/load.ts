// Loading the plugins a config file names: each module imported once, its instruction kinds
// checked (names, schemas, handlers), and wrapped as engine handlers that check the resolved
// arguments and the result against the kind's schemas.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { findConfig, PluginConfigError, readConfig } from './config';
import type { Plugin } from './define';
import { compileInstruction, pluginAjv } from './handlers';
import { NO_PLUGINS, type LoadedPlugins } from './lint-options';
import { importPlugin } from './module';

export { lintOptions, NO_PLUGINS, type LoadedPlugins } from './lint-options';

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

/**
 * Imports the plugins of `configFile` and checks every kind they export. `fresh`: load a plugin
 * again when it changed since an earlier load (a long-lived process such as the editor's
 * extension host); for a CommonJS plugin, also when a workspace module it requires changed.
 */
export async function loadPluginsFrom(configFile: string, options: { fresh?: boolean } = {}): Promise<LoadedPlugins> {
  const config = readConfig(configFile);
  // Loaded when first needed, not at the top: a CLI command in a workspace without plugins never loads ajv.
  const ajv = pluginAjv();
  const lintAjv = pluginAjv({ verbose: true });
  const loaded: LoadedPlugins = { config: configFile, kinds: [], handlers: {}, files: [], compileSchema: (schema) => lintAjv.compile(schema) };
  for (const spec of config.plugins) {
    const file = resolveModule(spec, configFile);
    let mod: Record<string, unknown>;
    try {
      const imported = await importPlugin(file, path.dirname(configFile), options.fresh ?? false);
      mod = imported.exports;
      loaded.files!.push(...imported.files);
    } catch (err) {
      throw new PluginConfigError(configFile, `plugin '${spec}' cannot be loaded: ${(err as Error).message}`);
    }
    const plugin = pluginOf(mod, spec, configFile);
    for (const ins of plugin.instructions) {
      let handler;
      try {
        handler = compileInstruction(ins, `plugin '${plugin.name}' (${spec})`, loaded.handlers, ajv);
      } catch (err) {
        throw new PluginConfigError(configFile, (err as Error).message);
      }
      loaded.handlers[ins.kind] = handler;
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
