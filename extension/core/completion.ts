// What to complete at a cursor in a task file. Works on the text by indentation rather than on a
// parse, because the file being typed is usually not valid YAML at that moment. Pure: no `vscode`.
import { ERROR_KINDS } from '../../engine/model/types';
import type { PluginKindInfo } from '../../engine/plugins/define';

export interface KeyInfo {
  key: string;
  detail: string;
}

export type CompletionSite =
  | { kind: 'state'; field: 'to' | 'next' | 'start'; from: number; to: number }
  | { kind: 'value'; field: string; values: readonly string[]; from: number; to: number }
  | { kind: 'key'; path: string[]; keys: readonly KeyInfo[]; from: number; to: number };

const TOP_KEYS: KeyInfo[] = [
  { key: 'version', detail: 'the format version (1)' },
  { key: 'name', detail: "the task's name" },
  { key: 'description', detail: 'what the task does' },
  { key: 'input', detail: 'declared inputs' },
  { key: 'data', detail: 'the initial data of a run' },
  { key: 'timeout', detail: "the whole run's limit" },
  { key: 'start', detail: 'the entry state' },
  { key: 'states', detail: 'state name -> state' },
];

const STATE_KEYS: KeyInfo[] = [
  { key: 'description', detail: 'shown in hovers and the graph' },
  { key: 'do', detail: 'instructions run on entry, in order' },
  { key: 'on', detail: 'outgoing transitions' },
  { key: 'next', detail: 'a single unconditional transition' },
  { key: 'catch', detail: "where an instruction's failure goes" },
  { key: 'timeout', detail: 'limit from entry to a transition' },
  { key: 'final', detail: 'ends the run' },
  { key: 'status', detail: 'succeeded | failed | cancelled (final states)' },
];

export const INSTRUCTION_KEYS: KeyInfo[] = [
  { key: 'http', detail: 'an HTTP request' },
  { key: 'exec', detail: 'a local process' },
  { key: 'set', detail: 'assign values into data' },
  { key: 'log', detail: "write a message to the run's log" },
  { key: 'emit', detail: 'send an event to waiting runs' },
  { key: 'sleep', detail: 'wait a duration' },
  { key: 'call', detail: 'run another task as a child run' },
  { key: 'parallel', detail: 'run branches at once: name -> instruction' },
  { key: 'map', detail: 'run an instruction per item of a list' },
  { key: 'as', detail: 'store the result at data.<as>' },
  { key: 'retry', detail: 'attempts, delay, backoff, max_delay' },
  { key: 'timeout', detail: "the instruction's limit" },
];

/** A `parallel` branch or a `map`'s `do`: one instruction that returns its result (no set, no as). */
const BRANCH_KEYS: KeyInfo[] = INSTRUCTION_KEYS.filter((k) => !['set', 'as', 'parallel', 'map'].includes(k.key));

const MAP_KEYS: KeyInfo[] = [
  { key: 'items', detail: 'the list: "={{ expr }}" or a YAML list' },
  { key: 'concurrency', detail: 'at most this many items at once' },
  { key: 'tolerate', detail: 'item failures tolerated (default 0)' },
  { key: 'do', detail: 'the instruction run per item (sees item, index)' },
];

export const CONDITION_KEYS: KeyInfo[] = [
  { key: 'to', detail: 'the target state' },
  { key: 'when', detail: 'a JSONata guard' },
  { key: 'after', detail: 'a timer' },
  { key: 'poll', detail: 'repeat an instruction until a predicate holds' },
  { key: 'event', detail: 'wait for an event sent to the run' },
];

const POLL_KEYS: KeyInfo[] = [
  { key: 'every', detail: 'the interval' },
  { key: 'do', detail: 'the instruction to repeat' },
  { key: 'until', detail: 'a JSONata predicate over result' },
];

const CATCH_KEYS: KeyInfo[] = [
  { key: 'to', detail: 'the target state' },
  { key: 'error', detail: 'http | exec | timeout | expression | any' },
];

