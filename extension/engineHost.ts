// The engine's heavy modules in a bundle of their own (dist/engineHost.js), loaded by lazy.ts when
// first used: the runtime (with the YAML, JSONata and JSON Schema libraries), the debug session,
// the graph editor's edit operations, the in-host linter and task tests. Kept out of
// dist/extension.js so that activation neither loads nor even parses them.
export * as debugSession from '../engine/debug/session';
export * as taskEdits from '../engine/edit/index';
export * as lint from '../engine/lint/index';
export * as plugins from '../engine/plugins/load';
export * as pluginSchemas from '../engine/plugins/task-schema';
export * as engine from '../engine/runtime/engine';
export * as load from '../engine/runtime/load';
export * as mocks from '../engine/runtime/mocks';
export * as retry from '../engine/runtime/retry';
export * as testLoad from '../engine/testing/load';
export * as testParse from '../engine/testing/parse';
export * as testSuite from '../engine/testing/suite';
export * as saveCase from '../engine/testing/save-case';
