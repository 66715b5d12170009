// The REST API (fastify): runs, events, controls, Server-Sent Events watchers and the OpenAPI
// document. Every error answers `{ error: { code, message, details? } }` with a 4xx or 5xx status.
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { JournalEvent } from '../journal/events';
import { InputError } from '../runtime/load';
import { scheduleRoutes } from '../schedule/rest';
import type { Scheduler } from '../schedule/scheduler';
import { bulkAction, bulkRequest } from './bulk';
import { CROSS_SITE_MESSAGE, crossSite, hostAllowed, hostRefusal, type HostPolicy } from './guard';
import openapi from './openapi.json';
import { RUN_STATUSES, type ControlAction, type RunService, type RunStatus } from './service';
import { ApiError, RUN_ID, errorMessage } from './support';
import type { TaskRegistry } from './tasks';

export interface HttpOptions {
  service: RunService;
  registry?: TaskRegistry;
  /** Starts runs from the served tasks' schedules (absent: GET /v1/schedules lists none). */
  scheduler?: Scheduler;
  /** When set, every request but /v1/health and /v1/openapi.json needs `Authorization: Bearer <token>`. */
  token?: string;
  /** Host names answered besides the loopback ones; see guard.ts. */
  allowedHosts?: readonly string[];
  workers: number;
  version: string;
  /** The Prometheus text of GET /metrics. */
  metrics?: () => Promise<{ contentType: string; text: string }>;
  log?: (line: string) => void;
  /** Keep-alive comments on idle event streams (ms). */
  pingMs?: number;
}

export const OPENAPI = openapi;

export interface Route {
  method: string;
  /** As registered: `/v1/runs/:id`. */
  url: string;
}

const ROUTES = new WeakMap<FastifyInstance, Route[]>();

/** The routes an app registered (HEAD ones included): what answers 405 and the contract test read. */
export function routesOf(app: FastifyInstance): readonly Route[] {
  return ROUTES.get(app) ?? [];
}

