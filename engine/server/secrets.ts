// The secrets of a server's runs: STEPWISE_SECRET_* (and *_FILE) from the environment over the
// values of a Vault secret, read at start and again every `vault.refresh`. A run takes the values
// current when it starts or continues; they are masked wherever a run's data is written.
import { SecretsError, secretsFromEnv } from '../secrets/env';
import { readVaultSecrets, type VaultSettings } from '../secrets/vault';
import { ConfigError, ms, type ServeConfig } from './config';

export interface SecretsSource {
  current(): Record<string, string>;
  close(): void;
}

function vaultSettings(config: ServeConfig, env: NodeJS.ProcessEnv): VaultSettings | undefined {
  const v = config.vault;
  if (!v.path) return undefined;
  const address = v.address ?? env.VAULT_ADDR;
  if (!address) throw new ConfigError("'vault.path' is set but Vault's address is not: give 'vault.address' (--vault-address) or VAULT_ADDR.");
  return { address, mount: v.mount, path: v.path, namespace: v.namespace ?? env.VAULT_NAMESPACE, token: env.VAULT_TOKEN, roleId: env.VAULT_ROLE_ID, secretId: env.VAULT_SECRET_ID };
}

export async function openSecrets(config: ServeConfig, log: (line: string) => void, env: NodeJS.ProcessEnv = process.env, fetchFn: typeof fetch = fetch): Promise<SecretsSource> {
  let local: Record<string, string>;
  try {
    local = secretsFromEnv(env);
  } catch (err) {
    if (err instanceof SecretsError) throw new ConfigError(err.message);
    throw err;
  }
  const vault = vaultSettings(config, env);
  if (!vault) return { current: () => local, close: () => undefined };
  // Without the secrets its tasks read, the server would start runs that fail: refuse to start.
  let fromVault = await readVaultSecrets(vault, fetchFn);
  let readAt = new Date();
  log(`secrets: ${Object.keys(fromVault).length} from Vault ${vault.mount}/${vault.path}, refreshed every ${config.vault.refresh}`);
  const timer = setInterval(() => {
    readVaultSecrets(vault, fetchFn).then(
      (values) => {
        fromVault = values;
        readAt = new Date();
      },
      (err: Error) => log(`secrets: ${err.message} Runs keep the values read at ${readAt.toISOString()}.`),
    );
  }, ms(config.vault.refresh));
  timer.unref();
  return { current: () => ({ ...fromVault, ...local }), close: () => clearInterval(timer) };
}
