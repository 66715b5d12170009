// A small HTTP and Server-Sent Events client for the REST tests.
import * as http from 'node:http';

export interface Answer {
  status: number;
  json: any;
  headers: Headers;
}

export async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(base + path, init);
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

export interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

/** Reads an event stream until `stop` says so (or the stream ends, or the time is up). */
export async function readSse(
  url: string,
  stop: (e: SseEvent, all: SseEvent[]) => boolean,
  options: { headers?: Record<string, string>; timeoutMs?: number; onOpen?: () => void | Promise<void> } = {},
): Promise<{ status: number; events: SseEvent[]; contentType: string | null }> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), options.timeoutMs ?? 15_000);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(url, { headers: options.headers, signal: ac.signal });
    if (res.status !== 200 || !res.body) return { status: res.status, events, contentType: res.headers.get('content-type') };
    await options.onOpen?.();
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const e: SseEvent = { event: 'message', data: undefined };
        let data = '';
        let any = false;
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const [k, ...rest] = line.split(':');
          const v = rest.join(':').replace(/^ /, '');
          if (k === 'event') e.event = v;
          else if (k === 'id') e.id = v;
          else if (k === 'data') data += v;
          any = true;
        }
        if (!any) continue;
        e.data = data ? JSON.parse(data) : undefined;
        events.push(e);
        if (stop(e, events)) {
          ac.abort();
          return { status: 200, events, contentType: res.headers.get('content-type') };
        }
      }
    }
    return { status: 200, events, contentType: res.headers.get('content-type') };
  } catch (err) {
    if ((err as Error).name === 'AbortError') return { status: 200, events, contentType: null };
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A request as a browser (or an attacker) sends it, over node:http: any Host, Origin or other
 * header, no content type unless given. fetch cannot set Host.
 */
export function rawRequest(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        let json: any;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = text;
        }
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h.set(k, v);
        resolve({ status: res.statusCode ?? 0, json, headers: h });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
