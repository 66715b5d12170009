// Bundles the CLI (and, later, the extension and webview) into dist/ with esbuild.
import { build } from 'esbuild';

const production = process.argv.includes('--production');

await build({
  entryPoints: { cli: 'engine/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
});
