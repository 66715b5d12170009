// One journey through the workbench, driven like a person with keyboard and mouse: open a broken
// task, read the Problems panel, apply a quick fix, run a task from the command palette, read the
// Output panel and the Runs view. Each step waits for what a person would see, and the
// screenshots (docs/images/) are the README's pictures.
import * as path from 'node:path';

const SHOT = { animations: 'disabled' };

export async function journey({ page, screenshots, step }) {
  const shot = (name) => page.screenshot({ ...SHOT, path: path.join(screenshots, name) });
  const text = (selector) => page.locator(selector).allInnerTexts().then((t) => t.join('\n'));

  /** F1, type the command's title, wait until the extension has registered it, Enter. */
  const command = async (title) => {
    for (let attempt = 0; attempt < 20; attempt++) {
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type(title);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      try {
        await row.waitFor({ state: 'visible', timeout: 2000 });
        await page.keyboard.press('Enter');
        return;
      } catch {
        await page.keyboard.press('Escape');
        await page.waitForTimeout(500);
      }
    }
    throw new Error(`command '${title}' never appeared in the command palette`);
  };

  /** Ctrl+P, the file's name, Enter; resolves when its tab is active. */
  const openFile = async (name) => {
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
    await page.keyboard.type(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 15_000 });
  };

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
    await page.waitForTimeout(500);
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget .monaco-list-row', { hasText: "Change to 'process'" }).first();
    await fix.waitFor({ state: 'visible', timeout: 15_000 });
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
    await page.waitForTimeout(300);
    await shot('runs-view.png');
  });
}
