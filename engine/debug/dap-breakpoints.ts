// The DAP requests that set breakpoints (lines, states, failures) and ask where one may go.
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { wholeNumber } from './args';
import type { LineBreakpointSpec } from './breakpoints';
import { fail, type RequestContext } from './dap-requests';

export function setBreakpoints(session: RequestContext, response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
  session.answer(response, () => {
    const file = args?.source?.path;
    if (typeof file !== 'string' || !file) fail("setBreakpoints needs 'source.path'.");
    const given: DebugProtocol.SourceBreakpoint[] = Array.isArray(args.breakpoints) ? args.breakpoints : Array.isArray(args.lines) ? args.lines.map((line) => ({ line })) : [];
    const specs: LineBreakpointSpec[] = given.map((b) => {
      if (!b || typeof b.line !== 'number') fail('Each breakpoint needs a line number.');
      return {
        line: session.convertClientLineToDebugger(b.line),
        column: typeof b.column === 'number' ? session.convertClientColumnToDebugger(b.column) : undefined,
        condition: b.condition,
        hitCondition: b.hitCondition,
        logMessage: b.logMessage,
      };
    });
    const results = session.runtime.setBreakpoints(session.convertClientPathToDebugger(file), specs);
    response.body = { breakpoints: results.map((r) => session.breakpoint(r)) };
  });
}

export function breakpointLocations(session: RequestContext, response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
  session.answer(response, () => {
    const file = args?.source?.path;
    const line = args && wholeNumber(args, 'line', 'breakpointLocations', 1);
    if (typeof file !== 'string' || line === undefined) fail("breakpointLocations needs 'source.path' and 'line'.");
    const first = session.convertClientLineToDebugger(line);
    const last = session.convertClientLineToDebugger(wholeNumber(args, 'endLine', 'breakpointLocations', 1) ?? line);
    const lines = session.runtime.stepLines(path.resolve(file), first, last);
    response.body = { breakpoints: lines.map((l) => ({ line: session.convertDebuggerLineToClient(l) })) };
  });
}

export function setFunctionBreakpoints(session: RequestContext, response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
  session.answer(response, () => {
    if (!Array.isArray(args?.breakpoints)) fail("setFunctionBreakpoints needs 'breakpoints'.");
    const specs = args.breakpoints.map((b) => {
      if (!b || typeof b.name !== 'string') fail('Each function breakpoint needs a name (a state name).');
      return { name: b.name, condition: b.condition, hitCondition: b.hitCondition };
    });
    response.body = { breakpoints: session.runtime.setFunctionBreakpoints(specs).map((r) => session.breakpoint(r)) };
  });
}

export function setExceptionBreakpoints(session: RequestContext, response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
  session.answer(response, () => {
    const filters = [...(Array.isArray(args?.filters) ? args.filters : []), ...(Array.isArray(args?.filterOptions) ? args.filterOptions.map((f) => f.filterId) : [])];
    session.runtime.setExceptionFilters(filters);
    response.body = { breakpoints: filters.map(() => ({ verified: true })) };
  });
}
