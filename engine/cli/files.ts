// Expands file arguments: plain paths, folders (their task files, or the files `pattern` matches) and
// quoted globs (`samples/**/*.task.yaml`).
import * as fs from 'node:fs';
import * as path from 'node:path';

const TASK_FILE = /\.task\.ya?ml$/;

export function expandFiles(args: string[], cwd = process.cwd(), pattern = TASK_FILE): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const arg of args) {
    if (/[*?[]/.test(arg)) {
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

function glob(pattern: string, cwd: string): string[] {
  const normalized = pattern.split(path.sep).join('/');
  const firstMagic = normalized.search(/[*?[]/);
  const baseEnd = normalized.lastIndexOf('/', firstMagic);
  const base = baseEnd < 0 ? '.' : normalized.slice(0, baseEnd) || '/';
  const re = globToRegExp(normalized);
  const root = path.resolve(cwd, base);
  if (!fs.existsSync(root)) return [];
  return walk(root)
    .map((f) => (path.isAbsolute(pattern) ? f : path.relative(cwd, f)).split(path.sep).join('/'))
    .filter((f) => re.test(f))
    .sort();
}

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      re += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^(?:\\./)?${re}$`);
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
