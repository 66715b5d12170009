// The Debug Adapter Protocol session: a thin translator between DAP requests and the debug
// runtime (runtime.ts), one method per request. The same class runs three ways:
//   inline in the extension host  new StepwiseDebugSession({ files, server: true }) handed to
//                                 vscode.DebugAdapterInlineImplementation (it implements
//                                 handleMessage/onDidSendMessage);
//   over stdio                    `stepwise dap` or dist/debugAdapter.js (see stdio.ts);
//   over TCP                      `stepwise dap --port N` (see server.ts).
// File access is passed in (FileAccess), so an editor can serve unsaved text.
import * as path from 'node:path';
import {
  BreakpointEvent,
  ContinuedEvent,
  DebugSession,
  Event,
  ExitedEvent,
  Handles,
  InitializedEvent,
  InvalidatedEvent,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
  ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BreakpointResult, LineBreakpointSpec } from './breakpoints';
import { wholeNumber } from './args';
import { LaunchError, type LaunchConfig } from './launch';
import type { DebugRuntimeOptions } from './launched';
import { DebugRuntime } from './runtime';
import { EXCEPTION_FILTERS } from './stops';
import { MAIN_THREAD } from './threads';
import { children, isContainer, pathExpression, preview, typeOf } from './values';

export interface StepwiseDebugSessionOptions extends DebugRuntimeOptions {
  /**
   * True when the session shares its process with others (inline in the extension host, or one
   * connection of the TCP server): the end of the session does not exit the process. A stdio
   * adapter leaves it false and exits after `disconnect`.
   */
  server?: boolean;
  /** Called once when the session is over (disconnected, or its client went away). */
  onEnd?: () => void;
}

/** Custom requests: `skipWait`, `sendEvent` {name, data?, runId?}, `journal` {runId?}, `position`. */
export const CUSTOM_REQUESTS = ['skipWait', 'sendEvent', 'journal', 'position', 'continueLive'] as const;
/** Custom event with the run's current state and history, for the graph editor. */
export const POSITION_EVENT = 'stepwise/state';

/** DAP requests this adapter answers; any other command gets an error response. */
const SUPPORTED = new Set([
  'initialize',
  'launch',
  'disconnect',
  'terminate',
  'restart',
  'setBreakpoints',
  'setFunctionBreakpoints',
  'setExceptionBreakpoints',
  'configurationDone',
  'continue',
  'next',
  'stepIn',
  'stepOut',
  'stepBack',
  'reverseContinue',
  'pause',
  'stackTrace',
  'scopes',
  'variables',
  'setVariable',
  'threads',
  'evaluate',
  'exceptionInfo',
  'breakpointLocations',
  ...CUSTOM_REQUESTS,
]);

type ScopeName = 'data' | 'input' | 'result' | 'event' | 'run' | 'secrets' | 'branch' | 'eval';

interface Container {
  runId: string;
  root: ScopeName;
  /** The expression that names the root value (`data`, `(expr)`), when there is one. */
  base?: string;
  path: Array<string | number>;
  value: unknown;
  /** A scope whose value is not an object shows it as one variable. */
  wrapped?: boolean;
}

/** A failed request: its message goes back in the error response. */
class RequestError extends Error {}

function fail(message: string): never {
  throw new RequestError(message);
}

export class StepwiseDebugSession extends DebugSession {
  readonly runtime: DebugRuntime;
  private readonly handles = new Handles<Container>();
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((resolve) => (this.configured = resolve));
  private launched = false;
  private ended = false;
  private clientSupportsInvalidated = false;
  private closed = false;
  private over = false;

