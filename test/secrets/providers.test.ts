// Secrets from Vault (KV v2, token or AppRole) for `stepwise serve`, and from STEPWISE_SECRET_*_FILE
// for `stepwise run`: the called service gets the value, the journal, the API and the logs never do,
// and a value rotated in Vault reaches the runs started after the next refresh.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { readVaultSecrets } from '../../engine/secrets/vault';
import { cli } from '../postgres/samples';
import { serve, type ServeProcess } from '../postgres/procs';
import { call, until } from '../server/client';
import { startVaultApi, type VaultApi } from './vault-api';

const CALL = `version: 1
name: ping
input:
  url: { type: string }
start: call
states:
  call:
    do:
      - http:
          url: "{{ input.url }}"
          headers: { authorization: "Bearer {{ secrets.API }}" }
      - set: { shown: "={{ secrets.API & '!' }}" }
      - log: "called with {{ secrets.API }}"
    next: done
  done: { final: true }
`;

/** The service the task calls: it records the Authorization headers it gets. */
async function target(): Promise<{ url: string; auth: string[]; close(): void }> {
  const auth: string[] = [];
  const server = http.createServer((req, res) => {
    auth.push(String(req.headers.authorization ?? ''));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, auth, close: () => server.close() };
}

describe('Vault KV v2', () => {
  let vault: VaultApi;
  before(async () => {
    vault = await startVaultApi({ token: 'hvs.root', roleId: 'role-1', secretId: 'secret-1' });
    vault.secrets.set('secret/stepwise/prod', { API: 'v1-key', PORT: 5432 });
    vault.secrets.set('kv/other', { X: 'y' });
  });
  after(() => vault.close());

  test('reads a secret with a token, and with an AppRole login', async () => {
    assert.deepEqual(await readVaultSecrets({ address: vault.url, mount: 'secret', path: 'stepwise/prod', token: 'hvs.root' }), { API: 'v1-key', PORT: '5432' });
    assert.deepEqual(await readVaultSecrets({ address: `${vault.url}/`, mount: 'kv', path: 'other', roleId: 'role-1', secretId: 'secret-1' }), { X: 'y' });
  });

  test('says what to check when Vault refuses, has no such secret, or cannot be reached', async () => {
    await assert.rejects(readVaultSecrets({ address: vault.url, mount: 'secret', path: 'stepwise/prod', token: 'wrong' }), /Vault answered 403 to reading secret\/stepwise\/prod: permission denied\. Check the token/);
    await assert.rejects(readVaultSecrets({ address: vault.url, mount: 'secret', path: 'missing', token: 'hvs.root' }), /404 .*Check vault\.mount and vault\.path/);
    await assert.rejects(readVaultSecrets({ address: vault.url, mount: 'secret', path: 'x', roleId: 'role-1', secretId: 'nope' }), /400 to the AppRole login: invalid role or secret ID/);
    await assert.rejects(readVaultSecrets({ address: vault.url, mount: 'secret', path: 'x' }), /needs a token .*VAULT_TOKEN.*VAULT_ROLE_ID/);
    await assert.rejects(readVaultSecrets({ address: 'http://127.0.0.1:9', mount: 'secret', path: 'x', token: 't' }), /Vault at http:\/\/127\.0\.0\.1:9 cannot be reached/);
  });
});

describe('stepwise serve with secrets from Vault', () => {
  let vault: VaultApi;
  let service: Awaited<ReturnType<typeof target>>;
  const procs: ServeProcess[] = [];
  before(async () => {
    vault = await startVaultApi({ token: 'hvs.serve' });
    vault.secrets.set('secret/stepwise', { API: 'vault-value-one' });
    service = await target();
  });
  after(async () => {
    await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    vault.close();
    service.close();
  });

  test('runs get the value, rotated values after a refresh, and nothing shows it', async () => {
    const tasks = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-vault-tasks-'));
    fs.writeFileSync(path.join(tasks, 'ping.task.yaml'), CALL);
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-vault-store-'));
    const p = await serve(['--store', store, '--tasks', tasks, '--port', '0', '--vault-path', 'stepwise', '--vault-refresh', '100ms'], { VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.serve' });
    procs.push(p);
    const runOnce = async (): Promise<string> => {
      const id = (await call(p.url!, 'POST', '/v1/runs', { task: 'ping', input: { url: service.url } })).json.run.id as string;
      await until('the run to end', async () => (await call(p.url!, 'GET', `/v1/runs/${id}`)).json.run.status === 'succeeded');
      return JSON.stringify((await call(p.url!, 'GET', `/v1/runs/${id}`)).json);
    };
    const first = await runOnce();
    assert.equal(service.auth.at(-1), 'Bearer vault-value-one');
    assert.ok(!first.includes('vault-value-one'), 'the run as the API shows it has no secret');
    assert.match(first, /••••••/);

    vault.secrets.set('secret/stepwise', { API: 'vault-value-two' });
    const reads = vault.reads;
    await until('two more reads of Vault', async () => vault.reads >= reads + 2);
    const second = await runOnce();
    assert.equal(service.auth.at(-1), 'Bearer vault-value-two');
    assert.ok(!second.includes('vault-value-two'));
    for (const file of fs.readdirSync(store, { recursive: true }) as string[]) {
      const full = path.join(store, file);
      if (fs.statSync(full).isFile()) assert.ok(!/vault-value-(one|two)/.test(fs.readFileSync(full, 'utf8')), `${file} holds no secret`);
    }
    assert.ok(!/vault-value/.test(p.stderr()), 'the log holds no secret');
  });

  test('refuses to start when Vault refuses its token, saying why', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--store', fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-vault-refused-')), '--port', '0', '--vault-path', 'stepwise'], {
      env: { ...process.env, VAULT_ADDR: vault.url, VAULT_TOKEN: 'hvs.wrong' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(err, /error: Vault answered 403 to reading secret\/stepwise: permission denied\. Check the token/);
  });

  test('a Vault path without an address is a settings error', async () => {
    const env = { ...process.env };
    delete env.VAULT_ADDR;
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--vault-path', 'stepwise'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 2);
    assert.match(err, /'vault\.path' is set but Vault's address is not: give 'vault\.address' \(--vault-address\) or VAULT_ADDR/);
  });
});

describe('stepwise run with STEPWISE_SECRET_*_FILE', () => {
  test('the file holds the value the call sends; the journal holds the mask', async () => {
    const service = await target();
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-secret-file-run-'));
      fs.writeFileSync(path.join(dir, 'ping.task.yaml'), CALL);
      fs.writeFileSync(path.join(dir, 'api-key'), 'from-a-file-123\n');
      const child = spawn(process.execPath, [cli, 'run', path.join(dir, 'ping.task.yaml'), '--store', path.join(dir, 'runs'), '--input', `url=${service.url}`], {
        env: { ...process.env, STEPWISE_SECRET_API_FILE: path.join(dir, 'api-key') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 0, out);
      assert.equal(service.auth.at(-1), 'Bearer from-a-file-123');
      const journal = fs.readdirSync(path.join(dir, 'runs')).filter((f) => f.endsWith('.jsonl')).map((f) => fs.readFileSync(path.join(dir, 'runs', f), 'utf8')).join('');
      assert.ok(journal.length > 0 && !journal.includes('from-a-file-123'), 'the journal holds no secret');
      assert.ok(!out.includes('from-a-file-123'), 'the output holds no secret');
    } finally {
      service.close();
    }
  });

  test('a missing file stops the run before it starts, naming the variable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-secret-file-missing-'));
    fs.writeFileSync(path.join(dir, 'ping.task.yaml'), CALL);
    const child = spawn(process.execPath, [cli, 'run', path.join(dir, 'ping.task.yaml'), '--store', path.join(dir, 'runs'), '--input', 'url=http://127.0.0.1:9/'], {
      env: { ...process.env, STEPWISE_SECRET_API_FILE: path.join(dir, 'absent') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 2);
    assert.match(err, /STEPWISE_SECRET_API_FILE names .*absent, which cannot be read \(ENOENT\)/);
    assert.ok(!fs.existsSync(path.join(dir, 'runs')) || fs.readdirSync(path.join(dir, 'runs')).length === 0, 'no run was journaled');
  });
});
