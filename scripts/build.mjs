// Bundles the CLI, the VS Code extension (and, later, the webview) into dist/ with esbuild.
import { build } from 'esbuild';

const production = process.argv.includes('--production');

await Promise.all([
  build({
    entryPoints: { cli: 'engine/cli/main.ts', debugAdapter: 'engine/debug/main.ts' },
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
  }),
  // The extension runs in VS Code's extension host, which provides `vscode`; the linter runs in a
  // worker thread of its own (dist/lintWorker.js) so that huge files never block the host.
  build({
    entryPoints: { extension: 'extension/extension.ts', lintWorker: 'extension/lintWorker.ts' },
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
