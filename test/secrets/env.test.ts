// STEPWISE_SECRET_* and STEPWISE_SECRET_*_FILE: values, files, and the errors a user can act on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { SecretsError, secretsFromEnv } from '../../engine/secrets/env';

test('a *_FILE variable names the file that holds the value, without its final newline', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-secret-file-'));
  fs.writeFileSync(path.join(dir, 'db'), 'p@ss word\n');
  fs.writeFileSync(path.join(dir, 'multi'), 'line one\nline two\r\n');
  const secrets = secretsFromEnv({ STEPWISE_SECRET_DB_FILE: path.join(dir, 'db'), STEPWISE_SECRET_MULTI_FILE: path.join(dir, 'multi'), STEPWISE_SECRET_TOKEN: 't0k', PATH: '/bin' });
  assert.deepEqual(secrets, { DB: 'p@ss word', MULTI: 'line one\nline two', TOKEN: 't0k' });
});

test('a file that cannot be read names the variable and the path', () => {
  assert.throws(
    () => secretsFromEnv({ STEPWISE_SECRET_DB_FILE: '/nonexistent/stepwise/db' }),
    (e: Error) => e instanceof SecretsError && /STEPWISE_SECRET_DB_FILE names \/nonexistent\/stepwise\/db, which cannot be read \(ENOENT\)/.test(e.message),
  );
});

test('a value and a file for the same name is refused, not silently resolved', () => {
  assert.throws(() => secretsFromEnv({ STEPWISE_SECRET_DB: 'a', STEPWISE_SECRET_DB_FILE: '/x' }, () => 'b'), /Both STEPWISE_SECRET_DB and STEPWISE_SECRET_DB_FILE are set/);
});

test('any environment: the secrets are exactly the prefixed variables (files read through the reader)', () => {
  const name = fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/).filter((n) => !n.endsWith('_FILE'));
  fc.assert(
    fc.property(fc.dictionary(name, fc.string()), fc.dictionary(name, fc.string()), fc.dictionary(fc.string(), fc.string()), (plain, files, other) => {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(other)) if (!k.startsWith('STEPWISE_SECRET_')) env[k] = v;
      for (const [k, v] of Object.entries(plain)) env[`STEPWISE_SECRET_${k}`] = v;
      const onlyFiles = Object.fromEntries(Object.entries(files).filter(([k]) => !(k in plain)));
      for (const k of Object.keys(onlyFiles)) env[`STEPWISE_SECRET_${k}_FILE`] = `/secrets/${k}`;
      const got = secretsFromEnv(env, (file) => `${onlyFiles[path.basename(file)]}\n`);
      assert.deepEqual(got, { ...plain, ...onlyFiles });
    }),
  );
});
