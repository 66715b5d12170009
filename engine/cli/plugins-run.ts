// Loading plugins for the CLI, in a bundle of its own (dist/plugins-run.js) that the CLI requires
// only when a stepwise.config.* applies: loading plugins brings ajv, which other commands never load.
// The error class comes from here too: the bundle has its own copy of config.ts.
export { PluginConfigError } from '../plugins/config';
export { loadPluginsFrom } from '../plugins/load';
