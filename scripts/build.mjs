// Bundles the CLI, the VS Code extension and the graph editor's webview into dist/ with esbuild.
// The webview has a build script of its own (scripts/build-webview.mjs, with --watch): it runs
// here as a child process, in parallel with the node bundles.
// --production (what `vsce package` runs as vscode:prepublish): minified, no source maps, and dist/
// emptied first so that no map or stale bundle of an earlier development build gets packaged.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildCli, driversApart } from './build-cli.mjs';

const production = process.argv.includes('--production');
if (production) rmSync(fileURLToPath(new URL('../dist', import.meta.url)), { recursive: true, force: true });

function buildWebview() {
  const script = fileURLToPath(new URL('./build-webview.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { stdio: 'inherit', cwd: fileURLToPath(new URL('..', import.meta.url)) });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the webview build failed (exit code ${code})`))));
  });
}

await Promise.all([
  buildWebview(),
  buildCli({ outdir: 'dist', production }),
  // The extension runs in VS Code's extension host, which provides `vscode`; the linter runs in a
  // worker thread of its own (dist/lintWorker.js) so that huge files never block the host.
  build({
    entryPoints: { extension: 'extension/extension.ts', engineHost: 'extension/engineHost.ts', lintWorker: 'extension/lintWorker.ts' },
    plugins: [driversApart],
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  }),
]);
