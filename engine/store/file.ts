// The embedded default store: one append-only JSON-lines journal per run under `.stepwise/runs/`.
// Appends from every run of the process are batched into one write per file per turn of the
// event loop; an append resolves only once its lines are written to the file, so a `kill -9`
// loses no acknowledged step (`fsync: true` also survives a power cut, at a cost).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { JournalEvent } from '../journal/events';
import { UnknownRunError, type InboxEvent, type RunStore } from './store';

export interface FileStoreOptions {
  /** Flush to the disk, not only to the operating system, before acknowledging. */
  fsync?: boolean;
  /** How often another process's events are looked for, in ms. */
  inboxPollMs?: number;
}

export const DEFAULT_RUNS_DIR = path.join('.stepwise', 'runs');

/** Task versions (see RunStore.keepSource) live beside the journals, one file per hash. */
const SOURCES_DIR = 'sources';
const HASH = /^[0-9a-f]{64}$/;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/**
 * Journals kept open at once. A journal stays open while its run is live (closed when it ends), so
 * that a write is one system call; past this many live runs the least recently written is closed
 * (node raises its descriptor limit to the system's hard limit, usually far above this).
 */
const MAX_OPEN_FILES = 8192;

export function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId)) throw new Error(`Invalid run id '${runId}': use letters, digits, '.', '_' and '-'.`);
}

function checkHash(hash: string): void {
  if (!HASH.test(hash)) throw new Error(`Invalid task version '${hash}': expected a sha256 in hex.`);
}

interface Pending {
  chunks: string[];
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
  /** The run ended with this append: its journal is closed once written. */
  ended: boolean;
}

