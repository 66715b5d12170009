// Bundles the graph editor's webview into dist/webview/ (main.js, main.css) with esbuild: an IIFE
// for the browser, minified, JSX automatic. ELK's worker script is embedded as a string (the
// `elk-worker-source` module) so that the page can start it as a blob: worker under its CSP.
// Usage: node scripts/build-webview.mjs [--dev] [--watch]
import { build, context } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dev = process.argv.includes('--dev');
const watch = process.argv.includes('--watch');

const elkWorker = {
  name: 'elk-worker-source',
  setup(b) {
    b.onResolve({ filter: /^elk-worker-source$/ }, () => ({ path: require.resolve('elkjs/lib/elk-worker.min.js'), namespace: 'elk-worker-source' }));
    b.onLoad({ filter: /.*/, namespace: 'elk-worker-source' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

const options = {
  entryPoints: { main: 'webview/app/main.tsx' },
  outdir: 'dist/webview',
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome114'],
  jsx: 'automatic',
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  legalComments: 'none',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
  plugins: [elkWorker],
  logLevel: 'warning',
};

if (watch) {
  const ctx = await context(options);
  await ctx.watch();
  console.log('watching webview/ …');
} else {
  await build(options);
}
