// The engine's heavy modules, loaded when first used instead of when the extension activates: the
// runtime (with the YAML, JSONata and JSON Schema libraries), the debug session, the graph
// editor's edit operations and the in-host linter. esbuild leaves a module that is reached only
// through require() uninitialised until that call, so activation loads little more than the
// extension's own wiring (the installed-package test prints the activation time). Their types come
// from `import type`, which costs nothing at run time.
import type * as DebugSession from '../engine/debug/session';
import type * as Edit from '../engine/edit/index';
import type * as Lint from '../engine/lint/index';
import type * as Engine from '../engine/runtime/engine';
import type * as Load from '../engine/runtime/load';
import type * as Mocks from '../engine/runtime/mocks';

function once<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

export const debugSession = once(() => require('../engine/debug/session') as typeof DebugSession);

export const taskEdits = once(() => require('../engine/edit/index') as typeof Edit);

export const lint = once(() => require('../engine/lint/index') as typeof Lint);

/** What a run needs: the engine, the task's inputs, the mocks file. */
export const runtime = once(() => ({
  ...(require('../engine/runtime/engine') as typeof Engine),
  ...(require('../engine/runtime/load') as typeof Load),
  ...(require('../engine/runtime/mocks') as typeof Mocks),
}));
