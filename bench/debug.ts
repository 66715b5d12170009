// The debugger's step cycle: next → stopped → stackTrace → scopes → variables, p50/p95, in
// process (the session inline, as the extension runs it) and over stdio (the built adapter), each
// against a minimal adapter over a plain table state machine measured the same way in the same run.
// Goal (issue #4): p50 < 1 ms in process, < 2 ms over stdio.
//
//   node out/bench/debug.js                    runs the benchmark alone
//   node out/bench/debug.js --minimal-adapter  is the reference adapter on stdio (spawned by it)
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugSession, InitializedEvent, Scope, Source, StackFrame, StoppedEvent, TerminatedEvent, Thread } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { StepwiseDebugSession } from '../engine/debug/session';

const ROOT = path.resolve(__dirname, '../..');
const WARMUP = 200;
const CYCLES = 2000;
const STATES = WARMUP + CYCLES + 10;

/** A linear task: each state sets a value and goes to the next one. */
function chainTask(n: number): string {
  const lines = ['version: 1', 'name: chain', 'data:', '  counter: 0', '  label: bench', '  items: [1, 2, 3]', 'start: s0', 'states:'];
  for (let i = 0; i < n; i++) lines.push(`  s${i}:`, `    next: s${i + 1}`);
  lines.push(`  s${n}:`, '    final: true', '');
  return lines.join('\n');
}

// ---- the reference: a minimal adapter over a table state machine ----

class TableSession extends DebugSession {
  private readonly table = Array.from({ length: STATES }, (_, i) => ({ name: `s${i}`, line: 9 + 2 * i, vars: { counter: i, label: 'bench', items: '[1, 2, 3]' } }));
  private at = 0;

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = { supportsConfigurationDoneRequest: true };
    this.sendResponse(response);
  }
  protected override launchRequest(response: DebugProtocol.LaunchResponse): void {
    this.sendEvent(new InitializedEvent());
    this.sendResponse(response);
    this.sendEvent(new StoppedEvent('entry', 1));
  }
  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(1, 'table')] };
    this.sendResponse(response);
  }
  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    if (++this.at >= this.table.length) this.sendEvent(new TerminatedEvent());
    else this.sendEvent(new StoppedEvent('step', 1));
  }
  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const s = this.table[this.at];
    response.body = { stackFrames: [new StackFrame(1, s.name, new Source('table', '/table'), s.line, 1)], totalFrames: 1 };
    this.sendResponse(response);
  }
  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    response.body = { scopes: [new Scope('Data', 1000 + this.at, false)] };
    this.sendResponse(response);
  }
  protected override variablesRequest(response: DebugProtocol.VariablesResponse): void {
    const vars = this.table[this.at].vars;
    response.body = { variables: Object.entries(vars).map(([name, v]) => ({ name, value: String(v), variablesReference: 0 })) };
    this.sendResponse(response);
  }
  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.sendResponse(response);
    this.shutdown();
  }
}

// ---- clients: inline (handleMessage/onDidSendMessage) and stdio (Content-Length framing) ----

interface Client {
  request(command: string, args?: unknown): Promise<DebugProtocol.Response>;
  event(name: string): Promise<DebugProtocol.Event>;
  close(): Promise<void>;
}

class Router {
  private seq = 1;
  private readonly pending = new Map<number, (r: DebugProtocol.Response) => void>();
  private readonly waiting = new Map<string, Array<(e: DebugProtocol.Event) => void>>();
  private readonly queued = new Map<string, DebugProtocol.Event[]>();

  constructor(private readonly send: (m: DebugProtocol.Request) => void) {}

  receive(m: DebugProtocol.ProtocolMessage): void {
    if (m.type === 'response') {
      const r = m as DebugProtocol.Response;
      this.pending.get(r.request_seq)?.(r);
      this.pending.delete(r.request_seq);
    } else if (m.type === 'event') {
      const e = m as DebugProtocol.Event;
      const w = this.waiting.get(e.event);
      if (w?.length) w.shift()!(e);
      else {
        const q = this.queued.get(e.event) ?? [];
        q.push(e);
        this.queued.set(e.event, q);
      }
    }
  }

  request(command: string, args?: unknown): Promise<DebugProtocol.Response> {
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, (r) => (r.success ? resolve(r) : reject(new Error(`${command}: ${r.message}`))));
      this.send({ seq, type: 'request', command, arguments: args });
    });
  }

  event(name: string): Promise<DebugProtocol.Event> {
    const q = this.queued.get(name);
    if (q?.length) return Promise.resolve(q.shift()!);
    return new Promise((resolve) => {
      const w = this.waiting.get(name) ?? [];
      w.push(resolve);
      this.waiting.set(name, w);
    });
  }

  /** Drops queued events nobody asked for (output, state events). */
  clear(except: string[] = []): void {
    for (const k of [...this.queued.keys()]) if (!except.includes(k)) this.queued.delete(k);
  }
}

