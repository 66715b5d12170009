// A plugin's argument schema as an editor should check it: a template (a string with `{{`) stands
// for a value only known at run time, so it is accepted wherever the schema places a value, as
// the linter does (the engine checks the resolved arguments against the schema as written).
// Every value position becomes `if template then accept else <the original>`, which keeps the
// original's errors, completion and hovers; `$ref`s are re-pointed at where their targets moved.
import type { JsonSchema } from './define';

const TEMPLATE = { type: 'string', pattern: '\\{\\{' };
/** Shown on the value itself, not only inside `else`: completion and hover read them there. */
const ANNOTATIONS = ['title', 'description', 'markdownDescription', 'default'];
/** Maps of subschemas that each describe a value of their own. */
const VALUE_MAPS = new Set(['properties', 'patternProperties']);
/** Maps of subschemas that are reached through `$ref` only (the referring place is wrapped). */
const DEFINITION_MAPS = new Set(['definitions', '$defs']);
/** Subschemas (or lists of them) that each describe a value of their own. */
const VALUE_SCHEMAS = new Set(['additionalProperties', 'items', 'additionalItems', 'prefixItems', 'contains']);
/** Subschemas (or lists of them) that describe the same value as the schema holding them. */
const SAME_VALUE = new Set(['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** Original JSON pointer (within the plugin's schema) → where that schema is in the result. */
type Moves = Map<string, string>;

/**
 * The values of an enum, a const or a boolean as snippets on the value itself: an editor reads the
 * values it offers from the schema's own keywords, not from `else`, and snippets are not repeated
 * in hovers as examples would be.
 */
function valueSnippets(schema: Record<string, unknown>): Array<{ label: string; body: unknown }> {
  const values = Array.isArray(schema.enum) ? [...schema.enum] : [];
  if ('const' in schema) values.push(schema.const);
  if (schema.type === 'boolean') values.push(true, false);
  // A snippet's text reads `$`, `}` and `\` as its own syntax.
  return values.map((v) => ({ label: typeof v === 'string' ? v : JSON.stringify(v), body: typeof v === 'string' ? v.replace(/[\\$}]/g, '\\$&') : v }));
}

function walk(schema: unknown, from: string, to: string, moves: Moves, wrap: boolean): unknown {
  if (!isObject(schema)) return schema;
  const at = wrap ? `${to}/else` : to;
  moves.set(from, at);
  const sub = (v: unknown, key: string, wrapIt: boolean): unknown =>
    Array.isArray(v) ? v.map((s, i) => walk(s, `${from}/${key}/${i}`, `${at}/${key}/${i}`, moves, wrapIt)) : walk(v, `${from}/${key}`, `${at}/${key}`, moves, wrapIt);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if ((VALUE_MAPS.has(key) || DEFINITION_MAPS.has(key) || key === 'dependentSchemas') && isObject(value)) {
      const wrapEach = VALUE_MAPS.has(key);
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, walk(s, `${from}/${key}/${escape(name)}`, `${at}/${key}/${escape(name)}`, moves, wrapEach)]));
    } else if (VALUE_SCHEMAS.has(key)) out[key] = sub(value, key, true);
    else if (SAME_VALUE.has(key)) out[key] = sub(value, key, false);
    else out[key] = value;
  }
  if (!wrap) return out;
  const shown: Record<string, unknown> = Object.fromEntries(ANNOTATIONS.filter((k) => k in out).map((k) => [k, out[k]]));
  const snippets = valueSnippets(out);
  if (snippets.length) shown.defaultSnippets = snippets;
  return { ...shown, if: TEMPLATE, then: true, else: out };
}

function repoint(value: unknown, base: string, moves: Moves): unknown {
  if (Array.isArray(value)) return value.map((v) => repoint(v, base, moves));
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof v === 'string' && v.startsWith('#') ? `#${base}${moves.get(v.slice(1)) ?? v.slice(1)}` : repoint(v, base, moves);
  }
  return out;
}

/**
 * `schema` with templates accepted at every value position, to be placed at the JSON pointer
 * `base` of a larger schema (its local `$ref`s are rewritten to point there).
 */
export function acceptTemplates(schema: JsonSchema, base: string): JsonSchema {
  const moves: Moves = new Map();
  const walked = walk(schema, '', '', moves, true);
  return repoint(walked, base, moves) as JsonSchema;
}
