// The workspace's plugin list: stepwise.config.json (or .yaml/.yml) in the task file's folder or
// the nearest folder above it, `{ plugins: [ "./plugins/checksum.mjs", "@acme/stepwise-kafka" ] }`.
// Data, not code: finding the plugins runs nothing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const CONFIG_NAMES = ['stepwise.config.json', 'stepwise.config.yaml', 'stepwise.config.yml'] as const;

export class PluginConfigError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'PluginConfigError';
  }
}

export interface PluginConfig {
  file: string;
  /** Module specifiers as written: paths relative to the config file, or package names. */
  plugins: string[];
}

/** The config file that applies to files in `dir` (searching upward), if any. */
export function findConfig(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    for (const name of CONFIG_NAMES) {
      const file = path.join(d, name);
      if (fs.existsSync(file)) return file;
    }
    if (path.dirname(d) === d) return undefined;
  }
}

export function readConfig(file: string): PluginConfig {
  let data: unknown;
  try {
    const text = fs.readFileSync(file, 'utf8');
    data = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new PluginConfigError(file, `cannot be read: ${(err as Error).message}`);
  }
  if (data === null || data === undefined) return { file, plugins: [] };
  if (typeof data !== 'object' || Array.isArray(data)) throw new PluginConfigError(file, 'must hold a mapping such as { "plugins": ["./plugins/my-kind.mjs"] }.');
  const unknown = Object.keys(data).filter((k) => k !== 'plugins' && k !== '$schema');
  if (unknown.length) throw new PluginConfigError(file, `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; the file knows 'plugins'.`);
  const plugins = (data as { plugins?: unknown }).plugins ?? [];
  if (!Array.isArray(plugins) || !plugins.every((p) => typeof p === 'string' && p.trim() !== '')) {
    throw new PluginConfigError(file, "'plugins' must be a list of module paths (./plugins/x.mjs) or package names.");
  }
  return { file, plugins };
}
