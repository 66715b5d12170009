// `npm pack` of packages/cli (its prepack): the CLI's bundles, minified, with the rule pages that
// `lint --format sarif` links to and the licence. All generated (git-ignored); the package has no
// dependencies, so it installs without fetching anything.
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildCli } from './build-cli.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = fileURLToPath(new URL('../packages/cli/', import.meta.url));

for (const generated of ['dist', 'docs', 'LICENSE']) rmSync(pkg + generated, { recursive: true, force: true });
await buildCli({ outdir: pkg + 'dist', production: true, absWorkingDir: root });
cpSync(root + 'docs/rules', pkg + 'docs/rules', { recursive: true });
cpSync(root + 'LICENSE', pkg + 'LICENSE');
