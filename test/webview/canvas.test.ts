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
});
