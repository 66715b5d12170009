// The CLI's entry point (dist/cli.js): runs the CLI's bundle (cli-main.js, next to this file) from
// V8's code cache. Compiling the bundle's functions was a third of a `stepwise run`'s CPU, and
// Node 20 has no compile cache of its own (module.enableCompileCache came in Node 22). The cache is
// taken when the first run exits, so that it holds every function that run compiled, not only the
// top level (v8-compile-cache caches at load and saved a fifth as much).
//
// The cache is only ever an optimization: any failure to read, check or write it runs the bundle
// compiled from source. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node's own, and so
// does --enable-source-maps.
import * as fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

const bundle = path.join(__dirname, 'cli-main.js');
// Node maps stack traces to the sources (--enable-source-maps) only in modules it loads itself.
if (process.sourceMapsEnabled) createRequire(bundle)(bundle);
else runFromCache();

function runFromCache(): void {
  const source = fs.readFileSync(bundle, 'utf8');
  const cacheFile = process.env.NODE_DISABLE_COMPILE_CACHE ? undefined : cachePath(bundle);
  const cachedData = cacheFile ? readCache(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  if (cacheFile && (!cachedData || script.cachedDataRejected)) process.once('exit', () => writeCache(cacheFile, script));
  const module_ = new Module(bundle, module);
  module_.filename = bundle;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run.call(module_.exports, module_.exports, createRequire(bundle), module_, bundle, path.dirname(bundle));
}

/**
 * Where the cache of this bundle lives: a folder of the user's own in the temporary folder, named
 * for the bundle's path, the V8 that compiled it, and the bundle's size and time. Undefined when that folder
 * is not the user's alone: a cache another user could write would run their code.
 */
function cachePath(file: string): string | undefined {
  try {
    const uid = process.getuid?.();
    const dir = path.join(os.tmpdir(), `stepwise-compile-cache-${uid ?? os.userInfo().username}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory() || (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0))) return undefined;
    const own = fs.statSync(file);
    return path.join(dir, `${cachePrefix(file)}${own.size}-${Math.round(own.mtimeMs)}.bin`);
  } catch {
    return undefined;
  }
}

function readCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache whole (a concurrent run reads the old file or the new one, never half of one),
 * then drops what older builds of the bundle and interrupted writes left.
 */
function writeCache(file: string, compiled: vm.Script): void {
  try {
    const partial = `${file}.${process.pid}`;
    fs.writeFileSync(partial, compiled.createCachedData(), { mode: 0o600 });
    fs.renameSync(partial, file);
    const dir = path.dirname(file);
    const prefix = cachePrefix(bundle);
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(prefix) && name !== path.basename(file)) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // A read-only or full temporary folder: the next run compiles from source again.
  }
}

/**
 * What names the caches of one bundle for one V8: another Node running the same bundle (VS Code's,
 * a terminal's) keeps a cache of its own rather than replacing this one's on every run.
 */
function cachePrefix(file: string): string {
  return `${fnv(file)}-${process.versions.v8}-${process.arch}-`;
}

/** FNV-1a of a text, in hex: names a bundle's cache without loading crypto. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}