function matches(route: Route, path: string): boolean {
  const literal = route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${literal.replace(/:[^/]+/g, '[^/]+')}$`).test(path);
}

const PUBLIC = new Set(['/v1/health', '/v1/openapi.json']);

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Checks a JSON body: an object with these keys only, the required ones present. */
function body(req: FastifyRequest, keys: string[], required: string[] = []): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null) {
    if (required.length) throw new ApiError(400, 'invalid-request', `The request needs a JSON body with ${required.map((k) => `'${k}'`).join(', ')}.`);
    return {};
  }
  if (!isPlainObject(b)) throw new ApiError(400, 'invalid-request', 'The request body must be a JSON object.');
  const unknown = Object.keys(b).filter((k) => !keys.includes(k));
  if (unknown.length) throw new ApiError(400, 'invalid-request', `Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; expected ${keys.map((k) => `'${k}'`).join(', ')}.`);
  const missing = required.filter((k) => b[k] === undefined);
  if (missing.length) throw new ApiError(400, 'invalid-request', `Missing field${missing.length > 1 ? 's' : ''} ${missing.map((k) => `'${k}'`).join(', ')}.`);
  return b;
}

function runId(req: FastifyRequest): string {
  const id = (req.params as { id: string }).id;
  if (!RUN_ID.test(id)) throw new ApiError(404, 'run-not-found', `No run '${id}': run ids are letters, digits, '.', '_' and '-'.`);
  return id;
}

function intParam(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isInteger(n) || n < min || n > max) {
    throw new ApiError(400, 'invalid-query', `'${name}' must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}.`);
  }
  return n;
}

interface Sse {
  send(event: string, data: unknown, id?: string | number): void;
  close(): void;
  closed: Promise<void>;
}

function openSse(req: FastifyRequest, reply: FastifyReply, pingMs: number): Sse {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': stepwise event stream\n\n');
  let open = true;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  const ping = setInterval(() => open && res.write(': ping\n\n'), pingMs);
  const finish = () => {
    if (!open) return;
    open = false;
    clearInterval(ping);
    resolveClosed();
  };
  req.raw.on('close', finish);
  res.on('close', finish);
  return {
    send(event, data, id) {
      if (!open) return;
      res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close() {
      if (!open) return;
      finish();
      res.end();
    },
    closed,
  };
}

export function buildApp(o: HttpOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, return503OnClosing: true, forceCloseConnections: true });
  const pingMs = o.pingMs ?? 15_000;
  const expected = o.token ? digest(o.token) : undefined;
  const hosts: HostPolicy = { token: !!o.token, allowedHosts: (o.allowedHosts ?? []).map((h) => h.toLowerCase()) };

  const routes: Route[] = [];
  ROUTES.set(app, routes);
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
    const s = String(text);
    if (s.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(s));
    } catch (e) {
      done(new ApiError(400, 'malformed-json', `The request body is not valid JSON: ${errorMessage(e)}`), undefined);
    }
  });

  app.addHook('onRequest', async (req) => {
    if (!hostAllowed(req.headers.host, hosts)) throw new ApiError(403, 'host-not-allowed', hostRefusal(req.headers.host, hosts));
    if (req.method !== 'GET' && req.method !== 'HEAD' && crossSite(req.headers)) {
      throw new ApiError(403, 'cross-site-request', CROSS_SITE_MESSAGE);
    }
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!expected) return;
    const path = req.url.split('?')[0];
    if (PUBLIC.has(path)) return;
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m || !timingSafeEqual(digest(m[1].trim()), expected)) {
      reply.header('www-authenticate', 'Bearer realm="stepwise"');
      throw new ApiError(401, 'unauthorized', m ? 'The bearer token is not the one this server was started with.' : 'This server needs an Authorization: Bearer <token> header.');
    }
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof ApiError) {
      return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
    }
    if (err instanceof InputError) {
      return reply.code(422).send({ error: { code: 'invalid-input', message: `The input does not fit the task: ${err.message.split('\n').join(' ')}`, details: err.message.split('\n') } });
    }
    const e = err as { code?: string; statusCode?: number; message: string };
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send({ error: { code: 'unsupported-media-type', message: 'Send the request body as application/json.' } });
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.code(413).send({ error: { code: 'body-too-large', message: 'The request body is larger than 1 MB.' } });
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: { code: 'bad-request', message: e.message } });
    }
    o.log?.(`internal error: ${(err as Error).stack ?? e.message}`);
    return reply.code(500).send({ error: { code: 'internal-error', message: e.message } });
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    // A known path asked with another method (a CORS preflight's OPTIONS among them: no CORS here).
    const allowed = [...new Set(routes.filter((r) => r.method !== 'HEAD' && matches(r, path)).map((r) => r.method))].sort();
    if (allowed.length) {
      reply.code(405).header('allow', allowed.join(', '));
      return reply.send({ error: { code: 'method-not-allowed', message: `${path} does not take ${req.method}: use ${allowed.join(' or ')}.` } });
    }
    reply.code(404).send({ error: { code: 'not-found', message: `No endpoint ${req.method} ${req.url.split('?')[0]}. See GET /v1/openapi.json.` } });
  });

  app.get('/v1/health', async () => ({ ok: true, store: o.service.kind, workers: o.workers, version: o.version }));
  app.get('/v1/openapi.json', async () => openapi);
  // Prometheus scrapes the conventional path; with a token it sends it like any client.
  if (o.metrics) {
    const scrape = o.metrics;
    app.get('/metrics', async (_req, reply) => {
      const { contentType, text } = await scrape();
      return reply.type(contentType).send(text);
    });
  }

  app.get('/v1/tasks', async () => ({
    tasks: (o.registry?.tasks() ?? []).map((t) => ({
      name: t.name,
      file: t.file,
      hash: t.hash,
      description: t.description,
      inputs: t.task.model.input.map((d) => ({ name: d.name, type: d.type, required: d.required, default: d.default, enum: d.enum, description: d.description })),
    })),
    rejected: o.registry?.rejections() ?? [],
  }));

  app.post('/v1/runs', async (req, reply) => {
    const b = body(req, ['task', 'input'], ['task']);
    if (typeof b.task !== 'string' || !b.task) throw new ApiError(400, 'invalid-request', "'task' must be a task name (a non-empty string).");
    if (b.input !== undefined && !isPlainObject(b.input)) throw new ApiError(400, 'invalid-request', "'input' must be an object of input names to values.");
    const task = o.registry?.get(b.task);
    if (!task) {
      const rejected = o.registry?.rejectedNamed(b.task);
      if (rejected) {
        throw new ApiError(422, 'task-invalid', `Task '${b.task}' (${rejected.file}) does not lint clean and cannot run: ${rejected.errors.length} error${rejected.errors.length === 1 ? '' : 's'}.`, rejected.errors);
      }
      const known = o.registry?.tasks().map((t) => t.name) ?? [];
      throw new ApiError(404, 'task-not-found', `No task named '${b.task}'. Known tasks: ${known.join(', ') || 'none (start the server with --tasks DIR)'}.`);
    }
    const run = await o.service.start(task, (b.input as Record<string, unknown>) ?? {});
    reply.code(201).header('location', `/v1/runs/${run.id}`);
    return { run };
  });

  app.get('/v1/runs', async (req) => {
    const q = req.query as Record<string, unknown>;
    for (const [k, v] of Object.entries(q)) {
      if (!['task', 'status', 'state', 'limit', 'cursor'].includes(k)) throw new ApiError(400, 'invalid-query', `Unknown query parameter '${k}'; use task, status, state, limit and cursor.`);
      if (typeof v !== 'string') throw new ApiError(400, 'invalid-query', `'${k}' may be given once.`);
    }
    if (q.status !== undefined && !RUN_STATUSES.includes(q.status as RunStatus)) {
      throw new ApiError(400, 'invalid-query', `'status' must be one of ${RUN_STATUSES.join(', ')}, not '${q.status}'.`);
    }
    const limit = intParam(q.limit, 'limit', 1, 500) ?? 50;
    return o.service.list({
      task: (q.task as string) || undefined,
      status: (q.status as RunStatus) || undefined,
      state: (q.state as string) || undefined,
      limit,
      cursor: (q.cursor as string) || undefined,
    });
  });

  app.get('/v1/runs/:id', async (req) => ({ run: await o.service.get(runId(req)) }));

  // The task text a run started with (its pinned version), for a replay of the run elsewhere.
  app.get('/v1/runs/:id/source', async (req) => {
    const id = runId(req);
    const started = (await o.service.get(id)).journal.find((e): e is Extract<JournalEvent, { type: 'run-started' }> => e.type === 'run-started');
    const hash = started?.taskHash;
    const text = hash ? await o.service.source(hash) : undefined;
    if (!hash || text === undefined) {
      throw new ApiError(404, 'source-not-found', `Run ${id} has no pinned task version in the store${hash ? ` (${hash.slice(0, 12)} is missing)` : ' (it started before versions were kept)'}.`);
    }
    return { source: { hash, file: started.file ?? null, text } };
  });

  app.post('/v1/runs/:id/events', async (req, reply) => {
    const id = runId(req);
    const b = body(req, ['name', 'data'], ['name']);
    if (typeof b.name !== 'string' || !b.name.trim()) throw new ApiError(400, 'invalid-request', "'name' must be the event's name (a non-empty string).");
    const sent = await o.service.send(id, b.name, b.data ?? null);
    reply.code(202);
    return { event: { id: sent.id, name: b.name } };
  });

  for (const action of ['pause', 'resume', 'cancel'] as ControlAction[]) {
    app.post(`/v1/runs/:id/${action}`, async (req, reply) => {
      const id = runId(req);
      const b = body(req, ['reason']);
      if (b.reason !== undefined && typeof b.reason !== 'string') throw new ApiError(400, 'invalid-request', "'reason' must be a string.");
      const result = await o.service.control(id, action, b.reason as string | undefined);
      reply.code(result.applied ? 200 : 202);
      return result;
    });
  }

  app.post('/v1/runs/:id/retry', async (req, reply) => {
    const id = runId(req);
    const b = body(req, ['from']);
    if (b.from !== undefined && (typeof b.from !== 'string' || !b.from)) throw new ApiError(400, 'invalid-request', "'from' must be a state name.");
    const result = await o.service.retry(id, b.from as string | undefined);
    reply.code(201).header('location', `/v1/runs/${result.run.id}`);
    return result;
  });

  scheduleRoutes(app, o.scheduler);

  app.post('/v1/runs/bulk', async (req) => bulkAction(o.service, bulkRequest(body(req, ['action', 'task', 'status', 'state', 'from', 'reason'], ['action']))));

  app.get('/v1/runs/:id/watch', async (req, reply) => {
    const id = runId(req);
    const q = req.query as Record<string, unknown>;
    const last = req.headers['last-event-id'];
    const from = intParam(q.from, 'from', 0, 2 ** 31 - 1) ?? (typeof last === 'string' && /^\d+$/.test(last) ? Number(last) : 0);
    const run = await o.service.get(id);
    const sse = openSse(req, reply, pingMs);
    const end = (status: string, reason: string | null) => {
      sse.send('end', { runId: id, status, reason });
      sse.close();
    };
    if (run.endedAt && from >= run.journal.length) {
      end(run.status, run.reason);
      return;
    }
    const stop = await o.service.watchRun(id, from, (e: JournalEvent) => {
      sse.send('journal', e, e.seq);
      if (e.type === 'run-ended') end(e.status, e.reason ?? null);
    });
    await sse.closed;
    stop();
  });

  app.get('/v1/watch', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const task = typeof q.task === 'string' && q.task ? q.task : undefined;
    const sse = openSse(req, reply, pingMs);
    const tasks = new Map<string, Promise<string | undefined>>();
    const chains = new Map<string, Promise<void>>();
    const taskOf = (runId: string, e: JournalEvent): Promise<string | undefined> => {
      if (e.type === 'run-started') tasks.set(runId, Promise.resolve(e.task));
      let t = tasks.get(runId);
      if (!t) {
        t = o.service.get(runId).then((r) => r.task, () => undefined);
        tasks.set(runId, t);
      }
      return t;
    };
    const stop = o.service.watchAll((runId, e) => {
      if (!task) {
        sse.send('journal', { runId, ...e }, `${runId}:${e.seq}`);
        return;
      }
      const prev = chains.get(runId) ?? Promise.resolve();
      const next = prev.then(async () => {
        if ((await taskOf(runId, e)) === task) sse.send('journal', { runId, ...e }, `${runId}:${e.seq}`);
        if (e.type === 'run-ended') tasks.delete(runId);
      });
      chains.set(runId, next);
      void next.finally(() => chains.get(runId) === next && chains.delete(runId));
    });
    await sse.closed;
    stop();
  });

  return app;
}
