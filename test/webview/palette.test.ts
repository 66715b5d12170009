// The kinds the palette and the inspector offer, in headless Chromium against the built webview:
// the built-in kinds in their groups, a document's plugin kinds once the host sends them (dropped
// with their required arguments filled from the schema, edited as fields from the schema), and in
// Restricted Mode the plugins shown as unavailable with the reason, their instructions read-only.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { EditOperation } from '../../engine/edit/types';
import { kindOffer, type KindOffer } from '../../engine/graph/kinds';
import { lintText } from '../../engine/lint/index';
import { lintOptions, pluginsForTask } from '../../engine/plugins/load';
import type { LoadedPlugins } from '../../engine/plugins/lint-options';
import { chromiumPath, openEditor, ROOT, startEnv, type FakeHost, type TestEnv } from './harness';

const available = !!chromiumPath();
if (!available && process.env.STEPWISE_REQUIRE_BROWSER === '1') throw new Error('Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)');

const node = (id: string) => `.react-flow__node[data-id="${id}"]`;
const RESTRICTED = 'Restricted Mode: plugins run code from the workspace, so Stepwise loads them only in a trusted workspace.';

const TASK = `version: 1
name: notes
start: digest
states:
  digest:
    do:
      - log: "start"
    next: done
  done:
    final: true
`;

const WITH_CHECKSUM = `version: 1
name: notes
start: digest
states:
  digest:
    do:
      - checksum:
          text: hello
    next: done
  done:
    final: true
`;

