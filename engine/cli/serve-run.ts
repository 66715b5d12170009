// The work of `stepwise serve`, loaded only when that command runs (it brings fastify, pg and the
// workers): the bundle of the CLI keeps it in a file of its own, dist/serve-run.js.
import type { Command } from 'commander';
import { ConfigError, resolveConfig } from '../server/config';
import { startServer } from '../server/serve';

export interface ServeFlags {
  config?: string;
  store?: string;
  tasks?: string;
  host?: string;
  port?: string;
  token?: string;
  allowedHosts?: string;
  api?: boolean;
  workers?: string;
  concurrency?: string;
  clock?: string;
  mocks?: string;
  retention?: string;
  recoveryRetryAfter?: string;
  recoveryMaxAttempts?: string;
  recoveryExclude?: string;
  recoveryScanEvery?: string;
  leaseTtl?: string;
  releaseAfter?: string;
  pollEvery?: string;
  vaultAddress?: string;
  vaultMount?: string;
  vaultPath?: string;
  vaultNamespace?: string;
  vaultRefresh?: string;
  quiet?: boolean;
}

export async function runServe(flags: ServeFlags, cmd: Command): Promise<void> {
  const given = (name: keyof ServeFlags) => {
    const src = cmd.getOptionValueSource(name);
    return src === 'cli' || src === 'env' ? flags[name] : undefined;
  };
  let config;
  try {
    config = resolveConfig({
      file: flags.config,
      flags: {
        store: given('store'),
        tasks: given('tasks'),
        host: given('host'),
        port: given('port'),
        token: given('token'),
        allowedHosts: given('allowedHosts'),
        api: given('api'),
        workers: given('workers'),
        concurrency: given('concurrency'),
        clock: given('clock'),
        mocks: given('mocks'),
        retention: given('retention'),
        'recovery.retryAfter': given('recoveryRetryAfter'),
        'recovery.maxAttempts': given('recoveryMaxAttempts'),
        'recovery.exclude': given('recoveryExclude'),
        'recovery.scanEvery': given('recoveryScanEvery'),
        'lease.ttl': given('leaseTtl'),
        releaseAfter: given('releaseAfter'),
        pollEvery: given('pollEvery'),
        'vault.address': given('vaultAddress'),
        'vault.mount': given('vaultMount'),
        'vault.path': given('vaultPath'),
        'vault.namespace': given('vaultNamespace'),
        'vault.refresh': given('vaultRefresh'),
      },
    });
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw e;
  }
  const log = flags.quiet ? () => undefined : (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  let server;
  try {
    server = await startServer(config, log);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    process.exitCode = e instanceof ConfigError ? 2 : 1;
    return;
  }
  if (server.url) process.stdout.write(`Stepwise listening on ${server.url}\n`);
  else process.stdout.write(`Stepwise workers running (${server.workers.map((w) => w.owner).join(', ')})\n`);
  // Keep the process alive until a signal, then release the runs held and close.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(130);
    stopping = true;
    log(`${signal}: releasing runs and stopping`);
    void server.close().then(() => {
      clearInterval(keepAlive);
      process.exit(0);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
