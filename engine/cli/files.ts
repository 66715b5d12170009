// Expands file arguments: plain paths, folders (their task files, or the files `pattern` matches) and
// quoted globs (`samples/**/*.task.yaml`, `{src,ops}/**/*.task.{yaml,yml}`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import fg from 'fast-glob';

const TASK_FILE = /\.task\.ya?ml$/;

export function expandFiles(args: string[], cwd = process.cwd(), pattern = TASK_FILE): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const arg of args) {
    if (fg.isDynamicPattern(arg)) {
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
  return fg
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
