// `npm start`: builds, then opens a scratch copy of samples/ (.scratch/samples, made on the first
// start; delete it for a fresh copy) with the extension loaded — in the local `code` when it is
// installed, else in code-server (installed on first use into .cache/), whose 127.0.0.1 URL is
// printed for a browser. Ctrl-C stops code-server.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { scratchSamples } from './scratch.mjs';
import { ensureHarness, ROOT } from './setup.mjs';
import { freePort, startCodeServer, tempState, workbenchUrl, writeUserSettings } from './server.mjs';

const samples = scratchSamples(ROOT);

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit', cwd: ROOT });

if (onPath('code') && !process.env.STEPWISE_USE_CODE_SERVER) {
  console.log(`Opening ${samples} in VS Code with the extension from ${ROOT}`);
  spawn('code', [`--extensionDevelopmentPath=${ROOT}`, samples], { stdio: 'inherit', detached: true }).unref();
} else {
  const harness = ensureHarness();
  const state = tempState('stepwise-start-');
  // The samples run offline: each with its own mocks file, on the virtual clock.
  writeUserSettings(state.userData, {
    'stepwise.mocksFile': '${taskDir}/${taskName}.mocks.yaml',
    'stepwise.clock': 'virtual',
    'workbench.startupEditor': 'none',
  });
  const port = Number(process.env.STEPWISE_PORT) || (await freePort());
  const server = await startCodeServer({ harness, state, port, trust: true });
  const url = workbenchUrl(server, { folder: samples, extensionPath: ROOT });
  console.log(`\ncode-server is running with the Stepwise extension loaded, on ${samples} (your copy of samples/). Open in a browser:\n`);
  console.log(`  ${url}\n`);
  console.log('Ctrl-C stops it.');
  if (process.env.DISPLAY && onPath('xdg-open')) spawn('xdg-open', [url], { stdio: 'ignore', detached: true }).unref();
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Stay alive while the server runs.
  server.child.on('exit', (code) => {
    console.log(`code-server exited (${code ?? 'signal'})`);
    process.exit(code ?? 1);
  });
}
