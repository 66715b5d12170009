// A real NATS server for the tests: Debian's `nats-server` (installed with apt-get when it is
// missing and we are root, as test/postgres/ensure-postgres.sh does for PostgreSQL), started on
// 127.0.0.1 with a user and password, on ports of its own, stopped by `stop` (or killed, and started
// again on the same ports, as a broker that restarts).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';

export interface NatsServer {
  /** The client URL with the user and password in it. */
  url: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Open client connections, from the server's monitoring endpoint. */
  connections(): Promise<number>;
  /** Subscriptions a message on `subject` would reach, from the monitoring endpoint. */
  subscribers(subject: string): Promise<number>;
  stop(): Promise<void>;
  /** Kills the server (SIGKILL: no goodbye to its clients), as a broker that crashes. */
  kill(): Promise<void>;
  /** Starts it again on the same ports, unless it runs; with the same login unless `password` is given. */
  restart(password?: string): Promise<void>;
}

function binary(): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin'])) {
    const candidate = `${dir}/nats-server`;
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  if (process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', 'nats-server'], { env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
    return '/usr/sbin/nats-server';
  }
  throw new Error('nats-server is not installed and this is not root: install it with `sudo apt-get install -y nats-server`.');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startNats(): Promise<NatsServer> {
  const [port, monitor] = [await freePort(), await freePort()];
  const user = 'stepwise';
  const password = 'nats-s3cr3t-5150';
  let child = await launch(port, monitor, user, password);
  const connections = async () => {
    const res = await fetch(`http://127.0.0.1:${monitor}/connz`);
    return ((await res.json()) as { num_connections: number }).num_connections;
  };
  const subscribers = async (subject: string) => {
    const res = await fetch(`http://127.0.0.1:${monitor}/subsz?subs=1&test=${encodeURIComponent(subject)}`);
    return ((await res.json()) as { subscriptions_list?: unknown[] }).subscriptions_list?.length ?? 0;
  };
  const end = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  const restart = async (newPassword = password) => {
    if (child.exitCode === null && child.signalCode === null) return;
    child = await launch(port, monitor, user, newPassword);
  };
  return { url: `nats://${user}:${password}@127.0.0.1:${port}`, host: '127.0.0.1', port, user, password, connections, subscribers, stop: () => end('SIGTERM'), kill: () => end('SIGKILL'), restart };
}

/** Starts nats-server and resolves once it says it is ready. */
async function launch(port: number, monitor: number, user: string, password: string): Promise<ChildProcess> {
  const child: ChildProcess = spawn(binary(), ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '--user', user, '--pass', password], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
      if (log.includes('Server is ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`nats-server exited with ${code}: ${log}`)));
  });
  return child;
}
