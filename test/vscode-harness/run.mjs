// `npm run test:vscode`: runs the extension's integration suite (test/vscode, compiled to
// out/vscode) inside a real VS Code — code-server's workbench in headless Chromium — then one
// journey driven through the UI like a person, then the suite's trust tests in Restricted Mode,
// then the packaged .vsix installed and used like a person (installed.mjs; it leaves dist/ with the
// production build, so it comes last). Prints `vscode: N passed, N failed` last and exits non-zero
// on any failure.
//
// Options: --no-suite, --no-journey, --no-trust, --no-installed, --installed-only (the .vsix test alone),
// --grep TEXT (only the tests whose title contains TEXT, in the trusted window),
// --keep (keep the temporary folders and print where).
// Screenshots go to STEPWISE_SCREENSHOTS, by default the git-ignored .scratch/screenshots/; `npm run
// screenshots` points it at docs/images/ to refresh the README's pictures.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureHarness, ROOT } from './setup.mjs';
import { freePort, launchBrowser, startCodeServer, tail, tempState, workbenchUrl, writeUserSettings } from './server.mjs';
import { journey, prepareJourneyWorkspace } from './journey.mjs';
import { runInstalled } from './installed.mjs';
import { startWebviewProbe } from './webview-probe.mjs';

const args = new Set(process.argv.slice(2));
const SCREENSHOTS = path.resolve(ROOT, process.env.STEPWISE_SCREENSHOTS || path.join('.scratch', 'screenshots'));
const installedOnly = args.has('--installed-only');
const grepAt = process.argv.indexOf('--grep');
const grep = grepAt > 0 ? process.argv[grepAt + 1] : undefined;
const SUITE_INDEX = path.join(ROOT, 'out', 'vscode', 'test', 'vscode', 'index.js');
const SUITE_TIMEOUT_MS = 10 * 60_000;

function say(line) {
  process.stdout.write(line + '\n');
}

function elapsed(t) {
  return `${((Date.now() - t) / 1000).toFixed(1)} s`;
}

/** A copy of samples/ to open as the workspace: tests write files and runs into it. */
function workspaceCopy(state, name) {
  const dir = path.join(state.root, name);
  fs.cpSync(path.join(ROOT, 'samples'), dir, { recursive: true });
  return dir;
}

/**
 * Opens the workbench with the suite as `extensionTestsPath`; the suite's exit code arrives
 * through `codeAutomationExit`, its per-test results through the JSON file it writes.
 */
async function runSuite({ browser, harness, state, label, trust, grep }) {
  const started = Date.now();
  const resultFile = path.join(state.root, `${label}-result.json`);
  const port = await freePort();
  let page;
  const probe = await startWebviewProbe(() => page);
  const env = { STEPWISE_TEST_RESULT: resultFile, STEPWISE_TEST_GREP: grep ?? '', STEPWISE_EXPECT_TRUST: trust ? '1' : '0', STEPWISE_WEBVIEW_PROBE: probe.url };
  const server = await startCodeServer({ harness, state, port, trust, env, log: path.join(state.root, `${label}-code-server.log`) });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const logs = [];
  try {
    const exit = new Promise((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code)));
    });
    await page.exposeFunction('codeAutomationLog', (...parts) => {
      const text = parts.map(String).join(' ');
      logs.push(text);
      if (process.env.STEPWISE_HARNESS_VERBOSE) say(`    [host] ${text}`);
    });
    const workspace = workspaceCopy(state, `${label}-workspace`);
    await page.goto(workbenchUrl(server, { folder: workspace, extensionPath: ROOT, testsPath: SUITE_INDEX }));
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), SUITE_TIMEOUT_MS)));
    const code = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    let result;
    try {
      result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    } catch {
      result = undefined;
    }
    if (!result) {
      const why = code === 'timeout' ? `did not finish within ${SUITE_TIMEOUT_MS / 60000} min` : `exited with ${code} without writing results`;
      await page.screenshot({ path: path.join(state.root, `${label}-failure.png`) }).catch(() => undefined);
      return { passed: 0, failed: 1, tests: [{ title: `${label}: the suite ${why}`, state: 'failed', error: `${logs.slice(-20).join('\n')}\n--- code-server log ---\n${tail(server.logFile)}` }], seconds: (Date.now() - started) / 1000 };
    }
    return { ...result, seconds: (Date.now() - started) / 1000 };
  } finally {
    await page.close().catch(() => undefined);
    await server.stop();
    await probe.close();
  }
}

