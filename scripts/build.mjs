// Bundles the CLI, the VS Code extension and the graph editor's webview into dist/ with esbuild.
// The webview has a build script of its own (scripts/build-webview.mjs, with --watch): it runs
// here as a child process, in parallel with the node bundles.
// --production (what `vsce package` runs as vscode:prepublish): minified, no source maps, and dist/
// emptied first so that no map or stale bundle of an earlier development build gets packaged.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

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

// The CLI's `serve` and `dap` bring fastify, pg and the debug adapter: they are bundles of their own
// (dist/serve-run.js, dist/dap-run.js) that dist/cli.js requires only when that command runs, so that
// `run` and `lint` start without compiling them.
const LAZY_COMMANDS = ['serve-run', 'dap-run', 'traces-run'];
const lazyCommands = {
  name: 'lazy-commands',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^\\./(${LAZY_COMMANDS.join('|')})$`) }, (args) => ({ path: `${args.path}.js`, external: true }));
  },
};

// The libraries of the `sql`, `smtp` … instructions are bundles of their own too (dist/driver-*.js),
// required by the instruction when it runs: a task that does not use one never loads it.
const DRIVERS = ['sql', 'smtp', 'nats', 'grpc'];
const driversApart = {
  name: 'drivers-apart',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^\\./drivers/(${DRIVERS.join('|')})$`) }, (args) => ({ path: `./driver-${args.path.slice('./drivers/'.length)}.js`, external: true }));
  },
};
const driverEntries = Object.fromEntries(DRIVERS.map((n) => [`driver-${n}`, `engine/instructions/drivers/${n}.ts`]));

const graphLayoutApart = {
  name: 'graph-layout-apart',
  setup(b) {
    b.onResolve({ filter: /\/graph\/elkNode(\.js)?$/ }, (args) => (args.importer.endsWith('elkNode.ts') ? undefined : { path: './graphLayout.js', external: true }));
  },
};

await Promise.all([
  buildWebview(),
  // `stepwise graph` loads ELK from a bundle of its own (dist/graphLayout.js), next to the CLI's.
  build({
    entryPoints: { cli: 'engine/cli/main.ts', debugAdapter: 'engine/debug/main.ts', graphLayout: 'engine/graph/elkNode.ts', ...Object.fromEntries(LAZY_COMMANDS.map((n) => [n, `engine/cli/${n}.ts`])), ...driverEntries },
    plugins: [lazyCommands, graphLayoutApart, driversApart],
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
