// Secrets from the environment: `STEPWISE_SECRET_NAME=value`, or `STEPWISE_SECRET_NAME_FILE=/path`
// naming a file that holds the value (as container platforms mount secrets), so that the value
// itself never sits in the environment of the process or its children.
import * as fs from 'node:fs';

export const SECRET_PREFIX = 'STEPWISE_SECRET_';
const FILE_SUFFIX = '_FILE';

/** A secret that cannot be had: the message says which variable or setting and what to do. */
export class SecretsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretsError';
  }
}

/** `secrets.*` from STEPWISE_SECRET_* variables and the files STEPWISE_SECRET_*_FILE name. */
export function secretsFromEnv(env: Record<string, string | undefined> = process.env, readFile: (file: string) => string = (f) => fs.readFileSync(f, 'utf8')): Record<string, string> {
  const secrets: Record<string, string> = {};
  const fromFile = new Map<string, string>();
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(SECRET_PREFIX) || value === undefined) continue;
    const name = key.slice(SECRET_PREFIX.length);
    if (name.endsWith(FILE_SUFFIX) && name.length > FILE_SUFFIX.length) fromFile.set(name.slice(0, -FILE_SUFFIX.length), value);
    else if (name) secrets[name] = value;
  }
  for (const [name, file] of fromFile) {
    if (name in secrets) throw new SecretsError(`Both ${SECRET_PREFIX}${name} and ${SECRET_PREFIX}${name}${FILE_SUFFIX} are set: keep one, so that it is clear which value secrets.${name} has.`);
    let text: string;
    try {
      text = readFile(file);
    } catch (err) {
      throw new SecretsError(`${SECRET_PREFIX}${name}${FILE_SUFFIX} names ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): mount the secret there or unset the variable.`);
    }
    // A secret file written by `echo` or an editor ends with a newline that is not part of the value.
    secrets[name] = text.replace(/\r?\n$/, '');
  }
  return secrets;
}

/** Secret values as given: fixed, or read again each time a run starts (a provider that rotates). */
export type SecretValues = Record<string, string> | (() => Record<string, string>);

export function currentSecrets(values: SecretValues | undefined): Record<string, string> {
  return typeof values === 'function' ? values() : (values ?? {});
}
