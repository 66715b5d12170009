// Whether a server run is of an older version of its task: the text it started with (`taskHash`)
// against the text the server serves the task with now (`hash` in GET /v1/tasks). A task file can
// change on the server without any run event, so the list is read again when it is older than
// `maxAgeMs` as the view is drawn, or at once after a task file changed here. No `vscode` import.
import type { ServerClient, ServerRunSummary } from './client';

export interface ServerVersionsOptions {
  client(): ServerClient | undefined;
  /** Called when the served hashes changed: the view is to be drawn again. */
  changed(): void;
  maxAgeMs?: number;
  now?: () => number;
}

export class ServerTaskVersions {
  private hashes: Map<string, string> | undefined;
  private origin: string | undefined;
  /** When the served tasks were last read; undefined: never, or to be read again at once. */
  private readAt: number | undefined;
  private reading = false;

  constructor(private readonly o: ServerVersionsOptions) {}

  /** The next `older` reads the server's tasks again. */
  invalidate(): void {
    this.readAt = undefined;
  }

  /**
   * Why a run is of an older version of its task, in words; undefined when the server serves the
   * text it started with, keeps no version for it, or the served tasks are not known yet.
   */
  older(run: Pick<ServerRunSummary, 'task' | 'taskHash'>): string | undefined {
    this.readSoon();
    if (!run.taskHash || !this.hashes) return undefined;
    const now = this.hashes.get(run.task);
    if (now === run.taskHash) return undefined;
    return now === undefined
      ? `The server no longer serves task '${run.task}'; the run keeps the version it started with (${run.taskHash.slice(0, 12)}).`
      : `Task '${run.task}' has changed on the server since this run started; the run keeps the version it started with (${run.taskHash.slice(0, 12)}).`;
  }

  private readSoon(): void {
    const client = this.o.client();
    if (!client) return;
    const now = (this.o.now ?? Date.now)();
    const origin = client.base.origin;
    if (origin !== this.origin) {
      this.origin = origin;
      this.hashes = undefined;
      this.readAt = undefined;
    }
    if (this.reading || (this.readAt !== undefined && now - this.readAt < (this.o.maxAgeMs ?? 5000))) return;
    this.reading = true;
    this.readAt = now;
    client.tasks().then(
      (list) => {
        this.reading = false;
        if (client.base.origin !== this.origin) return;
        const next = new Map(list.tasks.map((t) => [t.name, t.hash]));
        const before = this.hashes;
        this.hashes = next;
        if (!before || before.size !== next.size || [...next].some(([name, hash]) => before.get(name) !== hash)) this.o.changed();
      },
      // An unreachable server is the connection's to report; the marks wait for the next read.
      () => {
        this.reading = false;
      },
    );
  }
}
