// A client of `stepwise serve`'s REST API and its Server-Sent Events watch streams, over Node's
// fetch. No `vscode` here: the extension wraps it, and the tests drive it against a real server.
// The token goes only into the Authorization header of requests to this client's own base URL.
import type { JournalEvent } from '../../engine/journal/events';
import type { BulkOutcome, BulkRequest } from '../../engine/server/bulk';
import type { ControlAction, RunDetail, RunStatus, RunSummary } from '../../engine/server/service';
import type { ScheduleInfo } from '../../engine/schedule/scheduler';

export type { BulkOutcome, BulkRequest, ControlAction, RunStatus };

/** A run as `GET /v1/runs` lists it: the service's own type, as JSON carries it. */
export type ServerRunSummary = RunSummary;

/** A run as `GET /v1/runs/{id}` answers, with its journal. */
export type ServerRunDetail = RunDetail;

export interface ServerTask {
  name: string;
  file: string;
  /** sha256 of the file's text as served now. */
  hash: string;
  description?: string;
  inputs: Array<{ name: string; type?: string; required?: boolean; default?: unknown; enum?: unknown[]; description?: string }>;
}

export interface ServerTasks {
  tasks: ServerTask[];
  rejected: Array<{ name?: string; file: string; errors: Array<{ line: number; column: number; message: string; code: string }> }>;
}

/** A schedule as `GET /v1/schedules` lists it (id `task:index`). */
export type ServerSchedule = ScheduleInfo;

/** A journal entry of `GET /v1/watch`: the entry plus the run it belongs to. */
export type WatchedEvent = JournalEvent & { runId: string };

/**
 * A request that failed: `status` is the HTTP status (0 when the server could not be reached),
 * `code` the server's stable error code (`unauthorized`, `task-not-found`, `invalid-input`, …).
 */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ServerError';
  }

  get unauthorized(): boolean {
    return this.status === 401;
  }
}

