// The canvas says when it is at rest, in headless Chromium against the built webview: whenever it
// reads data-busy="false" (aria-busy false), every state is already where it will stay. A drop
// aimed at a state the moment the canvas reads "at rest" must land on it; before, the canvas read
// so between the quick first picture and ELK's layout, and between that layout and its fit, and a
// palette drop in the real workbench landed on the canvas instead (a new state, not an instruction).
import * as assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromiumPath, openEditor, readSample, startEnv, type FakeHost, type TestEnv } from './harness';

const available = !!chromiumPath();
if (!available && process.env.STEPWISE_REQUIRE_BROWSER === '1') throw new Error('Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)');

interface Sample {
  busy: string | null;
  aria: string | null;
  /** Each drawn state's place on screen, sorted: `name@x,y`. */
  nodes: string;
}

type Page = FakeHost['page'];

/** Records the canvas at every change of its DOM, from now on (into `window.__samples`). */
async function record(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as unknown as { document: any; MutationObserver: any; __samples: Sample[] };
    const snap = (): Sample => {
      const canvas = g.document.querySelector('main.sw-canvas');
      const nodes = [...g.document.querySelectorAll('.react-flow__node')].map((n: any) => {
        const r = n.getBoundingClientRect();
        return `${n.getAttribute('data-id')}@${Math.round(r.x)},${Math.round(r.y)}`;
      });
      return { busy: canvas?.getAttribute('data-busy') ?? null, aria: canvas?.getAttribute('aria-busy') ?? null, nodes: nodes.sort().join(' ') };
    };
    g.__samples = [snap()];
    new g.MutationObserver(() => g.__samples.push(snap())).observe(g.document.body, { attributes: true, childList: true, subtree: true });
  });
}

async function samples(page: Page): Promise<Sample[]> {
  return page.evaluate(() => (globalThis as unknown as { __samples: Sample[] }).__samples);
}

/** The samples that read "at rest" with states drawn, from the first one showing `count` states. */
function atRest(all: Sample[], count: number): Sample[] {
  const from = all.findIndex((s) => s.nodes.split(' ').filter(Boolean).length === count);
  assert.ok(from >= 0, `no sample shows ${count} states`);
  return all.slice(from).filter((s) => s.busy === 'false' && s.nodes);
}

describe('graph canvas at rest (Chromium)', { skip: available ? false : 'Chromium not found' }, () => {
  let env: TestEnv;
  before(async () => {
    env = await startEnv();
  });
  after(async () => {
    await env?.close();
  });

  it('reads at rest only once ELK has laid the states out and the view is fitted to them', async () => {
    const host = await openEditor(env, { text: readSample('deploy.task.yaml'), fileName: 'deploy.task.yaml', width: 1280, height: 800, autoDocument: false });
    const page = host.page;
    await record(page);
    await host.sendDocument();
    await host.waitForNodes(9);
    await host.waitForLayout();
    const all = await samples(page);
    const final = all[all.length - 1];
    assert.equal(final.busy, 'false');
    assert.equal(final.aria, 'false');
    assert.ok(all.some((s) => s.busy === 'true' && s.aria === 'true' && s.nodes), 'the canvas read busy while the states moved');
    for (const s of atRest(all, 9)) assert.equal(s.nodes, final.nodes, 'the canvas read at rest with the states elsewhere than where they stayed');
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });

  it('a state added in the text: at rest only with the new state in its place', async () => {
    const text = readSample('deploy.task.yaml');
    const host = await openEditor(env, { text, fileName: 'deploy.task.yaml', width: 1280, height: 800 });
    const page = host.page;
    await host.waitForNodes(9);
    await host.waitForLayout();
    await record(page);
    await host.setText(text.replace(/^states:\n/m, 'states:\n  audit:\n    do:\n      - log: "audit"\n    next: done\n'));
    await host.waitForNodes(10);
    await host.waitForLayout();
    const all = await samples(page);
    const final = all[all.length - 1];
    for (const s of atRest(all, 10)) assert.equal(s.nodes, final.nodes, 'the canvas read at rest before the new state had its place');
    assert.deepEqual(host.errors, []);
    await page.context().close();
  });
});
