// The instruction kinds the graph editor offers for one document (palette and inspector): the
// built-in ones in their groups, and the kinds of the document's plugins with their arguments'
// schemas. Plugins that cannot be loaded (Restricted Mode, a config or module that fails) are named
// with the reason, so the graph shows them as unavailable instead of as unknown. Pure data.
import type { JsonSchema } from '../plugins/json-schema';
import { placeholderArgs } from '../plugins/placeholders';

export type KindGroup = 'core' | 'fanout' | 'integrations' | 'plugins';

export interface OfferedKind {
  kind: string;
  group: KindGroup;
  /** One line: the built-in's label, or the plugin's description. */
  description?: string;
  /** A plugin kind: the plugin's name and its arguments' schema. */
  plugin?: string;
  args?: JsonSchema;
}

export interface KindOffer {
  kinds: OfferedKind[];
  /** The config's plugins that were not loaded, and why (their kinds are unknown until they are). */
  unavailable?: { plugins: string[]; reason: string };
}

export const BUILTIN_OFFERED: readonly OfferedKind[] = [
  { kind: 'http', group: 'core', description: 'HTTP request' },
  { kind: 'exec', group: 'core', description: 'Run a command' },
  { kind: 'set', group: 'core', description: 'Set data' },
  { kind: 'log', group: 'core', description: 'Log a message' },
  { kind: 'emit', group: 'core', description: 'Emit an event' },
  { kind: 'sleep', group: 'core', description: 'Sleep' },
  { kind: 'call', group: 'core', description: 'Call a task' },
  { kind: 'parallel', group: 'fanout', description: 'Run branches at once' },
  { kind: 'map', group: 'fanout', description: 'Run for each item' },
  { kind: 'sql', group: 'integrations', description: 'PostgreSQL query' },
  { kind: 'smtp', group: 'integrations', description: 'Send a mail' },
  { kind: 'publish', group: 'integrations', description: 'Publish a NATS message' },
  { kind: 'consume', group: 'integrations', description: 'Wait for a NATS message' },
  { kind: 'grpc', group: 'integrations', description: 'gRPC call' },
];

/** Only the built-in kinds (a document without plugins, or before the host has said). */
export const BUILTIN_OFFER: KindOffer = { kinds: [...BUILTIN_OFFERED] };

/** The built-in kinds and the plugin kinds given (a loader's PluginKindInfo; the handler stays with the host). */
export function kindOffer(plugins: ReadonlyArray<{ kind: string; description?: string; args: JsonSchema; plugin: string }>, unavailable?: KindOffer['unavailable']): KindOffer {
  const own = plugins.map((p): OfferedKind => ({ kind: p.kind, group: 'plugins', description: p.description, plugin: p.plugin, args: p.args }));
  return unavailable ? { kinds: [...BUILTIN_OFFERED, ...own], unavailable } : { kinds: [...BUILTIN_OFFERED, ...own] };
}

/** The arguments a new instruction of a built-in kind starts with (a working example of each). */
function builtinArgs(kind: string): unknown {
  switch (kind) {
    case 'http':
      return { method: 'GET', url: 'https://example.com' };
    case 'exec':
      return { command: 'echo', args: ['hello'] };
    case 'set':
      return { key: 'value' };
    case 'log':
      return 'message';
    case 'emit':
      return { event: 'event-name' };
    case 'sleep':
      return '10s';
    case 'call':
      return { task: './other.task.yaml' };
    case 'parallel':
      return { first: { call: { task: './first.task.yaml' } }, second: { call: { task: './second.task.yaml' } } };
    case 'map':
      return { items: '={{ input.items }}', do: { call: { task: './each.task.yaml', input: { item: '={{ item }}' } } } };
    case 'sql':
      return { connection: '{{ secrets.DB_URL }}', query: 'select 1' };
    case 'smtp':
      return { host: '{{ secrets.SMTP_HOST }}', from: 'stepwise@example.com', to: 'ops@example.com', subject: 'subject', text: 'text' };
    case 'publish':
      return { connection: '{{ secrets.NATS_URL }}', subject: 'subject', data: {} };
    case 'consume':
      return { connection: '{{ secrets.NATS_URL }}', subject: 'subject' };
    case 'grpc':
      return { address: '{{ secrets.GRPC_ADDRESS }}', proto: './service.proto', service: 'package.Service', method: 'Method', request: {} };
    default:
      return undefined;
  }
}

/** The arguments a new instruction of `kind` starts with: a plugin kind's from its schema, else {}. */
export function newArguments(kind: string, offer: KindOffer): unknown {
  const builtin = builtinArgs(kind);
  if (builtin !== undefined) return builtin;
  const plugin = offer.kinds.find((k) => k.kind === kind && k.args);
  return plugin?.args ? placeholderArgs(plugin.args) : {};
}