export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/** Parses a Server-Sent Events stream fed in chunks of any size (the WHATWG event-stream format). */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  constructor(private readonly onMessage: (m: SseMessage) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const nl = this.buffer.search(/\r\n|\r|\n/);
      if (nl < 0) return;
      // A lone \r at the end of a chunk may be the first half of \r\n: wait for more.
      if (this.buffer[nl] === '\r' && nl === this.buffer.length - 1) return;
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith('\r\n', nl) ? 2 : 1));
      this.line(line);
    }
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length) this.onMessage({ event: this.event || 'message', id: this.id, data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}

export interface ClientOptions {
  /** The server's base URL, such as http://127.0.0.1:8080 (a path prefix is kept). */
  url: string;
  token?: string;
  /** Per request (not for watch streams), in ms. */
  timeoutMs?: number;
}

/** Checks a server URL setting; returns the normalized base URL or throws a message that says what is wrong. */
export function parseServerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new Error(`'${text}' is not a URL; give the server's address, such as http://127.0.0.1:8080.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`'${text}' is not an http:// or https:// URL.`);
  if (url.username || url.password) throw new Error(`'${text}' holds a user name or password; set the token with "Stepwise: Set Server Token…" instead.`);
  if (url.search || url.hash) throw new Error(`'${text}' has a query or fragment; give only the server's address.`);
  url.pathname = url.pathname.replace(/\/+$/, '') || '/';
  return url;
}

/** The address a person recognizes a server by: host:port. */
export function serverLabel(url: URL): string {
  return url.port ? `${url.hostname}:${url.port}` : url.host;
}

function errorText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message} (${cause})` : (e?.message ?? String(err));
}

export class ServerClient {
  readonly base: URL;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(o: ClientOptions) {
    this.base = parseServerUrl(o.url);
    this.token = o.token || undefined;
    this.timeoutMs = o.timeoutMs ?? 30_000;
  }

  get label(): string {
    return serverLabel(this.base);
  }

  private url(path: string): string {
    return `${this.base.origin}${this.base.pathname.replace(/\/$/, '')}${path}`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { ...extra, authorization: `Bearer ${this.token}` } : extra;
  }

  /** One request; answers the parsed JSON body or throws a ServerError. */
  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.url(path), {
        method,
        headers: this.headers(body !== undefined ? { 'content-type': 'application/json' } : {}),
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: ac.signal,
        redirect: 'error',
      });
    } catch (err) {
      const why = ac.signal.aborted ? `no answer within ${this.timeoutMs / 1000} s` : errorText(err);
      throw new ServerError(0, 'unreachable', `Cannot reach the Stepwise server at ${this.label}: ${why}.`);
    } finally {
      clearTimeout(timer);
    }
    return this.answer<T>(res);
  }

  private async answer<T>(res: Response): Promise<T> {
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) {
      if (json === undefined) throw new ServerError(res.status, 'not-json', `The server at ${this.label} answered something that is not JSON; is it a Stepwise server?`);
      return json as T;
    }
    const error = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    if (res.status === 401) {
      const why = this.token ? 'the token set for it is not the one it was started with' : 'it needs a token and none is set for it';
      throw new ServerError(401, 'unauthorized', `The Stepwise server at ${this.label} refused the request: ${why}. Run "Stepwise: Set Server Token…".`);
    }
    if (error?.code && error.message) throw new ServerError(res.status, error.code, error.message, error.details);
    throw new ServerError(res.status, 'http-error', `The server at ${this.label} answered ${res.status} ${res.statusText}; is it a Stepwise server?`);
  }

  health(): Promise<{ ok: boolean; store: string; workers: number; version: string }> {
    return this.request('GET', '/v1/health');
  }

  tasks(): Promise<ServerTasks> {
    return this.request('GET', '/v1/tasks');
  }

  listRuns(query: { limit?: number; task?: string; status?: RunStatus; cursor?: string } = {}): Promise<{ runs: ServerRunSummary[]; next: string | null }> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
    const s = q.toString();
    return this.request('GET', `/v1/runs${s ? `?${s}` : ''}`);
  }

  async getRun(id: string): Promise<ServerRunDetail> {
    return (await this.request<{ run: ServerRunDetail }>('GET', `/v1/runs/${encodeURIComponent(id)}`)).run;
  }

  async startRun(task: string, input: Record<string, unknown> = {}): Promise<ServerRunSummary> {
    return (await this.request<{ run: ServerRunSummary }>('POST', '/v1/runs', { task, input })).run;
  }

  sendEvent(id: string, name: string, data: unknown): Promise<{ event: { id: string; name: string } }> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/events`, { name, data: data ?? null });
  }

  /** The task text a run started with (`GET /v1/runs/{id}/source`). */
  async runSource(id: string): Promise<{ hash: string; file: string | null; text: string }> {
    return (await this.request<{ source: { hash: string; file: string | null; text: string } }>('GET', `/v1/runs/${encodeURIComponent(id)}/source`)).source;
  }

  /** A new run of `id`'s pinned task from the last entry into `from` (default: where it failed). */
  retry(id: string, from?: string): Promise<{ run: ServerRunSummary; retryOf: string; from: string }> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/retry`, from !== undefined ? { from } : undefined);
  }

  /** Cancels, pauses, resumes or retries every run that matches the filter (`POST /v1/runs/bulk`). */
  bulk(request: BulkRequest): Promise<{ matched: number; results: BulkOutcome[] }> {
    return this.request('POST', '/v1/runs/bulk', request);
  }

  control(id: string, action: ControlAction, reason?: string): Promise<{ run: ServerRunSummary; applied: boolean }> {
    return this.request('POST', `/v1/runs/${encodeURIComponent(id)}/${action}`, reason !== undefined ? { reason } : undefined);
  }

  async schedules(): Promise<ServerSchedule[]> {
    return (await this.request<{ schedules: ServerSchedule[] }>('GET', '/v1/schedules')).schedules;
  }

  async pauseSchedule(id: string): Promise<ServerSchedule> {
    return (await this.request<{ schedule: ServerSchedule }>('POST', `/v1/schedules/${encodeURIComponent(id)}/pause`)).schedule;
  }

  async resumeSchedule(id: string): Promise<ServerSchedule> {
    return (await this.request<{ schedule: ServerSchedule }>('POST', `/v1/schedules/${encodeURIComponent(id)}/resume`)).schedule;
  }

  /**
   * Opens `GET /v1/watch` (every run's new journal entries). Resolves once the server has
   * accepted the stream (or rejects with a ServerError); `closed` settles when the stream ends,
   * rejected when it broke. `close()` ends it from this side.
   */
  async watch(onEvent: (e: WatchedEvent) => void): Promise<WatchStream> {
    return this.stream('/v1/watch', (m) => {
      if (m.event === 'journal') onEvent(JSON.parse(m.data) as WatchedEvent);
    });
  }

  /** Opens `GET /v1/runs/{id}/watch`: the run's journal from `from`, then live, until it ends. */
  async watchRun(id: string, onEvent: (e: JournalEvent) => void, from = 0): Promise<WatchStream> {
    return this.stream(`/v1/runs/${encodeURIComponent(id)}/watch?from=${from}`, (m) => {
      if (m.event === 'journal') onEvent(JSON.parse(m.data) as JournalEvent);
      return m.event === 'end';
    });
  }

  /** `onMessage` returns true for the stream's last message (the server closes it then). */
  private async stream(path: string, onMessage: (m: SseMessage) => boolean | void): Promise<WatchStream> {
    const ac = new AbortController();
    const connectTimer = setTimeout(() => ac.abort(), this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.url(path), { headers: this.headers({ accept: 'text/event-stream' }), signal: ac.signal, redirect: 'error' });
    } catch (err) {
      const why = ac.signal.aborted ? `no answer within ${this.timeoutMs / 1000} s` : errorText(err);
      throw new ServerError(0, 'unreachable', `Cannot reach the Stepwise server at ${this.label}: ${why}.`);
    } finally {
      clearTimeout(connectTimer);
    }
    if (!res.ok || !res.body) {
      await this.answer(res);
      throw new ServerError(res.status, 'http-error', `The server at ${this.label} did not open an event stream.`);
    }
    if (!/^text\/event-stream/.test(res.headers.get('content-type') ?? '')) {
      ac.abort();
      throw new ServerError(res.status, 'not-event-stream', `The server at ${this.label} did not answer with an event stream; is it a Stepwise server?`);
    }
    let closing = false;
    const parser = new SseParser((m) => {
      if (onMessage(m)) closing = true;
    });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    const closed = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(decoder.decode(value, { stream: true }));
        }
      } catch (err) {
        if (closing) return;
        throw new ServerError(0, 'stream-broken', `The event stream from ${this.label} broke: ${errorText(err)}.`);
      }
      if (!closing) throw new ServerError(0, 'stream-ended', `The server at ${this.label} closed the event stream.`);
    })();
    return {
      closed,
      close() {
        closing = true;
        ac.abort();
      },
    };
  }
}

export interface WatchStream {
  /** Settles when the stream ends: resolved after close(), rejected when the server ended or broke it. */
  closed: Promise<void>;
  close(): void;
}
