// A DAP client for the debugger tests: DebugClient (@vscode/debugadapter-testsupport) against the
// BUILT adapter, over stdio (node dist/debugAdapter.js) or TCP (node dist/cli.js dap --port 0).
// Events are queued as they arrive, so a test never misses one that comes with a response.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

export const ROOT = path.resolve(__dirname, '../../..');
export const ADAPTER = path.join(ROOT, 'dist/debugAdapter.js');
export const CLI = path.join(ROOT, 'dist/cli.js');
export const SAMPLES = path.join(ROOT, 'samples');
export const sample = (name: string) => path.join(SAMPLES, name);

export type Transport = 'stdio' | 'tcp';
export const TRANSPORTS: Transport[] = ['stdio', 'tcp'];

/** 1-based line of the first line of `file` that matches (after trimming) `text`. */
export function lineOf(file: string, text: string | RegExp, after = 0): number {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = after; i < lines.length; i++) {
    const l = lines[i];
    if (typeof text === 'string' ? l.trim() === text || l.trim().startsWith(text) : text.test(l)) return i + 1;
  }
  throw new Error(`no line ${text} in ${file}`);
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

/** One TCP adapter process per test file. */
export class TcpServer {
  private proc?: ChildProcess;
  port = 0;

  async start(): Promise<void> {
    const proc = spawn(process.execPath, [CLI, 'dap', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
    this.proc = proc;
    this.port = await withTimeout(
      new Promise<number>((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on [\d.]+:(\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        proc.on('exit', (code) => reject(new Error(`dap --port exited with ${code}: ${out}`)));
      }),
      10_000,
      'the TCP adapter to listen',
    );
  }

  stop(): void {
    this.proc?.kill();
  }
}

const EVENTS = ['initialized', 'stopped', 'continued', 'output', 'terminated', 'exited', 'thread', 'breakpoint', 'stepwise/state', 'invalidated'];

export interface Setup {
  /** Line breakpoints per file (1-based lines, or full SourceBreakpoints). */
  breakpoints?: Record<string, Array<number | DebugProtocol.SourceBreakpoint>>;
  functionBreakpoints?: DebugProtocol.FunctionBreakpoint[];
  exceptionFilters?: string[];
}

export class Dap {
  readonly dc: DebugClient;
  private readonly queues = new Map<string, DebugProtocol.Event[]>();
  private readonly waiters = new Map<string, Array<(e: DebugProtocol.Event) => void>>();
  /** Every event received, in order. */
  readonly log: DebugProtocol.Event[] = [];
  breakpointResults: Record<string, DebugProtocol.Breakpoint[]> = {};
  functionBreakpointResults: DebugProtocol.Breakpoint[] = [];

  private constructor(readonly transport: Transport) {
    this.dc = new DebugClient(process.execPath, ADAPTER, 'stepwise', { cwd: ROOT, env: { ...process.env } });
    this.dc.defaultTimeout = 10_000;
    for (const name of EVENTS) {
      this.dc.on(name, (e: DebugProtocol.Event) => {
        this.log.push(e);
        const w = this.waiters.get(name);
        if (w && w.length) return w.shift()!(e);
        const q = this.queues.get(name) ?? [];
        q.push(e);
        this.queues.set(name, q);
      });
    }
  }

  static async open(transport: Transport, server?: TcpServer): Promise<Dap> {
    const d = new Dap(transport);
    await d.dc.start(transport === 'tcp' ? server!.port : undefined);
    return d;
  }

  /** The next event of a kind not yet taken (waits for it). */
  next<E extends DebugProtocol.Event = DebugProtocol.Event>(name: string, ms = 8000): Promise<E> {
    const q = this.queues.get(name);
    if (q && q.length) return Promise.resolve(q.shift() as E);
    return withTimeout(
      new Promise<E>((resolve) => {
        const list = this.waiters.get(name) ?? [];
        list.push(resolve as (e: DebugProtocol.Event) => void);
        this.waiters.set(name, list);
      }),
      ms,
      `event '${name}'`,
    );
  }

  /** Events of a kind received so far and not taken. */
  pending(name: string): DebugProtocol.Event[] {
    return this.queues.get(name) ?? [];
  }

  stopped(ms?: number): Promise<DebugProtocol.StoppedEvent> {
    return this.next<DebugProtocol.StoppedEvent>('stopped', ms);
  }

  /** initialize, launch, breakpoints, configurationDone; resolves with the launch response. */
  async launch(config: Record<string, unknown>, setup: Setup = {}): Promise<DebugProtocol.LaunchResponse> {
    const init = await withTimeout(this.dc.initializeRequest(), 8000, 'initialize');
    if (!init.body?.supportsConfigurationDoneRequest) throw new Error('no configurationDone support');
    const launched = withTimeout(this.dc.launchRequest(config as DebugProtocol.LaunchRequestArguments), 10_000, 'launch');
    await Promise.race([this.next('initialized'), launched]);
    for (const [file, bps] of Object.entries(setup.breakpoints ?? {})) {
      const breakpoints = bps.map((b) => (typeof b === 'number' ? { line: b } : b));
      const r = await this.dc.setBreakpointsRequest({ source: { path: file }, breakpoints });
      this.breakpointResults[file] = r.body.breakpoints;
    }
    if (setup.functionBreakpoints) this.functionBreakpointResults = (await this.dc.setFunctionBreakpointsRequest({ breakpoints: setup.functionBreakpoints })).body.breakpoints;
    await this.dc.setExceptionBreakpointsRequest({ filters: setup.exceptionFilters ?? ['run-failed'] });
    await this.dc.configurationDoneRequest();
    return launched;
  }

  async frames(): Promise<DebugProtocol.StackFrame[]> {
    return (await this.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
  }

  async top(): Promise<DebugProtocol.StackFrame> {
    return (await this.frames())[0];
  }

  /** A scope's variables as name -> displayed value. */
  async scope(name: string, frameId?: number): Promise<Record<string, string>> {
    const frame = frameId ?? (await this.top()).id;
    const scopes = (await this.dc.scopesRequest({ frameId: frame })).body.scopes;
    const s = scopes.find((x) => x.name === name);
    if (!s) throw new Error(`no scope ${name}: ${scopes.map((x) => x.name).join(', ')}`);
    return this.children(s.variablesReference);
  }

  async children(ref: number): Promise<Record<string, string>> {
    const vars = (await this.dc.variablesRequest({ variablesReference: ref })).body.variables;
    return Object.fromEntries(vars.map((v) => [v.name, v.value]));
  }

  async variable(scopeName: string, pathKeys: string[]): Promise<DebugProtocol.Variable> {
    const frame = (await this.top()).id;
    const scopes = (await this.dc.scopesRequest({ frameId: frame })).body.scopes;
    let ref = scopes.find((x) => x.name === scopeName)!.variablesReference;
    let found: DebugProtocol.Variable | undefined;
    for (const key of pathKeys) {
      const vars = (await this.dc.variablesRequest({ variablesReference: ref })).body.variables;
      found = vars.find((v) => v.name === key);
      if (!found) throw new Error(`no variable ${key} in ${scopeName}: ${vars.map((v) => v.name).join(', ')}`);
      ref = found.variablesReference;
    }
    return found!;
  }

  async evaluate(expression: string, context = 'repl'): Promise<DebugProtocol.EvaluateResponse['body']> {
    return (await this.dc.evaluateRequest({ expression, context, frameId: context === 'repl' ? undefined : (await this.top()).id })).body;
  }

  /** All output of a category so far (and keeps it queued). */
  outputText(category?: string): string {
    return this.log
      .filter((e) => e.event === 'output' && (!category || e.body.category === category))
      .map((e) => e.body.output)
      .join('');
  }

  async waitOutput(match: string | RegExp, ms = 8000): Promise<void> {
    const test = () => (typeof match === 'string' ? this.outputText().includes(match) : match.test(this.outputText()));
    const deadline = Date.now() + ms;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`no output ${match} in:\n${this.outputText()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async journal(runId?: string): Promise<Array<Record<string, unknown> & { type: string }>> {
    return (await this.dc.customRequest('journal', runId ? { runId } : {})).body.events;
  }

  private closing?: Promise<void>;

  /** Disconnects (once); the adapter process (stdio) is then stopped. */
  close(): Promise<void> {
    this.closing ??= withTimeout(this.dc.stop(), 8000, 'stop');
    return this.closing.catch(() => undefined);
  }

  /** Disconnects, failing unless the adapter answers within `ms`; then stops the adapter (close() has nothing left to do). */
  disconnect(ms: number): Promise<void> {
    // DebugClient.stop() would send a second disconnect, which a closed connection never answers.
    const stopAdapter = () => (this.dc as unknown as { stopAdapter(): void }).stopAdapter();
    this.closing ??= withTimeout(this.dc.disconnectRequest({}), ms, 'an answer to disconnect').then(() => undefined).finally(stopAdapter);
    return this.closing;
  }
}

export function tempDir(prefix = 'stepwise-debug-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Defines a suite once per transport: each test gets a fresh session (a new adapter process over
 * stdio; a new connection to one adapter process over TCP) and closes it afterwards.
 */
export function suite(title: string, define: (t: (name: string, body: (dap: Dap) => Promise<void>) => void) => void): void {
  // Loaded lazily so that helpers.ts can be imported without node:test.
  const { describe, test, before, after } = require('node:test') as typeof import('node:test');
  for (const transport of TRANSPORTS) {
    describe(`${title} (${transport})`, () => {
      const server = new TcpServer();
      before(async () => {
        if (transport === 'tcp') await server.start();
      });
      after(() => server.stop());
      define((name, body) =>
        test(name, { timeout: 30_000 }, async () => {
          const dap = await Dap.open(transport, server);
          try {
            await body(dap);
          } finally {
            await dap.close();
          }
        }),
      );
    });
  }
}
