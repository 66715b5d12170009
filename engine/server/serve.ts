// `stepwise serve`, assembled: the store (PostgreSQL with workers and recovery, or the embedded
// store of one process), the task folder, and the REST API.
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { fileStore } from '../store/file';
import { memoryStore } from '../store/memory';
import { fileClaims, memoryClaims, type ScheduleClaims } from '../schedule/claims';
import { pgClaims } from '../schedule/pg-claims';
import { Scheduler, type TickClock } from '../schedule/scheduler';
import { realClock } from '../runtime/clock';
import { createPool, isPostgresUrl, Listener, migrate, redactUrl, type Pool } from '../store/postgres/db';
import { isLoopback, ms, type ServeConfig, ConfigError } from './config';
import { EmbeddedService } from './embedded';
import { buildApp } from './http';
import { PgService } from './pg-service';
import { RecoveryScanner } from './recovery';
import type { RunService } from './service';
import { openSecrets } from './secrets';
import { mocksResolver } from './support';
import { TaskCache } from './task-cache';
import { TaskRegistry } from './tasks';
import { Worker, workerName } from './worker';
import { createMetrics, type Metrics } from '../observe/metrics';
import { allOf } from '../observe/observer';
import { tracingFromEnv } from '../observe/traces';
import { findConfig, PluginConfigError } from '../plugins/config';
import { loadPluginsFrom, NO_PLUGINS, type LoadedPlugins } from '../plugins/load';

export const VERSION = '0.1.0';

export interface Server {
  /** The API's base URL (undefined with api: false). */
  url?: string;
  service?: RunService;
  workers: Worker[];
  recovery?: RecoveryScanner;
  registry?: TaskRegistry;
  /** Starts runs from the served tasks' schedules (a server with --tasks and the API). */
  scheduler?: Scheduler;
  app?: FastifyInstance;
  metrics: Metrics;
  close(): Promise<void>;
}

export class ServeError extends ConfigError {}

/** Refuses a non-loopback address without a token, before anything is opened. */
export function checkBind(config: ServeConfig): void {
  if (config.api && !isLoopback(config.host) && !config.token) {
    throw new ServeError(
      `Refusing to listen on ${config.host} without a token: anyone who can reach it could start and steer runs. ` +
        'Give one with --token or the STEPWISE_TOKEN environment variable, or bind to 127.0.0.1.',
    );
  }
}

async function serverPlugins(dir: string, log: (line: string) => void): Promise<LoadedPlugins> {
  const file = findConfig(dir);
  if (!file) return NO_PLUGINS;
  try {
    const loaded = await loadPluginsFrom(file);
    log(`plugins from ${file}: ${loaded.kinds.map((k) => k.kind).join(', ') || 'none'}`);
    return loaded;
  } catch (err) {
    if (err instanceof PluginConfigError) throw new ServeError(err.message);
    throw err;
  }
}

export interface ServeHooks {
  /** The clock schedules tick by (default: the real one); tests drive their own. */
  scheduleClock?: TickClock;
}

