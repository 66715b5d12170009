// A task that stores values computed from a secret (`set` with `as`), logs them and sends them as
// HTTP headers, and a local server that records the headers it gets: what the tests of secrets
// check against (the clear values must reach the server and nothing else).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dedent } from './tasks';

export const SECRET = 's3cr3t-value-xyz';

/** The transformed values the task computes from SECRET, by data key. */
export const DERIVED: Record<string, string> = {
  upper: SECRET.toUpperCase(),
  b64: Buffer.from(SECRET).toString('base64'),
  sub: SECRET.slice(2, 8),
  joined: SECRET.split('-').join('+'),
};

/** The task's YAML; it waits for an event `go` before the request when `wait` is set. */
export function derivedTask(url: string, wait = false): string {
  return dedent(`
    version: 1
    name: derived
    start: derive
    states:
      derive:
        do:
          - set:
              upper: "={{ $uppercase(secrets.token) }}"
              b64: "={{ $base64encode(secrets.token) }}"
              sub: "={{ $substring(secrets.token, 2, 6) }}"
              joined: "={{ $join($split(secrets.token, '-'), '+') }}"
            as: derived
          - log: "upper={{ data.upper }} b64={{ data.derived.b64 }} sub={{ data.sub }} joined={{ data.joined }}"
        next: ${wait ? 'hold' : 'call'}
      hold:
        on:
          - to: call
            event: go
      call:
        do:
          - http:
              url: "${url}"
              headers:
                x-upper: "={{ data.upper }}"
                x-b64: "={{ data.derived.b64 }}"
                x-sub: "{{ data.sub }}"
                x-joined: "Bearer {{ data.joined }}"
            as: answer
        next: done
      done: { final: true }
  `);
}

export interface HeaderServer {
  url: string;
  /** The headers of each request received, in order. */
  received: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that answers every request with `{ ok: true }` and records its headers. */
export async function headerServer(): Promise<HeaderServer> {
  const received: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/check`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The headers the task sends, with the clear values. */
export function expectedHeaders(): Record<string, string> {
  return { 'x-upper': DERIVED.upper, 'x-b64': DERIVED.b64, 'x-sub': DERIVED.sub, 'x-joined': `Bearer ${DERIVED.joined}` };
}

/** The derived values (and the secret) found in a text. */
export function leaks(text: string): string[] {
  return [SECRET, ...Object.values(DERIVED)].filter((v) => text.includes(v));
}
