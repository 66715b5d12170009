// How a worker finds the task of a run: by the hash of the source the run was started with (kept in
// the database, so every worker runs the same version), else by its file among the served tasks
// (served.ts): the registry's, or the latest source the database holds for that file. The disk is
// never read, so a worker without --tasks runs the same files and a `call` cannot leave them. The
// latest sources of a run's folder are fetched ahead, since its calls usually stay in it.
//
// Lookups are kept as promises: the claims of many runs of one version at once (a fresh worker)
// share one query and one lint. What is kept is bounded (least recently used first out), since a
// worker lives as long as the service and task versions keep coming.
import * as path from 'node:path';
import { lintText } from '../lint/index';
import type { LoadedTask } from '../runtime/run';
import type { Pool } from '../store/postgres/db';
import { Lru } from './lru';
import { notServed } from './served';
import type { TaskRegistry } from './tasks';

/** How often a folder's latest sources are fetched again. */
const REFETCH_MS = 30_000;

export interface TaskCacheOptions {
  /** Task versions (and files, and folders) kept; 256 unless given. */
  capacity?: number;
}

export class TaskCache {
  private readonly byHash: Lru<string, Promise<LoadedTask>>;
  private readonly byFile: Lru<string, LoadedTask>;
  private readonly dirsFetched: Lru<string, { at: number; done: Promise<void> }>;
  /** Lookups of files outside the folders fetched, in flight (not kept: nothing would refresh them). */
  private readonly latestPending = new Map<string, Promise<LoadedTask | undefined>>();

  constructor(private readonly pool: Pool, private readonly registry?: TaskRegistry, options: TaskCacheOptions = {}) {
    const capacity = options.capacity ?? 256;
    this.byHash = new Lru(capacity);
    this.byFile = new Lru(capacity);
    this.dirsFetched = new Lru(capacity);
  }

  /** The task of a run: its stored version when it has one, else the file. */
  async forRun(hash: string | null, file: string | null): Promise<LoadedTask> {
    if (hash) {
      const task = await this.version(hash);
      if (task.file) await this.fetchDir(path.dirname(task.file));
      return task;
    }
    if (!file) throw new Error('The run names neither a task version nor a task file.');
    await this.fetchDir(path.dirname(file));
    return this.load(file);
  }

  /** A served task by its file (for `call`): the registry's, else the database's latest. */
  async load(file: string): Promise<LoadedTask> {
    const abs = path.resolve(file);
    const task = this.registry?.getByFile(abs)?.task ?? this.byFile.get(abs) ?? (await this.latest(abs));
    if (!task) throw notServed(abs, this.registry);
    return task;
  }

  private version(hash: string): Promise<LoadedTask> {
    let pending = this.byHash.get(hash);
    if (!pending) {
      pending = this.queryVersion(hash);
      this.byHash.set(hash, pending);
      // A failed lookup is not kept: the next claim asks again.
      pending.catch(() => this.byHash.delete(hash));
    }
    return pending;
  }

  private async queryVersion(hash: string): Promise<LoadedTask> {
    const r = await this.pool.query<{ source: string; file: string | null }>('SELECT source, file FROM task_sources WHERE hash = $1', [hash]);
    if (r.rowCount === 0) throw new Error(`The task version ${hash.slice(0, 12)} of this run is not in the database.`);
    const { model } = lintText(r.rows[0].source);
    return { model, file: r.rows[0].file ?? undefined };
  }

  /** A file registered since its folder was fetched, or in another folder. */
  private latest(file: string): Promise<LoadedTask | undefined> {
    let pending = this.latestPending.get(file);
    if (!pending) {
      pending = this.queryLatest(file).finally(() => this.latestPending.delete(file));
      this.latestPending.set(file, pending);
    }
    return pending;
  }

  private async queryLatest(file: string): Promise<LoadedTask | undefined> {
    const r = await this.pool.query<{ source: string }>('SELECT source FROM task_sources WHERE file = $1 ORDER BY created_at DESC LIMIT 1', [file]);
    return r.rowCount === 0 ? undefined : this.compiled(file, r.rows[0].source);
  }

  /** The task of a stored source, unless it does not lint clean with this version's linter. */
  private compiled(file: string, source: string): LoadedTask | undefined {
    const { model, diagnostics } = lintText(source);
    return diagnostics.some((d) => d.severity === 'error') ? undefined : { model, file };
  }

  /** Fetches a folder's latest sources, unless that was done (or is under way) in the last REFETCH_MS. */
  private fetchDir(dir: string): Promise<void> {
    const last = this.dirsFetched.get(dir);
    if (last && Date.now() - last.at < REFETCH_MS) return last.done;
    const done = this.queryDir(dir);
    this.dirsFetched.set(dir, { at: Date.now(), done });
    done.catch(() => this.dirsFetched.delete(dir));
    return done;
  }

  private async queryDir(dir: string): Promise<void> {
    const r = await this.pool.query<{ file: string; source: string }>(
      `SELECT DISTINCT ON (file) file, source FROM task_sources
        WHERE file LIKE $1 ESCAPE '\\' ORDER BY file, created_at DESC`,
      [dir.replace(/[\\%_]/g, (c) => '\\' + c) + '/%'],
    );
    for (const row of r.rows) {
      const task = this.compiled(row.file, row.source);
      if (task) this.byFile.set(row.file, task);
    }
  }
}
