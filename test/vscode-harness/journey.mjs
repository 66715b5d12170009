// One journey through the workbench, driven like a person with keyboard and mouse: open a broken
// task, read the Problems panel, apply a quick fix, run a task from the command palette, read the
// Output panel and the Runs view; then debug a task: a breakpoint with F9, F5, the stop; then the
// graph editor: open it, add a state, drag from its handle to another state; last the Getting
// Started walkthrough. Each step waits for what a person would see, and the screenshots
// (docs/images/) are the README's pictures.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openFile as openFileIn, runCommand } from './ui.mjs';

const SHOT = { animations: 'disabled' };

/**
 * The workspace's settings for the debug step, written before the workbench opens it: like
 * `npm start`, the samples run with their own mocks files on the virtual clock. (Written later, the
 * extension would read them only once VS Code noticed the file, which nothing on screen shows.)
 */
export function prepareJourneyWorkspace(workspace) {
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'stepwise.mocksFile': '${taskDir}/${taskName}.mocks.yaml', 'stepwise.clock': 'virtual' }, null, 2));
}

export async function journey({ page, workspace, screenshots, step }) {
  const shot = (name) => page.screenshot({ ...SHOT, path: path.join(screenshots, name) });
  const text = (selector) => page.locator(selector).allInnerTexts().then((t) => t.join('\n'));

  const command = (title) => runCommand(page, title);
  const openFile = (name) => openFileIn(page, name);
  // Before a screenshot: no hover card left where the mouse was.
  const noHover = () => page.locator('.monaco-hover:visible, .workbench-hover:visible').first().waitFor({ state: 'detached', timeout: 10_000 });

  await step('the workbench loads with the extension under development', async () => {
    await page.waitForSelector('.monaco-workbench .statusbar', { timeout: 90_000 });
    // The activity bar shows the Stepwise container once the extension's contributions are in.
    await page.locator('.activitybar .action-item a[aria-label^="Stepwise"], .activitybar .action-item[aria-label^="Stepwise"]').first().waitFor({ timeout: 60_000 });
  });

  await step('opening broken.task.yaml shows its problems in the editor and the Problems panel', async () => {
    await openFile('broken.task.yaml');
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
    await command('View: Focus Problems');
    const problems = page.locator('.markers-panel');
    await problems.waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('.markers-panel .monaco-list-row', { hasText: "did you mean 'process'" }).first().waitFor({ timeout: 15_000 });
    const all = await text('.markers-panel');
    for (const code of ['unknown-target', 'invalid-duration', 'no-way-out', 'unreachable-state']) {
      if (!all.includes(code)) throw new Error(`the Problems panel does not show ${code}:\n${all}`);
    }
    await shot('problems.png');
  });

  await step('a click on a problem and Ctrl+. offer the linter fix; Enter applies it', async () => {
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: "did you mean 'process'" }).first();
    await row.click();
    await page.keyboard.press('Enter'); // opens the problem's location in the editor
    // Enter may leave the focus in the Problems panel (it does on a busy machine): Ctrl+. acts in
    // the editor, whose selection is the problem's range.
    await command('View: Focus Active Editor Group');
    await page.locator('.monaco-editor.focused').first().waitFor({ timeout: 10_000 });
    // On a busy machine Ctrl+. can come before the code actions are computed ("No code actions
    // available" flashes and closes): ask again until the fix is offered.
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: "Change to 'process'" }).first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+.');
      const shown = await fix.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, (err) => (attempt === 8 ? Promise.reject(err) : false));
      if (shown) break;
      await page.locator('.monaco-editor.focused').first().waitFor({ timeout: 10_000 });
    }
    await shot('quick-fix.png');
    await fix.click();
    await page.locator('.markers-panel .monaco-list-row', { hasText: "did you mean 'process'" }).waitFor({ state: 'detached', timeout: 15_000 });
    const line = await page.locator('.monaco-editor .view-line', { hasText: '- to: process' }).count();
    if (line < 2) throw new Error('the editor does not show the fixed target');
    await command('File: Revert File');
  });

  await step('hello.task.yaml shows the Run | Debug lens over start:, and a hover on a state', async () => {
    await openFile('hello.task.yaml');
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Run' }).first().waitFor({ timeout: 30_000 });
    const lens = await text('.monaco-editor .codelens-decoration');
    if (!/Run/.test(lens) || !/Debug/.test(lens)) throw new Error(`lens text: ${lens}`);
    // Hover the `greet` of `start: greet` like a mouse would.
    const target = page.locator('.monaco-editor .view-line', { hasText: 'start: greet' }).locator('span', { hasText: /^greet$/ }).last();
    await target.hover();
    await page.locator('.monaco-hover', { hasText: 'State greet' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await shot('editor.png');
    await page.mouse.move(5, 300);
  });

  await step('Stepwise: Run Task from the command palette runs it to succeeded', async () => {
    await command('Stepwise: Run Task');
    try {
      await page.locator('.notification-toast', { hasText: 'hello succeeded' }).first().waitFor({ timeout: 8_000 });
    } catch {
      // A toast hides itself after a while on a busy machine; the notification centre keeps it.
      await command('Notifications: Show Notifications');
      await page.locator('.notifications-center', { hasText: 'hello succeeded' }).first().waitFor({ timeout: 15_000 });
      await shot('run-notification.png');
      await page.keyboard.press('Escape');
    }
  });

  await step('the Output panel shows the run, state by state', async () => {
    await command('Stepwise: Show Output');
    const out = page.locator('.part.panel .monaco-editor .view-lines');
    await out.filter({ hasText: '● done' }).first().waitFor({ timeout: 20_000 });
    // Monaco renders spaces as no-break spaces.
    const all = (await out.first().innerText()).replace(/\u00a0/g, ' ');
    for (const want of ['▶ run', '● greet', 'log Hello, world!', '● done', 'succeeded']) {
      if (!all.includes(want)) throw new Error(`the Output panel lacks '${want}':\n${all}`);
    }
    await shot('run-output.png');
  });

  await step('the Runs view lists the run as succeeded', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Stepwise"], .activitybar .action-item[aria-label^="Stepwise"]').first().click();
    const row = page.locator('.pane-body .monaco-list-row', { hasText: 'hello' }).filter({ hasText: 'succeeded' }).first();
    await row.waitFor({ state: 'visible', timeout: 20_000 });
    await row.hover();
    await shot('runs-view.png');
  });

  await step('F9 on a state and F5 debug the task: it stops there, with its Data and Input in the Variables view', async () => {
    // The workspace's settings (prepareJourneyWorkspace) give the samples their mocks files and the virtual clock.
    const line = fs.readFileSync(path.join(workspace, 'deploy.task.yaml'), 'utf8').split('\n').findIndex((l) => l.trim() === 'compare:') + 1;
    // One editor, so that the floating debug toolbar leaves its tab in sight.
    await command('View: Close All Editors');
    await openFile('deploy.task.yaml');
    await page.locator('.monaco-editor .view-line', { hasText: 'version: 1' }).first().waitFor({ timeout: 15_000 });
    // Ctrl+G, the line, Enter: the cursor on `compare:`; F9 sets a breakpoint there.
    await page.keyboard.press('Control+G');
    await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
    await page.keyboard.type(String(line));
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: 'compare:' }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('F9');
    await page.locator('.monaco-editor .codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('F5');
    // The workbench shows the stop: the debug toolbar, the stopped line, the Variables view.
    await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.monaco-editor .debug-top-stack-frame-line').first().waitFor({ timeout: 30_000 });
    const variables = page.locator('.debug-variables');
    await variables.waitFor({ state: 'visible', timeout: 15_000 });
    const row = (label) => variables.locator('.monaco-list-row', { hasText: new RegExp(`^\\s*${label}(\\s*=|\\s*$)`) }).first();
    // A wider side bar, and room for the Variables view (Watch collapsed).
    const sash = await page.locator('.part.sidebar').boundingBox();
    await page.mouse.move(sash.x + sash.width + 2, 400);
    await page.mouse.down();
    await page.mouse.move(sash.x + sash.width + 230, 400, { steps: 5 });
    await page.mouse.up();
    // The floating debug toolbar, dragged by its grip off the editor's tab.
    const grip = await page.locator('.debug-toolbar .drag-area').boundingBox();
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(grip.x + 360, grip.y + grip.height / 2, { steps: 5 });
    await page.mouse.up();
    const watch = page.locator('.pane-header', { hasText: 'Watch' }).first();
    if ((await watch.getAttribute('aria-expanded')) === 'true') await watch.click();
    await page.locator('.pane-header[aria-expanded="false"]', { hasText: 'Watch' }).first().waitFor({ timeout: 10_000 });
    const below = await watch.boundingBox();
    await page.mouse.move(below.x + 100, below.y - 1);
    await page.mouse.down();
    await page.mouse.move(below.x + 100, below.y + 200, { steps: 5 });
    await page.mouse.up();
    // Open Data (and the body of data.actual) and Input.
    await row('Data').waitFor({ timeout: 15_000 });
    if ((await row('Data').getAttribute('aria-expanded')) !== 'true') await row('Data').click();
    await row('actual').waitFor({ timeout: 15_000 });
    await row('actual').click();
    await row('body').waitFor({ timeout: 10_000 });
    await row('body').click();
    await row('phase').waitFor({ timeout: 10_000 });
    await row('Input').click();
    await row('app').waitFor({ timeout: 10_000 });
    const all = await text('.debug-variables');
    for (const want of ['Data', 'collect', 'actual', 'version', 'Input', 'app', 'env']) {
      if (!all.includes(want)) throw new Error(`the Variables view lacks '${want}':\n${all}`);
    }
    await page.mouse.move(700, 850);
    await noHover();
    await shot('debug-stopped.png');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
  });
  await step('Stepwise: Open Graph shows deploy.task.yaml as a graph beside its text; Add state edits the text', async () => {
    await command('View: Close All Editors');
    await openFile('deploy.task.yaml');
    await page.locator('.monaco-editor .view-line').first().waitFor({ timeout: 15_000 });
    // Room for the picture: no side bar, no panel.
    if (await page.locator('.part.sidebar').isVisible()) await page.keyboard.press('Control+B');
    if (await page.locator('.part.panel').isVisible()) await command('View: Hide Panel');
    await command('Stepwise: Open Graph');
    // The webview: VS Code's outer iframe, then the page's own.
    const graph = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await graph.locator('.react-flow__node').first().waitFor({ state: 'visible', timeout: 30_000 });
    await graph.locator('main.sw-canvas[data-busy="false"]:not([data-layout="none"])').waitFor({ timeout: 30_000 });
    const before = await graph.locator('.react-flow__node').count();
    if (before <= 3) throw new Error(`the graph shows ${before} nodes`);
    const dirty = page.locator('.tab.dirty', { hasText: 'deploy.task.yaml' });
    if (await dirty.count()) throw new Error('deploy.task.yaml is dirty before the edit');
    await graph.locator('[aria-label="Add state"]').first().click();
    // The TextDocument changed (its tabs show it dirty) and the graph drew the new state from it.
    await dirty.first().waitFor({ timeout: 15_000 });
    for (let i = 0; i < 100 && (await graph.locator('.react-flow__node').count()) <= before; i++) await page.waitForTimeout(100);
    const after = await graph.locator('.react-flow__node').count();
    if (after !== before + 1) throw new Error(`the graph shows ${after} nodes after Add state (before: ${before})`);
    await page.locator('.monaco-editor .view-line', { hasText: /state\d*:/ }).first().waitFor({ timeout: 15_000 }).catch(() => undefined);
    await graph.locator('main.sw-canvas[data-busy="false"]').waitFor({ timeout: 30_000 });
  });
  await step('dragging from the new state\'s handle to done connects them: the transition is in the text', async () => {
    const graph = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const node = (name) => graph.locator(`.react-flow__node[data-id="${name}"]`);
    const zoomLabel = graph.locator('button.sw-zoom');
    // The view's pans and zooms are animated: wait until its transform stays the same.
    const viewStill = async () => {
      let last = '';
      for (let i = 0; i < 100; i++) {
        const now = await graph.locator('.react-flow__viewport').evaluate((el) => el.style.transform);
        if (now === last) return;
        last = now;
        await page.waitForTimeout(100);
      }
      throw new Error('the graph view never stopped moving');
    };
    const zoom = async () => Number(/(\d+) %/.exec((await zoomLabel.getAttribute('aria-label')) ?? '')?.[1] ?? NaN);
    // Whether the middle of `locator` is what the mouse would hit there: on the canvas and under
    // no toolbar, minimap or other state.
    const uncovered = (locator) => locator.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
      return !!hit && (hit === el || el.contains(hit));
    });
    const middle = async (locator) => {
      const b = await locator.boundingBox();
      if (!b) throw new Error('not on screen');
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    // deploy.task.yaml is taller than the canvas at a readable zoom (Fit stops there): the new state
    // is near the top, done at the bottom. A person hides the minimap, zooms out until both are in
    // sight, drags state1 by its title to an empty place next to done (the canvas never scrolls, so
    // a place inside the visible canvas), finds done (which zooms in on it), and then drags from
    // state1's handle to done.
    await graph.locator('[aria-label="Hide the minimap"]').first().click();
    await graph.locator('.react-flow__minimap').waitFor({ state: 'detached', timeout: 10_000 });
    await graph.locator('[aria-label="Fit the graph to the view"]').first().click();
    await viewStill();
    // Zooms out (around the canvas's middle) until state1 and done are both in sight.
    const zoomOutUntilBoth = async (state1) => {
      for (let i = 0; !((await uncovered(state1)) && (await uncovered(node('done').locator('.sw-node-name')))); i++) {
        if (i === 12) throw new Error(`state1 and done are not both in sight at ${await zoom()} %`);
        const was = await zoom();
        await graph.locator('[aria-label="Zoom out"]').first().click();
        for (let j = 0; j < 50 && (await zoom()) === was; j++) await page.waitForTimeout(50);
        await viewStill();
      }
    };
    const handle = node('state1').locator('.sw-handle-out');
    const inReach = async () => (await uncovered(handle)) && (await uncovered(node('done').locator('.sw-node-name'))) && (await zoom()) >= 85;
    for (let attempt = 0; !(await inReach()); attempt++) {
      if (attempt === 4) throw new Error('state1 stays out of sight next to done at a readable zoom');
      await zoomOutUntilBoth(node('state1'));
      const title1 = node('state1').locator('.sw-node-name');
      const from1 = await middle(title1);
      // Where to drop state1: the first place beside done (below, right, left, above) where state1's
      // whole box, moved there by its title, lies on the empty pane of the visible canvas.
      const drop = await node('done').evaluate((done, grab) => {
        const d = done.getBoundingClientRect();
        const s = document.querySelector('.react-flow__node[data-id="state1"]').getBoundingClientRect();
        const gx = grab.x - s.x;
        const gy = grab.y - s.y;
        const empty = (x, y) => document.elementFromPoint(x, y)?.classList.contains('react-flow__pane');
        const gap = 12;
        const places = [
          { x: d.x + d.width / 2 - s.width / 2, y: d.bottom + gap },
          { x: d.right + gap, y: d.y },
          { x: d.x - gap - s.width, y: d.y },
          { x: d.x + d.width / 2 - s.width / 2, y: d.y - gap - s.height },
        ];
        const free = places.find((p) => [0, 0.5, 1].every((fx) => [0, 0.5, 1].every((fy) => empty(p.x + fx * s.width, p.y + fy * s.height))));
        return free && { dx: free.x + gx - d.x, dy: free.y + gy - d.y };
      }, await title1.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      }));
      if (!drop) throw new Error('no empty place beside done on the visible canvas to drop state1');
      const doneBox = await node('done').boundingBox();
      const target = { x: doneBox.x + drop.dx, y: doneBox.y + drop.dy };
      await page.mouse.move(from1.x, from1.y);
      await page.mouse.down();
      await page.mouse.move((from1.x + target.x) / 2, (from1.y + target.y) / 2, { steps: 8 });
      await page.mouse.move(target.x, target.y, { steps: 8 });
      await page.mouse.up();
      const landed = await middle(title1);
      if (Math.hypot(landed.x - target.x, landed.y - target.y) > 6) throw new Error(`state1 landed at ${Math.round(landed.x)},${Math.round(landed.y)}, not where it was dropped (${Math.round(target.x)},${Math.round(target.y)})`);
      // Find done: the graph centres it at a readable zoom, which spreads the two apart: when state1
      // is then out of sight, a person zooms out and drops it beside done again, closer each time.
      await graph.locator('.sw-search').first().click();
      await page.keyboard.type('done');
      await page.keyboard.press('Enter');
      await graph.locator('.react-flow__node.selected[data-id="done"]').waitFor({ timeout: 10_000 });
      for (let i = 0; i < 50 && (await zoom()) < 85; i++) await page.waitForTimeout(50);
      await page.keyboard.press('Escape');
      await viewStill();
    }
    await node('state1').hover();
    // The mouse as a person moves it: press on state1's handle, move in steps, release on done.
    const from = await middle(handle);
    const to = await middle(node('done'));
    const edgesBefore = await graph.locator('.react-flow__edge').count();
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 8 });
    await page.mouse.move(to.x, to.y, { steps: 8 });
    await page.mouse.up();
    await graph.locator('.react-flow__edge[data-testid="rf__edge-on:0:state1"]').waitFor({ timeout: 15_000 });
    const edgesAfter = await graph.locator('.react-flow__edge').count();
    if (edgesAfter !== edgesBefore + 1) throw new Error(`${edgesAfter} transitions on the graph after the drag (before: ${edgesBefore})`);
    // The text has it: saved, the file on disk ends with the new state going to done.
    await command('File: Save All');
    const file = path.join(workspace, 'deploy.task.yaml');
    let disk = '';
    for (let i = 0; i < 100 && !/\n {2}state1:\n {4}next: done\n?$/.test(disk); i++) {
      await page.waitForTimeout(100);
      disk = fs.readFileSync(file, 'utf8');
    }
    if (!/\n {2}state1:\n {4}next: done\n?$/.test(disk)) throw new Error(`deploy.task.yaml does not end with state1 going to done:\n${disk.slice(-200)}`);
    await graph.locator('main.sw-canvas[data-busy="false"]').waitFor({ timeout: 30_000 });
    // More room for the graph than for the text: the sash between the two editor groups, dragged left.
    const groups = page.locator('.part.editor .split-view-view');
    const right = await groups.nth(1).boundingBox();
    if (right) {
      await page.mouse.move(right.x, right.y + 300);
      await page.mouse.down();
      await page.mouse.move(right.x - 330, right.y + 300, { steps: 8 });
      await page.mouse.up();
    }
    await graph.locator('[aria-label="Show the minimap"]').first().click();
    await graph.locator('.react-flow__minimap').waitFor({ timeout: 10_000 });
    await viewStill();
    // A click on the node shows its YAML in the text beside the graph; the wider canvas fitted
    // the graph anew, so a person first finds state1 to bring it into view.
    await graph.locator('.sw-search').first().click();
    await page.keyboard.type('state1');
    await page.keyboard.press('Enter');
    await graph.locator('.react-flow__node.selected[data-id="state1"]').waitFor({ timeout: 10_000 });
    await page.keyboard.press('Escape');
    await node('state1').locator('.sw-node-name').click();
    await page.locator('.monaco-editor .view-line', { hasText: 'state1:' }).first().waitFor({ timeout: 15_000 });
    await page.mouse.move(700, 850);
    await noHover();
    await shot('graph-editor.png');
  });

  await step('the Getting Started walkthrough opens from the Welcome page; its New Task button creates a task from a template; Run Offline sets its mocks; it runs to succeeded', async () => {
    await command('View: Close All Editors');
    if (await page.locator('.part.sidebar').isVisible()) await page.keyboard.press('Control+B');
    fs.rmSync(path.join(workspace, '.vscode', 'settings.json'), { force: true });
    await command('Welcome: Open Walkthrough');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with Stepwise' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.type('Get Started with Stepwise');
    await page.keyboard.press('Enter');
    const walkthrough = page.locator('.gettingStartedContainer');
    await walkthrough.locator('.getting-started-step', { hasText: 'Create a task from a template' }).first().waitFor({ timeout: 30_000 });
    const titles = await walkthrough.locator('.getting-started-step .step-title').allInnerTexts();
    const want = ['Create a task from a template', 'See it as a graph', 'Run it', 'Debug it with a breakpoint', 'Fix what the linter finds', 'Test it'];
    if (JSON.stringify(titles.map((t) => t.trim())) !== JSON.stringify(want)) throw new Error(`the walkthrough's steps: ${titles.join(' | ')}`);
    // The button, as a person clicks it: a template pick, then the name (health.task.yaml exists, so health-2).
    await walkthrough.locator('.getting-started-step.expanded', { hasText: 'Create a task from a template' }).getByRole('button', { name: 'New Task…' }).click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Empty task' }).first().waitFor({ timeout: 15_000 });
    await page.keyboard.type('Health check');
    await page.keyboard.press('Enter');
    const name = page.locator('.quick-input-widget .quick-input-box input');
    for (let i = 0; i < 100 && (await name.inputValue().catch(() => '')) !== 'health-2.task.yaml'; i++) await page.waitForTimeout(100);
    if ((await name.inputValue()) !== 'health-2.task.yaml') throw new Error(`the suggested name is '${await name.inputValue()}'`);
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'health-2.task.yaml' }).waitFor({ timeout: 15_000 });
    await page.locator('.monaco-editor .view-line', { hasText: 'name: health-2' }).first().waitFor({ timeout: 15_000 });
    for (const f of ['health-2.task.yaml', 'health-2.mocks.yaml']) if (!fs.existsSync(path.join(workspace, f))) throw new Error(`${f} was not written`);
    // Its notification offers Run Offline (this workspace's mocks setting and virtual clock), as it
    // would in a fresh workspace: the debug step's settings are gone. Toasts come and go on a busy
    // machine; the notification centre keeps them.
    await command('Notifications: Show Notifications');
    await page.locator('.notifications-center .monaco-button', { hasText: 'Run Offline' }).first().click({ timeout: 15_000 });
    const settings = path.join(workspace, '.vscode', 'settings.json');
    for (let i = 0; i < 100 && !/"stepwise\.clock": "virtual"/.test(fs.existsSync(settings) ? fs.readFileSync(settings, 'utf8') : ''); i++) await page.waitForTimeout(100);
    const written = fs.readFileSync(settings, 'utf8');
    if (!written.includes('"stepwise.mocksFile": "${taskDir}/${taskName}.mocks.yaml"') || !written.includes('"stepwise.clock": "virtual"')) throw new Error(`Run Offline wrote:\n${written}`);
    if (await page.locator('.notifications-center').isVisible()) await page.keyboard.press('Escape');
    // Back on the walkthrough the first step is done; the next one shows its picture.
    await page.locator('.tab', { hasText: 'Welcome' }).first().click();
    await walkthrough.locator('.getting-started-step', { hasText: 'Create a task from a template' }).locator('.codicon-getting-started-step-checked').waitFor({ timeout: 15_000 });
    await walkthrough.locator('.getting-started-step', { hasText: 'See it as a graph' }).locator('.step-title').click();
    await walkthrough.locator('.getting-started-step.expanded', { hasText: 'See it as a graph' }).waitFor({ timeout: 10_000 });
    const image = walkthrough.locator('.getting-started-media img').first();
    await image.waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await image.elementHandle(), { timeout: 15_000 });
    await page.mouse.move(5, 400);
    await shot('walkthrough.png');
    // Run from its editor: the task runs with its own mocks on the virtual clock (what Run Offline
    // set), so the health check's polls end at once. (The walkthrough's Run Task button asks for the
    // file with a quick pick, which the walkthrough's webview can take the focus from and close.)
    await page.locator('.tab', { hasText: 'health-2.task.yaml' }).first().click();
    await page.locator('.tab.active', { hasText: 'health-2.task.yaml' }).waitFor({ timeout: 15_000 });
    await command('Stepwise: Run Task');
    const runs = path.join(workspace, '.stepwise', 'runs');
    const ended = () => (fs.existsSync(runs) ? fs.readdirSync(runs) : []).filter((f) => f.endsWith('.jsonl')).map((f) => fs.readFileSync(path.join(runs, f), 'utf8')).find((t) => t.includes('"task":"health-2"') && t.includes('"type":"run-ended"'));
    for (let i = 0; i < 300 && !ended(); i++) await page.waitForTimeout(100);
    if (!ended()?.includes('"type":"run-ended","status":"succeeded"')) throw new Error(`the run of health-2 did not succeed:\n${ended() ?? '(no finished run)'}`);
    // The walkthrough counts the step as done (its completion event is the Run Task command).
    await page.locator('.tab', { hasText: 'Welcome' }).first().click();
    await walkthrough.locator('.getting-started-step', { hasText: 'Run it' }).locator('.codicon-getting-started-step-checked').waitFor({ timeout: 15_000 });
  });
}
