import { argsObject, InstructionFailure, type InstructionHandler } from './types';
import { parseDuration } from '../expr/duration';

/**
 * An HTTP request with Node's fetch. Network errors, timeouts and 5xx answers fail (so `retry`
 * covers a server's hiccups); any other status is a result for the task to inspect.
 */
export const http: InstructionHandler = async (ctx) => {
  const a = argsObject(ctx, 'http');
  if (typeof a.url !== 'string' || !a.url) throw new InstructionFailure('http', "http needs a 'url'.");
  const url = new URL(a.url);
  if (a.query && typeof a.query === 'object') {
    for (const [k, v] of Object.entries(a.query as Record<string, unknown>)) url.searchParams.set(k, String(v));
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries((a.headers as Record<string, unknown>) ?? {})) headers.set(k, String(v));
  for (const [k, v] of Object.entries(ctx.propagation)) if (!headers.has(k)) headers.set(k, v);
  let body: string | undefined;
  if (a.body !== undefined && a.body !== null) {
    body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
    if (!headers.has('content-type') && typeof a.body !== 'string') headers.set('content-type', 'application/json');
  }
  const method = typeof a.method === 'string' ? a.method.toUpperCase() : body === undefined ? 'GET' : 'POST';
  const timeoutMs = typeof a.timeout === 'string' ? parseDuration(a.timeout) : undefined;
  const signals = [ctx.signal];
  if (timeoutMs !== undefined) signals.push(AbortSignal.timeout(timeoutMs));
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, signal: AbortSignal.any(signals) });
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') throw new InstructionFailure('timeout', `${method} ${url} timed out after ${a.timeout}.`);
    throw new InstructionFailure('http', `${method} ${url} failed: ${e.cause?.message ?? e.cause?.code ?? e.message}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  const result = { status: res.status, headers: Object.fromEntries(res.headers.entries()), body: parsed };
  if (res.status >= 500) throw new InstructionFailure('http', `${method} ${url} answered ${res.status} ${res.statusText}.`);
  return result;
};
