// Starts code-server (a real VS Code workbench + Node extension host) on the loopback with its own
// throw-away state, and a headless Chromium to open it. See ../shared/docs/real-vscode-tests.md
// for why each flag is there.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium } from './setup.mjs';

/** User settings that keep the workbench quiet and predictable for tests and screenshots. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'git.enabled': false,
  'security.workspace.trust.startupPrompt': 'never',
  'window.commandCenter': false,
};

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh temporary folder tree for one server: user data, extensions, HOME. */
export function tempState(prefix = 'stepwise-vscode-') {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dirs = { root, userData: path.join(root, 'user-data'), extensions: path.join(root, 'extensions'), home: path.join(root, 'home') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  return dirs;
}

export function writeUserSettings(userData, settings) {
  const dir = path.join(userData, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
}

/**
 * Starts code-server in its own process group (so that ending the group also ends the file
 * watcher it leaves behind). Resolves once GET /healthz answers.
 */
export async function startCodeServer({ harness, state, port, trust = true, env = {}, log }) {
  const config = path.join(state.root, 'config.yaml');
  fs.writeFileSync(config, '');
  const args = [
    harness.entry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--reconnection-grace-time', '5',
    '--config', config,
    '--user-data-dir', state.userData,
    '--extensions-dir', state.extensions,
    '--vscode-option', 'enable-smoke-test-driver',
  ];
  if (trust) args.push('--disable-workspace-trust');
  const logFile = log ?? path.join(state.root, 'code-server.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(harness.node, args, {
    detached: true, // setsid: its own process group
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      ...env,
      HOME: state.home,
      XDG_CONFIG_HOME: path.join(state.home, '.config'),
      XDG_DATA_HOME: path.join(state.home, '.local', 'share'),
      XDG_CACHE_HOME: path.join(state.home, '.cache'),
      PATH: `${path.dirname(harness.node)}${path.delimiter}${process.env.PATH ?? ''}`,
    },
  });
  fs.closeSync(out);
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const until = Date.now() + 5000;
    while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const base = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited at start; see ${logFile}:\n${tail(logFile)}`);
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return { base, port, child, stop, logFile };
}

export function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * The workbench URL that opens `folder` with the extension under development (and tests), or
 * without `extensionPath` with the installed extensions only.
 */
export function workbenchUrl(server, { folder, extensionPath, testsPath }) {
  const url = `${server.base}/?folder=${encodeURIComponent(folder)}`;
  if (!extensionPath) return url;
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionPath)]];
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  return `${url}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
