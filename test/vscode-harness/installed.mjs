// The installed-package test: packs the .vsix as `npm run package` does, installs it with
// code-server's --install-extension into a fresh extensions folder, runs its CLI and debug adapter
// from the installed folder (no node_modules anywhere above it), then opens a workbench WITHOUT the
// development extension and uses the installed copy like a person: the linter's problems, the
// graph editor, a run, a breakpoint. A file that the package lacks fails one of these steps. It
// also reads the extension's activation time from Developer: Show Running Extensions.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './setup.mjs';
import { freePort, startCodeServer, workbenchUrl, writeUserSettings } from './server.mjs';
import { goToLine, openFile, refocus, runCommand, stepwiseActivity, webviewFrame } from './ui.mjs';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;

/** Runs a command to its end; rejects with its output when it fails. */
function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5 * 60_000, ...options });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { status: r.status, output, error: r.error };
}

/** One DAP request over the adapter's stdio; resolves with its response. */
function dapRequest(adapterFile, command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [adapterFile], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffer = Buffer.alloc(0);
    let stderr = '';
    const timer = setTimeout(() => finish(new Error(`no response to '${command}' within 30 s; stderr: ${stderr}`)), 30_000);
    const finish = (err, value) => {
      clearTimeout(timer);
      child.kill();
      if (err) reject(err);
      else resolve(value);
    };
    child.on('error', (err) => finish(err));
    child.on('exit', (code) => finish(new Error(`the adapter exited (${code}) before answering; stderr: ${stderr}`)));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      buffer = Buffer.concat([buffer, d]);
      for (;;) {
        const header = buffer.indexOf('\r\n\r\n');
        if (header < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, header).toString())?.[1]);
        if (buffer.length < header + 4 + length) return;
        const message = JSON.parse(buffer.subarray(header + 4, header + 4 + length).toString());
        buffer = buffer.subarray(header + 4 + length);
        if (message.type === 'response' && message.command === command) return finish(undefined, message);
      }
    });
    const body = JSON.stringify({ seq: 1, type: 'request', command, arguments: args });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

/**
 * Runs the test's steps; `say` prints a line. Returns { passed, failed, tests, seconds } like
 * the other parts of the harness, and the activation figures (ms).
 */
