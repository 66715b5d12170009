// A server that answers Vault's KV version 2 and AppRole login endpoints as Vault documents them,
// for the tests (Vault itself is neither a Debian nor an npm package). It checks what Vault checks:
// the token on every read, the role and secret id on login, the namespace header when one is set.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface VaultApi {
  url: string;
  /** mount/path -> the secret's data, changed by the tests to rotate a value. */
  secrets: Map<string, Record<string, unknown>>;
  reads: number;
  close(): void;
}

export async function startVaultApi(options: { token: string; roleId?: string; secretId?: string; namespace?: string }): Promise<VaultApi> {
  const issued = new Set<string>([options.token]);
  const api: VaultApi = { url: '', secrets: new Map(), reads: 0, close: () => server.close() };
  const answer = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += d));
    req.on('end', () => {
      if (options.namespace && req.headers['x-vault-namespace'] !== options.namespace) return answer(res, 404, { errors: ['no handler for route'] });
      if (req.method === 'POST' && req.url === '/v1/auth/approle/login') {
        const body = JSON.parse(text || '{}') as { role_id?: string; secret_id?: string };
        if (!options.roleId || body.role_id !== options.roleId || body.secret_id !== options.secretId) return answer(res, 400, { errors: ['invalid role or secret ID'] });
        const token = `hvs.approle-${issued.size}`;
        issued.add(token);
        return answer(res, 200, { auth: { client_token: token, lease_duration: 3600, renewable: true } });
      }
      const m = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(req.url ?? '');
      if (req.method !== 'GET' || !m) return answer(res, 404, { errors: [] });
      if (!issued.has(String(req.headers['x-vault-token'] ?? ''))) return answer(res, 403, { errors: ['permission denied'] });
      api.reads++;
      const data = api.secrets.get(`${m[1]}/${decodeURIComponent(m[2])}`);
      if (!data) return answer(res, 404, { errors: [] });
      return answer(res, 200, { data: { data, metadata: { version: 1, created_time: new Date().toISOString() } } });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
