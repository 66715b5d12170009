// Importing a plugin module, and importing it again after it changed (a long-lived process such
// as the editor's extension host). An ES module is imported under a URL that names its mtime. A
// CommonJS module cannot be: import() and require() both take it from Node's require cache, keyed
// by path, so a changed one is dropped from that cache first, with the workspace modules it
// requires, and required again (not imported, whose module map would keep every old copy alive).
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isOutside } from '../paths';

type CachedModule = NodeJS.Module;
type RequireCache = NodeJS.Require['cache'];

/** The mtime each CommonJS module of a plugin had when it was required: process-wide, like the require cache it describes. */
const requiredAt = new Map<string, number>();

const mtime = (file: string): number => fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;

/** Node's rule: .cjs, or .js under a package.json without "type": "module". */
function isCommonJs(file: string): boolean {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { type?: unknown }).type !== 'module';
      } catch {
        return true;
      }
    }
    if (path.dirname(dir) === dir) return true;
  }
}

/** A module of the workspace: in the config file's folder, not an installed package. */
function inWorkspace(file: string, root: string): boolean {
  return !isOutside(file, root) && !path.relative(root, file).split(path.sep).includes('node_modules');
}

/** The cached plugin module and the workspace modules it requires, directly or not. */
function cachedTree(file: string, root: string, cache: RequireCache): CachedModule[] {
  const tree = new Set<CachedModule>();
  const visit = (m: CachedModule | undefined): void => {
    if (!m || tree.has(m)) return;
    tree.add(m);
    for (const child of m.children) if (inWorkspace(child.filename, root)) visit(child);
  };
  visit(cache[file]);
  return [...tree];
}

/** Drops modules from the cache and from every cached module's children, so nothing keeps them alive. */
function drop(modules: CachedModule[], cache: RequireCache): void {
  const gone = new Set(modules);
  for (const m of modules) {
    delete cache[m.filename];
    requiredAt.delete(m.filename);
  }
  for (const m of Object.values(cache)) {
    if (m && m.children.some((c) => gone.has(c))) m.children = m.children.filter((c) => !gone.has(c));
  }
}

export interface ImportedPlugin {
  exports: Record<string, unknown>;
  /** The module's file and, for CommonJS, the workspace modules it requires: a change of one calls for loading it again. */
  files: string[];
}

function requireCommonJs(file: string, root: string, fresh: boolean): ImportedPlugin {
  const load = createRequire(file);
  if (fresh) {
    const tree = cachedTree(file, root, load.cache);
    if (tree.some((m) => mtime(m.filename) !== requiredAt.get(m.filename))) drop(tree, load.cache);
  }
  const exports = load(file) as Record<string, unknown>;
  const tree = cachedTree(file, root, load.cache);
  for (const m of tree) if (!requiredAt.has(m.filename)) requiredAt.set(m.filename, mtime(m.filename));
  return { exports, files: tree.map((m) => m.filename) };
}

/**
 * The exports of the plugin module `file` named by the config file in `root`. `fresh`: load it
 * anew when it (or, for CommonJS, a workspace module it requires) changed since an earlier load.
 */
export async function importPlugin(file: string, root: string, fresh: boolean): Promise<ImportedPlugin> {
  const real = fs.realpathSync(file);
  if (isCommonJs(real)) {
    const cjs = requireCommonJs(real, fs.realpathSync(root), fresh);
    return { exports: cjs.exports, files: [...new Set([file, ...cjs.files])] };
  }
  const version = fresh ? `?mtime=${mtime(real)}` : '';
  return { exports: (await import(pathToFileURL(file).href + version)) as Record<string, unknown>, files: [file] };
}
