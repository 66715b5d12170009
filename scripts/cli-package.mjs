// `npm pack` of packages/cli (its prepack): the CLI's bundles, minified, the library entry point
// with its declarations (tsc, tsconfig.types.json), the rule pages that `lint --format sarif`
// links to and the licence. All generated (git-ignored); the package has no dependencies, so it
// installs without fetching anything.
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { buildCli, buildLibrary } from './build-cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = fileURLToPath(new URL('../packages/cli/', import.meta.url));

for (const generated of ['dist', 'docs', 'LICENSE']) rmSync(pkg + generated, { recursive: true, force: true });
await buildCli({ outdir: pkg + 'dist', production: true, absWorkingDir: root });
await buildLibrary({ outdir: pkg + 'dist', production: true, absWorkingDir: root });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.types.json'], { cwd: root, stdio: 'inherit' });
cpSync(root + 'docs/rules', pkg + 'docs/rules', { recursive: true });
cpSync(root + 'LICENSE', pkg + 'LICENSE');
