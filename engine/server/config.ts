// `stepwise serve` settings: defaults, then a YAML config file, then the environment, then flags.
// Every key of the file is also a flag (recovery.retryAfter is --recovery-retry-after).
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../expr/duration';
import { hostName } from './guard';

export interface ServeConfig {
  /** `postgres://…` (many workers, recovery) or a folder (the embedded file store, one process). */
  store: string;
  /** The folder of task files (`*.task.yaml`) the API can start; reloaded when they change. */
  tasks?: string;
  host: string;
  port: number;
  /** Bearer token the API requires; mandatory when `host` is not a loopback address. */
  token?: string;
  /**
   * Host names (of the Host header) the API answers besides 127.0.0.1, localhost and [::1]. When
   * empty, a server without a token answers only those, and one with a token any name.
   */
  allowedHosts: string[];
  /** Serve the REST API (false: a worker-only process, `--no-api`). */
  api: boolean;
  /** Workers in this process (each a lease owner of its own). */
  workers: number;
  /** Runs one worker executes at once. */
  concurrency: number;
  /** The clock of runs started through the API. */
  clock: 'real' | 'virtual';
  /** A mocks file for every task, or a pattern with ${taskDir} and ${taskName}. */
  mocks?: string;
  /** Finished runs are deleted this long after they ended. */
  retention: string;
  recovery: {
    /** A run held by a worker that journals nothing for this long is stuck: it is retried. */
    retryAfter: string;
    /** Executions of a run (the first, takeovers and retries) before it fails with `recovery-exhausted`. */
    maxAttempts: number;
    /** Task names that are never retried (their stuck runs are left alone). */
    exclude: string[];
    /** How often the recovery worker scans (and applies retention). */
    scanEvery: string;
  };
  lease: {
    /** How long a worker's claim on a run lasts without renewal; a dead worker's runs are taken over after it. */
    ttl: string;
  };
  /** A run whose next timer is at least this far (on its clock) is released while it waits. */
  releaseAfter: string;
  /** How often idle workers look for due runs when no notification wakes them. */
  pollEvery: string;
  /**
   * `secrets.*` from HashiCorp Vault's KV v2 engine, when `path` is set. The token comes from
   * VAULT_TOKEN, or an AppRole login from VAULT_ROLE_ID and VAULT_SECRET_ID: never from a flag.
   */
  vault: {
    /** Default: VAULT_ADDR. */
    address?: string;
    mount: string;
    path?: string;
    /** Default: VAULT_NAMESPACE. */
    namespace?: string;
    /** How often the secret is read again (rotated values apply to runs started after). */
    refresh: string;
  };
}