const RETRY_KEYS: KeyInfo[] = [
  { key: 'attempts', detail: 'total attempts, the first included' },
  { key: 'delay', detail: 'wait before the next attempt' },
  { key: 'backoff', detail: 'multiplier of the delay' },
  { key: 'max_delay', detail: 'upper bound of the delay' },
];

const INPUT_KEYS: KeyInfo[] = [
  { key: 'type', detail: 'string | number | integer | boolean | object | array' },
  { key: 'enum', detail: 'allowed values' },
  { key: 'default', detail: 'the value when none is given' },
  { key: 'description', detail: 'shown when prompting' },
  { key: 'required', detail: 'a run must give it' },
];

const ARG_KEYS: Record<string, KeyInfo[]> = {
  http: ['method', 'url', 'headers', 'query', 'body', 'timeout'].map((key) => ({ key, detail: 'http' })),
  exec: ['command', 'args', 'cwd', 'env', 'timeout', 'shell'].map((key) => ({ key, detail: 'exec' })),
  call: ['task', 'input'].map((key) => ({ key, detail: 'call' })),
  emit: ['event', 'data'].map((key) => ({ key, detail: 'emit' })),
};

const VALUES: Record<string, readonly string[]> = {
  error: ERROR_KINDS,
  status: ['succeeded', 'failed', 'cancelled'],
  type: ['string', 'number', 'integer', 'boolean', 'object', 'array'],
  method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'],
  final: ['true', 'false'],
};

interface LineShape {
  /** Column of the first non-space character. */
  indent: number;
  /** Columns of the list dashes that open the line (`- - key`). */
  dashes: number[];
  /** Column where the key (or scalar) after the dashes starts. */
  keyColumn: number;
  /** The key when the line is `key:` (followed by a value or not). */
  key?: string;
  /** True when nothing but a comment follows `key:` (a block value starts below). */
  opens: boolean;
}

