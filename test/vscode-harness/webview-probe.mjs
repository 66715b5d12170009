// The suite's eyes and hands inside webviews. Tests run in the extension host, which cannot see a
// webview's DOM; the harness drives the browser that shows it. This loopback HTTP server lets a
// test ask the harness to read a webview's DOM or to click and drag in it with the real mouse
// (playwright), so graph tests assert what a person sees, not what the host meant to show.
// The suite finds it through STEPWISE_WEBVIEW_PROBE (see test/vscode/webview.ts).
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';

const FIND_TIMEOUT_MS = 30_000;

/** The webview frames (VS Code's inner `active-frame`) whose document title is `title`. */
async function framesTitled(page, title) {
  const found = [];
  for (const frame of page.frames()) {
    if (frame === page.mainFrame()) continue;
    try {
      const t = await frame.evaluate(() => (document.getElementById('root') ? document.title : undefined));
      if (t === title) found.push(frame);
    } catch {
      // A frame that is navigating or gone.
    }
  }
  return found;
}

/** The one visible webview titled `title` (hidden ones are kept alive by retainContextWhenHidden). */
async function webviewFrame(page, title) {
  const until = Date.now() + FIND_TIMEOUT_MS;
  for (;;) {
    const visible = [];
    for (const frame of await framesTitled(page, title)) {
      const box = await (await frame.frameElement().catch(() => undefined))?.boundingBox().catch(() => undefined);
      if (box && box.width > 0 && box.height > 0) visible.push(frame);
    }
    if (visible.length === 1) return visible[0];
    if (Date.now() > until) throw new Error(`${visible.length} visible webviews titled '${title}' (want exactly one)`);
    await page.waitForTimeout(200);
  }
}

/**
 * The centre of `locator`'s element once its box holds still across two animation frames, as a
 * person waits for a graph to stop moving before aiming at a node.
 */
async function stableCenter(frame, locator) {
  await locator.scrollIntoViewIfNeeded().catch(() => undefined);
  const until = Date.now() + FIND_TIMEOUT_MS;
  let last;
  for (;;) {
    const box = await locator.boundingBox();
    if (!box) throw new Error('the element has no box (not visible)');
    if (last && ['x', 'y', 'width', 'height'].every((k) => Math.abs(last[k] - box[k]) < 0.5)) return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    if (Date.now() > until) throw new Error(`the element kept moving for ${FIND_TIMEOUT_MS} ms`);
    last = box;
    await frame.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  }
}

/** Whether the page point `at` is inside the element's box as it is now. */
async function within(locator, at) {
  const box = await locator.boundingBox();
  return !!box && at.x >= box.x && at.x <= box.x + box.width && at.y >= box.y && at.y <= box.y + box.height;
}

/** Carries out one request: `evaluate` an expression, `click`, `drag` between selectors, `type` text, `press` a key, size the `viewport`, take a `screenshot`. */
async function act(page, req) {
  // Keys, the window size and screenshots are the page's; the rest act in the webview.
  const frame = ['press', 'viewport', 'screenshot'].includes(req.action) ? undefined : await webviewFrame(page, String(req.title));
  switch (req.action) {
    case 'evaluate':
      return frame.evaluate(String(req.expression));
    case 'click': {
      const target = frame.locator(String(req.selector)).first();
      await target.click({ timeout: 15_000, button: req.button === 'right' ? 'right' : 'left', clickCount: Number(req.clickCount ?? 1) });
      return true;
    }
    case 'drag': {
      // The mouse as a person moves it: press on one element, move in steps, aim at the other
      // (again, if it moved meanwhile) and release only on it.
      const source = frame.locator(String(req.from)).first();
      const target = frame.locator(String(req.to)).first();
      const from = await stableCenter(frame, source);
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      let to = await stableCenter(frame, target);
      await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 6 });
      let on = false;
      for (let aim = 0; aim < 5 && !on; aim++) {
        to = await stableCenter(frame, target);
        await page.mouse.move(to.x, to.y, { steps: 6 });
        on = await within(target, to);
      }
      if (!on) {
        // Released where it started, the drag changes nothing.
        await page.mouse.move(from.x, from.y, { steps: 6 });
        await page.mouse.up();
        throw new Error(`${req.to} kept moving away from the pointer`);
      }
      await page.mouse.up();
      return true;
    }
    case 'type': {
      // Keys as a person types them, `delay` ms apart, into the focused element of `selector`.
      await frame.locator(String(req.selector)).first().pressSequentially(String(req.text), { delay: Number(req.delay ?? 10), timeout: 15_000 });
      return true;
    }
    case 'press':
      await page.keyboard.press(String(req.key));
      return true;
    case 'viewport':
      await page.setViewportSize({ width: Number(req.width), height: Number(req.height) });
      return true;
    case 'screenshot': {
      // Only into the git-ignored .scratch/ folder of the project.
      const file = path.resolve(String(req.file));
      if (!file.includes(`${path.sep}.scratch${path.sep}`)) throw new Error('screenshots go under .scratch/');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      await page.screenshot({ path: file });
      return file;
    }
    default:
      throw new Error(`unknown action '${req.action}'`);
  }
}

/** Starts the probe for whichever page `getPage()` returns; resolves to { url, close }. */
export function startWebviewProbe(getPage) {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (c) => (body += c));
    request.on('end', async () => {
      let status = 200;
      let answer;
      try {
        const page = getPage();
        if (!page) throw new Error('no workbench page yet');
        answer = { value: await act(page, JSON.parse(body)) };
      } catch (err) {
        status = 500;
        // What the workbench looked like when the action failed, for the test's error message.
        const shot = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-probe-')), 'failure.png');
        const saved = await getPage()?.screenshot({ path: shot }).then(() => true, () => false);
        answer = { error: `${err?.message ?? String(err)}${saved ? ` (screenshot: ${shot})` : ''}` };
      }
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer ?? { value: null }));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