export async function startServer(config: ServeConfig, log: (line: string) => void = () => undefined, hooks: ServeHooks = {}): Promise<Server> {
  checkBind(config);
  const postgres = isPostgresUrl(config.store);
  if (!postgres && !config.api) throw new ServeError('--no-api makes a worker-only process, which needs a PostgreSQL store (--store postgres://…).');
  const mocksFor = mocksResolver(config.mocks);
  const source = await openSecrets(config, log);
  const secrets = () => source.current();
  const excluded = new Set(config.recovery.exclude);

  // One plugin set for the whole server: the config above the task folder (or, for a worker-only
  // process, above its working folder).
  const plugins = await serverPlugins(path.resolve(config.tasks ?? '.'), log);
  let registry: TaskRegistry | undefined;
  if (config.api && config.tasks) {
    registry = new TaskRegistry(path.resolve(config.tasks), { plugins: plugins.kinds });
    registry.load();
    registry.watch();
    for (const r of registry.rejections()) log(`rejected ${r.file}: ${r.errors.map((e) => `${e.line}:${e.column} ${e.message} [${e.code}]`).join('; ')}`);
    log(`tasks from ${registry.dir}: ${registry.tasks().map((t) => t.name).join(', ') || 'none'}`);
  }

  const closers: Array<() => Promise<void>> = [async () => source.close()];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch((e) => log(`while closing: ${(e as Error).message}`));
  };
  if (registry) closers.push(async () => registry!.close());
  const tracing = tracingFromEnv(VERSION);
  if (tracing) {
    log('traces: OTLP exporter from the OTEL_* environment');
    closers.push(() => tracing.shutdown());
  }
  // Asked at each scrape; set once the store is open.
  let waiting: () => Promise<number> = async () => 0;
  const metrics = createMetrics({ waiting: () => waiting() });
  const observer = allOf([metrics.observer, tracing?.observer]);

  let service: RunService | undefined;
  const workers: Worker[] = [];
  let recovery: RecoveryScanner | undefined;
  let claims: ScheduleClaims | undefined;
  try {
    if (postgres) {
      const pool: Pool = createPool(config.store, Math.max(10, config.workers * 4 + 4));
      closers.push(() => pool.end());
      await migrate(pool);
      const listener = new Listener(config.store);
      await listener.start();
      closers.push(() => listener.close());
      log(`store ${redactUrl(config.store)} (PostgreSQL)`);
      claims = pgClaims(pool);
      const tasks = new TaskCache(pool, registry);
      if (config.api) {
        const pg = new PgService({ pool, listener, clock: config.clock, secrets });
        service = pg;
        if (registry) {
          await pg.registerSources(registry.tasks());
          registry.onLoad((list) => void pg.registerSources(list).catch((e) => log(`cannot record task sources: ${(e as Error).message}`)));
        }
      }
      for (let i = 0; i < config.workers; i++) {
        const w = new Worker({
          pool,
          listener,
          tasks,
          concurrency: config.concurrency,
          leaseTtlMs: ms(config.lease.ttl),
          // Renewals also tell recovery that an idle (waiting) run is not stuck.
          heartbeatMs: Math.floor(Math.min(ms(config.lease.ttl), ms(config.recovery.retryAfter)) / 3),
          releaseAfterMs: ms(config.releaseAfter),
          pollMs: ms(config.pollEvery),
          maxAttempts: config.recovery.maxAttempts,
          recoveryExcluded: (t) => excluded.has(t),
          mocksFor,
          secrets,
          observer,
          instructions: plugins.handlers,
          log,
        });
        w.start();
        workers.push(w);
        log(`worker ${w.owner} started (${config.concurrency} runs at once)`);
      }
      closers.push(async () => {
        await Promise.all(workers.map((w) => w.stop()));
      });
      // Released runs wait in the store, held ones in this process's workers.
      waiting = async () => {
        const r = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM runs WHERE ended_at IS NULL AND status = 'running' AND lease_owner IS NULL`);
        return r.rows[0].n + workers.reduce((n, w) => n + w.parkedRuns(), 0);
      };
      recovery = new RecoveryScanner({
        url: config.store,
        pool,
        owner: workers[0]?.owner ?? workerName(),
        retryAfterMs: ms(config.recovery.retryAfter),
        maxAttempts: config.recovery.maxAttempts,
        excluded: (t) => excluded.has(t),
        scanEveryMs: ms(config.recovery.scanEvery),
        retentionMs: ms(config.retention),
        log,
      });
      recovery.start();
      closers.push(() => recovery!.stop());
      if (service) closers.push(() => service!.close());
    } else {
      const kind = config.store === 'memory' ? 'memory' : 'file';
      const dir = path.resolve(config.store);
      const store = kind === 'memory' ? memoryStore() : fileStore(dir);
      claims = kind === 'memory' ? memoryClaims() : fileClaims(dir);
      const embedded = new EmbeddedService({ store, kind, clock: config.clock, registry, mocksFor, secrets, observer, instructions: plugins.handlers, log });
      service = embedded;
      waiting = async () => embedded.parkedRuns();
      closers.push(() => embedded.close());
      log(`store ${kind === 'memory' ? 'in memory' : dir} (embedded, one process)`);
      const retentionMs = ms(config.retention);
      const prune = async () => {
        const n = (await store.prune?.(retentionMs)) ?? 0;
        if (n) log(`deleted ${n} run${n === 1 ? '' : 's'} that ended more than ${config.retention} ago`);
      };
      await prune();
      const timer = setInterval(() => void prune().catch(() => undefined), Math.max(ms(config.recovery.scanEvery), 60_000));
      timer.unref();
      closers.push(async () => clearInterval(timer));
      const resumed = await embedded.recover();
      if (resumed) log(`resumed ${resumed} interrupted run${resumed === 1 ? '' : 's'}`);
    }

    let scheduler: Scheduler | undefined;
    if (service && registry && claims) {
      const s = new Scheduler({ claims, service, tasks: () => registry!.tasks(), clock: hooks.scheduleClock ?? realClock(), owner: workers[0]?.owner ?? workerName(), lag: metrics.scheduleLag, log });
      scheduler = s;
      registry.onLoad(() => s.wake());
      s.start();
      // Stopped before the service it starts runs with.
      closers.push(() => s.stop());
    }

    let url: string | undefined;
    let app: FastifyInstance | undefined;
    if (config.api && service) {
      app = buildApp({ service, registry, scheduler, token: config.token, allowedHosts: config.allowedHosts, workers: workers.length, version: VERSION, metrics: () => metrics.scrape(), log });
      const address = await app.listen({ host: config.host, port: config.port });
      closers.push(() => app!.close());
      url = address;
      log(`API on ${address}${config.token ? ' (bearer token required)' : ''}`);
    }
    return { url, service, workers, recovery, registry, scheduler, app, metrics, close };
  } catch (err) {
    await close();
    throw err;
  }
}
