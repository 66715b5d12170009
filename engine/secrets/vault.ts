// Secrets from HashiCorp Vault's KV version 2 engine, over its HTTP API: a token (VAULT_TOKEN) or
// an AppRole login (role id and secret id) each time the secrets are read, so that a rotated value
// or a renewed policy takes effect at the next read without a restart.
import { SecretsError } from './env';

export interface VaultSettings {
  /** e.g. https://vault.example.com:8200 (VAULT_ADDR). */
  address: string;
  /** The KV v2 mount (default `secret`). */
  mount: string;
  /** The secret's path under the mount: its keys become `secrets.*`. */
  path: string;
  token?: string;
  roleId?: string;
  secretId?: string;
  /** Vault Enterprise / OpenBao namespace (VAULT_NAMESPACE). */
  namespace?: string;
}

type Fetch = typeof fetch;

function url(s: VaultSettings, rest: string): string {
  return `${s.address.replace(/\/+$/, '')}/v1/${rest}`;
}

async function vaultError(res: Response, what: string): Promise<SecretsError> {
  let detail = '';
  try {
    const body = (await res.json()) as { errors?: string[] };
    detail = body.errors?.length ? `: ${body.errors.join('; ')}` : '';
  } catch {
    // Not JSON: the status says enough.
  }
  const hint =
    res.status === 403 ? ' Check the token (or AppRole) and that its policy allows reading this path.' : res.status === 404 ? ' Check vault.mount and vault.path (KV version 2).' : '';
  return new SecretsError(`Vault answered ${res.status} to ${what}${detail}.${hint}`);
}

async function token(s: VaultSettings, headers: Record<string, string>, fetchFn: Fetch): Promise<string> {
  if (s.token) return s.token;
  if (!s.roleId || !s.secretId) throw new SecretsError('Vault needs a token (vault.token or VAULT_TOKEN) or an AppRole (vault.roleId and vault.secretId, or VAULT_ROLE_ID and VAULT_SECRET_ID).');
  const res = await fetchFn(url(s, 'auth/approle/login'), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ role_id: s.roleId, secret_id: s.secretId }) });
  if (!res.ok) throw await vaultError(res, 'the AppRole login');
  const body = (await res.json()) as { auth?: { client_token?: string } };
  if (!body.auth?.client_token) throw new SecretsError('Vault answered the AppRole login without a client token.');
  return body.auth.client_token;
}

/** Reads the secret at `mount/data/path`: each key a `secrets.*` name, each value as text. */
export async function readVaultSecrets(s: VaultSettings, fetchFn: Fetch = fetch): Promise<Record<string, string>> {
  const headers: Record<string, string> = s.namespace ? { 'x-vault-namespace': s.namespace } : {};
  let res: Response;
  try {
    const t = await token(s, headers, fetchFn);
    res = await fetchFn(url(s, `${encodeURI(s.mount)}/data/${s.path.split('/').map(encodeURIComponent).join('/')}`), { headers: { ...headers, 'x-vault-token': t } });
  } catch (err) {
    if (err instanceof SecretsError) throw err;
    throw new SecretsError(`Vault at ${s.address} cannot be reached: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) throw await vaultError(res, `reading ${s.mount}/${s.path}`);
  const body = (await res.json()) as { data?: { data?: Record<string, unknown> | null } };
  const data = body.data?.data;
  if (!data || typeof data !== 'object') throw new SecretsError(`Vault's ${s.mount}/${s.path} holds no data (deleted, or not a KV version 2 secret).`);
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}
