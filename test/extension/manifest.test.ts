// The extension's manifest as a new user meets it: one ▷ Run Task button in the editor title.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));

describe('manifest', () => {
  it('no command is both a button of the editor title and an entry of its Run menu (two ▷ side by side)', () => {
    const menus = manifest.contributes.menus;
    const inRun = new Set(menus['editor/title/run'].map((m: { command: string }) => m.command));
    const buttons = menus['editor/title'].filter((m: { group?: string }) => m.group?.startsWith('navigation')).map((m: { command: string }) => m.command);
    assert.deepEqual(buttons.filter((c: string) => inRun.has(c)), []);
  });
});
