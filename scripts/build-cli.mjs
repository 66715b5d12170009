// The CLI's bundles (dist/ for the extension, packages/cli/dist/ for @stepwise-tasks/cli): the CLI,
// the debug adapter, and the parts it loads only when a command needs them; and the package's
// library entry point (engine/api.ts) for programs that embed the engine.
import { build } from 'esbuild';

// The CLI's `serve` and `dap` bring fastify, pg and the debug adapter: they are bundles of their own
// (serve-run.js, dap-run.js) that cli.js requires only when that command runs, so that `run` and
// `lint` start without compiling them.
const LAZY_COMMANDS = ['serve-run', 'dap-run', 'traces-run', 'plugins-run'];
const lazyCommands = {
  name: 'lazy-commands',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^\\./(${LAZY_COMMANDS.join('|')})$`) }, (args) => ({ path: `${args.path}.js`, external: true }));
  },
};

// The libraries of the `sql`, `smtp` … instructions are bundles of their own too (driver-*.js),
// required by the instruction when it runs: a task that does not use one never loads it.
const DRIVERS = ['sql', 'smtp', 'nats', 'grpc'];
export const driversApart = {
  name: 'drivers-apart',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^\\./drivers/(${DRIVERS.join('|')})$`) }, (args) => ({ path: `./driver-${args.path.slice('./drivers/'.length)}.js`, external: true }));
  },
};
const driverEntries = Object.fromEntries(DRIVERS.map((n) => [`driver-${n}`, `engine/instructions/drivers/${n}.ts`]));

// `stepwise graph` loads ELK from a bundle of its own (graphLayout.js), next to the CLI's.
const graphLayoutApart = {
  name: 'graph-layout-apart',
  setup(b) {
    b.onResolve({ filter: /\/graph\/elkNode(\.js)?$/ }, (args) => (args.importer.endsWith('elkNode.ts') ? undefined : { path: './graphLayout.js', external: true }));
  },
};

/** What the CLI's bundles and the library share: CommonJS for Node 20, minified for the package. */
function nodeBundle({ outdir, production, absWorkingDir }) {
  return { absWorkingDir, outdir, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: !production, minify: production, logLevel: 'warning' };
}

export function buildCli({ outdir, production, absWorkingDir }) {
  return build({
    entryPoints: { cli: 'engine/cli/start.ts', 'cli-main': 'engine/cli/main.ts', debugAdapter: 'engine/debug/main.ts', graphLayout: 'engine/graph/elkNode.ts', ...Object.fromEntries(LAZY_COMMANDS.map((n) => [n, `engine/cli/${n}.ts`])), ...driverEntries },
    plugins: [lazyCommands, graphLayoutApart, driversApart],
    ...nodeBundle({ outdir, production, absWorkingDir }),
  });
}

/** dist/index.js: the library entry point, CommonJS (Node's `import` reads its named exports too). */
export function buildLibrary({ outdir, production, absWorkingDir }) {
  return build({
    entryPoints: { index: 'engine/api.ts' },
    plugins: [driversApart],
    ...nodeBundle({ outdir, production, absWorkingDir }),
  });
}