function inlineClient(session: DebugSession): Client & { router: Router } {
  let router!: Router;
  router = new Router((m) => session.handleMessage(m));
  session.onDidSendMessage((m) => router.receive(m as DebugProtocol.ProtocolMessage));
  return {
    router,
    request: (c, a) => router.request(c, a),
    event: (n) => router.event(n),
    close: async () => {
      await router.request('disconnect', {}).catch(() => undefined);
      session.dispose();
    },
  };
}

function stdioClient(command: string, args: string[]): Client & { router: Router; proc: ChildProcess } {
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'], cwd: ROOT });
  const router = new Router((m) => {
    const json = JSON.stringify(m);
    proc.stdin!.write(`Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`, 'utf8');
  });
  let buffer = Buffer.alloc(0);
  proc.stdout!.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const head = buffer.indexOf('\r\n\r\n');
      if (head < 0) return;
      const m = /Content-Length: (\d+)/i.exec(buffer.subarray(0, head).toString('ascii'));
      const length = m ? Number(m[1]) : 0;
      if (buffer.length < head + 4 + length) return;
      const body = buffer.subarray(head + 4, head + 4 + length).toString('utf8');
      buffer = buffer.subarray(head + 4 + length);
      router.receive(JSON.parse(body));
    }
  });
  return {
    router,
    proc,
    request: (c, a) => router.request(c, a),
    event: (n) => router.event(n),
    close: async () => {
      await Promise.race([router.request('disconnect', {}).catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      proc.kill();
    },
  };
}

// ---- the cycle ----

async function start(client: Client & { router: Router }, launch: Record<string, unknown>): Promise<void> {
  await client.request('initialize', { adapterID: 'bench', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const launched = client.request('launch', launch);
  await client.event('initialized');
  await client.request('configurationDone', {});
  await launched;
  await client.event('stopped');
}

async function cycles(client: Client & { router: Router }, n: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const stopped = client.event('stopped');
    await client.request('next', { threadId: 1 });
    await stopped;
    const frames = (await client.request('stackTrace', { threadId: 1 })) as DebugProtocol.StackTraceResponse;
    const scopes = (await client.request('scopes', { frameId: frames.body.stackFrames[0].id })) as DebugProtocol.ScopesResponse;
    const vars = (await client.request('variables', { variablesReference: scopes.body.scopes[0].variablesReference })) as DebugProtocol.VariablesResponse;
    if (!vars.body.variables.length) throw new Error('no variables');
    times.push(performance.now() - t0);
    if (i % 64 === 0) client.router.clear(['stopped']);
  }
  return times;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
}

async function measure(client: Client & { router: Router }, launch: Record<string, unknown>): Promise<{ p50: number; p95: number }> {
  try {
    await start(client, launch);
    await cycles(client, WARMUP);
    const times = await cycles(client, CYCLES);
    return { p50: percentile(times, 50), p95: percentile(times, 95) };
  } finally {
    await client.close();
  }
}

function row(label: string, ours: { p50: number; p95: number }, ref: { p50: number; p95: number }, goal: number): void {
  const ratio = ours.p50 / ref.p50;
  const fig = `p50 ${ours.p50.toFixed(3)} ms p95 ${ours.p95.toFixed(3)} ms`;
  const refFig = `p50 ${ref.p50.toFixed(3)} ms p95 ${ref.p95.toFixed(3)} ms`;
  console.log(`${label.padEnd(44)} ${fig.padStart(30)}  ref ${refFig.padStart(30)}  ratio ${ratio.toFixed(2).padStart(5)}×  goal p50 < ${goal} ms ${ours.p50 < goal ? 'met' : 'MISSED'}`);
}

export async function benchDebug(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-bench-debug-'));
  const program = path.join(dir, 'chain.task.yaml');
  const text = chainTask(STATES);
  fs.writeFileSync(program, text);
  const launch = { program, stopOnEntry: true, clock: 'virtual' };
  try {
    // In process: the session inline, reading the task through the file access it is given.
    const oursInline = await measure(inlineClient(new StepwiseDebugSession({ server: true, files: { readFile: (f) => (f === program ? text : fs.readFileSync(f, 'utf8')) } })), launch);
    const refInline = await measure(inlineClient(new TableSession()), launch);
    row('debug step cycle, in process', oursInline, refInline, 1);
    const oursStdio = await measure(stdioClient(process.execPath, [path.join(ROOT, 'dist/debugAdapter.js')]), launch);
    const refStdio = await measure(stdioClient(process.execPath, [__filename, '--minimal-adapter']), launch);
    row('debug step cycle, over stdio', oursStdio, refStdio, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  if (process.argv.includes('--minimal-adapter')) {
    const session = new TableSession();
    session.start(process.stdin, process.stdout);
  } else {
    benchDebug().catch((e) => {
      console.error(e);
      process.exit(1);
    });
  }
}