async function center(page: Page, selector: string): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).first().boundingBox();
  assert.ok(box, `${selector} is not on screen`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

async function drag(page: Page, from: string, to: { x: number; y: number }): Promise<void> {
  const start = await center(page, from);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
}

const groups = (page: Page) => page.locator('.sw-palette [role="group"]').evaluateAll((els) => els.map((g) => [g.getAttribute('aria-label'), [...g.querySelectorAll('.sw-palette-item')].map((i) => i.getAttribute('data-item'))]));

describe('palette and inspector kinds (Chromium)', { skip: available ? false : 'Chromium not found' }, () => {
  let env: TestEnv;
  let plugins: LoadedPlugins;
  let offer: KindOffer;
  before(async () => {
    env = await startEnv();
    plugins = await pluginsForTask(path.join(ROOT, 'samples', 'plugins', 'release-notes.task.yaml'));
    offer = kindOffer(plugins.kinds);
  });
  after(async () => {
    await env?.close();
  });

  const open = async (text: string, theme: 'light' | 'dark' = 'dark'): Promise<FakeHost> => {
    const host = await openEditor(env, { text, fileName: 'notes.task.yaml', theme, width: 1200, height: 800 });
    await host.waitForNodes(2);
    await host.waitForLayout();
    return host;
  };

  it('groups the built-in kinds (core, fan-out, integrations) and adds a Plugins group with the kinds the host sends', async () => {
    const host = await open(TASK);
    const page = host.page;
    assert.deepEqual(await groups(page), [
      ['New', ['+state']],
      ['Core', ['http', 'exec', 'set', 'log', 'emit', 'sleep', 'call']],
      ['Fan-out', ['parallel', 'map']],
      ['Integrations', ['sql', 'smtp', 'publish', 'consume', 'grpc']],
    ]);
    await host.send({ type: 'kinds', offer });
    await page.waitForSelector('.sw-palette [role="group"][aria-label="Plugins"] .sw-palette-item[data-item="checksum"]');
    const item = page.locator('.sw-palette-item[data-item="checksum"]');
    assert.match((await item.getAttribute('title')) ?? '', /checksum \(plugin checksum\): The digest of a text/);
    assert.equal(await item.getAttribute('aria-disabled'), null);
    // Gone again when the plugins change and no longer define it.
    await host.send({ type: 'kinds', offer: kindOffer([]) });
    await page.waitForSelector('.sw-palette [role="group"][aria-label="Plugins"]', { state: 'detached' });
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('a plugin kind dropped on a state, or on the canvas, comes with its required arguments; the file lints clean', async () => {
    const host = await open(TASK);
    const page = host.page;
    await host.send({ type: 'kinds', offer });
    await drag(page, '.sw-palette-item[data-item="checksum"]', await center(page, `${node('digest')} .sw-node-name`));
    const added = await host.waitFor('edit');
    assert.deepEqual(added.operation, { type: 'addInstruction', state: 'digest', instruction: { kind: 'checksum', args: { text: '<text>' } } });
    assert.match(host.text, /^ {6}- checksum:\n {10}text: <text>$/m);
    assert.deepEqual(lintText(host.text, lintOptions(plugins)).diagnostics.filter((d) => d.severity === 'error'), []);

    const pane = await page.locator('.react-flow__pane').boundingBox();
    assert.ok(pane);
    await drag(page, '.sw-palette-item[data-item="checksum"]', { x: pane.x + pane.width - 120, y: pane.y + 80 });
    const created = await host.waitFor('edit');
    assert.equal(created.operation.type, 'batch');
    const [add, instruction] = (created.operation as Extract<EditOperation, { type: 'batch' }>).operations;
    assert.equal(add.type, 'addState');
    assert.deepEqual(instruction, { type: 'addInstruction', state: (add as { name: string }).name, instruction: { kind: 'checksum', args: { text: '<text>' } } });
    await host.waitForNodes(3);
    assert.deepEqual(lintText(host.text, lintOptions(plugins)).diagnostics.filter((d) => d.code === 'plugin-arguments'), []);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it("the inspector shows a plugin instruction's arguments as fields from its schema; each edit is one updateInstruction", async () => {
    const host = await open(WITH_CHECKSUM);
    const page = host.page;
    await host.send({ type: 'kinds', offer });
    await page.locator(`${node('digest')} .sw-node-name`).click();
    await page.locator('.sw-inspector button[aria-label^="Instruction 1: checksum"]').click();
    const text = page.locator('.sw-inspector input[aria-label="text"]');
    assert.equal(await text.inputValue(), 'hello');
    await text.fill('release 1.0');
    await text.press('Enter');
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'updateInstruction', state: 'digest', index: 0, path: ['checksum', 'text'], value: 'release 1.0' });
    await page.waitForFunction(() => /release 1\.0/.test((globalThis as unknown as { document: any }).document.querySelector('.react-flow__node[data-id="digest"]')?.textContent ?? ''));
    const algorithm = page.locator('.sw-inspector vscode-dropdown[aria-label="algorithm"]');
    await algorithm.click();
    await algorithm.locator('vscode-option[value="sha512"]').click();
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'updateInstruction', state: 'digest', index: 0, path: ['checksum', 'algorithm'], value: 'sha512' });
    assert.match(host.text, /^ {10}text: release 1\.0\n {10}algorithm: sha512$/m);
    // The kind dropdown offers the plugin kind among the built-in ones.
    const kinds = await page.locator('.sw-inspector vscode-dropdown[aria-label="Kind"] vscode-option').evaluateAll((els) => els.map((e) => e.getAttribute('value')));
    assert.ok(kinds.includes('checksum') && kinds.includes('sql') && kinds.includes('http'), kinds.join(', '));
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it("a plugin kind whose arguments are not a mapping (a string) is edited as one JSON value", async () => {
    const host = await open(WITH_CHECKSUM.replace(/- checksum:\n {10}text: hello/, '- note: "first"'));
    const page = host.page;
    await host.send({ type: 'kinds', offer: kindOffer([{ kind: 'note', args: { type: 'string' }, plugin: 'notes' }]) });
    await page.locator(`${node('digest')} .sw-node-name`).click();
    await page.locator('.sw-inspector button[aria-label^="Instruction 1: note"]').click();
    const json = page.locator('.sw-inspector textarea[aria-label="Arguments (JSON)"]');
    assert.equal(await json.inputValue(), '"first"');
    await json.fill('"second"');
    await page.locator('.sw-inspector input[aria-label="Store the result as"]').click();
    assert.deepEqual((await host.waitFor('edit')).operation, { type: 'updateInstruction', state: 'digest', index: 0, path: ['note'], value: 'second' });
    assert.match(host.text, /^ {6}- note: "?second"?$/m);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('Restricted Mode: the config\'s plugins are unavailable with the reason; their instructions are read-only with it', async () => {
    const host = await open(WITH_CHECKSUM);
    const page = host.page;
    await host.send({ type: 'kinds', offer: kindOffer([], { plugins: ['./checksum.mjs'], reason: RESTRICTED }) });
    const item = page.locator('.sw-palette [role="group"][aria-label="Plugins"] .sw-palette-item[data-item="./checksum.mjs"]');
    await item.waitFor();
    assert.equal(await item.getAttribute('aria-disabled'), 'true');
    assert.match((await item.getAttribute('title')) ?? '', /Restricted Mode/);
    await drag(page, '.sw-palette-item[data-item="./checksum.mjs"]', await center(page, `${node('done')} .sw-node-name`));
    await page.locator(`${node('digest')} .sw-node-name`).click();
    await page.locator('.sw-inspector button[aria-label^="Instruction 1: checksum"]').click();
    const hint = page.locator('.sw-inspector .sw-kind-unavailable');
    assert.match((await hint.textContent()) ?? '', /Restricted Mode/);
    assert.match((await page.locator('.sw-inspector .sw-args-readonly').textContent()) ?? '', /"text": "hello"/);
    assert.equal(await page.locator('.sw-inspector [aria-label="Arguments (JSON)"]').count(), 0, 'no editable arguments');
    assert.equal(host.edits().length, 0, 'the unavailable kind was not dropped');
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('an instruction of a kind no plugin defines is read-only, with a hint', async () => {
    const host = await open(WITH_CHECKSUM.replace('checksum:', 'digestify:'));
    const page = host.page;
    await host.send({ type: 'kinds', offer });
    await page.locator(`${node('digest')} .sw-node-name`).click();
    await page.locator('.sw-inspector button[aria-label^="Instruction 1: digestify"]').click();
    assert.match((await page.locator('.sw-inspector .sw-kind-unavailable').textContent()) ?? '', /'digestify' is not a built-in kind and no plugin of this workspace defines it/);
    assert.equal(await page.locator('.sw-inspector [aria-label="Arguments (JSON)"]').count(), 0);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('on a short canvas the groups wrap into another column: every item is in sight', async () => {
    const host = await openEditor(env, { text: TASK, fileName: 'notes.task.yaml', width: 900, height: 420 });
    await host.waitForNodes(2);
    const page = host.page;
    await host.send({ type: 'kinds', offer });
    await page.waitForSelector('.sw-palette-item[data-item="checksum"]');
    const outside = await page.locator('.sw-palette-item').evaluateAll((els) => {
      const g = globalThis as unknown as { innerWidth: number; innerHeight: number };
      return els.filter((e) => {
        const r = e.getBoundingClientRect();
        return r.top < 0 || r.left < 0 || r.bottom > g.innerHeight || r.right > g.innerWidth;
      }).map((e) => e.getAttribute('data-item'));
    });
    assert.deepEqual(outside, []);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('the toolbar hides and shows the palette; the choice is saved with the view and comes back with it', async () => {
    const host = await open(TASK);
    const page = host.page;
    await page.click('[aria-label="Hide the palette"]');
    await page.waitForSelector('.sw-palette', { state: 'detached' });
    const saved = await host.waitFor('viewState', (m) => m.state.panels?.palette === false);
    assert.deepEqual(saved.state.panels, { minimap: true, inspector: true, palette: false });
    await page.context().close();

    // Opened again with the saved view (what the host keeps per workspace): no palette until asked for.
    const again = await openEditor(env, { text: TASK, fileName: 'notes.task.yaml', width: 1200, height: 800, viewState: saved.state });
    await again.waitForNodes(2);
    await again.page.waitForSelector('[aria-label="Show the palette"]');
    assert.equal(await again.page.locator('.sw-palette').count(), 0);
    await again.page.click('[aria-label="Show the palette"]');
    await again.page.waitForSelector('.sw-palette .sw-palette-item[data-item="http"]');
    assert.equal((await again.waitFor('viewState', (m) => m.state.panels?.palette === true)).state.panels?.minimap, true);
    assert.deepEqual([...host.errors, ...again.errors], []);
    await again.page.context().close();
  });

  it('saves screenshots of the palette with its Plugins group, light and dark', async () => {
    const dir = path.resolve(ROOT, process.env.STEPWISE_SCREENSHOTS || path.join('.scratch', 'screenshots'));
    fs.mkdirSync(dir, { recursive: true });
    for (const theme of ['light', 'dark'] as const) {
      const host = await open(WITH_CHECKSUM, theme);
      const page = host.page;
      await host.send({ type: 'kinds', offer });
      // The plugin instruction's fields in the inspector beside the palette.
      await page.locator(`${node('digest')} .sw-node-name`).click();
      await page.locator('.sw-inspector button[aria-label^="Instruction 1: checksum"]').click();
      await page.locator('.sw-palette-item[data-item="checksum"]').hover();
      await page.waitForSelector('.sw-palette [role="group"][aria-label="Plugins"]');
      const file = path.join(dir, `palette-plugins-${theme}.png`);
      await page.screenshot({ path: file });
      assert.ok(fs.statSync(file).size > 10_000, `${file} looks empty`);
      assert.deepEqual(host.errors, []);
      await page.context().close();
    }
  });
});
