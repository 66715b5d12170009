// The task schema that editors read (task.schema.json, which Red Hat's YAML extension applies to
// task files), extended with the instruction kinds of a workspace's plugins: each kind's arguments
// as its plugin declares them (unknown arguments refused where the plugin says so), with its
// description for hovers, so that the YAML extension completes and checks them as built-in kinds.
import taskSchema from '../schema/task.schema.json';
import type { JsonSchema, PluginKindInfo } from './define';
import { acceptTemplates } from './template-values';

interface Definitions {
  definitions: Record<string, JsonSchema> & { instruction: { properties: Record<string, JsonSchema> } };
}

/** The task schema with `kinds` among an instruction's keys; `id` names it (each config's differs). */
export function taskSchemaWithPlugins(kinds: readonly PluginKindInfo[], id: string): JsonSchema {
  const schema = structuredClone(taskSchema) as unknown as JsonSchema & Definitions;
  schema.$id = id;
  const { definitions } = schema;
  for (const info of kinds) {
    const name = `plugin-${info.kind}`;
    definitions[name] = acceptTemplates(info.args, `/definitions/${name}`);
    const about = `${info.description ?? `An instruction of the plugin '${info.plugin}'.`} (plugin '${info.plugin}')`;
    definitions.instruction.properties[info.kind] = { description: about, markdownDescription: about, allOf: [{ $ref: `#/definitions/${name}` }] };
  }
  return schema;
}
