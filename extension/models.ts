// One lint (parse + rules) per document version, shared by diagnostics, quick fixes, language
// features and Run. The work happens in a worker thread, one job at a time; a newer version of
// a document replaces its older job still waiting in the queue, so typing fast into a huge file
// never builds a backlog.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { LintResult } from '../engine/lint/index';
import type { LoadedPlugins } from '../engine/plugins/lint-options';
import { lint } from './lazy';
import type { LintReply, LintRequest } from './lintWorker';

export interface VersionedLint {
  version: number;
  result: LintResult;
  /** How long the lint took, in ms (drives the on-type debounce). */
  ms: number;
}

interface Job {
  key: string;
  version: number;
  text: string;
  /** The plugins of the document's workspace when it was asked for (lint knows their kinds). */
  plugins: LoadedPlugins | undefined;
  generation: number;
  waiters: Array<{ resolve: (r: VersionedLint) => void; reject: (e: unknown) => void }>;
}

/** A lint that takes longer than this is stopped: the worker is restarted and the file reported. */
const JOB_TIMEOUT_MS = 120_000;

export class TaskModels implements vscode.Disposable {
  private worker: Worker | undefined;
  private workerBroken = false;
  private running: { job: Job; id: number; timer: NodeJS.Timeout } | undefined;
  private readonly queue = new Map<string, Job>();
  private readonly done = new Map<string, VersionedLint>();
  private readonly inFlight = new Map<string, { version: number; promise: Promise<VersionedLint> }>();
  private nextId = 1;
  /** Counts plugin changes: a lint made with older plugins is not reused. */
  private generation = 0;

  /** `pluginsFor`: the plugins that apply to a task file (none when not given). */
  constructor(
    private readonly workerFile: string,
    private readonly pluginsFor?: (file: string) => Promise<LoadedPlugins>,
  ) {}

  /** The plugins changed: every document is linted afresh when next asked for. */
  pluginsChanged(): void {
    this.generation++;
    this.done.clear();
    this.inFlight.clear();
  }

  /** The lint of the document as it is now. */
  get(document: vscode.TextDocument): Promise<VersionedLint> {
    const key = document.uri.toString();
    const version = document.version;
    const cached = this.done.get(key);
    if (cached && cached.version === version) return Promise.resolve(cached);
    const flying = this.inFlight.get(key);
    if (flying && flying.version === version) return flying.promise;
    const text = document.getText();
    const generation = this.generation;
    const plugins = document.uri.scheme === 'file' && this.pluginsFor ? this.pluginsFor(document.uri.fsPath) : Promise.resolve(undefined);
    const promise = plugins.then((p) => this.enqueue(key, version, text, p, generation));
    this.inFlight.set(key, { version, promise });
    const clear = () => {
      if (this.inFlight.get(key)?.promise === promise) this.inFlight.delete(key);
    };
    promise.then(clear, clear);
    return promise;
  }

  /**
   * The lint of the text the document has when this resolves, or undefined when it keeps
   * changing: a document edited or reloaded from disk while it was linted is linted again, so
   * that an answer is never dropped only because the version asked for is already gone.
   */
  async current(document: vscode.TextDocument): Promise<VersionedLint | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const asked = document.version;
      const lint = await this.get(document);
      if (lint.version === document.version) return lint;
      if (document.version === asked) return undefined;
    }
    return undefined;
  }

  /** The newest finished lint of a document, whatever its version (for cheap answers). */
  latest(uri: vscode.Uri): VersionedLint | undefined {
    return this.done.get(uri.toString());
  }

  forget(uri: vscode.Uri): void {
    this.done.delete(uri.toString());
  }

  private enqueue(key: string, version: number, text: string, plugins: LoadedPlugins | undefined, generation: number): Promise<VersionedLint> {
    return new Promise<VersionedLint>((resolve, reject) => {
      const queued = this.queue.get(key);
      if (queued) {
        // Only the newest text is linted: callers of an older version get the newer result (its
        // version tells them so).
        if (version >= queued.version) {
          queued.version = version;
          queued.text = text;
          queued.plugins = plugins;
          queued.generation = generation;
        }
        queued.waiters.push({ resolve, reject });
      } else {
        this.queue.set(key, { key, version, text, plugins, generation, waiters: [{ resolve, reject }] });
      }
      this.pump();
    });
  }

  private pump(): void {
    if (this.running) return;
    const next = this.queue.values().next();
    if (next.done) return;
    const job = next.value;
    this.queue.delete(job.key);
    const worker = this.ensureWorker();
    if (!worker) {
      // No worker (its file is missing or it cannot start): lint here, still one job at a time.
      const started = Date.now();
      setImmediate(() => {
        try {
          this.finish(job, { version: job.version, result: lint().lintText(job.text, { plugins: job.plugins?.kinds, compileSchema: job.plugins?.compileSchema }), ms: Date.now() - started });
        } catch (err) {
          this.fail(job, err);
        }
        this.pump();
      });
      return;
    }
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.running = undefined;
      this.restartWorker();
      this.fail(job, new Error(`Linting took more than ${JOB_TIMEOUT_MS / 1000} s and was stopped.`));
      this.pump();
    }, JOB_TIMEOUT_MS);
    this.running = { job, id, timer };
    const request: LintRequest = { id, text: job.text, plugins: job.plugins?.config ? job.plugins.kinds : undefined };
    worker.postMessage(request);
  }

  private onReply(reply: LintReply): void {
    const running = this.running;
    if (!running || running.id !== reply.id) return;
    clearTimeout(running.timer);
    this.running = undefined;
    if (reply.result) this.finish(running.job, { version: running.job.version, result: reply.result, ms: reply.ms });
    else this.fail(running.job, new Error(reply.error ?? 'the linter gave no result'));
    this.pump();
  }

  private finish(job: Job, lint: VersionedLint): void {
    const prior = this.done.get(job.key);
    if (job.generation !== this.generation) {
      // Linted with plugins that have changed since: the callers get it, the cache does not.
      for (const w of job.waiters) w.resolve(lint);
      return;
    }
    if (!prior || prior.version <= lint.version) this.done.set(job.key, lint);
    for (const w of job.waiters) w.resolve(lint);
  }

  private fail(job: Job, err: unknown): void {
    for (const w of job.waiters) w.reject(err);
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker) return this.worker;
    if (this.workerBroken || !fs.existsSync(this.workerFile)) return undefined;
    try {
      const worker = new Worker(this.workerFile);
      worker.on('message', (reply: LintReply) => this.onReply(reply));
      worker.on('error', (err) => this.onWorkerDeath(err));
      worker.on('exit', (code) => {
        if (this.worker === worker) this.onWorkerDeath(new Error(`the lint worker exited (code ${code})`));
      });
      worker.unref();
      this.worker = worker;
      return worker;
    } catch {
      this.workerBroken = true;
      return undefined;
    }
  }

  private onWorkerDeath(err: unknown): void {
    this.worker = undefined;
    const running = this.running;
    if (running) {
      clearTimeout(running.timer);
      this.running = undefined;
      this.fail(running.job, err);
    }
    this.pump();
  }

  private restartWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }

  dispose(): void {
    if (this.running) clearTimeout(this.running.timer);
    this.running = undefined;
    for (const job of this.queue.values()) this.fail(job, new Error('Stepwise is shutting down.'));
    this.queue.clear();
    this.restartWorker();
  }
}

export function defaultWorkerFile(extensionDir: string): string {
  return path.join(extensionDir, 'dist', 'lintWorker.js');
}
