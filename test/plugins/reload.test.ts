// A long-lived process (the editor's extension host) loads a workspace's plugins again after a
// change: a CommonJS plugin, and the workspace modules it requires, must be read afresh as an ES
// module is, while packages under node_modules and unchanged plugins stay as loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import type { InstructionContext } from '../../engine/instructions/types';
import { loadPluginsFrom, type LoadedPlugins } from '../../engine/plugins/load';

const requireCache = createRequire(__filename).cache;

function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-reload-'));
  for (const [name, text] of Object.entries(files)) write(dir, name, text);
  return dir;
}

let clock = Date.now() / 1000;
/** Writes a file with an mtime later than any before, as an editor's save has (no waiting for the clock). */
function write(dir: string, name: string, text: string): void {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  clock += 10;
  fs.utimesSync(file, clock, clock);
}

async function runKind(loaded: LoadedPlugins, kind: string): Promise<unknown> {
  return loaded.handlers[kind]({ args: {} } as unknown as InstructionContext);
}

const kindModule = (kind: string, body: string) => `
const helper = require('./lib/helper.js');
const dep = require('dep');
globalThis.__stepwiseReloadLoads = (globalThis.__stepwiseReloadLoads ?? 0) + 1;
module.exports = { instructions: [{ kind: '${kind}', args: {}, run: async () => ({ ${body}, helper: helper.label, dep: dep.id }) }] };
`;

test('a changed CommonJS plugin and the workspace modules it requires are loaded afresh', async () => {
  const dir = workspace({
    'stepwise.config.json': '{ "plugins": ["./kind.cjs"] }',
    'kind.cjs': kindModule('greet', "says: 'one'"),
    'lib/helper.js': "module.exports = { label: 'first' };",
    'node_modules/dep/index.js': 'module.exports = { id: Math.random() };',
  });
  const config = path.join(dir, 'stepwise.config.json');
  const loaded = await loadPluginsFrom(config, { fresh: true });
  const real = (name: string) => fs.realpathSync(path.join(dir, name));
  assert.deepEqual(new Set(loaded.files!.map((f) => fs.realpathSync(f))), new Set([real('kind.cjs'), real('lib/helper.js')]), 'the files whose change calls for a reload: not the installed package');
  const first = await runKind(loaded, 'greet');
  assert.deepEqual({ ...(first as object), dep: undefined }, { says: 'one', helper: 'first', dep: undefined });
  const dep = (first as { dep: number }).dep;
  const oldModule = requireCache[fs.realpathSync(path.join(dir, 'kind.cjs'))];
  assert.ok(oldModule, 'the plugin was loaded through the require cache');

  write(dir, 'kind.cjs', kindModule('greet', "says: 'two'"));
  assert.deepEqual(await runKind(await loadPluginsFrom(config, { fresh: true }), 'greet'), { says: 'two', helper: 'first', dep }, 'the plugin file changed');

  write(dir, 'lib/helper.js', "module.exports = { label: 'second' };");
  assert.deepEqual(await runKind(await loadPluginsFrom(config, { fresh: true }), 'greet'), { says: 'two', helper: 'second', dep }, 'only a module it requires changed');

  const loads = (globalThis as { __stepwiseReloadLoads?: number }).__stepwiseReloadLoads;
  await loadPluginsFrom(config, { fresh: true });
  assert.equal((globalThis as { __stepwiseReloadLoads?: number }).__stepwiseReloadLoads, loads, 'nothing changed: the plugin is not run again');

  const cached = Object.values(requireCache);
  assert.ok(!cached.includes(oldModule), 'the old module left the require cache');
  assert.ok(!cached.some((m) => m?.children.includes(oldModule!)), 'no cached module holds the old one');
});

test('a CommonJS .js plugin (package without "type": "module") is loaded afresh too', async () => {
  const dir = workspace({
    'package.json': '{ "name": "ws" }',
    'stepwise.config.json': '{ "plugins": ["./plugins/kind.js"] }',
    'plugins/kind.js': "module.exports = { instructions: [{ kind: 'ping', args: {}, run: async () => 'one' }] };",
  });
  const config = path.join(dir, 'stepwise.config.json');
  assert.equal(await runKind(await loadPluginsFrom(config, { fresh: true }), 'ping'), 'one');
  write(dir, 'plugins/kind.js', "module.exports = { instructions: [{ kind: 'ping', args: {}, run: async () => 'two' }] };");
  assert.equal(await runKind(await loadPluginsFrom(config, { fresh: true }), 'ping'), 'two');
});

test('an ES module plugin is still imported anew when it changes', async () => {
  const dir = workspace({
    'stepwise.config.json': '{ "plugins": ["./kind.mjs"] }',
    'kind.mjs': "export const instructions = [{ kind: 'pong', args: {}, run: async () => 'one' }];",
  });
  const config = path.join(dir, 'stepwise.config.json');
  assert.equal(await runKind(await loadPluginsFrom(config, { fresh: true }), 'pong'), 'one');
  write(dir, 'kind.mjs', "export const instructions = [{ kind: 'pong', args: {}, run: async () => 'two' }];");
  assert.equal(await runKind(await loadPluginsFrom(config, { fresh: true }), 'pong'), 'two');
});
