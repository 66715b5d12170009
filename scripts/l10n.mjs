// Writes l10n/bundle.l10n.json: every message of the extension passed to `vscode.l10n.t` as a
// string literal, the bundle a translation (bundle.l10n.<locale>.json) starts from. --check only
// says whether the file is up to date (the manifest test runs it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLE = path.join(ROOT, 'l10n', 'bundle.l10n.json');
const CALL = /l10n\.t\(\s*(?:'((?:\\.|[^'\\])*)'|"((?:\\.|[^"\\])*)")/g;

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith('.ts') ? [full] : [];
  });
}

export function messages() {
  const found = new Set();
  for (const file of sources(path.join(ROOT, 'extension'))) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(CALL)) found.add((m[1] ?? m[2]).replace(/\\(.)/g, '$1'));
  }
  return Object.fromEntries([...found].sort().map((m) => [m, m]));
}

const text = JSON.stringify(messages(), null, 2) + '\n';
if (process.argv.includes('--check')) {
  const current = fs.existsSync(BUNDLE) ? fs.readFileSync(BUNDLE, 'utf8') : '';
  if (current !== text) {
    console.error('l10n/bundle.l10n.json is out of date: run node scripts/l10n.mjs');
    process.exit(1);
  }
} else {
  fs.writeFileSync(BUNDLE, text);
}
