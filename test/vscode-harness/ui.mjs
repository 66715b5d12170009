// What a person does in the workbench, with keyboard and mouse, for the UI-driven tests.

/**
 * Takes the keyboard focus back to the workbench's own document: keys sent while a webview's
 * frame (or an element that went away) holds the focus never reach the workbench's keybindings.
 */
export async function refocus(page) {
  await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined)).catch(() => undefined);
}

/** F1, the command's title, wait until it is registered (an extension may still be starting), Enter. */
export async function runCommand(page, title) {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (attempt > 0) await refocus(page);
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10_000 });
    await page.keyboard.type(title);
    // Enter takes the focused row: wait until the filter has put the command there.
    const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).first();
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
}

/**
 * Ctrl+P, the file's name, Enter; resolves when its tab is active. Tried again when a busy
 * workbench dropped the keys (a palette still closing takes Ctrl+P).
 */
export async function openFile(page, name) {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type(name);
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: name }).first().waitFor({ state: 'visible', timeout: 15_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 15_000 });
      return;
    } catch (err) {
      if (attempt === 4) throw err;
      await page.keyboard.press('Escape');
      await refocus(page);
      await page.waitForTimeout(1000);
    }
  }
}

/** Ctrl+G, the line (1-based), Enter: the cursor at the start of that line. */
export async function goToLine(page, line) {
  await page.keyboard.press('Control+G');
  await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
}

/** The Stepwise container of the activity bar (there once the extension's contributions are in). */
export function stepwiseActivity(page) {
  return page.locator('.activitybar .action-item a[aria-label^="Stepwise"], .activitybar .action-item[aria-label^="Stepwise"]').first();
}

/**
 * The page of the webview on screen (the graph editor, an extension's README): VS Code's iframe,
 * then the page's own.
 */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}