  constructor(private readonly options: StepwiseDebugSessionOptions = {}) {
    super();
    this.setDebuggerLinesStartAt1(false);
    this.setDebuggerColumnsStartAt1(false);
    if (options.server) this.setRunAsServer(true);
    // A message that is not JSON cannot be answered (it has no seq); it must not end the session.
    this.removeAllListeners('error');
    this.on('error', (e: { body?: unknown }) => {
      const text = typeof e?.body === 'string' ? e.body : String(e?.body ?? 'error');
      if (text.startsWith('Error handling data')) this.sendEvent(new OutputEvent(`Ignored a message that is not valid JSON: ${text}\n`, 'console'));
      else this.shutdown();
    });
    this.runtime = new DebugRuntime(options);
    this.runtime.on('stopped', (s) => {
      this.handles.reset();
      const e = new StoppedEvent(s.reason, s.thread, s.reason === 'exception' ? s.text : undefined) as DebugProtocol.StoppedEvent;
      e.body.description = s.description;
      if (s.text) e.body.text = s.text;
      if (s.hitBreakpointIds?.length) e.body.hitBreakpointIds = s.hitBreakpointIds;
      e.body.allThreadsStopped = true;
      this.sendEvent(e);
    });
    this.runtime.on('continued', (thread) => {
      this.handles.reset();
      this.sendEvent(new ContinuedEvent(thread, false));
    });
    this.runtime.on('thread', (t) => this.sendEvent(new ThreadEvent(t.reason, t.thread)));
    this.runtime.on('output', (o) => {
      const e = new OutputEvent(o.text, o.category) as DebugProtocol.OutputEvent;
      if (o.file) {
        e.body.source = this.source(o.file);
        if (o.line !== undefined) e.body.line = this.convertDebuggerLineToClient(o.line);
      }
      this.sendEvent(e);
    });
    this.runtime.on('position', (p) => this.sendEvent(new Event(POSITION_EVENT, p)));
    this.runtime.on('breakpoint', (b) => this.sendEvent(new BreakpointEvent('changed', this.breakpoint(b))));
    this.runtime.on('ended', (e) => {
      if (this.ended) return;
      this.ended = true;
      this.sendEvent(new ThreadEvent('exited', MAIN_THREAD));
      this.sendEvent(new ExitedEvent(e.status === 'succeeded' ? 0 : 1));
      this.sendEvent(new TerminatedEvent());
    });
  }

  /** Ends the session's runs (journaled as cancelled) and closes the store; idempotent. */
  async close(reason = 'the debugger disconnected'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.runtime.dispose(reason);
  }

  private end(): void {
    if (this.over) return;
    this.over = true;
    this.options.onEnd?.();
    super.shutdown();
  }

  override shutdown(): void {
    // The client went away (stdin closed, socket ended): end the runs cleanly first.
    void this.close('the debugger client went away').finally(() => this.end());
  }

  override dispose(): void {
    void this.close();
    super.dispose();
  }

