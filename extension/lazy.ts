// The engine's heavy modules, loaded when first used instead of when the extension activates. They
// are a separate bundle (dist/engineHost.js, next to dist/extension.js), required by a path built
// at run time so that esbuild leaves it out of the extension's bundle; their types come from
// `import type`, which costs nothing at run time. What crosses between the two bundles is plain
// data, functions and objects used through their methods (no `instanceof`), so the few small engine
// modules that both hold (durations, journal replay) need not be one copy.
import * as path from 'node:path';
import type * as Host from './engineHost';

function once<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

const host = once(() => require(path.join(__dirname, 'engineHost.js')) as typeof Host);

export const debugSession = (): typeof Host.debugSession => host().debugSession;

export const taskEdits = (): typeof Host.taskEdits => host().taskEdits;

export const lint = (): typeof Host.lint => host().lint;

export const plugins = (): typeof Host.plugins => host().plugins;

export const pluginSchemas = (): typeof Host.pluginSchemas => host().pluginSchemas;

/** What a run needs: the engine, the task's inputs, the mocks file, a retry from a step. */
export const runtime = once(() => ({ ...host().engine, ...host().load, ...host().mocks, ...host().retry }));

/** Task tests: reading test files, running their cases, and a run saved as a case. */
export const testing = once(() => ({ ...host().testLoad, ...host().testParse, ...host().testSuite, ...host().saveCase }));
