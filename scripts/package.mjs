// `npm run package`: packs stepwise-<version>.vsix with @vscode/vsce, offline. vsce first runs the
// manifest's vscode:prepublish (the production build: minified, no source maps). The bundles hold
// every dependency, so no dependency detection (no node_modules in the package). vsce makes the
// README's relative links absolute from the manifest's `repository`; without one they stay relative
// and their files are packaged: a Markdown preview of the installed README shows its pictures, the
// Extensions view does not (VS Code shows only absolute image URLs there). .vscodeignore is the
// allowlist of packaged files.
// Then checks the package and fails saying what to do: every file the manifest names, every
// relative link of the README and the changelog and every image of a packaged page is in it; no
// source map, source file or node_modules is; it stays under 5 MB. Prints its size and files.
// Usage: node scripts/package.mjs [--out <file.vsix>]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVSIX, listFiles, PackageManager } from '@vscode/vsce';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_BYTES = 5 * 1024 * 1024;
/** Never in the package: sources and maps (the bundles replace them), dependencies, tests, caches. */
const FORBIDDEN = [/\.map$/, /(?<!\.d)\.tsx?$/, /^node_modules\//, /^(out|test|bench|\.cache|\.stepwise|\.scratch)\//];

/** The .vsix path: --out, or <name>-<version>.vsix in the project's root (git ignores *.vsix). */
function outPath(manifest) {
  const i = process.argv.indexOf('--out');
  if (i >= 0) {
    if (!process.argv[i + 1]) throw new Error('--out needs a file name, such as --out build/stepwise.vsix');
    return path.resolve(process.argv[i + 1]);
  }
  return path.join(ROOT, `${manifest.name}-${manifest.version}.vsix`);
}

/** Relative file paths named anywhere in the manifest's contributions, icon, main and bin. */
function manifestFiles(manifest) {
  const found = new Set();
  const visit = (value) => {
    if (typeof value === 'string') {
      const rel = path.posix.normalize(value.replace(/^\.\//, ''));
      if (/^[\w.-]+(\/[\w.@-]+)*\.\w+$/.test(rel) && !rel.startsWith('..') && fs.statSync(path.join(ROOT, rel), { throwIfNoEntry: false })?.isFile()) found.add(rel);
    } else if (value && typeof value === 'object') {
      for (const v of Object.values(value)) visit(v);
    }
  };
  visit([manifest.main, manifest.browser, manifest.icon, manifest.bin, manifest.contributes]);
  return found;
}

/**
 * Relative links of a Markdown page (outside code), resolved from the project's root: all of them,
 * or its images only.
 */
function markdownLinks(file, imagesOnly) {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const link = /(!?)\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
  const targets = [...[...text.matchAll(link)].filter((m) => !imagesOnly || m[1]).map((m) => m[2]), ...[...text.matchAll(/<img[^>]+src=["']([^"']+)["']/g)].map((m) => m[1])];
  return targets
    .filter((t) => !/^[a-z][\w+.-]*:/i.test(t) && !t.startsWith('#'))
    .map((t) => path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURI(t.replace(/[#?].*$/, '')))));
}

function check(manifest, files) {
  const packed = new Set(files);
  const problems = [];
  for (const f of files) {
    if (FORBIDDEN.some((re) => re.test(f))) problems.push(`${f} must not be packaged: narrow the allowlist in .vscodeignore`);
  }
  for (const f of manifestFiles(manifest)) {
    if (!packed.has(f)) problems.push(`package.json names ${f}, which is not packaged: add '!${f}' to .vscodeignore`);
  }
  // The Extensions view shows the README and the changelog: their links must work from the
  // installed folder; the other pages are the repository's documentation, whose links to sources
  // may stay out, but their pictures must show.
  for (const md of files.filter((f) => f.endsWith('.md'))) {
    for (const target of markdownLinks(md, md !== 'README.md' && md !== 'CHANGELOG.md')) {
      const page = fs.statSync(path.join(ROOT, target), { throwIfNoEntry: false })?.isDirectory() ? path.posix.join(target, 'README.md') : target;
      if (!packed.has(page)) problems.push(`${md} links to ${target}, which is not packaged: add '!${page}' to .vscodeignore, or link to an absolute URL`);
    }
  }
  if (!packed.has(path.posix.normalize(manifest.main.replace(/^\.\//, '')))) problems.push(`the entry point ${manifest.main} is not packaged`);
  return problems;
}

function size(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Files and bytes (unpacked) per top folder, largest first. */
function summary(files) {
  const groups = new Map();
  for (const f of files) {
    const key = f.includes('/') ? f.slice(0, f.indexOf('/') + 1) : f;
    const g = groups.get(key) ?? { files: 0, bytes: 0 };
    g.files++;
    g.bytes += fs.statSync(path.join(ROOT, f)).size;
    groups.set(key, g);
  }
  return [...groups].sort((a, b) => b[1].bytes - a[1].bytes).map(([k, g]) => `  ${k.padEnd(20)} ${String(g.files).padStart(3)} file${g.files === 1 ? ' ' : 's'} ${size(g.bytes).padStart(10)}`);
}

async function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const out = outPath(manifest);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.rmSync(out, { force: true });
  await createVSIX({ cwd: ROOT, packagePath: out, dependencies: false, rewriteRelativeLinks: Boolean(manifest.repository), allowMissingRepository: true });
  const files = (await listFiles({ cwd: ROOT, packageManager: PackageManager.None })).sort();
  const problems = check(manifest, files);
  const bytes = fs.statSync(out).size;
  if (bytes > MAX_BYTES) problems.push(`the package is ${size(bytes)}, more than ${size(MAX_BYTES)}: see the largest folders above`);
  const shown = path.relative(process.cwd(), out);
  console.log(`\n${shown.startsWith('..') ? out : shown}: ${size(bytes)}, ${files.length} files (${size(files.reduce((n, f) => n + fs.statSync(path.join(ROOT, f)).size, 0))} unpacked)`);
  for (const line of summary(files)) console.log(line);
  if (problems.length) {
    fs.rmSync(out, { force: true });
    throw new Error(`the package is not right (${out} removed):\n  ${problems.join('\n  ')}`);
  }
}

main().catch((err) => {
  console.error(`package: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