async function runJourney({ browser, harness, state }) {
  const started = Date.now();
  const port = await freePort();
  const server = await startCodeServer({ harness, state, port, trust: true, log: path.join(state.root, 'journey-code-server.log') });
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  const steps = [];
  try {
    const workspace = workspaceCopy(state, 'journey-workspace');
    prepareJourneyWorkspace(workspace);
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.goto(workbenchUrl(server, { folder: workspace, extensionPath: ROOT }));
    await journey({
      page,
      workspace,
      screenshots: SCREENSHOTS,
      step: async (title, fn) => {
        const t = Date.now();
        try {
          await fn();
          steps.push({ title: `journey: ${title}`, state: 'passed', ms: Date.now() - t });
          say(`  ✓ journey: ${title} (${Date.now() - t} ms)`);
        } catch (err) {
          const shot = path.join(state.root, `journey-failure-${steps.length + 1}.png`);
          await page.screenshot({ path: shot }).catch(() => undefined);
          steps.push({ title: `journey: ${title}`, state: 'failed', error: `${err?.stack ?? err}\n(screenshot: ${shot})` });
          say(`  ✗ journey: ${title}: ${err?.message ?? err}`);
          throw err;
        }
      },
    }).catch(() => undefined);
  } finally {
    await page.close().catch(() => undefined);
    await server.stop();
  }
  const failed = steps.filter((s) => s.state === 'failed').length;
  return { passed: steps.length - failed, failed, tests: steps, seconds: (Date.now() - started) / 1000 };
}

async function main() {
  const t0 = Date.now();
  if (!installedOnly && (!fs.existsSync(SUITE_INDEX) || !fs.existsSync(path.join(ROOT, 'dist', 'extension.js')))) {
    throw new Error('Build first: npm run build && npm run compile-vscode-tests (npm run test:vscode does both).');
  }
  const harness = ensureHarness();
  say(`vscode-harness: code-server and Node 24 ready (${elapsed(t0)})`);
  const state = tempState();
  writeUserSettings(state.userData, {});
  const browser = await launchBrowser();
  const parts = [];
  try {
    if (!installedOnly && !args.has('--no-suite')) {
      say('vscode-harness: integration suite in code-server (trusted workspace)');
      const suite = await runSuite({ browser, harness, state, label: 'suite', trust: true, grep });
      parts.push(suite);
      say(`  suite: ${suite.passed} passed, ${suite.failed} failed in ${suite.seconds.toFixed(1)} s`);
    }
    if (!installedOnly && !args.has('--no-trust')) {
      say('vscode-harness: trust tests in Restricted Mode');
      const trust = await runSuite({ browser, harness, state, label: 'restricted', trust: false, grep: 'restricted mode' });
      parts.push(trust);
      say(`  restricted: ${trust.passed} passed, ${trust.failed} failed in ${trust.seconds.toFixed(1)} s`);
    }
    if (!installedOnly && !args.has('--no-journey')) {
      say(`vscode-harness: journey through the UI (screenshots in ${path.relative(ROOT, SCREENSHOTS)}/)`);
      const j = await runJourney({ browser, harness, state });
      parts.push(j);
      say(`  journey: ${j.passed} passed, ${j.failed} failed in ${j.seconds.toFixed(1)} s`);
    }
    if (!args.has('--no-installed')) {
      say('vscode-harness: the packaged .vsix, installed into code-server and used through the UI');
      const inst = await runInstalled({ browser, harness, root: state.root, say });
      parts.push(inst);
      say(`  installed: ${inst.passed} passed, ${inst.failed} failed in ${inst.seconds.toFixed(1)} s`);
    }
  } finally {
    await browser.close().catch(() => undefined);
  }
  const tests = parts.flatMap((p) => p.tests);
  for (const t of tests.filter((x) => x.state === 'failed')) say(`\nFAILED ${t.title}\n${t.error ?? ''}`);
  const passed = parts.reduce((n, p) => n + p.passed, 0);
  const failed = parts.reduce((n, p) => n + p.failed, 0);
  if (failed || args.has('--keep')) say(`\nTemporary state kept in ${state.root}`);
  else fs.rmSync(state.root, { recursive: true, force: true });
  say(`vscode-harness: done in ${elapsed(t0)}`);
  say(`vscode: ${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  say(`vscode-harness error: ${err?.stack ?? err}`);
  say('vscode: 0 passed, 1 failed');
  process.exitCode = 1;
});