  // ---- dispatch: known requests only, with their errors as error responses ----

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const response: DebugProtocol.Response = { seq: 0, type: 'response', request_seq: request?.seq ?? 0, command: String(request?.command ?? ''), success: true };
    if (!request || typeof request.command !== 'string') return this.error(response, 'A request needs a command.');
    if (!SUPPORTED.has(request.command)) {
      return this.error(response, `Unknown request '${request.command}': the Stepwise debugger does not support it (custom requests: ${CUSTOM_REQUESTS.join(', ')}).`);
    }
    if (request.arguments !== undefined && (request.arguments === null || typeof request.arguments !== 'object' || Array.isArray(request.arguments))) {
      return this.error(response, `The arguments of '${request.command}' must be an object.`);
    }
    super.dispatchRequest(request);
  }

  /** Runs a request's work and answers it; a thrown error becomes an error response. */
  private answer<R extends DebugProtocol.Response>(response: R, work: () => void | Promise<void>): void {
    let result: void | Promise<void>;
    try {
      result = work();
    } catch (err) {
      return this.error(response, message(err));
    }
    if (result instanceof Promise) {
      result.then(
        () => this.sendResponse(response),
        (err) => this.error(response, message(err)),
      );
    } else this.sendResponse(response);
  }

  private error(response: DebugProtocol.Response, text: string, id = 3000): void {
    this.sendErrorResponse(response, { id, format: text, showUser: true });
  }

  private requireLaunch(): void {
    if (!this.launched) fail('Launch a task first.');
  }

  // ---- life cycle ----

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.clientSupportsInvalidated = Boolean(args?.supportsInvalidatedEvent);
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsStepBack: true,
      supportsSetVariable: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportTerminateDebuggee: true,
      supportsExceptionInfoRequest: true,
      supportsBreakpointLocationsRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ ...f })),
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments & LaunchConfig): void {
    if (this.launched) return this.error(response, 'This session has already launched a task; start another session.');
    const config = args ?? ({} as LaunchConfig);
    const refused = (err: unknown) => this.error(response, message(err), err instanceof LaunchError ? 1001 : 3000);
    if (config.replay !== undefined) {
      this.launched = true;
      this.runtime.loadReplay(config).then(
        () => this.launch(response),
        (err) => {
          this.launched = false;
          refused(err);
        },
      );
      return;
    }
    this.launched = true;
    this.runtime.load(config).then(
      () => this.launch(response),
      (err) => {
        this.launched = false;
        refused(err);
      },
    );
  }

  private launch(response: DebugProtocol.LaunchResponse): void {
    // Breakpoints come after `initialized`, once the file and the files it calls are known.
    this.sendEvent(new InitializedEvent());
    const wait = new Promise<void>((resolve) => setTimeout(resolve, 3000).unref?.());
    void Promise.race([this.configurationDone, wait]).then(() => {
      if (this.closed) return;
      try {
        this.runtime.start();
      } catch (err) {
        return this.error(response, message(err));
      }
      this.sendResponse(response);
      this.sendEvent(new ThreadEvent('started', MAIN_THREAD));
    });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configured();
    this.sendResponse(response);
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    this.answer(response, async () => {
      this.requireLaunch();
      const config = (args?.arguments as LaunchConfig | undefined) ?? undefined;
      this.ended = false;
      await this.runtime.restart(config && typeof config.program === 'string' ? config : undefined);
      this.handles.reset();
      this.sendEvent(new ContinuedEvent(MAIN_THREAD, true));
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.answer(response, () => this.runtime.terminate());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    // Whatever the client asks, the run ends with the session, journaled as cancelled.
    void this.close().finally(() => {
      this.sendResponse(response);
      this.end();
    });
  }

  // ---- breakpoints ----

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.answer(response, () => {
      const file = args?.source?.path;
      if (typeof file !== 'string' || !file) fail("setBreakpoints needs 'source.path'.");
      const given: DebugProtocol.SourceBreakpoint[] = Array.isArray(args.breakpoints) ? args.breakpoints : Array.isArray(args.lines) ? args.lines.map((line) => ({ line })) : [];
      const specs: LineBreakpointSpec[] = given.map((b) => {
        if (!b || typeof b.line !== 'number') fail('Each breakpoint needs a line number.');
        return {
          line: this.convertClientLineToDebugger(b.line),
          column: typeof b.column === 'number' ? this.convertClientColumnToDebugger(b.column) : undefined,
          condition: b.condition,
          hitCondition: b.hitCondition,
          logMessage: b.logMessage,
        };
      });
      const results = this.runtime.setBreakpoints(this.convertClientPathToDebugger(file), specs);
      response.body = { breakpoints: results.map((r) => this.breakpoint(r)) };
    });
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    this.answer(response, () => {
      const file = args?.source?.path;
      const line = args && wholeNumber(args, 'line', 'breakpointLocations', 1);
      if (typeof file !== 'string' || line === undefined) fail("breakpointLocations needs 'source.path' and 'line'.");
      const first = this.convertClientLineToDebugger(line);
      const last = this.convertClientLineToDebugger(wholeNumber(args, 'endLine', 'breakpointLocations', 1) ?? line);
      const lines = this.runtime.stepLines(path.resolve(file), first, last);
      response.body = { breakpoints: lines.map((l) => ({ line: this.convertDebuggerLineToClient(l) })) };
    });
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.answer(response, () => {
      if (!Array.isArray(args?.breakpoints)) fail("setFunctionBreakpoints needs 'breakpoints'.");
      const specs = args.breakpoints.map((b) => {
        if (!b || typeof b.name !== 'string') fail('Each function breakpoint needs a name (a state name).');
        return { name: b.name, condition: b.condition, hitCondition: b.hitCondition };
      });
      response.body = { breakpoints: this.runtime.setFunctionBreakpoints(specs).map((r) => this.breakpoint(r)) };
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.answer(response, () => {
      const filters = [...(Array.isArray(args?.filters) ? args.filters : []), ...(Array.isArray(args?.filterOptions) ? args.filterOptions.map((f) => f.filterId) : [])];
      this.runtime.setExceptionFilters(filters);
      response.body = { breakpoints: filters.map(() => ({ verified: true })) };
    });
  }

  // ---- execution ----

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.answer(response, () => {
      this.requireLaunch();
      this.handles.reset();
      this.runtime.continue();
      response.body = { allThreadsContinued: true };
    });
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.step(response, () => this.runtime.next(this.thread(args)));
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.step(response, () => this.runtime.stepIn(this.thread(args)));
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.step(response, () => this.runtime.stepOut(this.thread(args)));
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.step(response, () => this.runtime.stepBack(this.thread(args)));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.step(response, () => this.runtime.reverseContinue());
  }

  private step(response: DebugProtocol.Response, action: () => void | Promise<void>): void {
    this.answer(response, () => {
      this.requireLaunch();
      this.handles.reset();
      return action();
    });
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse, args: DebugProtocol.PauseArguments): void {
    this.answer(response, () => {
      this.requireLaunch();
      return this.runtime.pause(this.thread(args));
    });
  }

  /** The thread a request names; one that names none (or thread 1) means the launched run's. */
  private thread(args: { threadId?: unknown } | undefined): number | undefined {
    const id = args?.threadId;
    if (id === undefined) return undefined;
    if (typeof id !== 'number' || !this.runtime.views.hasThread(id)) fail(`Unknown thread ${JSON.stringify(id)}: ask for the threads again (a branch's thread exits when the branch ends).`);
    return id;
  }

  // ---- inspection ----

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: this.runtime.views.threadList().map((t) => new Thread(t.id, t.name)) };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.answer(response, () => {
      const thread = this.thread(args) ?? fail('stackTrace needs a threadId.');
      const start = wholeNumber(args, 'startFrame', 'stackTrace', 0) ?? 0;
      const levels = wholeNumber(args, 'levels', 'stackTrace', 0);
      const frames = this.runtime.views.frames(thread);
      const count = levels || frames.length;
      response.body = {
        stackFrames: frames.slice(start, start + count).map((f) => {
          const frame = new StackFrame(f.id, f.name, f.file ? this.source(f.file) : undefined, this.convertDebuggerLineToClient(f.line), this.convertDebuggerColumnToClient(f.column));
          return frame;
        }),
        totalFrames: frames.length,
      };
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.answer(response, () => {
      const frame = typeof args?.frameId === 'number' ? this.runtime.views.frame(args.frameId) : undefined;
      if (!frame) fail(`Unknown frame ${JSON.stringify(args?.frameId)}: ask for the stack trace of the current stop.`);
      const ctx = this.runtime.views.contexts(frame.runId);
      const branch = this.runtime.views.branchScope(frame.thread);
      const scope = (name: string, root: ScopeName, value: unknown, hint?: string) => {
        const base = root === 'run' || root === 'branch' ? undefined : root;
        const ref = this.handles.create({ runId: frame.runId, root, base, path: [], value, wrapped: !isContainer(value) });
        const s = new Scope(name, ref, false) as DebugProtocol.Scope;
        if (hint) s.presentationHint = hint;
        if (Array.isArray(value)) s.indexedVariables = value.length;
        else if (isContainer(value)) s.namedVariables = Object.keys(value).length;
        return s;
      };
      response.body = {
        scopes: [
          scope('Data', 'data', ctx.data, 'locals'),
          scope('Input', 'input', ctx.input, 'arguments'),
          scope('Result', 'result', ctx.result),
          scope('Event', 'event', ctx.event),
          scope('Run', 'run', ctx.run),
          scope('Secrets', 'secrets', ctx.secrets),
          ...(branch ? [scope('Branch', 'branch', branch)] : []),
        ],
      };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.answer(response, () => {
      const c = typeof args?.variablesReference === 'number' ? this.handles.get(args.variablesReference) : undefined;
      if (!c) fail(`Unknown variablesReference ${JSON.stringify(args?.variablesReference)}: it is valid while the run stays stopped.`);
      if (c.wrapped) {
        response.body = { variables: [{ name: c.root, value: preview(c.value), type: typeOf(c.value), variablesReference: 0, evaluateName: c.base }] };
        return;
      }
      const start = wholeNumber(args, 'start', 'variables', 0) ?? 0;
      const count = wholeNumber(args, 'count', 'variables', 0) || Infinity;
      let list = children(c.value);
      if (args.filter === 'indexed' && Array.isArray(c.value)) list = list.slice(start, start + count);
      response.body = { variables: list.map((child) => this.variable(c, child.name, child.key, child.value)) };
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.answer(response, async () => {
      const c = typeof args?.variablesReference === 'number' ? this.handles.get(args.variablesReference) : undefined;
      if (!c) fail(`Unknown variablesReference ${JSON.stringify(args?.variablesReference)}.`);
      if (c.root !== 'data' || c.wrapped) fail(`Only data can be changed (this is ${c.root}): a run's input, results and events are what happened.`);
      if (typeof args.name !== 'string' || typeof args.value !== 'string') fail("setVariable needs 'name' and 'value'.");
      const value = await this.parseValue(args.value, c.runId);
      const key: string | number = Array.isArray(c.value) && /^\d+$/.test(args.name) ? Number(args.name) : args.name;
      await this.runtime.setData(c.runId, [...c.path, key], value);
      (c.value as Record<string | number, unknown>)[key] = value;
      const v = this.variable(c, args.name, key, value);
      response.body = { value: v.value, type: v.type, variablesReference: v.variablesReference, namedVariables: v.namedVariables, indexedVariables: v.indexedVariables };
      if (this.clientSupportsInvalidated) this.sendEvent(new InvalidatedEvent(['variables']));
    });
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.answer(response, async () => {
      this.requireLaunch();
      if (typeof args?.expression !== 'string' || !args.expression.trim()) fail("evaluate needs an 'expression' (JSONata).");
      const frame = typeof args.frameId === 'number' ? this.runtime.views.frame(args.frameId) : undefined;
      if (typeof args.frameId === 'number' && !frame) fail(`Unknown frame ${args.frameId}.`);
      const { value } = await this.runtime.evaluate(args.expression.trim(), frame, args.context === 'hover');
      if (args.context === 'hover' && value === undefined) fail('No value.');
      const ref = isContainer(value) ? this.handles.create({ runId: frame?.runId ?? this.runtime.currentRunId, root: 'eval', base: `(${args.expression.trim()})`, path: [], value }) : 0;
      response.body = {
        result: args.context === 'clipboard' ? JSON.stringify(value, null, 2) ?? 'undefined' : preview(value),
        type: typeOf(value),
        variablesReference: ref,
        namedVariables: isContainer(value) && !Array.isArray(value) ? Object.keys(value).length : undefined,
        indexedVariables: Array.isArray(value) ? value.length : undefined,
      };
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    this.answer(response, () => {
      const stop = this.runtime.stopped;
      if (!stop?.error) fail('The run is not stopped on a failure.');
      response.body = {
        exceptionId: stop.error.kind,
        description: stop.error.message,
        breakMode: 'always',
        details: { message: stop.error.message, typeName: `${stop.error.kind} (${stop.error.where ?? 'instruction'})` },
      };
    });
  }

  // ---- custom requests ----

  protected override customRequest(command: string, response: DebugProtocol.Response, args: Record<string, unknown> | undefined): void {
    switch (command) {
      case 'skipWait':
        return this.answer(response, () => {
          this.requireLaunch();
          const r = this.runtime.skipWait();
          this.handles.reset();
          this.sendEvent(new ContinuedEvent(r.thread, false));
          response.body = { skipped: r.skipped, due: new Date(r.due).toISOString() };
        });
      case 'sendEvent':
        return this.answer(response, async () => {
          this.requireLaunch();
          if (typeof args?.name !== 'string' || !args.name) fail("sendEvent needs a 'name' (and optional 'data').");
          response.body = await this.runtime.sendEvent(args.name, args.data, typeof args.runId === 'string' ? args.runId : undefined);
        });
      case 'journal':
        return this.answer(response, async () => {
          this.requireLaunch();
          response.body = { events: await this.runtime.journal(typeof args?.runId === 'string' ? args.runId : undefined) };
        });
      case 'continueLive':
        return this.answer(response, async () => {
          this.requireLaunch();
          this.handles.reset();
          response.body = await this.runtime.continueLive();
        });
      case 'position':
        return this.answer(response, () => {
          this.requireLaunch();
          const stop = this.runtime.stopped;
          response.body = this.runtime.views.currentPosition(stop?.runId);
        });
      default:
        return this.error(response, `Unknown request '${command}'.`);
    }
  }

  // ---- helpers ----

  private source(file: string): Source {
    return new Source(path.basename(file), this.convertDebuggerPathToClient(file));
  }

  private breakpoint(r: BreakpointResult): DebugProtocol.Breakpoint {
    const bp: DebugProtocol.Breakpoint = { id: r.id, verified: r.verified };
    if (r.line !== undefined) bp.line = this.convertDebuggerLineToClient(r.line);
    if (r.file) bp.source = this.source(r.file);
    if (r.message) bp.message = r.message;
    return bp;
  }

  private variable(c: Container, name: string, key: string | number, value: unknown): DebugProtocol.Variable {
    const childPath = [...c.path, key];
    const v: DebugProtocol.Variable = {
      name,
      value: c.root === 'secrets' && typeof value === 'string' ? value : preview(value),
      type: typeOf(value),
      variablesReference: isContainer(value) ? this.handles.create({ runId: c.runId, root: c.root, base: c.base, path: childPath, value }) : 0,
    };
    if (c.base) v.evaluateName = pathExpression(c.base, childPath);
    else if (c.root === 'run' && childPath.length === 1 && ['id', 'state', 'attempt', 'startedAt'].includes(String(key))) v.evaluateName = `run.${key}`;
    if (Array.isArray(value)) v.indexedVariables = value.length;
    else if (isContainer(value)) v.namedVariables = Object.keys(value).length;
    return v;
  }

  /** A value typed in the variables view: JSON, else a JSONata expression over the run's context. */
  private async parseValue(text: string, runId: string): Promise<unknown> {
    try {
      return JSON.parse(text);
    } catch {
      try {
        const { value, secret } = await this.runtime.evaluate(text, runId);
        if (value === undefined) fail(`'${text}' is neither JSON nor an expression with a value; quote text: "${text}".`);
        if (secret) fail(`'${text}' is computed from a secret: a value set here is journaled, so it cannot hold one.`);
        return value;
      } catch (err) {
        if (err instanceof RequestError) throw err;
        fail(`'${text}' is neither JSON nor a valid expression: ${message(err)}`);
      }
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
