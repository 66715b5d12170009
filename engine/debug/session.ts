// The Debug Adapter Protocol session: a thin translator between DAP requests and the debug
// runtime (runtime.ts), one method per request; the requests that set breakpoints, show a stopped
// run and Stepwise's own are handled in dap-breakpoints.ts, dap-inspect.ts and dap-custom.ts. The
// same class runs three ways:
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
  OutputEvent,
  Source,
  StoppedEvent,
  TerminatedEvent,
  Thread,
  ThreadEvent,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BreakpointResult } from './breakpoints';
import { breakpointLocations, setBreakpoints, setExceptionBreakpoints, setFunctionBreakpoints } from './dap-breakpoints';
import { CUSTOM_REQUESTS, customRequest } from './dap-custom';
import { evaluate, exceptionInfo, scopes, setVariable, stackTrace, variables } from './dap-inspect';
import { fail, message, type Container, type RequestContext } from './dap-requests';
import { LaunchError, type LaunchConfig } from './launch';
import type { DebugRuntimeOptions } from './launched';
import { DebugRuntime } from './runtime';
import { EXCEPTION_FILTERS } from './stops';
import { MAIN_THREAD } from './threads';

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
  /** What the request handlers of dap-*.ts have of this session. */
  private readonly requests: RequestContext;

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
    this.requests = {
      runtime: this.runtime,
      handles: this.handles,
      answer: (response, work) => this.answer(response, work),
      error: (response, text) => this.error(response, text),
      requireLaunch: () => this.requireLaunch(),
      thread: (args) => this.thread(args),
      sendEvent: (event) => this.sendEvent(event),
      clientSupportsInvalidated: () => this.clientSupportsInvalidated,
      source: (file) => this.source(file),
      breakpoint: (r) => this.breakpoint(r),
      convertClientLineToDebugger: (line) => this.convertClientLineToDebugger(line),
      convertClientColumnToDebugger: (column) => this.convertClientColumnToDebugger(column),
      convertClientPathToDebugger: (clientPath) => this.convertClientPathToDebugger(clientPath),
      convertDebuggerLineToClient: (line) => this.convertDebuggerLineToClient(line),
      convertDebuggerColumnToClient: (column) => this.convertDebuggerColumnToClient(column),
    };
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
    setBreakpoints(this.requests, response, args);
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    breakpointLocations(this.requests, response, args);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    setFunctionBreakpoints(this.requests, response, args);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    setExceptionBreakpoints(this.requests, response, args);
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
    stackTrace(this.requests, response, args);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    scopes(this.requests, response, args);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    variables(this.requests, response, args);
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    setVariable(this.requests, response, args);
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    evaluate(this.requests, response, args);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    exceptionInfo(this.requests, response);
  }

  // ---- custom requests ----

  protected override customRequest(command: string, response: DebugProtocol.Response, args: Record<string, unknown> | undefined): void {
    customRequest(this.requests, command, response, args);
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
}
