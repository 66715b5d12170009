// The schema contributor of Red Hat's YAML extension (see core/yamlContributor.ts), registered
// through its exported API once a task file is open (the YAML extension activates with YAML files
// anyway). The schemas it serves follow WorkspacePlugins: a config or plugin change drops them,
// and the YAML extension, which asks for a file's schema each time it checks or completes the
// file, gets the new kinds at its next check.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findConfig } from '../engine/plugins/config';
import type { JsonSchema } from '../engine/plugins/define';
import { isTaskDocument } from './config';
import { schemaContributor, SCHEMA_SCHEME, type YamlExtensionApi } from './core/yamlContributor';
import { pluginSchemas } from './lazy';
import type { WorkspacePlugins } from './plugins';
import { YAML_EXTENSION } from './yamlOffer';

export function registerYamlSchemas(plugins: WorkspacePlugins, report: (message: string) => void): vscode.Disposable {
  let schemas = new Map<string, Promise<JsonSchema>>();
  const contributor = schemaContributor({
    trusted: () => vscode.workspace.isTrusted,
    configFor: (file) => findConfig(path.dirname(file)),
    schemaFor(config, id) {
      let schema = schemas.get(id);
      if (!schema) {
        // forFile of the config itself: the same lookup and cache as the task files under it.
        schema = plugins.forFile(config).then((loaded) => pluginSchemas().taskSchemaWithPlugins(loaded.kinds, id));
        schemas.set(id, schema);
      }
      return schema;
    },
  });
  let registered = false;
  const register = async () => {
    const yaml = vscode.extensions.getExtension<YamlExtensionApi>(YAML_EXTENSION);
    if (registered || !yaml) return;
    registered = true;
    try {
      const api = await yaml.activate();
      api.registerContributor(SCHEMA_SCHEME, contributor.requestSchema, contributor.requestSchemaContent, 'Stepwise task with its workspace plugins');
    } catch (err) {
      report(`Stepwise: the task schema with the workspace plugins could not be given to the YAML extension: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const whenTaskFile = () => {
    if (vscode.workspace.textDocuments.some(isTaskDocument)) void register();
  };
  whenTaskFile();
  return vscode.Disposable.from(
    plugins.onDidChange(() => (schemas = new Map())),
    vscode.workspace.onDidOpenTextDocument(whenTaskFile),
    vscode.extensions.onDidChange(whenTaskFile),
  );
}
