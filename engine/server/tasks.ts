// The task files a server can start: every `*.task.yaml` (or `.yml`) under a folder, linted; a file
// with lint errors is rejected (and listed with its errors), the others are registered by the
// task's `name`. The folder is watched and read again when a file changes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintText, type LintOptions } from '../lint/index';
import type { Diagnostic } from '../model/types';
import { sourceHash } from '../runtime/pinned';
import type { LoadedTask } from '../runtime/run';

export interface TaskError {
  line: number;
  column: number;
  code: string;
  message: string;
}

export interface RegisteredTask {
  name: string;
  file: string;
  source: string;
  /** sha256 of the source: runs keep the version they were started with. */
  hash: string;
  task: LoadedTask;
  description?: string;
}

export interface RejectedTask {
  file: string;
  name?: string;
  errors: TaskError[];
}

const TASK_FILE = /\.task\.ya?ml$/;

export function toTaskErrors(diagnostics: Diagnostic[]): TaskError[] {
  return diagnostics.map((d) => ({ line: d.range.start.line + 1, column: d.range.start.column + 1, code: d.code, message: d.message }));
}

/** Lints a task's text; the task when it lints clean, else its errors. */
export function compileTask(source: string, file: string, lint: LintOptions = {}): { ok: RegisteredTask } | { errors: TaskError[]; name?: string } {
  const { model, diagnostics } = lintText(source, lint);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) return { errors: toTaskErrors(errors), name: model.name };
  const name = model.name ?? path.basename(file).replace(TASK_FILE, '');
  return { ok: { name, file, source, hash: sourceHash(source), task: { model, file, source }, description: model.description } };
}

export class TaskRegistry {
  private byName = new Map<string, RegisteredTask>();
  private byFile = new Map<string, RegisteredTask>();
  private rejected: RejectedTask[] = [];
  private signature = '';
  private watcher: fs.FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(tasks: RegisteredTask[]) => void>();

  constructor(
    readonly dir: string,
    /** What the tasks are linted with: the plugins' kinds. */
    private readonly lint: LintOptions = {},
  ) {}

  get(name: string): RegisteredTask | undefined {
    return this.byName.get(name);
  }

  getByFile(file: string): RegisteredTask | undefined {
    return this.byFile.get(path.resolve(file));
  }

  /** The rejection of a file, when it was rejected. */
  rejectedFile(file: string): RejectedTask | undefined {
    const abs = path.resolve(file);
    return this.rejected.find((r) => r.file === abs);
  }

  /** A rejected file that declares this task name. */
  rejectedNamed(name: string): RejectedTask | undefined {
    return this.rejected.find((r) => r.name === name);
  }

  tasks(): RegisteredTask[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  rejections(): RejectedTask[] {
    return [...this.rejected];
  }

  /** Calls back with the registered tasks after each (re)load. */
  onLoad(listener: (tasks: RegisteredTask[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the folder; returns whether anything changed since the last read. */
  load(): boolean {
    const files = listTaskFiles(this.dir);
    const stats = files.map((f) => {
      try {
        const s = fs.statSync(f);
        return `${f}:${s.mtimeMs}:${s.size}`;
      } catch {
        return `${f}:gone`;
      }
    });
    const signature = stats.join('\n');
    if (signature === this.signature) return false;
    this.signature = signature;
    const byName = new Map<string, RegisteredTask>();
    const byFile = new Map<string, RegisteredTask>();
    const rejected: RejectedTask[] = [];
    for (const file of files) {
      let source: string;
      try {
        source = fs.readFileSync(file, 'utf8');
      } catch (e) {
        rejected.push({ file, errors: [{ line: 1, column: 1, code: 'unreadable', message: (e as Error).message }] });
        continue;
      }
      const compiled = compileTask(source, file, this.lint);
      if ('errors' in compiled) {
        rejected.push({ file, name: compiled.name, errors: compiled.errors });
        continue;
      }
      const t = compiled.ok;
      const other = byName.get(t.name);
      if (other) {
        rejected.push({
          file,
          name: t.name,
          errors: [{ line: 1, column: 1, code: 'duplicate-task-name', message: `Task name '${t.name}' is already taken by ${other.file}.` }],
        });
        continue;
      }
      byName.set(t.name, t);
      byFile.set(file, t);
    }
    this.byName = byName;
    this.byFile = byFile;
    this.rejected = rejected;
    for (const l of this.listeners) l(this.tasks());
    return true;
  }

  /** Reloads when a file changes: fs.watch for speed, a periodic look for file systems it misses. */
  watch(pollMs = 1000): void {
    const reload = () => {
      try {
        this.load();
      } catch {
        // A folder that vanished for a moment is read again on the next look.
      }
    };
    try {
      this.watcher = fs.watch(this.dir, { recursive: true }, () => reload());
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = undefined;
    }
    this.timer = setInterval(reload, pollMs);
    this.timer.unref();
  }

  close(): void {
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
  }
}

function listTaskFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = path.join(d, e.name);
      if (e.isDirectory() && depth < 8) walk(full, depth + 1);
      else if (e.isFile() && TASK_FILE.test(e.name)) out.push(path.resolve(full));
    }
  };
  walk(dir, 0);
  return out.sort();
}