function shape(line: string): LineShape | undefined {
  const indent = line.search(/\S/);
  if (indent < 0 || line[indent] === '#') return undefined;
  const dashes: number[] = [];
  let i = indent;
  while (line[i] === '-' && (line[i + 1] === ' ' || line[i + 1] === undefined)) {
    dashes.push(i);
    i += 1;
    while (line[i] === ' ') i++;
  }
  const m = /^("[^"]*"|'[^']*'|[^\s:#][^:#]*?)\s*:(\s|$)/.exec(line.slice(i));
  const key = m ? m[1].replace(/^["']|["']$/g, '') : undefined;
  const rest = m ? line.slice(i + m[0].length) : '';
  return { indent, dashes, keyColumn: i, key, opens: !!m && /^\s*(#.*)?$/.test(rest) };
}

/**
 * The chain of keys (and `-` for list items) that leads to a line whose content starts at
 * `column`, found by walking up to lines of smaller indentation.
 */
export function pathAbove(lines: readonly string[], lineIndex: number, column: number, inItem: boolean): string[] {
  const path: string[] = inItem ? ['-'] : [];
  let c = column;
  for (let i = lineIndex - 1; i >= 0 && c > 0; i--) {
    const s = shape(lines[i]);
    if (!s) continue;
    // A sibling key of a list item's mapping: the item's dash is the real container.
    if (s.keyColumn === c && s.dashes.length && s.dashes[s.dashes.length - 1] < c) {
      if (!inItem || path[0] !== '-') path.unshift('-');
      c = s.dashes[s.dashes.length - 1];
      inItem = false;
      continue;
    }
    if (s.indent >= c) continue;
    // An ancestor: a `key:` whose block value holds us.
    if (s.key !== undefined && s.keyColumn < c) {
      path.unshift(s.key);
      c = s.keyColumn;
      if (s.dashes.length) {
        path.unshift('-');
        c = s.dashes[s.dashes.length - 1];
      }
      inItem = false;
      continue;
    }
    if (s.dashes.length) {
      c = s.dashes[s.dashes.length - 1];
      continue;
    }
    break;
  }
  return path;
}

function pluginKeys(plugins: readonly PluginKindInfo[]): KeyInfo[] {
  return plugins.map((p) => ({ key: p.kind, detail: p.description ?? `plugin ${p.plugin}` }));
}

/** A plugin kind's argument names, from its schema's `properties`, with their descriptions. */
export function pluginArgKeys(info: PluginKindInfo): KeyInfo[] {
  const props = info.args && typeof info.args === 'object' ? (info.args as { properties?: unknown }).properties : undefined;
  if (!props || typeof props !== 'object' || Array.isArray(props)) return [];
  return Object.entries(props as Record<string, unknown>).map(([key, schema]) => {
    const description = schema && typeof schema === 'object' ? (schema as { description?: unknown }).description : undefined;
    return { key, detail: typeof description === 'string' ? description : info.kind };
  });
}

function keysFor(path: readonly string[], plugins: readonly PluginKindInfo[]): KeyInfo[] | undefined {
  const instructionKeys = (keys: KeyInfo[]) => (plugins.length ? [...keys, ...pluginKeys(plugins)] : keys);
  const p = path.map((k, i) => (i === 1 && (path[0] === 'states' || path[0] === 'input') ? '*' : k)).join('/');
  switch (p) {
    case '':
      return TOP_KEYS;
    case 'states/*':
      return STATE_KEYS;
    case 'input/*':
      return INPUT_KEYS;
    case 'states/*/do':
    case 'states/*/do/-':
    case 'states/*/on/-/poll/do':
      return instructionKeys(INSTRUCTION_KEYS);
    case 'states/*/on/-':
      return CONDITION_KEYS;
    case 'states/*/on/-/poll':
      return POLL_KEYS;
    case 'states/*/catch/-':
      return CATCH_KEYS;
    case 'states/*/do/-/retry':
    case 'states/*/do/retry':
      return RETRY_KEYS;
  }
  const fanout = /^states\/\*\/do(?:\/-)?\/(map|map\/do|parallel\/[^/]+)(\/retry)?$/.exec(p);
  if (fanout) return fanout[2] ? RETRY_KEYS : fanout[1] === 'map' ? MAP_KEYS : instructionKeys(BRANCH_KEYS);
  const last = path[path.length - 1];
  if (path[0] === 'states' && last && ARG_KEYS[last] && (path.includes('do'))) return ARG_KEYS[last];
  const plugin = plugins.find((p) => p.kind === last);
  if (path[0] === 'states' && plugin && path.includes('do')) return pluginArgKeys(plugin);
  return undefined;
}

/** The word around the cursor, for the range a completion replaces. */
function wordAround(text: string, offset: number): { from: number; to: number } {
  let from = offset;
  while (from > 0 && /[A-Za-z0-9_-]/.test(text[from - 1])) from--;
  let to = offset;
  while (to < text.length && /[A-Za-z0-9_-]/.test(text[to])) to++;
  return { from, to };
}

/**
 * What can be completed at `offset`, or undefined when nothing is known to fit. `plugins`: the
 * workspace's plugin kinds, offered with the instruction kinds, their arguments inside them.
 */
export function completionSite(text: string, offset: number, plugins: readonly PluginKindInfo[] = []): CompletionSite | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const prefix = text.slice(lineStart, offset);
  const { from, to } = wordAround(text, offset);

  const value = /(?:^|[\s{,])(to|next|start|error|status|type|method|final)\s*:\s*["']?([A-Za-z0-9_-]*)$/.exec(prefix);
  if (value) {
    const field = value[1];
    if (field === 'to' || field === 'next' || field === 'start') return { kind: 'state', field, from, to };
    return { kind: 'value', field, values: VALUES[field], from, to };
  }

  const key = /^(\s*)((?:-\s+)*)([A-Za-z_]*)$/.exec(prefix);
  if (!key) return undefined;
  const lines = text.slice(0, lineStart).split('\n');
  lines.pop(); // the empty tail after the last newline: the cursor's line is not above itself
  const inItem = key[2].length > 0;
  const column = inItem ? key[1].length + key[2].lastIndexOf('-') : key[1].length;
  const path = pathAbove(lines, lines.length, inItem ? column : key[1].length, inItem);
  const keys = keysFor(path, plugins);
  return keys ? { kind: 'key', path, keys, from, to } : undefined;
}
