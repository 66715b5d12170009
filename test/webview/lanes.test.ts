// Fan-out lanes and test coverage on the built webview in headless Chromium (fake host, see
// harness.ts): release.task.yaml's parallel drawn as a lane per branch and its map as `× items`
// with its concurrency; a run's branch and item statuses on the lanes; a lane that calls a task
// asks the host to open it; the inspector's branch and map fields propose the fan-out edits; the
// coverage message paints the nodes and edges. Saves light and dark screenshots to .scratch/.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runPath } from '../../engine/graph/runPath';
import { parseMocks } from '../../engine/runtime/mocks';
import { parseOnlyLoader, runToEnd, virtualEngine } from '../helpers/tasks';
import { chromiumPath, openEditor, readSample, ROOT, startEnv, type FakeHost, type TestEnv } from './harness';

const available = !!chromiumPath();
if (!available && process.env.STEPWISE_REQUIRE_BROWSER === '1') throw new Error('Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)');

const node = (id: string) => `.react-flow__node[data-id="${id}"]`;
const lanes = (state: string) => `${node(state)} .sw-fanout .sw-lane[data-lane]`;

async function release(env: TestEnv, theme: 'light' | 'dark' = 'dark'): Promise<FakeHost> {
  const host = await openEditor(env, { text: readSample('release.task.yaml'), fileName: 'release.task.yaml', theme, width: 1280, height: 860 });
  await host.waitForNodes(4);
  await host.waitForLayout();
  return host;
}

/** release.task.yaml run to its end with its mocks on the virtual clock, as Show on Graph shows it. */
/** Waits for the page's finite animations and transitions to end and two frames to paint: a screenshot shows where things came to rest. */
async function settled(page: FakeHost['page']): Promise<void> {
  await page.evaluate(async () => {
    const doc = (globalThis as unknown as { document: any }).document;
    const finite = doc.getAnimations().filter((a: any) => a.effect?.getComputedTiming().iterations !== Infinity);
    await Promise.all(finite.map((a: any) => a.finished.catch(() => undefined)));
    await new Promise((r) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(r)));
  });
}

async function releaseRun() {
  const file = path.join(ROOT, 'samples', 'release.task.yaml');
  const mocksFile = path.join(ROOT, 'samples', 'release.mocks.yaml');
  const { engine } = virtualEngine({ loadTask: parseOnlyLoader, mocks: parseMocks(fs.readFileSync(mocksFile, 'utf8'), mocksFile) });
  const { state, journal } = await runToEnd(engine, parseOnlyLoader(file));
  assert.equal(state.status, 'succeeded');
  return runPath(journal, { id: state.runId, where: 'local' });
}

