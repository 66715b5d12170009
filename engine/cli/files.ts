// Expands file arguments: plain paths, folders (their task files, or the files `pattern` matches) and
// quoted globs (`samples/**/*.task.yaml`, `{src,ops}/**/*.task.{yaml,yml}`).
import * as fs from 'node:fs';
import * as path from 'node:path';

const TASK_FILE = /\.task\.ya?ml$/;

// fast-glob is loaded for an argument that may be a glob, not by every `run` of one file: its
// modules were a twentieth of the CLI's start. Every pattern it calls dynamic holds one of these.
const GLOB_CHARACTERS = /[\\*?![({]/;
function fastGlob(): typeof import('fast-glob') {
  return require('fast-glob') as typeof import('fast-glob');
}

/** Whether an argument is a glob rather than a path (as fast-glob decides). */
export function isGlob(arg: string): boolean {
  return GLOB_CHARACTERS.test(arg) && fastGlob().isDynamicPattern(arg);
}

export function expandFiles(args: string[], cwd = process.cwd(), pattern = TASK_FILE): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const arg of args) {
    if (arg === '') {
      missing.push(arg);
      continue;
    }
    if (isGlob(arg)) {
      const matched = glob(arg, cwd);
      if (matched.length === 0) missing.push(arg);
      files.push(...matched);
      continue;
    }
    const abs = path.resolve(cwd, arg);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      missing.push(arg);
      continue;
    }
    if (stat.isDirectory()) {
      const found = walk(abs).filter((f) => pattern.test(f)).map((f) => path.relative(cwd, f));
      if (found.length === 0) missing.push(arg);
      files.push(...found);
    } else {
      files.push(arg);
    }
  }
  return { files: [...new Set(files)], missing };
}

/** Matches of a glob (`*`, `?`, `[…]`, `**`, `{a,b}`), relative to `cwd` unless the pattern is absolute. */
function glob(pattern: string, cwd: string): string[] {
  return fastGlob()
    .sync(pattern.split(path.sep).join('/'), { cwd, absolute: path.isAbsolute(pattern), onlyFiles: true, ignore: ['**/node_modules/**'] })
    .sort();
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}
