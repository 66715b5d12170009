// Red Hat's YAML extension reads one schema per file; for task files it is the bundled
// task.schema.json (package.json's `yamlValidation`), which knows no plugin kinds. Its API takes
// schema contributors: `requestSchema(resource)` names the schema of a file (undefined: the
// bundled one applies), `requestSchemaContent(uri)` gives that schema's text. A task file under
// a stepwise.config.* gets the task schema with that config's plugin kinds. Pure of `vscode`: the
// host says whether the workspace is trusted and gives a config's schema.
import { fileURLToPath } from 'node:url';
import type { JsonSchema } from '../../engine/plugins/define';

/** The contributor's name, which the YAML extension requires as the scheme of its schema URIs. */
export const SCHEMA_SCHEME = 'stepwise';
const TASK_FILE = /\.task\.ya?ml$/i;

/** The exported API of redhat.vscode-yaml (src/schema-extension-api.ts), the part used here. */
export interface YamlExtensionApi {
  registerContributor(
    schema: string,
    requestSchema: (resource: string) => string | undefined,
    requestSchemaContent: (uri: string) => Promise<string> | string,
    label?: string,
  ): boolean;
}

export interface ContributorHost {
  /** Plugins are workspace code: in Restricted Mode none are loaded, and the bundled schema applies. */
  trusted(): boolean;
  /** The config file that applies to a task file (stepwise.config.* upward), if any. */
  configFor(file: string): string | undefined;
  /** The task schema with the plugin kinds of a config, its `$id` set to `id`. */
  schemaFor(config: string, id: string): Promise<JsonSchema>;
}

export interface SchemaContributor {
  requestSchema(resource: string): string | undefined;
  requestSchemaContent(uri: string): Promise<string>;
}

export function schemaUriFor(config: string): string {
  return `${SCHEMA_SCHEME}://plugins/task.schema.json?config=${encodeURIComponent(config)}`;
}

export function schemaContributor(host: ContributorHost): SchemaContributor {
  return {
    requestSchema(resource) {
      if (!resource.startsWith('file:') || !host.trusted()) return undefined;
      const file = fileURLToPath(resource);
      if (!TASK_FILE.test(file)) return undefined;
      const config = host.configFor(file);
      return config ? schemaUriFor(config) : undefined;
    },
    async requestSchemaContent(uri) {
      const config = new URL(uri).searchParams.get('config');
      if (!config) throw new Error(`${uri} is not a Stepwise schema URI: it names no config file.`);
      return JSON.stringify(await host.schemaFor(config, uri));
    },
  };
}
