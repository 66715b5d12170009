// The canvas as a frame that stays put, in headless Chromium against the built webview: whatever
// brings a state off the edge into view (a click the browser scrolls to, Tab to a node, a find in
// the webview), the view pans and the frame does not scroll, so the toolbar and the minimap stay
// where they are drawn.
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromiumPath, openEditor, readSample, startEnv, type TestEnv } from './harness';

const available = !!chromiumPath();
if (!available && process.env.STEPWISE_REQUIRE_BROWSER === '1') throw new Error('Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)');

const node = (id: string) => `.react-flow__node[data-id="${id}"]`;

describe('graph canvas frame (Chromium)', { skip: available ? false : 'Chromium not found' }, () => {
  let env: TestEnv;
  before(async () => {
    env = await startEnv();
  });
  after(async () => {
    await env?.close();
  });

  it('never scrolls: revealing or focusing a state below the edge leaves the toolbar and minimap in view', async () => {
    const host = await openEditor(env, { text: readSample('deploy.task.yaml'), fileName: 'deploy.task.yaml', width: 1440, height: 900 });
    await host.waitForNodes(9);
    await host.waitForLayout();
    const page = host.page;
    // As the screenshots do it: arrows to `compare`, close up, so `validate` is below the edge.
    await page.locator('.sw-canvas').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await page.waitForFunction((sel) => (globalThis as unknown as { document: any }).document.querySelector(sel).getBoundingClientRect().top > 900, node('validate'));
    // What a browser does to show an element: a click's scroll into view, then focus without
    // preventScroll (Tab, a screen reader).
    await page.evaluate((sel) => {
      const el = (globalThis as unknown as { document: any }).document.querySelector(sel);
      el.scrollIntoView();
      el.focus();
    }, node('validate'));
    const frame = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: any; innerWidth: number; innerHeight: number }).document;
      const g = globalThis as unknown as { innerWidth: number; innerHeight: number };
      const scrolled = [...d.querySelectorAll('*')].filter((e: any) => e.scrollTop || e.scrollLeft).map((e: any) => `${e.tagName.toLowerCase()}.${e.className} at ${e.scrollLeft},${e.scrollTop}`);
      const rect = (sel: string) => {
        const r = d.querySelector(sel).getBoundingClientRect();
        return { top: r.top, left: r.left, bottom: r.bottom, right: r.right };
      };
      return { scrolled, root: d.scrollingElement.scrollTop, toolbar: rect('.sw-toolbar'), minimap: rect('.react-flow__minimap'), width: g.innerWidth, height: g.innerHeight };
    });
    assert.deepEqual(frame.scrolled, [], 'no element scrolled');
    assert.equal(frame.root, 0);
    for (const [what, r] of [['toolbar', frame.toolbar], ['minimap', frame.minimap]] as const) {
      assert.ok(r.top >= 0 && r.left >= 0 && r.bottom <= frame.height && r.right <= frame.width, `the ${what} at ${JSON.stringify(r)} is outside the ${frame.width}×${frame.height} view`);
    }
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('a narrow canvas wraps its toolbar: every control is in sight and can be clicked', async () => {
    const host = await openEditor(env, { text: readSample('deploy.task.yaml'), fileName: 'deploy.task.yaml', width: 640, height: 700 });
    await host.waitForNodes(9);
    await host.waitForLayout();
    const hidden = await host.page.evaluate(() => {
      const d = (globalThis as unknown as { document: any }).document;
      const canvas = d.querySelector('.sw-canvas').getBoundingClientRect();
      return [...d.querySelectorAll('.sw-toolbar vscode-button, .sw-toolbar button, .sw-toolbar .sw-search')]
        .filter((el: any) => {
          const r = el.getBoundingClientRect();
          const hit = d.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return r.right > canvas.right || !hit || !(hit === el || el.contains(hit) || hit.contains(el));
        })
        .map((el: any) => el.getAttribute('aria-label') ?? el.className);
    });
    assert.deepEqual(hidden, []);
    await host.page.context().close();
  });

  it('a state found in a narrow canvas lands clear of the toolbar and the palette: its name can be clicked', async () => {
    const host = await openEditor(env, { text: readSample('deploy.task.yaml'), fileName: 'deploy.task.yaml', width: 360, height: 560 });
    await host.waitForNodes(9);
    await host.waitForLayout();
    const page = host.page;
    for (const state of ['validate', 'collect', 'compare']) {
      await host.find(state);
      // The pan is animated: wait until the name stays put, then ask what is drawn over its middle.
      const covered = await page.waitForFunction(
        (sel) => {
          const g = globalThis as unknown as { document: any; swLast?: string };
          const name = g.document.querySelector(sel);
          const r = name.getBoundingClientRect();
          const at = `${r.left},${r.top}`;
          const still = g.swLast === at;
          g.swLast = at;
          if (!still) return false;
          const hit = g.document.elementFromPoint(r.left + Math.min(r.width / 2, 12), r.top + r.height / 2);
          return { by: hit && !name.contains(hit) ? `${hit.tagName.toLowerCase()}.${hit.className?.baseVal ?? hit.className}` : '' };
        },
        `${node(state)} .sw-node-name`,
        { polling: 100 },
      );
      assert.deepEqual(await covered.jsonValue(), { by: '' }, `${state}'s name is covered`);
    }
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('draws catch routes as chips under their states; a chip hovered, or an end selected, shows the whole route', async () => {
    const host = await openEditor(env, { text: readSample('deploy.task.yaml'), fileName: 'deploy.task.yaml', width: 1440, height: 900 });
    await host.waitForNodes(9);
    await host.waitForLayout();
    const page = host.page;
    // Close enough for labels (far out, chips hide with them), then nothing selected.
    await page.locator('.sw-canvas').focus();
    await page.keyboard.press('ArrowDown');
    await page.locator('.react-flow__node[data-id="collect"] .sw-node.sw-selected').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.sw-node.sw-selected').waitFor({ state: 'detached' });
    const chips = page.locator('.sw-catch-chip');
    await chips.first().waitFor();
    assert.deepEqual((await chips.allTextContents()).sort(), Array(6).fill('catch → failed'));
    /** The height of each catch edge's drawn path, by edge id. */
    const heights = () =>
      page.evaluate(() =>
        Object.fromEntries(
          [...(globalThis as unknown as { document: any }).document.querySelectorAll('.react-flow__edge.sw-edge-catch')].map((g: any) => [g.getAttribute('data-testid').replace('rf__edge-', ''), Math.round(g.querySelector('path.react-flow__edge-path').getBBox().height)]),
        ),
      ) as Promise<Record<string, number>>;
    const collapsed = await heights();
    assert.equal(Object.keys(collapsed).length, 6);
    for (const [id, h] of Object.entries(collapsed)) assert.ok(h < 40, `${id} is drawn in full (${h} px tall) with nothing asking for it`);
    // Hovering collect's chip draws its route into failed, far below; leaving it folds it again.
    const chip = page.locator('.sw-catch-chip[data-edge="catch:0:collect"]');
    await chip.hover();
    await page.waitForFunction(() => (globalThis as unknown as { document: any }).document.querySelector('[data-testid="rf__edge-catch:0:collect"] path.react-flow__edge-path').getBBox().height > 100);
    await page.mouse.move(5, 450);
    await page.waitForFunction(() => (globalThis as unknown as { document: any }).document.querySelector('[data-testid="rf__edge-catch:0:collect"] path.react-flow__edge-path').getBBox().height < 40);
    // Selecting `failed` shows every route into it.
    await host.find('failed');
    const expanded = await heights();
    for (const [id, h] of Object.entries(expanded)) assert.ok(h >= 40, `${id} is folded (${h} px) while failed is selected`);
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });
});
