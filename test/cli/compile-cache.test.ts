// The CLI's entry point runs its bundle from V8's code cache (engine/cli/start.ts): the built
// dist/cli.js in child processes, each test with a temporary folder of its own (TMPDIR).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist', 'cli.js');
const hello = path.join(root, 'samples', 'hello.task.yaml');
const broken = path.join(root, 'samples', 'broken.task.yaml');
const cacheDir = (tmp: string) => path.join(tmp, `stepwise-compile-cache-${process.getuid?.() ?? os.userInfo().username}`);

function stepwise(args: string[], tmp: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp, ...env }, timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function withTmp(fn: (tmp: string) => void): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-cc-'));
  try {
    fn(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The cache files (name, inode, bytes) in the test's cache folder. */
function cacheFiles(tmp: string): Array<{ name: string; ino: number; data: Buffer }> {
  const dir = cacheDir(tmp);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).map((name) => ({ name, ino: fs.statSync(path.join(dir, name)).ino, data: fs.readFileSync(path.join(dir, name)) }));
}

test('the first run leaves a cache only its user can read, and later runs use it as it is', () => {
  withTmp((tmp) => {
    const first = stepwise(['run', hello, '--store', 'memory'], tmp);
    assert.equal(first.code, 0, first.stderr);
    const written = cacheFiles(tmp);
    assert.equal(written.length, 1);
    assert.ok(written[0].data.length > 100_000, 'the cache holds the compiled functions');
    if (process.platform !== 'win32') {
      assert.equal(fs.statSync(cacheDir(tmp)).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.join(cacheDir(tmp), written[0].name)).mode & 0o777, 0o600);
    }
    // A cache V8 rejected would be written again (a new file renamed over the old: a new inode).
    for (let i = 0; i < 2; i++) {
      const again = stepwise(['run', hello, '--store', 'memory'], tmp);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /succeeded/);
      assert.deepEqual(cacheFiles(tmp), written);
    }
  });
});

test('the same output and exit code with the cache, without it, with source maps, and with a damaged one', () => {
  withTmp((tmp) => {
    const plain = stepwise(['lint', broken], tmp, { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(plain.code, 1, plain.stderr);
    assert.match(plain.stdout, /no-way-out/);
    assert.deepEqual(cacheFiles(tmp), [], 'NODE_DISABLE_COMPILE_CACHE turns the cache off');
    const mapped = stepwise(['lint', broken], tmp, { NODE_OPTIONS: '--enable-source-maps' });
    assert.deepEqual(cacheFiles(tmp), [], 'with source maps on, Node loads the bundle itself');
    const cold = stepwise(['lint', broken], tmp);
    const warm = stepwise(['lint', broken], tmp);
    const [{ name }] = cacheFiles(tmp);
    fs.writeFileSync(path.join(cacheDir(tmp), name), Buffer.alloc(4096, 7));
    const damaged = stepwise(['lint', broken], tmp);
    for (const r of [mapped, cold, warm, damaged]) assert.deepEqual(r, plain);
    const [rewritten] = cacheFiles(tmp);
    assert.equal(rewritten.name, name);
    assert.notDeepEqual(rewritten.data, Buffer.alloc(4096, 7), 'a damaged cache is replaced');
  });
});

test('parts in bundles of their own load from a cached run (graph loads ELK)', () => {
  withTmp((tmp) => {
    for (let i = 0; i < 2; i++) {
      const r = stepwise(['graph', hello, '--format', 'svg'], tmp);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^<svg[\s\S]*<\/svg>\s*$/);
    }
  });
});

test('the bundle has no import(): a vm.Script has no loader for it', () => {
  const bundle = fs.readFileSync(path.join(root, 'dist', 'cli-main.js'), 'utf8');
  assert.doesNotMatch(bundle, /\bimport\(\s*["'`]/);
});

test('a cache folder that others can write is not used', () => {
  withTmp((tmp) => {
    fs.mkdirSync(cacheDir(tmp), { mode: 0o777 });
    fs.chmodSync(cacheDir(tmp), 0o777);
    const r = stepwise(['run', hello, '--store', 'memory'], tmp);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(cacheFiles(tmp), []);
  });
});

test('stale caches of earlier builds are removed when a new one is written; other Nodes keep theirs', () => {
  withTmp((tmp) => {
    stepwise(['run', hello, '--store', 'memory'], tmp);
    const [{ name }] = cacheFiles(tmp);
    // <bundle>-<v8>-<arch>-<size>-<mtime>.bin
    const build = name.slice(0, name.lastIndexOf('-', name.lastIndexOf('-') - 1) + 1);
    const stale = [`${build}1-2.bin`, `${name}.4242`];
    for (const s of stale) fs.writeFileSync(path.join(cacheDir(tmp), s), 'old');
    const kept = [`${name.split('-')[0]}-9.9.9.9-${process.arch}-1-2.bin`, 'ffffffff-1-2-another-bundle.bin'];
    for (const k of kept) fs.writeFileSync(path.join(cacheDir(tmp), k), 'another Node or another install of the CLI');
    fs.rmSync(path.join(cacheDir(tmp), name));
    stepwise(['run', hello, '--store', 'memory'], tmp);
    assert.deepEqual(cacheFiles(tmp).map((f) => f.name).sort(), [name, ...kept].sort());
  });
});
