// What a DAP request handler (dap-breakpoints.ts, dap-inspect.ts, dap-custom.ts) has of the
// session (session.ts): the runtime, the variables' references, the client's lines and paths, and
// how a request is answered. A handler that cannot do what is asked throws RequestError (fail):
// its message goes back in the error response.
import type { Handles, Source } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BreakpointResult } from './breakpoints';
import type { DebugRuntime } from './runtime';

export type ScopeName = 'data' | 'input' | 'result' | 'event' | 'run' | 'secrets' | 'branch' | 'eval';

/** What a variables reference stands for. */
export interface Container {
  runId: string;
  root: ScopeName;
  /** The expression that names the root value (`data`, `(expr)`), when there is one. */
  base?: string;
  path: Array<string | number>;
  value: unknown;
  /** A scope whose value is not an object shows it as one variable. */
  wrapped?: boolean;
}

export interface RequestContext {
  readonly runtime: DebugRuntime;
  /** Valid while the run stays stopped: the session resets them when it moves. */
  readonly handles: Handles<Container>;
  /** Runs a request's work and answers it; a thrown error becomes an error response. */
  answer<R extends DebugProtocol.Response>(response: R, work: () => void | Promise<void>): void;
  error(response: DebugProtocol.Response, text: string): void;
  requireLaunch(): void;
  /** The thread a request names; one that names none (or thread 1) means the launched run's. */
  thread(args: { threadId?: unknown } | undefined): number | undefined;
  sendEvent(event: DebugProtocol.Event): void;
  clientSupportsInvalidated(): boolean;
  source(file: string): Source;
  breakpoint(r: BreakpointResult): DebugProtocol.Breakpoint;
  convertClientLineToDebugger(line: number): number;
  convertClientColumnToDebugger(column: number): number;
  convertClientPathToDebugger(clientPath: string): string;
  convertDebuggerLineToClient(line: number): number;
  convertDebuggerColumnToClient(column: number): number;
}

/** A failed request: its message goes back in the error response. */
export class RequestError extends Error {}

export function fail(message: string): never {
  throw new RequestError(message);
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