describe('fan-out lanes and coverage on the graph (Chromium)', { skip: available ? false : 'Chromium not found' }, () => {
  let env: TestEnv;
  before(async () => {
    env = await startEnv();
  });
  after(async () => {
    await env?.close();
  });

  it("draws the parallel's branches as lanes and the map as × items with its concurrency", async () => {
    const host = await release(env);
    const page = host.page;
    assert.deepEqual(await page.locator(lanes('build')).evaluateAll((els) => els.map((e) => e.getAttribute('data-lane'))), ['web', 'api', 'docs']);
    assert.deepEqual(await page.locator(`${lanes('build')} .sw-lane-summary`).allTextContents(), ['./build-image.task.yaml', './build-image.task.yaml', './build-image.task.yaml']);
    assert.equal(await page.locator(`${node('deploy')} .sw-row.sw-kind-map .sw-row-summary`).textContent(), '× input.regions, 2 at once');
    assert.equal(await page.locator(`${node('deploy')} .sw-fanout[data-fanout="map"] .sw-lane .sw-lane-summary`).textContent(), './deploy-region.task.yaml');
    // The lanes fit inside their node (its size is known before layout).
    const box = (await page.locator(`${node('build')} .sw-node`).boundingBox())!;
    const last = (await page.locator(lanes('build')).last().boundingBox())!;
    assert.ok(last.y + last.height <= box.y + box.height, `the last lane ends at ${last.y + last.height}, the node at ${box.y + box.height}`);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it("shows a run's branch and item statuses on the lanes, and a click on a lane asks to open the called task", async () => {
    const host = await release(env);
    const page = host.page;
    await host.send({ type: 'debug', debug: await releaseRun() });
    await page.waitForSelector(`${lanes('build')}[data-status="succeeded"]`);
    assert.deepEqual(await page.locator(lanes('build')).evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))), ['succeeded', 'succeeded', 'succeeded']);
    assert.deepEqual(await page.locator(`${node('deploy')} .sw-item-dot`).evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))), ['succeeded', 'succeeded', 'succeeded']);
    // Under way: one branch running, one failed, one cancelled; two of three items done.
    await host.send({
      type: 'debug',
      debug: { active: true, current: 'build', visited: ['build'], taken: [], fanouts: [{ state: 'build', index: 0, lanes: { web: 'running', api: 'failed', docs: 'cancelled' } }, { state: 'deploy', index: 0, lanes: { '0': 'succeeded', '1': 'running' }, items: 3 }] },
    });
    await page.waitForSelector(`${lanes('build')}[data-lane="api"][data-status="failed"]`);
    assert.deepEqual(await page.locator(lanes('build')).evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))), ['running', 'failed', 'cancelled']);
    assert.deepEqual(await page.locator(`${node('deploy')} .sw-item-dot`).evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))), ['succeeded', 'running', 'pending']);
    assert.equal(await page.locator(`${node('deploy')} .sw-lane`).getAttribute('data-status'), 'running');
    await page.locator(`${lanes('build')}[data-lane="api"]`).click();
    const open = await host.waitFor('openTask');
    assert.equal(open.task, './build-image.task.yaml');
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it("edits branches and the map's options in the inspector, one edit each", async () => {
    const host = await release(env);
    const page = host.page;
    await page.locator(`${node('build')} .sw-node-name`).click();
    await page.locator('.sw-inspector button[aria-label^="Instruction 1: parallel"]').click();
    const name = page.locator('.sw-inspector .sw-branch[data-branch="docs"] input[aria-label="Branch"]');
    await name.fill('manual');
    await name.press('Enter');
    const renamed = await host.waitFor('edit');
    assert.deepEqual(renamed.operation, { type: 'renameBranch', state: 'build', index: 0, branch: 'docs', newName: 'manual' });
    await page.waitForSelector(`${lanes('build')}[data-lane="manual"]`);
    await page.locator('.sw-inspector vscode-button:has-text("Add branch")').click();
    const added = await host.waitFor('edit');
    assert.deepEqual(added.operation, { type: 'addBranch', state: 'build', index: 0, instruction: { kind: 'call', args: { task: './other.task.yaml' } } });
    await page.waitForSelector(`${lanes('build')}[data-lane="branch"]`);
    await page.locator('.sw-inspector [aria-label="Remove branch web"]').first().click();
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'removeBranch', state: 'build', index: 0, branch: 'web' });
    await page.waitForFunction(() => !(globalThis as unknown as { document: any }).document.querySelector('.react-flow__node[data-id="build"] .sw-lane[data-lane="web"]'));
    assert.match(host.text, /^ {10}branch: \{ call: \{ task: \.\/other\.task\.yaml \} \}$/m);

    await page.locator(`${node('deploy')} .sw-node-name`).click();
    await page.locator('.sw-inspector button[aria-label^="Instruction 1: map"]').click();
    const atOnce = page.locator('.sw-inspector input[aria-label="At once"]');
    await atOnce.fill('3');
    await atOnce.press('Enter');
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'setMapOption', state: 'deploy', index: 0, option: 'concurrency', value: 3 });
    await page.waitForFunction(() => /3 at once/.test((globalThis as unknown as { document: any }).document.querySelector('.react-flow__node[data-id="deploy"] .sw-kind-map .sw-row-summary')?.textContent ?? ''));
    assert.match(host.text, /^ {10}concurrency: 3$/m);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('paints coverage when the host sends it: hits on entered states, unentered states and untaken transitions marked; the toolbar toggles it', async () => {
    const host = await release(env);
    const page = host.page;
    assert.equal(await page.locator('[aria-label="Show the test coverage on the graph"]').count(), 0, 'no toggle without coverage');
    await host.send({ type: 'coverage', available: true, coverage: null });
    await page.locator('[aria-label="Show the test coverage on the graph"]').first().click();
    assert.deepEqual(await host.waitFor('showCoverage'), { type: 'showCoverage', show: true });
    await host.send({ type: 'coverage', available: true, coverage: { states: { build: 2, deploy: 1, done: 1, failed: 0 }, branches: { 'on:0:build': 1, 'on:1:build': 1, 'on:0:deploy': 1, 'on:1:deploy': 0, 'catch:0:deploy': 0 } } });
    await page.waitForSelector(`${node('failed')} .sw-node[data-covered="false"]`);
    const covered = await page.locator('.sw-node[data-covered]').evaluateAll((els) => Object.fromEntries(els.map((e) => [e.getAttribute('data-state'), `${e.getAttribute('data-covered')}:${e.getAttribute('data-hits')}`])));
    assert.deepEqual(covered, { build: 'true:2', deploy: 'true:1', done: 'true:1', failed: 'false:0' });
    assert.match((await page.locator(`${node('failed')} .sw-cov-none`).textContent()) ?? '', /not covered/);
    const edgeClass = (id: string) => page.locator(`.react-flow__edge[data-testid="rf__edge-${id}"]`).getAttribute('class');
    assert.match((await edgeClass('on:1:deploy')) ?? '', /sw-edge-uncovered/);
    assert.match((await edgeClass('catch:0:deploy')) ?? '', /sw-edge-uncovered/);
    assert.match((await edgeClass('on:0:build')) ?? '', /sw-edge-covered/);
    await page.locator('[aria-label="Hide the test coverage"]').first().click();
    assert.deepEqual(await host.waitFor('showCoverage'), { type: 'showCoverage', show: false });
    await host.send({ type: 'coverage', available: true, coverage: null });
    await page.waitForFunction(() => !(globalThis as unknown as { document: any }).document.querySelector('.sw-node[data-covered]'));
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('saves light and dark screenshots of the lanes with a run and with coverage', async () => {
    const dir = path.join(ROOT, '.scratch', 'screenshots');
    fs.mkdirSync(dir, { recursive: true });
    const run = await releaseRun();
    for (const theme of ['light', 'dark'] as const) {
      const host = await release(env, theme);
      const page = host.page;
      // The run as it was journaled: a picture of a succeeded run shows every item succeeded.
      await host.send({ type: 'debug', debug: run });
      await page.waitForSelector(`${lanes('build')}[data-status="succeeded"]`);
      // The inspector beside it: the parallel's branches.
      await page.locator(`${node('build')} .sw-node-name`).click();
      await page.locator('.sw-inspector button[aria-label^="Instruction 1: parallel"]').click();
      await page.locator('.sw-inspector .sw-branch').first().waitFor();
      await settled(page);
      await page.screenshot({ path: path.join(dir, `lanes-${theme}.png`) });
      await host.send({ type: 'debug', debug: { active: false, visited: [], taken: [] } });
      await host.send({ type: 'coverage', available: true, coverage: { states: { build: 2, deploy: 1, done: 1, failed: 0 }, branches: { 'on:0:build': 1, 'on:1:build': 1, 'on:0:deploy': 1, 'on:1:deploy': 0, 'catch:0:deploy': 0 } } });
      await page.waitForSelector('.sw-node[data-covered="false"]');
      await settled(page);
      await page.screenshot({ path: path.join(dir, `coverage-${theme}.png`) });
      assert.deepEqual(host.errors, []);
      await page.context().close();
    }
  });
});
