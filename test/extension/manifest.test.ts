// The extension's manifest as a new user meets it: one ▷ Run Task button in the editor title.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
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

  it('Run and Debug in editor and explorer menus and keybindings show only for task files', () => {
    // Breakpoints and the YAML language cover every YAML file; these entries are what a when clause can narrow.
    const taskFileOnly = /resourceFilename =~ \/\\\.task\\\.ya\?ml\$\//;
    const entries = [
      ...Object.entries(manifest.contributes.menus as Record<string, Array<{ command: string; when?: string }>>)
        .filter(([menu]) => /^(editor|explorer)\//.test(menu))
        .flatMap(([menu, items]) => items.map((m) => ({ where: menu, ...m }))),
      ...(manifest.contributes.keybindings ?? []).map((k: { command: string; when?: string }) => ({ where: 'keybindings', ...k })),
    ].filter((m) => /^stepwise\.(server\.)?(run|debug)Task$/.test(m.command));
    assert.ok(entries.length > 0);
    assert.deepEqual(entries.filter((m) => !taskFileOnly.test(m.when ?? '')), []);
  });
});

describe('localisation', () => {
  const nls = JSON.parse(fs.readFileSync(path.join(REPO, 'package.nls.json'), 'utf8'));

  it('every %key% of the manifest is in package.nls.json, and every entry there is used', () => {
    const used = new Set([...JSON.stringify(manifest).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
    assert.deepEqual([...used].filter((k) => !(k in nls)), []);
    assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), []);
    assert.equal(manifest.l10n, './l10n');
  });

  it("the manifest's titles and descriptions are all localisable", () => {
    const literal: string[] = [];
    for (const c of manifest.contributes.commands) if (!/^%.+%$/.test(c.title)) literal.push(c.command);
    const check = (name: string, spec: Record<string, unknown>) => {
      for (const f of ['description', 'markdownDescription']) if (typeof spec[f] === 'string' && !/^%.+%$/.test(spec[f] as string)) literal.push(name);
      const enumTexts = (spec.enumDescriptions ?? []) as string[];
      if (enumTexts.some((t) => !/^%.+%$/.test(t))) literal.push(`${name}.enumDescriptions`);
    };
    for (const [k, spec] of Object.entries<Record<string, unknown>>(manifest.contributes.configuration.properties)) check(k, spec);
    // launch.json attributes show their descriptions in IntelliSense, as settings do.
    for (const dbg of manifest.contributes.debuggers) {
      for (const [request, attrs] of Object.entries<{ properties: Record<string, Record<string, unknown>> }>(dbg.configurationAttributes)) {
        for (const [k, spec] of Object.entries(attrs.properties)) check(`${dbg.type}.${request}.${k}`, spec);
      }
    }
    assert.deepEqual(literal, []);
  });

  it('l10n/bundle.l10n.json holds exactly the messages given to vscode.l10n.t', () => {
    execFileSync(process.execPath, [path.join(REPO, 'scripts', 'l10n.mjs'), '--check']);
  });

  it('messages, prompts and titles shown by the extension are written as vscode.l10n.t calls, not bare strings', () => {
    // A bare literal here never reaches the bundle, so no translation could replace it.
    const bare = /\.show(?:Information|Warning|Error)Message\(\s*[`'"]|\b(?:title|prompt|placeHolder|tooltip):\s*[`'"]|\bpickRun\(\w+,\s*[`'"]/;
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (e.name.endsWith('.ts')) fs.readFileSync(full, 'utf8').split('\n').forEach((line, i) => bare.test(line) && found.push(`${path.relative(REPO, full)}:${i + 1}`));
      }
    };
    walk(path.join(REPO, 'extension'));
    assert.deepEqual(found, []);
  });

  it('repository, bugs and homepage are set', () => {
    assert.match(manifest.repository.url, /github\.com/);
    assert.match(manifest.bugs.url, /issues/);
    assert.ok(manifest.homepage);
  });
});
