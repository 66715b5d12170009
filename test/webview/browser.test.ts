// The built webview (dist/webview) in headless Chromium against a fake host: it renders a sample,
// and mouse and keyboard gestures produce the expected edit messages (which the fake host applies
// with engine/edit, as the extension will). Also saves the light/dark/high-contrast screenshots.
// Needs Chromium (`apt-get install -y chromium`); without it the suite is skipped, unless
// STEPWISE_REQUIRE_BROWSER=1 makes that a failure.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { lintText } from '../../engine/lint/index';
import { outlineOf } from '../../webview/protocol';
import { runPath } from '../../engine/graph/runPath';
import { mocksFrom, runToEnd, taskFrom, virtualEngine } from '../helpers/tasks';
import { chromiumPath, openEditor, readSample, ROOT, startEnv, type FakeHost, type TestEnv } from './harness';

const available = !!chromiumPath();
if (!available && process.env.STEPWISE_REQUIRE_BROWSER === '1') throw new Error('Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)');

const SIMPLE = `# a small task for the gestures
version: 1
name: simple
start: first
states:
  first:
    description: The first step
    do:
      - log: "hello"   # greet
    next: second
  second:
    on:
      - to: done
        when: "data.ok = true"
      - to: first
  done: { final: true }
`;

async function center(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is not on the page`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

const node = (id: string) => `.react-flow__node[data-id="${id}"]`;

async function ready(env: TestEnv, text: string, nodes: number, extra: Partial<Parameters<typeof openEditor>[1]> = {}): Promise<FakeHost> {
  const host = await openEditor(env, { text, fileName: 'simple.task.yaml', ...extra });
  await host.waitForNodes(nodes);
  await host.waitForLayout();
  return host;
}

describe('graph editor webview (Chromium)', { skip: available ? false : 'Chromium not found' }, () => {
  let env: TestEnv;
  before(async () => {
    env = await startEnv();
  });
  after(async () => {
    await env?.close();
  });

  it('renders a sample: states, transitions with labels, start and final markers, under its CSP', async () => {
    const host = await openEditor(env, { text: readSample('deploy.task.yaml'), fileName: 'deploy.task.yaml' });
    await host.waitForNodes(9);
    await host.waitForLayout();
    const page = host.page;
    assert.equal(await page.locator('.react-flow__edge').count(), 19);
    assert.equal(await page.locator(`${node('collect')} .sw-start-chip`).count(), 1);
    assert.equal(await page.locator(`${node('failed')} .sw-node.sw-final.sw-status-failed`).count(), 1);
    // Zoomed out far, nodes show their names only; the arrow keys select and bring the view close.
    await page.locator('.sw-canvas').focus();
    await page.keyboard.press('ArrowDown');
    await page.locator(`${node('collect')} .sw-row-kind`).first().waitFor();
    assert.deepEqual(await page.locator(`${node('collect')} .sw-row-kind`).allTextContents(), ['http', 'log']);
    const labels = await page.locator('.sw-edge-label').allTextContents();
    for (const l of ['when data.collect.status = 202', 'poll every 15s', 'after 4h', 'else', 'catch → failed']) assert.ok(labels.includes(l), `no label '${l}' in ${JSON.stringify(labels)}`);
    assert.equal(await page.locator('.react-flow__edge.sw-dashed').count(), 4, 'else branches are dashed');
    assert.equal(await page.locator('.react-flow__edge.sw-edge-catch').count(), 6);
    assert.equal(await page.locator('.sw-canvas').getAttribute('data-layout'), 'worker', 'ELK ran in its blob: worker');
    // Every control has an accessible name.
    const unnamed = await page.evaluate(() => {
      const g = globalThis as unknown as { document: any };
      const out: string[] = [];
      for (const el of g.document.querySelectorAll('button, vscode-button, vscode-text-field, vscode-text-area, vscode-dropdown, vscode-checkbox, input, [role="button"], [role="menuitem"]')) {
        const name = el.getAttribute('aria-label') || el.getAttribute('title') || el.textContent?.trim();
        if (!name) out.push(el.outerHTML.slice(0, 80));
      }
      return out;
    });
    assert.deepEqual(unnamed, []);
    assert.deepEqual(host.errors, [], 'no console errors (CSP violations among them)');
    await page.context().close();
  });

  it('adds a state from the toolbar and by double-clicking the canvas (pinned where clicked)', async () => {
    const host = await ready(env, SIMPLE, 3);
    const page = host.page;
    await page.click('vscode-button[aria-label="Add state"]');
    const add = await host.waitFor('edit');
    assert.deepEqual(add.operation, { type: 'addState', name: 'state1', taskName: 'simple' });
    await host.waitForNodes(4);
    assert.match(host.text, /\n  state1: \{\}\n/);
    // Double-click on empty canvas.
    const pane = await page.locator('.react-flow__pane').boundingBox();
    await page.mouse.dblclick(pane!.x + 60, pane!.y + pane!.height - 60);
    const add2 = await host.waitFor('edit', (m) => m.operation.type === 'addState');
    assert.equal((add2.operation as { name: string }).name, 'state2');
    await host.waitForNodes(5);
    const pins = await host.waitFor('viewState', (m) => !!m.state.pins.state2);
    assert.ok(pins.state.pins.state2);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('connects two states by dragging from a handle, and drops on the canvas to add a connected state', async () => {
    const host = await ready(env, SIMPLE, 3);
    const page = host.page;
    await page.hover(node('done'));
    const from = await center(page, `${node('first')} .react-flow__handle.source`);
    const to = await center(page, node('done'));
    await page.hover(node('first'));
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 20, from.y + 30, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 10 });
    await page.mouse.up();
    const m = await host.waitFor('edit').catch(async (err) => {
      await page.screenshot({ path: '/tmp/connect-failure.png' });
      throw err;
    });
    // `first` has one way out (`next: second`): the drag retargets it rather than adding a second
    // unconditional transition that could never be taken.
    assert.deepEqual(m.operation, { type: 'connect', state: 'first', to: 'done' });
    await page.locator('.react-flow__edge[data-testid="rf__edge-on:0:first"]').waitFor();
    await page.waitForFunction(() => (globalThis as unknown as { document: any }).document.querySelectorAll('.react-flow__edge').length === 3);
    assert.match(host.text, /  first:\n    description: The first step\n    do:\n      - log: "hello"   # greet\n    next: done\n/);
    // Drag from `second` to an empty spot: a new state, connected, in one edit.
    await page.waitForTimeout(100);
    await host.waitForLayout();
    const from2 = await center(page, `${node('second')} .react-flow__handle.source`);
    const pane = await page.locator('.react-flow__pane').boundingBox();
    await page.hover(node('second'));
    await page.mouse.move(from2.x, from2.y);
    await page.mouse.down();
    await page.mouse.move(pane!.x + pane!.width * 0.8, pane!.y + 80, { steps: 12 });
    await page.mouse.up();
    const b = await host.waitFor('edit', (x) => x.operation.type === 'batch');
    assert.deepEqual(b.operation, { type: 'batch', operations: [{ type: 'addState', name: 'state1', after: 'second', taskName: 'simple' }, { type: 'connect', state: 'second', to: 'state1' }] });
    await host.waitForNodes(4);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('a drag ends on any part of a state to connect to it, but not on the state it comes from', async () => {
    // The CI fuzzer found it: dropped on a tall state's name, away from its input point, the drag did nothing.
    const text = 'version: 1\nname: drop\nstart: fetch\nstates:\n  fetch:\n    do:\n      - log: "one"\n      - log: "two"\n      - log: "three"\n      - log: "four"\n    next: check\n  check:\n    next: done\n  done:\n    final: true\n';
    const host = await ready(env, text, 3);
    const page = host.page;
    const drag = async (to: { x: number; y: number }) => {
      await page.hover(node('check'));
      const from = await center(page, `${node('check')} .react-flow__handle.source`);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(from.x + 10, from.y - 10, { steps: 3 });
      await page.mouse.move(to.x, to.y, { steps: 10 });
      await page.mouse.up();
    };
    // A short drag back into its own state: no loop is made.
    const own = await page.locator(node('check')).boundingBox();
    await drag({ x: own!.x + own!.width - 12, y: own!.y + 12 });
    // The bottom right corner of `fetch`, far from its input point (top middle).
    const far = await page.locator(node('fetch')).boundingBox();
    assert.ok(far!.height > 100, 'fetch is drawn tall');
    await drag({ x: far!.x + far!.width - 12, y: far!.y + far!.height - 12 });
    const m = await host.waitFor('edit');
    assert.deepEqual(m.operation, { type: 'connect', state: 'check', to: 'fetch' });
    assert.equal(host.edits().length, 1, 'the drag into its own state proposed nothing');
    assert.match(host.text, /  check:\n    next: fetch\n/);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('renames with F2 and deletes with the Delete key (the references left are reported)', async () => {
    const host = await ready(env, SIMPLE, 3);
    const page = host.page;
    await page.click(`${node('second')} .sw-node-name`);
    const reveal = await host.waitFor('reveal');
    assert.equal(reveal.state, 'second');
    await page.keyboard.press('F2');
    const input = page.locator(`${node('second')} input.sw-rename`);
    await input.waitFor();
    await input.fill('review');
    await page.keyboard.press('Enter');
    const rename = await host.waitFor('edit');
    assert.deepEqual(rename.operation, { type: 'renameState', state: 'second', newName: 'review' });
    await page.locator(node('review')).waitFor();
    assert.match(host.text, /next: review\n/);
    // The renamed node is still selected: Delete removes it; the toast names what still points at it.
    await page.locator(`${node('review')} .sw-node.sw-selected`).waitFor();
    await page.locator('.sw-canvas').focus();
    await page.keyboard.press('Delete');
    const del = await host.waitFor('edit');
    assert.deepEqual(del.operation, { type: 'deleteState', state: 'review' });
    await host.waitForNodes(3); // first, done, and the ghost of 'review' that `first` still names
    await page.locator('.sw-toast-warning').waitFor();
    assert.match((await page.locator('.sw-toast').textContent()) ?? '', /1 reference to it remains: first \(transition 1\)/);
    assert.equal(await page.locator(`${node('review')} .sw-node.sw-missing`).count(), 1);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('selects and deletes a transition; arrows move the selection; Ctrl+Z and Ctrl+Y go to the host', async () => {
    const host = await ready(env, SIMPLE, 3);
    const page = host.page;
    // Right after the first layout React Flow may still re-render the label under the mouse, and a
    // press and a release on two different elements make no click: click again until it is seen.
    let reveal: Awaited<ReturnType<typeof host.waitFor<'reveal'>>> | undefined;
    for (let attempt = 1; !reveal; attempt++) {
      await page.click('.sw-edge-label:text("when data.ok = true")');
      reveal = await host.waitFor('reveal', () => true, 3000).catch((err) => (attempt === 3 ? Promise.reject(err) : undefined));
    }
    assert.deepEqual(reveal, { type: 'reveal', state: 'second', element: { kind: 'transition', index: 0 }, focus: false });
    await page.locator('.sw-canvas').focus();
    await page.keyboard.press('Delete');
    const del = await host.waitFor('edit');
    assert.deepEqual(del.operation, { type: 'deleteTransition', state: 'second', index: 0, list: 'on' });
    await page.waitForFunction(() => (globalThis as unknown as { document: any }).document.querySelectorAll('.react-flow__edge').length === 2);
    // Arrows move to the nearest node on screen: wait until the new layout has settled, or under
    // load `second` may not yet be below `first` when the key is pressed (no node there: no move).
    await host.waitForLayout();
    // Arrows: from nothing selected to the start, then down.
    await page.locator('.sw-canvas').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal((await host.waitFor('reveal')).state, 'first');
    await page.keyboard.press('ArrowDown');
    assert.equal((await host.waitFor('reveal')).state, 'second');
    await page.keyboard.press('Control+z');
    await host.waitFor('undo');
    await page.keyboard.press('Control+y');
    await host.waitFor('redo');
    await page.keyboard.press('Control+Shift+z');
    await host.waitFor('redo');
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('toggles breakpoints on the node, sets the start from the context menu, duplicates and pastes', async () => {
    const host = await ready(env, SIMPLE, 3);
    const page = host.page;
    await page.hover(node('second'));
    await page.click(`${node('second')} button.sw-bp`);
    assert.deepEqual(await host.waitFor('toggleBreakpoint'), { type: 'toggleBreakpoint', state: 'second' });
    await page.locator(`${node('second')} button.sw-bp.sw-bp-on`).waitFor();
    await page.click(node('second'), { button: 'right' });
    await page.locator('.sw-menu').waitFor();
    await page.click('.sw-menu-item:has-text("Set as Start State")');
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'setStart', state: 'second' });
    await page.locator(`${node('second')} .sw-start-chip`).waitFor();
    // Keyboard: Ctrl+D duplicates the selected state.
    await page.locator('.sw-canvas').focus();
    await page.keyboard.press('Control+d');
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'duplicateState', state: 'second' }, JSON.stringify(host.messages));
    await host.waitForNodes(4);
    // Copy and paste through the clipboard events.
    await page.click(`${node('done')}`);
    await page.locator('.sw-canvas').focus();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    const paste = await host.waitFor('edit', (m) => m.operation.type === 'pasteStates');
    assert.deepEqual(paste.operation, { type: 'pasteStates', yaml: 'done: { final: true }\n', after: 'done' });
    await host.waitForNodes(5);
    assert.match(host.text, /  done: \{ final: true \}\n  done-copy: \{ final: true \}\n/);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('edits in the inspector: description, final and status, instructions, the condition of a transition', async () => {
    const host = await ready(env, SIMPLE, 3);
    const page = host.page;
    await page.click(node('first'));
    const description = page.locator('textarea[aria-label="Description"]');
    await description.waitFor();
    await description.fill('Greets the user');
    await description.blur();
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'setDescription', state: 'first', description: 'Greets the user' });
    await page.waitForFunction(() => (globalThis as unknown as { document: any }).document.querySelector('.react-flow__node[data-id="first"] .sw-node-desc')?.textContent === 'Greets the user');
    await page.click('vscode-checkbox:has-text("Final state")');
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'setFinal', state: 'first', final: true });
    await page.locator(`${node('first')} .sw-node.sw-final`).waitFor();
    // Add an instruction of the kind chosen in the dropdown: by default a log, which runs offline.
    await page.click('vscode-button:has-text("Add instruction")');
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'addInstruction', state: 'first', instruction: { kind: 'log', args: 'message' } });
    await page.waitForFunction(() => (globalThis as unknown as { document: any }).document.querySelectorAll('.react-flow__node[data-id="first"] .sw-row').length === 2);
    // The transition's condition, from the edge's label.
    await page.click('.sw-edge-label:text("when data.ok = true")');
    const when = page.locator('input[aria-label="When"]');
    await when.waitFor();
    await when.fill('data.ok = false');
    await when.press('Enter');
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'updateTransition', state: 'second', index: 0, list: 'on', path: ['when'], value: 'data.ok = false' });
    await page.locator('.sw-edge-label:text("when data.ok = false")').waitFor();
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('a field edit committed by a click on another state leaves that state selected: Delete removes it, not the edited one', async () => {
    const host = await ready(env, SIMPLE, 3);
    const page = host.page;
    await page.click(node('first'));
    const description = page.locator('textarea[aria-label="Description"]');
    await description.click();
    await description.pressSequentially(' again', { delay: 10 });
    await page.click(`${node('done')} .sw-node-name`);
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'setDescription', state: 'first', description: 'The first step again' });
    await page.waitForFunction(() => (globalThis as unknown as { document: any }).document.querySelector('.react-flow__node[data-id="first"] .sw-node-desc')?.textContent === 'The first step again');
    // The host's answer named `first` (the state it changed); VS Code posts the document after
    // that answer: the selection stays on `done` through it.
    await host.sendDocument();
    await page.locator(`${node('done')} .sw-node.sw-selected`).waitFor();
    await page.waitForFunction(() => (globalThis as unknown as { document: any }).document.querySelectorAll('.react-flow__node.selected').length === 1);
    await page.locator('.sw-canvas').focus();
    await page.keyboard.press('Delete');
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'deleteState', state: 'done' });
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('retargets an edge by dragging its end, and reorders transitions from the inspector', async () => {
    const host = await ready(env, SIMPLE, 3);
    const page = host.page;
    // Select the edge `second -> first` (the else branch) and drag its arrow end onto `done`.
    await page.click('.sw-edge-label:text("else")');
    await host.waitFor('reveal');
    const edge = page.locator('.react-flow__edge[data-testid="rf__edge-on:1:second"]');
    await edge.waitFor();
    const updater = edge.locator('.react-flow__edgeupdater-target');
    const from = await center(page, '.react-flow__edge[data-testid="rf__edge-on:1:second"] .react-flow__edgeupdater-target');
    void updater;
    const to = await center(page, node('done'));
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 15, from.y + 15, { steps: 4 });
    await page.mouse.move(to.x, to.y, { steps: 10 });
    await page.mouse.up();
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'retargetTransition', state: 'second', index: 1, list: 'on', to: 'done' });
    await page.waitForTimeout(100);
    // Reorder with the inspector's buttons.
    await page.click(`${node('second')} .sw-node-name`);
    await page.click('vscode-button[aria-label="Move transition 1 down"]');
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'reorderTransition', state: 'second', index: 0, list: 'on', toIndex: 1 });
    await page.waitForFunction(() => (globalThis as unknown as { document: any }).document.querySelector('.sw-inspector .sw-item-summary')?.textContent === 'else');
    assert.match(host.text, /  second:\n    on:\n      - to: done\n      - to: done\n        when: "data.ok = true"\n/);
    // Every control of the inspector and of the context menu has an accessible name.
    await page.click(node('second'), { button: 'right' });
    await page.locator('.sw-menu').waitFor();
    const unnamed = await page.evaluate(() => {
      const g = globalThis as unknown as { document: any };
      const out: string[] = [];
      for (const el of g.document.querySelectorAll('button, vscode-button, vscode-text-field, vscode-text-area, vscode-dropdown, vscode-checkbox, input, [role="button"], [role="menuitem"], [role="menuitemcheckbox"]')) {
        const name = el.getAttribute('aria-label') || el.getAttribute('title') || el.textContent?.trim();
        if (!name) out.push(el.outerHTML.slice(0, 80));
      }
      return out;
    });
    assert.deepEqual(unnamed, []);
    await page.keyboard.press('Escape');
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('follows text edits beside it, keeps the last good graph while the YAML is broken, shows an empty state', async () => {
    const host = await ready(env, SIMPLE, 3);
    const page = host.page;
    // What the extension does per change: lint the new text, post its outline; the description on
    // the node changes (the bench measures how fast).
    const text = SIMPLE.replace('The first step', 'The very first step');
    const { model, diagnostics } = lintText(text);
    host.text = text;
    host.version++;
    await page.evaluate((msg) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(msg, '*'), {
      type: 'document', uri: host.uri, fileName: 'simple.task.yaml', version: host.version, text, model: outlineOf(model), diagnostics,
    } as unknown as Record<string, unknown>);
    await page.locator('.react-flow__node[data-id="first"] .sw-node-desc', { hasText: 'The very first step' }).waitFor({ timeout: 10_000 });
    await host.setText(SIMPLE.replace('  second:\n', '  second: [\n'));
    await page.locator('.sw-banner-error').waitFor();
    assert.equal(await page.locator('.react-flow__node').count(), 3);
    await page.click('vscode-button[aria-label="Add state"]').catch(() => undefined);
    await host.setText(SIMPLE);
    await page.locator('.sw-banner-error').waitFor({ state: 'detached' });
    assert.ok(!host.edits().length, 'no edit was proposed while the YAML was broken');
    await host.setText('');
    await page.locator('.sw-empty').waitFor();
    await page.click('.sw-empty vscode-button');
    const add = await host.waitFor('edit');
    assert.equal(add.operation.type, 'addState');
    await host.waitForNodes(1);
    assert.equal(host.text, 'version: 1\nname: simple\nstart: state1\nstates:\n  state1: {}\n');
    await page.context().close();
  });

  it('shows the debugger: the current state lit, visited states and taken transitions marked', async () => {
    const host = await ready(env, SIMPLE, 3, { breakpoints: ['second'] });
    const page = host.page;
    await page.locator(`${node('second')} button.sw-bp.sw-bp-on`).waitFor();
    await host.send({ type: 'debug', debug: { active: true, paused: true, current: 'second', visited: ['first', 'second'], taken: [{ state: 'first', index: 0, list: 'on' }], counts: { first: 1, second: 1 } } });
    await page.locator(`${node('second')} .sw-node.sw-current`).waitFor();
    assert.equal(await page.locator(`${node('first')} .sw-node.sw-visited`).count(), 1);
    assert.equal(await page.locator('.react-flow__edge.sw-edge-taken').count(), 1);
    await page.context().close();
  });

  it('saves light, dark and high-contrast screenshots (and one while debugging)', async () => {
    // docs/images/ only when asked (npm run screenshots): a test run leaves tracked files alone.
    const dir = path.resolve(ROOT, process.env.STEPWISE_SCREENSHOTS || path.join('.scratch', 'screenshots'));
    fs.mkdirSync(dir, { recursive: true });
    // A run of deploy (its mocks, the virtual clock) as "Show on Graph" shows it.
    const { engine } = virtualEngine({ mocks: mocksFrom(readSample('deploy.mocks.yaml')) });
    const { state: ran, journal } = await runToEnd(engine, taskFrom(readSample('deploy.task.yaml')), { version: '1.2.3' });
    const shownRun = runPath(journal, { id: ran.runId, where: 'local' });
    const shots: Array<{ theme: 'light' | 'dark' | 'high-contrast'; file: string; debug?: boolean; run?: boolean; palette?: boolean }> = [
      { theme: 'light', file: 'graph-light.png' },
      { theme: 'dark', file: 'graph-dark.png' },
      { theme: 'high-contrast', file: 'graph-high-contrast.png' },
      { theme: 'light', file: 'graph-debug-light.png', debug: true },
      { theme: 'dark', file: 'graph-debug-dark.png', debug: true },
      { theme: 'light', file: 'graph-run-light.png', run: true },
      { theme: 'dark', file: 'graph-run-dark.png', run: true },
      { theme: 'light', file: 'graph-palette-light.png', palette: true },
      { theme: 'dark', file: 'graph-palette-dark.png', palette: true },
    ];
    for (const shot of shots) {
      const host = await openEditor(env, { text: readSample('deploy.task.yaml'), fileName: 'deploy.task.yaml', theme: shot.theme, width: 1440, height: 900, breakpoints: ['open-pr'] });
      await host.waitForNodes(9);
      await host.waitForLayout();
      const page = host.page;
      // Walk down to `compare` with the arrow keys (the view follows, at a readable zoom).
      await page.locator('.sw-canvas').focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
      if (shot.debug) {
        await host.send({
          type: 'debug',
          debug: { active: true, paused: true, current: 'open-pr', visited: ['collect', 'wait-collected', 'compare', 'open-pr'], taken: [{ state: 'collect', index: 0, list: 'on' }, { state: 'wait-collected', index: 0, list: 'on' }, { state: 'compare', index: 0, list: 'on' }], counts: { collect: 1, 'wait-collected': 1, compare: 1, 'open-pr': 1 } },
        });
        await page.keyboard.press('ArrowDown');
      }
      if (shot.run) {
        await host.send({ type: 'debug', debug: shownRun });
        await page.waitForSelector(`${node('validate')} .sw-node[data-visits="1"]`);
        // `validate` is below the edge: Find brings it into view and selects it (its run in the inspector).
        await host.find('validate');
      }
      await page.waitForTimeout(400);
      const name = await center(page, `${node(shot.run ? 'validate' : 'compare')} .sw-node-name`);
      await page.mouse.move(name.x, name.y);
      await page.waitForTimeout(300);
      if (shot.palette) {
        // Mid-drag: an http instruction carried from the palette over compare.
        const from = await center(page, '.sw-palette-item[data-item="http"]');
        await page.mouse.move(from.x, from.y);
        await page.mouse.down();
        await page.mouse.move(name.x, name.y + 20, { steps: 8 });
      }
      const file = path.join(dir, shot.file);
      await page.screenshot({ path: file });
      if (shot.palette) {
        await page.mouse.up();
        const added = await host.waitFor('edit');
        assert.deepEqual(added.operation, { type: 'addInstruction', state: 'compare', instruction: { kind: 'http', args: { method: 'GET', url: 'https://example.com' } } });
      }
      if (shot.run) {
        // Export, as the toolbar's button does it: the PNG the host writes, in this theme, with the run.
        const exported = host.waitFor('export');
        await page.locator('[aria-label="Export the graph as SVG and PNG"]').first().click();
        const { png, svg } = await exported;
        assert.match(svg, /data-state="validate" data-visits="1"/);
        fs.writeFileSync(path.join(dir, `graph-export-${shot.theme}.png`), Buffer.from(png.slice('data:image/png;base64,'.length), 'base64'));
      }
      assert.ok(fs.statSync(file).size > 20_000, `${file} looks empty`);
      assert.deepEqual(host.errors, []);
      await page.context().close();
    }
  });
});
