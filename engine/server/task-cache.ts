// How a worker finds the task of a run: by the hash of the source the run was started with (kept in
// the database, so every worker runs the same version), else by its file among the served tasks
// (served.ts): the registry's, or the latest source the database holds for that file. The disk is
// never read, so a worker without --tasks runs the same files and a `call` cannot leave them. The
// latest sources of a run's folder are fetched ahead, since its calls usually stay in it.
import * as path from 'node:path';
import { lintText } from '../lint/index';
import type { LoadedTask } from '../runtime/run';
import type { Pool } from '../store/postgres/db';
import { notServed } from './served';
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

  /** A served task by its file (for `call`): the registry's, else the database's latest. */
  async load(file: string): Promise<LoadedTask> {
    const abs = path.resolve(file);
    const task = this.registry?.getByFile(abs)?.task ?? this.byFile.get(abs) ?? (await this.latest(abs));
    if (!task) throw notServed(abs, this.registry);
    return task;
  }

  /** A file registered since its folder was fetched, or in another folder (not kept: nothing would refresh it). */
  private async latest(file: string): Promise<LoadedTask | undefined> {
    const r = await this.pool.query<{ source: string }>('SELECT source FROM task_sources WHERE file = $1 ORDER BY created_at DESC LIMIT 1', [file]);
    return r.rowCount === 0 ? undefined : this.compiled(file, r.rows[0].source);
  }

  /** The task of a stored source, unless it does not lint clean with this version's linter. */
  private compiled(file: string, source: string): LoadedTask | undefined {
    const { model, diagnostics } = lintText(source);
    return diagnostics.some((d) => d.severity === 'error') ? undefined : { model, file };
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
      const task = this.compiled(row.file, row.source);
      if (task) this.byFile.set(row.file, task);
    }
  }
}