export function fileStore(dir: string, options: FileStoreOptions = {}): RunStore {
  const pending = new Map<string, Pending>();
  const fds = new Map<string, number>();
  /** Journals whose tail this process has checked for a torn line, while their run is live. */
  const tailChecked = new Set<string>();
  const inboxListeners = new Map<string, Set<(e: InboxEvent) => void>>();
  let flushScheduled = false;
  let dirReady = false;

  const journalPath = (runId: string) => path.join(dir, `${runId}.jsonl`);
  const inboxPath = (runId: string) => path.join(dir, `${runId}.inbox.jsonl`);
  const sourcePath = (hash: string) => path.join(dir, SOURCES_DIR, `${hash}.task.yaml`);

  /** Appends to a run's inbox, where its process (this one or another) picks it up. */
  const leave = (runId: string, event: InboxEvent): InboxEvent => {
    checkRunId(runId);
    if (!fs.existsSync(journalPath(runId)) && !pending.has(runId)) throw new UnknownRunError(runId);
    ensureDir();
    fs.appendFileSync(inboxPath(runId), JSON.stringify(event) + '\n');
    for (const listener of inboxListeners.get(runId) ?? []) listener(event);
    return event;
  };

  const ensureDir = () => {
    if (dirReady) return;
    fs.mkdirSync(dir, { recursive: true });
    dirReady = true;
  };

  const openJournal = (runId: string): number => {
    let fd = fds.get(runId);
    if (fd !== undefined) {
      // Most recently used last, so the oldest is closed first.
      fds.delete(runId);
      fds.set(runId, fd);
      return fd;
    }
    ensureDir();
    const file = journalPath(runId);
    // Only what this process did not write can end in a torn line: checked once, at the first open.
    if (!tailChecked.has(runId)) {
      dropTornTail(file);
      tailChecked.add(runId);
    }
    fd = openAppend(file);
    fds.set(runId, fd);
    if (fds.size > MAX_OPEN_FILES) closeJournal(fds.keys().next().value as string);
    return fd;
  };

  /** Opens for appending; out of descriptors, closes the least recently written half and tries again. */
  const openAppend = (file: string): number => {
    try {
      return fs.openSync(file, 'a');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'EMFILE' && code !== 'ENFILE') || fds.size === 0) throw err;
      for (const runId of [...fds.keys()].slice(0, Math.ceil(fds.size / 2))) closeJournal(runId);
      return fs.openSync(file, 'a');
    }
  };

  const closeJournal = (runId: string) => {
    const fd = fds.get(runId);
    if (fd === undefined) return;
    fds.delete(runId);
    fs.closeSync(fd);
  };

  const flush = () => {
    flushScheduled = false;
    const batch = [...pending.entries()];
    pending.clear();
    for (const [runId, p] of batch) {
      try {
        const fd = openJournal(runId);
        fs.writeSync(fd, p.chunks.join(''));
        if (options.fsync) fs.fdatasyncSync(fd);
        if (p.ended) {
          closeJournal(runId);
          tailChecked.delete(runId);
        }
        for (const w of p.waiters) w.resolve();
      } catch (err) {
        for (const w of p.waiters) w.reject(err);
      }
    }
  };

  const readLines = (file: string): unknown[] => {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: unknown[] = [];
    const lines = text.split('\n');
    // A last line without its newline was torn by a crash mid-write and never acknowledged.
    lines.pop();
    for (const line of lines) if (line.trim()) out.push(JSON.parse(line));
    return out;
  };

  return {
    append(runId, events) {
      checkRunId(runId);
      return new Promise<void>((resolve, reject) => {
        let p = pending.get(runId);
        if (!p) pending.set(runId, (p = { chunks: [], waiters: [], ended: false }));
        for (const e of events) {
          p.chunks.push(JSON.stringify(e) + '\n');
          if (e.type === 'run-ended') p.ended = true;
        }
        p.waiters.push({ resolve, reject });
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      });
    },
    async read(runId) {
      checkRunId(runId);
      const file = journalPath(runId);
      if (!fs.existsSync(file) && !pending.has(runId)) throw new UnknownRunError(runId);
      return readLines(file) as JournalEvent[];
    },
    async list() {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const ids = names.filter((n) => n.endsWith('.jsonl') && !n.endsWith('.inbox.jsonl')).map((n) => n.slice(0, -'.jsonl'.length));
      const started = new Map(ids.map((id) => [id, createdAt(journalPath(id))]));
      return ids.sort((a, b) => started.get(a)! - started.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
    },
    async keepSource(s) {
      checkHash(s.hash);
      const file = sourcePath(s.hash);
      if (fs.existsSync(file)) return;
      fs.mkdirSync(path.dirname(file), { recursive: true });
      // Written whole under a temporary name, then renamed: a crash never leaves half a version.
      const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, s.source);
        if (options.fsync) fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, file);
    },
    async readSource(hash) {
      checkHash(hash);
      try {
        return fs.readFileSync(sourcePath(hash), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async sendEvent(runId, name, data) {
      return leave(runId, { id: randomUUID(), name, data });
    },
    async requestCancel(runId, reason) {
      leave(runId, { id: randomUUID(), name: 'cancel', data: reason, control: 'cancel' });
    },
    watchInbox(runId, onEvent) {
      checkRunId(runId);
      const file = inboxPath(runId);
      const seen = new Set<string>();
      const deliver = (e: InboxEvent) => {
        if (seen.has(e.id)) return;
        seen.add(e.id);
        onEvent(e);
      };
      let seenSize = -1;
      const scan = () => {
        let size: number;
        try {
          size = fs.statSync(file).size;
        } catch {
          return;
        }
        if (size === seenSize) return;
        seenSize = size;
        for (const e of readLines(file) as InboxEvent[]) deliver(e);
      };
      let listeners = inboxListeners.get(runId);
      if (!listeners) inboxListeners.set(runId, (listeners = new Set()));
      listeners.add(deliver);
      scan();
      // Polling the size, rather than fs.watch, sees every write whatever the file system.
      const timer = setInterval(scan, options.inboxPollMs ?? 200);
      timer.unref();
      return () => {
        listeners?.delete(deliver);
        clearInterval(timer);
      };
    },
    async prune(olderThanMs) {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw err;
      }
      const cutoff = Date.now() - olderThanMs;
      let deleted = 0;
      for (const name of names) {
        if (!name.endsWith('.jsonl') || name.endsWith('.inbox.jsonl')) continue;
        const runId = name.slice(0, -'.jsonl'.length);
        if (pending.has(runId)) continue;
        const file = journalPath(runId);
        let mtime: number;
        try {
          mtime = fs.statSync(file).mtimeMs;
        } catch {
          continue;
        }
        // The last write of a finished run is its `run-ended` entry: its time is the file's.
        if (mtime >= cutoff || !endsWithRunEnded(file)) continue;
        closeJournal(runId);
        tailChecked.delete(runId);
        fs.rmSync(file, { force: true });
        fs.rmSync(inboxPath(runId), { force: true });
        deleted++;
      }
      return deleted;
    },
    async close() {
      if (pending.size > 0) flush();
      for (const fd of fds.values()) fs.closeSync(fd);
      fds.clear();
      tailChecked.clear();
    },
  };
}

/** Whether a journal's last complete line is a `run-ended` entry (read from the file's tail only). */
function endsWithRunEnded(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, 64 * 1024);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n');
    lines.pop();
    const last = lines.pop();
    if (last === undefined) return false;
    try {
      return (JSON.parse(last) as { type?: string }).type === 'run-ended';
    } catch {
      return false;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** When a journal was created: the file's birth time where the file system keeps one. */
function createdAt(file: string): number {
  const birth = fs.statSync(file).birthtimeMs;
  return birth > 0 ? birth : firstEventTime(file);
}

/** The time of a journal's first event (its start), read from its first line only. */
function firstEventTime(file: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    const line = buf.subarray(0, n).toString('utf8').split('\n')[0];
    const at = /"at":(\d+)/.exec(line);
    return at ? Number(at[1]) : Number.MAX_SAFE_INTEGER;
  } finally {
    fs.closeSync(fd);
  }
}

/** Cuts a line torn by a crash mid-write, so that the next append starts on a line of its own. */
function dropTornTail(file: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return;
  }
  if (size === 0) return;
  const fd = fs.openSync(file, 'r+');
  try {
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    const text = fs.readFileSync(file);
    const keep = text.lastIndexOf(0x0a) + 1;
    fs.ftruncateSync(fd, keep);
  } finally {
    fs.closeSync(fd);
  }
}