export const DEFAULTS: ServeConfig = {
  store: '.stepwise/runs',
  host: '127.0.0.1',
  port: 8080,
  allowedHosts: [],
  api: true,
  workers: 1,
  concurrency: 16,
  clock: 'real',
  retention: '30d',
  recovery: { retryAfter: '2m', maxAttempts: 3, exclude: [], scanEvery: '10s' },
  lease: { ttl: '30s' },
  releaseAfter: '1s',
  pollEvery: '1s',
  vault: { mount: 'secret', refresh: '1m' },
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Flat keys, as in the file (dotted for nested ones), with their flag names. */
export const KEYS: ReadonlyArray<{ key: string; flag: string; kind: 'string' | 'int' | 'bool' | 'duration' | 'list' | 'hosts' | 'clock' }> = [
  { key: 'store', flag: 'store', kind: 'string' },
  { key: 'tasks', flag: 'tasks', kind: 'string' },
  { key: 'host', flag: 'host', kind: 'string' },
  { key: 'port', flag: 'port', kind: 'int' },
  { key: 'token', flag: 'token', kind: 'string' },
  { key: 'allowedHosts', flag: 'allowed-hosts', kind: 'hosts' },
  { key: 'api', flag: 'api', kind: 'bool' },
  { key: 'workers', flag: 'workers', kind: 'int' },
  { key: 'concurrency', flag: 'concurrency', kind: 'int' },
  { key: 'clock', flag: 'clock', kind: 'clock' },
  { key: 'mocks', flag: 'mocks', kind: 'string' },
  { key: 'retention', flag: 'retention', kind: 'duration' },
  { key: 'recovery.retryAfter', flag: 'recovery-retry-after', kind: 'duration' },
  { key: 'recovery.maxAttempts', flag: 'recovery-max-attempts', kind: 'int' },
  { key: 'recovery.exclude', flag: 'recovery-exclude', kind: 'list' },
  { key: 'recovery.scanEvery', flag: 'recovery-scan-every', kind: 'duration' },
  { key: 'lease.ttl', flag: 'lease-ttl', kind: 'duration' },
  { key: 'releaseAfter', flag: 'release-after', kind: 'duration' },
  { key: 'pollEvery', flag: 'poll-every', kind: 'duration' },
  { key: 'vault.address', flag: 'vault-address', kind: 'string' },
  { key: 'vault.mount', flag: 'vault-mount', kind: 'string' },
  { key: 'vault.path', flag: 'vault-path', kind: 'string' },
  { key: 'vault.namespace', flag: 'vault-namespace', kind: 'string' },
  { key: 'vault.refresh', flag: 'vault-refresh', kind: 'duration' },
];

function coerce(key: string, kind: (typeof KEYS)[number]['kind'], value: unknown, where: string): unknown {
  const bad = (what: string) => new ConfigError(`${where}: '${key}' ${what}, not ${JSON.stringify(value)}.`);
  switch (kind) {
    case 'string':
      if (typeof value !== 'string' || value === '') throw bad('must be a non-empty string');
      return value;
    case 'int': {
      const n = typeof value === 'string' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw bad('must be a whole number ≥ 0');
      return n;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad('must be true or false');
    case 'duration': {
      const text = typeof value === 'number' ? `${value}ms` : value;
      if (typeof text !== 'string' || parseDuration(text) === undefined) throw bad("must be a duration such as '500ms', '30s', '2m', '1h30m' or '30d'");
      return text;
    }
    case 'list':
      return list(value, bad);
    case 'hosts': {
      const names = list(value, bad);
      const wrong = names.find((n) => hostName(n) !== n.toLowerCase());
      if (wrong !== undefined) throw bad(`must be host names such as stepwise.example.com (no scheme, port or path; '${wrong}' is not one)`);
      return names.map((n) => n.toLowerCase());
    }
    case 'clock':
      if (value === 'real' || value === 'virtual') return value;
      throw bad("must be 'real' or 'virtual'");
  }
}

function list(value: unknown, bad: (what: string) => ConfigError): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
  throw bad('must be a list of names');
}

function setKey(config: ServeConfig, key: string, value: unknown): void {
  const parts = key.split('.');
  let obj = config as unknown as Record<string, unknown>;
  for (const p of parts.slice(0, -1)) obj = obj[p] as Record<string, unknown>;
  obj[parts[parts.length - 1]] = value;
}

/** Flattens a parsed config file to dotted keys, refusing the ones it does not know. */
function flatten(value: unknown, file: string, prefix = ''): Array<[string, unknown]> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${file}: ${prefix ? `'${prefix}'` : 'the file'} must be a mapping.`);
  const out: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (KEYS.some((d) => d.key === key)) out.push([key, v]);
    else if (KEYS.some((d) => d.key.startsWith(key + '.'))) out.push(...flatten(v, file, key));
    else throw new ConfigError(`${file}: unknown key '${key}'. Known keys: ${KEYS.map((d) => d.key).join(', ')}.`);
  }
  return out;
}

/**
 * The settings: defaults, overlaid by the config file, by STEPWISE_TOKEN, then by the flags given
 * (`flags` holds only the flags given on the command line, by key).
 */
export function resolveConfig(options: { file?: string; flags?: Record<string, unknown>; env?: NodeJS.ProcessEnv }): ServeConfig {
  const config: ServeConfig = structuredClone(DEFAULTS);
  if (options.file) {
    let text: string;
    try {
      text = fs.readFileSync(options.file, 'utf8');
    } catch (e) {
      throw new ConfigError(`Cannot read the config file ${options.file}: ${(e as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text) ?? {};
    } catch (e) {
      throw new ConfigError(`${options.file} is not valid YAML: ${(e as Error).message}`);
    }
    for (const [key, value] of flatten(parsed, options.file)) {
      const def = KEYS.find((d) => d.key === key)!;
      setKey(config, key, coerce(key, def.kind, value, options.file));
    }
  }
  const env = options.env ?? process.env;
  if (env.STEPWISE_TOKEN) config.token = env.STEPWISE_TOKEN;
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue;
    const def = KEYS.find((d) => d.key === key);
    if (!def) throw new ConfigError(`Unknown setting '${key}'.`);
    setKey(config, key, coerce(key, def.kind, value, `--${def.flag}`));
  }
  if (config.recovery.maxAttempts < 1) throw new ConfigError("'recovery.maxAttempts' must be at least 1.");
  if (config.concurrency < 1) throw new ConfigError("'concurrency' must be at least 1.");
  if (config.port > 65535) throw new ConfigError("'port' must be at most 65535.");
  return config;
}

export function ms(duration: string): number {
  const v = parseDuration(duration);
  if (v === undefined) throw new ConfigError(`Invalid duration '${duration}'.`);
  return v;
}

/** Loopback addresses: 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}
