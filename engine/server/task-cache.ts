// How a worker finds the task of a run: by the hash of the source the run was started with (kept in
// the database, so every worker runs the same version), else by its file. `call` reads child task
// files synchronously, so the latest sources of a run's folder are fetched ahead.
import * as path from 'node:path';
import { lintText } from '../lint/index';
import { loadTaskFile } from '../runtime/load';
import type { LoadedTask } from '../runtime/run';
import type { Pool } from '../store/postgres/db';
import type { TaskRegistry } from './tasks';

export class TaskCache {
  private readonly byHash = new Map<string, LoadedTask>();
  private readonly byFile = new Map<string, LoadedTask>();
  private readonly dirsFetched = new Map<string, number>();

  constructor(private readonly pool: Pool, private readonly registry?: TaskRegistry) {}

  /** The task of a run: its stored version when it has one, else the file. */
  async forRun(hash: string | null, file: string | null): Promise<LoadedTask> {
    if (hash) {
      let task = this.byHash.get(hash);
      if (!task) {
        const r = await this.pool.query<{ source: string; file: string | null }>('SELECT source, file FROM task_sources WHERE hash = $1', [hash]);
        if (r.rowCount === 0) throw new Error(`The task version ${hash.slice(0, 12)} of this run is not in the database.`);
        const { model } = lintText(r.rows[0].source);
        task = { model, file: r.rows[0].file ?? undefined };
        this.byHash.set(hash, task);
      }
      if (task.file) await this.fetchDir(path.dirname(task.file));
      return task;
    }
    if (!file) throw new Error('The run names neither a task version nor a task file.');
    await this.fetchDir(path.dirname(file));
    return this.load(file);
  }

  /** A task file for `call` (synchronous): the registry's, the database's latest, else the disk's. */
  load(file: string): LoadedTask {
    const abs = path.resolve(file);
    const registered = this.registry?.getByFile(abs);
    if (registered) return registered.task;
    return this.byFile.get(abs) ?? loadTaskFile(abs);
  }

  private async fetchDir(dir: string): Promise<void> {
    const last = this.dirsFetched.get(dir);
    if (last !== undefined && Date.now() - last < 30_000) return;
    this.dirsFetched.set(dir, Date.now());
    const r = await this.pool.query<{ file: string; source: string }>(
      `SELECT DISTINCT ON (file) file, source FROM task_sources
        WHERE file LIKE $1 ESCAPE '\\' ORDER BY file, created_at DESC`,
      [dir.replace(/[\\%_]/g, (c) => '\\' + c) + '/%'],
    );
    for (const row of r.rows) {
      const { model, diagnostics } = lintText(row.source);
      if (diagnostics.some((d) => d.severity === 'error')) continue;
      this.byFile.set(row.file, { model, file: row.file });
    }
  }
}
