// `stepwise serve` settings: defaults, the YAML file, STEPWISE_TOKEN and flags, in that order; and
// the file store's retention.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, DEFAULTS, isLoopback, resolveConfig } from '../../engine/server/config';
import { checkBind } from '../../engine/server/serve';
import { fileStore } from '../../engine/store/file';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-config-'));
}

test('defaults, then the file, then STEPWISE_TOKEN, then flags', () => {
  assert.deepEqual(resolveConfig({ env: {} }), DEFAULTS);
  const file = path.join(tmp(), 'serve.yaml');
  fs.writeFileSync(
    file,
    ['store: postgres://db/stepwise', 'workers: 4', 'retention: 7d', 'recovery:', '  retryAfter: 5m', '  exclude: [deploy]', 'lease:', '  ttl: 10s', 'api: false', 'token: from-file'].join('\n'),
  );
  const c = resolveConfig({ file, env: { STEPWISE_TOKEN: 'from-env' }, flags: { workers: '2', 'recovery.maxAttempts': '5', 'recovery.exclude': 'a, b' } });
  assert.equal(c.store, 'postgres://db/stepwise');
  assert.equal(c.workers, 2);
  assert.equal(c.retention, '7d');
  assert.equal(c.recovery.retryAfter, '5m');
  assert.equal(c.recovery.maxAttempts, 5);
  assert.deepEqual(c.recovery.exclude, ['a', 'b']);
  assert.equal(c.lease.ttl, '10s');
  assert.equal(c.api, false);
  assert.equal(c.token, 'from-env');
  assert.equal(c.host, '127.0.0.1');
});

test('clear errors for unknown keys and bad values', () => {
  const dir = tmp();
  const write = (text: string) => {
    const f = path.join(dir, `${Math.random()}.yaml`);
    fs.writeFileSync(f, text);
    return f;
  };
  assert.throws(() => resolveConfig({ file: write('workerz: 2') }), (e: Error) => e instanceof ConfigError && /unknown key 'workerz'/.test(e.message));
  assert.throws(() => resolveConfig({ file: write('recovery:\n  retryAfter: soon') }), /'recovery.retryAfter' must be a duration/);
  assert.throws(() => resolveConfig({ file: write('workers: -1') }), /whole number/);
  assert.throws(() => resolveConfig({ file: write('[1, 2]') }), /must be a mapping/);
  assert.throws(() => resolveConfig({ file: path.join(dir, 'missing.yaml') }), /Cannot read the config file/);
  assert.throws(() => resolveConfig({ flags: { clock: 'fast' } }), /--clock: 'clock' must be 'real' or 'virtual'/);
  assert.throws(() => resolveConfig({ flags: { 'recovery.maxAttempts': '0' } }), /at least 1/);
  for (const bad of ['stepwise.example.com:8080', 'https://stepwise.example.com', '*.example.com', 'a b']) {
    assert.throws(() => resolveConfig({ file: write(`allowedHosts: [${JSON.stringify(bad)}]`) }), /'allowedHosts' must be host names/, bad);
  }
});

test('allowed hosts: a list in the file or a comma-separated flag, in lower case', () => {
  const file = path.join(tmp(), 'serve.yaml');
  fs.writeFileSync(file, 'allowedHosts: [Stepwise.Example.com, "[::2]"]\n');
  assert.deepEqual(resolveConfig({ file, env: {} }).allowedHosts, ['stepwise.example.com', '[::2]']);
  assert.deepEqual(resolveConfig({ env: {}, flags: { allowedHosts: 'a.internal, B.internal' } }).allowedHosts, ['a.internal', 'b.internal']);
});

test('a non-loopback address needs a token', () => {
  for (const h of ['127.0.0.1', 'localhost', '::1', '127.1.2.3']) assert.equal(isLoopback(h), true, h);
  for (const h of ['0.0.0.0', '10.0.0.5', '::', 'example.com']) assert.equal(isLoopback(h), false, h);
  assert.throws(() => checkBind({ ...DEFAULTS, host: '0.0.0.0' }), /without a token/);
  checkBind({ ...DEFAULTS, host: '0.0.0.0', token: 't' });
  checkBind({ ...DEFAULTS, host: '0.0.0.0', api: false });
});

test('the file store honours retention: finished runs older than it are deleted, running ones kept', async () => {
  const dir = tmp();
  const store = fileStore(dir);
  const ev = (runId: string, seq: number, type: 'run-started' | 'run-ended'): any =>
    type === 'run-started' ? { seq, at: 1, type, runId, task: 't', input: {}, data: {}, clock: 'real' } : { seq, at: 2, type, status: 'succeeded' };
  await store.append('old', [ev('old', 1, 'run-started'), ev('old', 2, 'run-ended')]);
  await store.append('recent', [ev('recent', 1, 'run-started'), ev('recent', 2, 'run-ended')]);
  await store.append('running', [ev('running', 1, 'run-started')]);
  await store.sendEvent('old', 'x', null);
  const longAgo = new Date(Date.now() - 40 * 86_400_000);
  fs.utimesSync(path.join(dir, 'old.jsonl'), longAgo, longAgo);
  fs.utimesSync(path.join(dir, 'running.jsonl'), longAgo, longAgo);
  assert.equal(await store.prune!(30 * 86_400_000), 1);
  assert.deepEqual((await store.list()).sort(), ['recent', 'running']);
  assert.equal(fs.existsSync(path.join(dir, 'old.inbox.jsonl')), false);
  await store.close();
});
