// The DAP requests that show a stopped run: its stack, scopes and variables (and setting one),
// evaluating an expression, the failure it stopped on.
import { InvalidatedEvent, Scope, StackFrame } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { wholeNumber } from './args';
import { fail, message, RequestError, type Container, type RequestContext, type ScopeName } from './dap-requests';
import { children, isContainer, pathExpression, preview, typeOf } from './values';

export function stackTrace(session: RequestContext, response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
  session.answer(response, () => {
    const thread = session.thread(args) ?? fail('stackTrace needs a threadId.');
    const start = wholeNumber(args, 'startFrame', 'stackTrace', 0) ?? 0;
    const levels = wholeNumber(args, 'levels', 'stackTrace', 0);
    const frames = session.runtime.views.frames(thread);
    const count = levels || frames.length;
    response.body = {
      stackFrames: frames.slice(start, start + count).map((f) => {
        const frame = new StackFrame(f.id, f.name, f.file ? session.source(f.file) : undefined, session.convertDebuggerLineToClient(f.line), session.convertDebuggerColumnToClient(f.column));
        return frame;
      }),
      totalFrames: frames.length,
    };
  });
}

export function scopes(session: RequestContext, response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
  session.answer(response, () => {
    const frame = typeof args?.frameId === 'number' ? session.runtime.views.frame(args.frameId) : undefined;
    if (!frame) fail(`Unknown frame ${JSON.stringify(args?.frameId)}: ask for the stack trace of the current stop.`);
    const ctx = session.runtime.views.contexts(frame.runId);
    const branch = session.runtime.views.branchScope(frame.thread);
    const scope = (name: string, root: ScopeName, value: unknown, hint?: string) => {
      const base = root === 'run' || root === 'branch' ? undefined : root;
      const ref = session.handles.create({ runId: frame.runId, root, base, path: [], value, wrapped: !isContainer(value) });
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

export function variables(session: RequestContext, response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
  session.answer(response, () => {
    const c = typeof args?.variablesReference === 'number' ? session.handles.get(args.variablesReference) : undefined;
    if (!c) fail(`Unknown variablesReference ${JSON.stringify(args?.variablesReference)}: it is valid while the run stays stopped.`);
    if (c.wrapped) {
      response.body = { variables: [{ name: c.root, value: preview(c.value), type: typeOf(c.value), variablesReference: 0, evaluateName: c.base }] };
      return;
    }
    const start = wholeNumber(args, 'start', 'variables', 0) ?? 0;
    const count = wholeNumber(args, 'count', 'variables', 0) || Infinity;
    let list = children(c.value);
    if (args.filter === 'indexed' && Array.isArray(c.value)) list = list.slice(start, start + count);
    response.body = { variables: list.map((child) => variable(session, c, child.name, child.key, child.value)) };
  });
}

export function setVariable(session: RequestContext, response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
  session.answer(response, async () => {
    const c = typeof args?.variablesReference === 'number' ? session.handles.get(args.variablesReference) : undefined;
    if (!c) fail(`Unknown variablesReference ${JSON.stringify(args?.variablesReference)}.`);
    if (c.root !== 'data' || c.wrapped) fail(`Only data can be changed (this is ${c.root}): a run's input, results and events are what happened.`);
    if (typeof args.name !== 'string' || typeof args.value !== 'string') fail("setVariable needs 'name' and 'value'.");
    const value = await parseValue(session, args.value, c.runId);
    const key: string | number = Array.isArray(c.value) && /^\d+$/.test(args.name) ? Number(args.name) : args.name;
    await session.runtime.setData(c.runId, [...c.path, key], value);
    (c.value as Record<string | number, unknown>)[key] = value;
    const v = variable(session, c, args.name, key, value);
    response.body = { value: v.value, type: v.type, variablesReference: v.variablesReference, namedVariables: v.namedVariables, indexedVariables: v.indexedVariables };
    if (session.clientSupportsInvalidated()) session.sendEvent(new InvalidatedEvent(['variables']));
  });
}

export function evaluate(session: RequestContext, response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
  session.answer(response, async () => {
    session.requireLaunch();
    if (typeof args?.expression !== 'string' || !args.expression.trim()) fail("evaluate needs an 'expression' (JSONata).");
    const frame = typeof args.frameId === 'number' ? session.runtime.views.frame(args.frameId) : undefined;
    if (typeof args.frameId === 'number' && !frame) fail(`Unknown frame ${args.frameId}.`);
    const { value } = await session.runtime.evaluate(args.expression.trim(), frame, args.context === 'hover');
    if (args.context === 'hover' && value === undefined) fail('No value.');
    const ref = isContainer(value) ? session.handles.create({ runId: frame?.runId ?? session.runtime.currentRunId, root: 'eval', base: `(${args.expression.trim()})`, path: [], value }) : 0;
    response.body = {
      result: args.context === 'clipboard' ? JSON.stringify(value, null, 2) ?? 'undefined' : preview(value),
      type: typeOf(value),
      variablesReference: ref,
      namedVariables: isContainer(value) && !Array.isArray(value) ? Object.keys(value).length : undefined,
      indexedVariables: Array.isArray(value) ? value.length : undefined,
    };
  });
}

export function exceptionInfo(session: RequestContext, response: DebugProtocol.ExceptionInfoResponse): void {
  session.answer(response, () => {
    const stop = session.runtime.stopped;
    if (!stop?.error) fail('The run is not stopped on a failure.');
    response.body = {
      exceptionId: stop.error.kind,
      description: stop.error.message,
      breakMode: 'always',
      details: { message: stop.error.message, typeName: `${stop.error.kind} (${stop.error.where ?? 'instruction'})` },
    };
  });
}

function variable(session: RequestContext, c: Container, name: string, key: string | number, value: unknown): DebugProtocol.Variable {
  const childPath = [...c.path, key];
  const v: DebugProtocol.Variable = {
    name,
    value: c.root === 'secrets' && typeof value === 'string' ? value : preview(value),
    type: typeOf(value),
    variablesReference: isContainer(value) ? session.handles.create({ runId: c.runId, root: c.root, base: c.base, path: childPath, value }) : 0,
  };
  if (c.base) v.evaluateName = pathExpression(c.base, childPath);
  else if (c.root === 'run' && childPath.length === 1 && ['id', 'state', 'attempt', 'startedAt'].includes(String(key))) v.evaluateName = `run.${key}`;
  if (Array.isArray(value)) v.indexedVariables = value.length;
  else if (isContainer(value)) v.namedVariables = Object.keys(value).length;
  return v;
}

/** A value typed in the variables view: JSON, else a JSONata expression over the run's context. */
async function parseValue(session: RequestContext, text: string, runId: string): Promise<unknown> {
  try {
    return JSON.parse(text);
  } catch {
    try {
      const { value, secret } = await session.runtime.evaluate(text, runId);
      if (value === undefined) fail(`'${text}' is neither JSON nor an expression with a value; quote text: "${text}".`);
      if (secret) fail(`'${text}' is computed from a secret: a value set here is journaled, so it cannot hold one.`);
      return value;
    } catch (err) {
      if (err instanceof RequestError) throw err;
      fail(`'${text}' is neither JSON nor a valid expression: ${message(err)}`);
    }
  }
}