export async function runInstalled({ browser, harness, root, say }) {
  const started = Date.now();
  const dir = path.join(root, 'installed');
  const dirs = { root: dir, userData: path.join(dir, 'user-data'), extensions: path.join(dir, 'extensions'), home: path.join(dir, 'home') };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  const vsix = path.join(dir, `${manifest.name}-${manifest.version}.vsix`);
  const workspace = path.join(dir, 'workspace');
  const steps = [];
  let page;
  let server;
  let installed;
  const activation = {};

  const step = async (title, fn) => {
    const t = Date.now();
    try {
      await fn();
      steps.push({ title: `installed: ${title}`, state: 'passed' });
      say(`  ✓ installed: ${title} (${Date.now() - t} ms)`);
    } catch (err) {
      const shot = path.join(dir, `failure-${steps.length + 1}.png`);
      if (page) await page.screenshot({ path: shot }).catch(() => undefined);
      steps.push({ title: `installed: ${title}`, state: 'failed', error: `${err?.stack ?? err}${page ? `\n(screenshot: ${shot})` : ''}` });
      say(`  ✗ installed: ${title}: ${err?.message ?? err}`);
      throw err;
    }
  };

  try {
    await step('npm run package builds the .vsix', async () => {
      const r = run(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--out', vsix], { cwd: ROOT });
      fs.writeFileSync(path.join(dir, 'package.log'), r.output);
      if (r.status !== 0 || !fs.existsSync(vsix)) throw new Error(`packaging failed (exit ${r.status ?? r.error}):\n${r.output.split('\n').slice(-25).join('\n')}`);
      const summary = r.output.split('\n').find((l) => l.includes('.vsix:'));
      if (summary) say(`    ${summary.trim()}`);
    });

    await step('code-server --install-extension installs it into a fresh extensions folder', async () => {
      const env = { ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: path.join(dirs.home, '.config'), XDG_DATA_HOME: path.join(dirs.home, '.local', 'share') };
      const r = run(harness.node, [harness.entry, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, '--install-extension', vsix], { env });
      if (r.status !== 0 || !/successfully installed/i.test(r.output)) throw new Error(`--install-extension failed (exit ${r.status ?? r.error}):\n${r.output}`);
      installed = path.join(dirs.extensions, `${EXTENSION_ID}-${manifest.version}`);
      if (!fs.existsSync(path.join(installed, 'package.json'))) throw new Error(`${installed} has no package.json; the extensions folder holds: ${fs.readdirSync(dirs.extensions).join(', ')}`);
      for (let d = installed; d !== path.dirname(d); d = path.dirname(d)) {
        if (fs.existsSync(path.join(d, 'node_modules'))) throw new Error(`${path.join(d, 'node_modules')} exists: the test would not show what the package lacks`);
      }
      // The workspace is the packaged samples, run offline: their own mocks files, the virtual clock.
      fs.cpSync(path.join(installed, 'samples'), workspace, { recursive: true });
      fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'stepwise.mocksFile': '${taskDir}/${taskName}.mocks.yaml', 'stepwise.clock': 'virtual' }, null, 2));
    });

    await step('every bundle a packaged bundle requires is in the package', async () => {
      const dist = path.join(installed, 'dist');
      const wanted = new Set();
      for (const name of fs.readdirSync(dist).filter((n) => n.endsWith('.js'))) {
        for (const m of fs.readFileSync(path.join(dist, name), 'utf8').matchAll(/require\(["']\.\/([\w.-]+\.js)["']\)/g)) wanted.add(m[1]);
      }
      if (!wanted.has('serve-run.js')) throw new Error(`no bundle requires another: the check reads nothing (${[...wanted].join(', ')})`);
      const absent = [...wanted].filter((f) => !fs.existsSync(path.join(dist, f)));
      if (absent.length) throw new Error(`the package lacks ${absent.join(', ')}, which its bundles require`);
    });

    await step('the installed CLI lints and runs the samples', async () => {
      const cli = path.join(installed, 'bin', 'stepwise.js');
      const lint = run(process.execPath, [cli, 'lint', 'broken.task.yaml'], { cwd: workspace });
      if (lint.status !== 1 || !lint.output.includes('[no-way-out]')) throw new Error(`stepwise lint broken.task.yaml (exit ${lint.status}):\n${lint.output}`);
      const deploy = run(process.execPath, [cli, 'run', 'deploy.task.yaml', '--mocks', 'deploy.mocks.yaml', '--clock', 'virtual', '--store', 'memory'], { cwd: workspace });
      if (deploy.status !== 0 || !/succeeded/.test(deploy.output)) throw new Error(`stepwise run deploy.task.yaml (exit ${deploy.status}):\n${deploy.output}`);
    });

    await step('the installed debug adapter answers initialize over stdio', async () => {
      const response = await dapRequest(path.join(installed, 'dist', 'debugAdapter.js'), 'initialize', { adapterID: 'stepwise', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
      if (!response.success || !response.body?.supportsConfigurationDoneRequest) throw new Error(`initialize answered ${JSON.stringify(response)}`);
    });

    const port = await freePort();
    writeUserSettings(dirs.userData, {});
    server = await startCodeServer({ harness, state: dirs, port, trust: true, log: path.join(dir, 'code-server.log') });
    page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await page.goto(workbenchUrl(server, { folder: workspace }));

    await step('the workbench loads the installed extension, with no development path', async () => {
      await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 90_000 });
      await stepwiseActivity(page).waitFor({ timeout: 60_000 });
    });

    await step('Developer: Show Running Extensions and Startup Performance show its activation time', async () => {
      await runCommand(page, 'Developer: Show Running Extensions');
      const list = page.locator('.runtime-extensions-editor .monaco-list');
      await list.locator('.monaco-list-row .activation-time', { hasText: /\d+ms/ }).first().waitFor({ timeout: 60_000 });
      // The list is sorted slowest first and draws only the rows in sight: scroll down to ours.
      const row = list.locator('.monaco-list-row').filter({ has: page.locator('.name', { hasText: /^(Stepwise|stepwise\.stepwise)$/ }) }).first();
      const box = await list.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 40 && !(await row.count()); i++) {
        await page.mouse.wheel(0, 200);
        await page.waitForTimeout(100);
      }
      await row.locator('.activation-time', { hasText: /\d+ms/ }).waitFor({ timeout: 60_000 });
      const shown = (await row.locator('.activation-time').innerText()).trim();
      activation.shown = Number(/(\d+)ms/.exec(shown)[1]);
      await page.keyboard.press('Escape');
      await runCommand(page, 'View: Close All Editors');
      // The same figures, split: the Extension Activation Stats table of the performance report.
      await runCommand(page, 'Developer: Startup Performance');
      await page.locator('.monaco-editor .view-line', { hasText: 'System Info' }).first().waitFor({ timeout: 60_000 });
      await page.keyboard.press('Control+F');
      await page.locator('.find-widget.visible').waitFor({ timeout: 10_000 });
      await page.keyboard.type(`| ${EXTENSION_ID} |`);
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      const line = page.locator('.monaco-editor .view-line', { hasText: `| ${EXTENSION_ID} |` }).first();
      await line.waitFor({ timeout: 15_000 });
      const cells = (await line.innerText()).replace(/\u00a0/g, ' ').split('|').map((c) => c.trim());
      [activation.codeLoading, activation.activateCall, activation.activateResolved] = cells.slice(3, 6).map(Number);
      say(`    activation: ${activation.shown} ms as Developer: Show Running Extensions shows it ("${shown}"); Developer: Startup Performance: load code ${activation.codeLoading} ms, call activate ${activation.activateCall} ms, finish activate ${activation.activateResolved} ms (${cells[6]})`);
      await runCommand(page, 'View: Close All Editors');
    });

    await step('broken.task.yaml shows its problems in the editor and the Problems panel', async () => {
      await openFile(page, 'broken.task.yaml');
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
      await runCommand(page, 'View: Focus Problems');
      await page.locator('.markers-panel .monaco-list-row', { hasText: "did you mean 'process'" }).first().waitFor({ timeout: 30_000 });
      const all = (await page.locator('.markers-panel').allInnerTexts()).join('\n');
      for (const code of ['unknown-target', 'no-way-out', 'unreachable-state']) {
        if (!all.includes(code)) throw new Error(`the Problems panel does not show ${code}:\n${all}`);
      }
      await runCommand(page, 'View: Hide Panel');
    });

    await step('Stepwise: Open Graph draws deploy.task.yaml, laid out by ELK', async () => {
      await runCommand(page, 'View: Close All Editors');
      await openFile(page, 'deploy.task.yaml');
      await runCommand(page, 'Stepwise: Open Graph');
      const graph = webviewFrame(page);
      await graph.locator('.react-flow__node').first().waitFor({ state: 'visible', timeout: 60_000 });
      await graph.locator('main.sw-canvas[data-busy="false"]:not([data-layout="none"])').waitFor({ timeout: 60_000 });
      const nodes = await graph.locator('.react-flow__node').count();
      if (nodes <= 3) throw new Error(`the graph shows ${nodes} nodes`);
      await runCommand(page, 'View: Close All Editors');
    });

    await step('Stepwise: Run Task runs hello.task.yaml to succeeded, in the Output and the Runs view', async () => {
      await openFile(page, 'hello.task.yaml');
      await runCommand(page, 'Stepwise: Run Task');
      await runCommand(page, 'Stepwise: Show Output');
      const out = page.locator('.part.panel .monaco-editor .view-lines');
      await out.filter({ hasText: 'succeeded' }).first().waitFor({ timeout: 60_000 });
      const text = (await out.first().innerText()).replace(/\u00a0/g, ' ');
      if (!text.includes('log Hello, world!')) throw new Error(`the Output panel lacks the run's log line:\n${text}`);
      await stepwiseActivity(page).click();
      await page.locator('.pane-body .monaco-list-row', { hasText: 'hello' }).filter({ hasText: 'succeeded' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    });

    await step('F9 on a state and F5: the debug session stops at the breakpoint', async () => {
      await refocus(page);
      await runCommand(page, 'View: Close All Editors');
      await openFile(page, 'deploy.task.yaml');
      const line = fs.readFileSync(path.join(workspace, 'deploy.task.yaml'), 'utf8').split('\n').findIndex((l) => l.trim() === 'compare:') + 1;
      await page.locator('.monaco-editor .view-line', { hasText: 'version: 1' }).first().waitFor({ timeout: 15_000 });
      await goToLine(page, line);
      await page.locator('.monaco-editor .view-line', { hasText: 'compare:' }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('F9');
      await page.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('F5');
      await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 60_000 });
      const stopped = page.locator('.monaco-editor .debug-top-stack-frame-line').first();
      await stopped.waitFor({ timeout: 60_000 });
      // The Call Stack view shows the stop on the breakpoint's line, in the state compare.
      const frame = page.locator('.debug-call-stack .monaco-list-row', { hasText: 'compare' }).first();
      await frame.waitFor({ timeout: 30_000 });
      const where = (await frame.innerText()).replace(/\s+/g, ' ');
      if (!where.includes(`${line}:`)) throw new Error(`the top frame is '${where}', not on line ${line}`);
      await page.keyboard.press('Shift+F5');
      await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
    });
  } catch {
    // The step that failed is recorded; the ones after it depended on it.
  } finally {
    await page?.close().catch(() => undefined);
    await server?.stop();
  }
  const failed = steps.filter((s) => s.state === 'failed').length;
  return { passed: steps.length - failed, failed, tests: steps, seconds: (Date.now() - started) / 1000, activation };
}
