// The arguments a new instruction of a plugin kind starts with, from its JSON Schema: each required
// argument with its default (or const, or first enum value), else a placeholder of its type, so the
// inserted instruction lints without "needs the argument" errors. Plain data in and out: the graph's
// webview uses it too.
import type { JsonSchema } from './json-schema';

type Schema = JsonSchema & { type?: unknown; properties?: Record<string, JsonSchema>; required?: unknown; default?: unknown; const?: unknown; enum?: unknown; minimum?: unknown; items?: unknown; minItems?: unknown };

function typeOf(s: Schema): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) return s.type.find((t): t is string => typeof t === 'string' && t !== 'null') ?? (s.type.includes('null') ? 'null' : undefined);
  return s.properties ? 'object' : undefined;
}

/** A value that fits `schema` as far as its type, default, const and enum say (`name`: the property's name, for a string). */
export function placeholderValue(schema: JsonSchema | boolean | undefined, name = 'value'): unknown {
  if (!schema || typeof schema !== 'object') return `<${name}>`;
  const s = schema as Schema;
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  switch (typeOf(s)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : [];
      for (const key of required) out[key] = placeholderValue(s.properties?.[key], key);
      return out;
    }
    case 'array': {
      const n = typeof s.minItems === 'number' ? s.minItems : 0;
      const items = s.items && typeof s.items === 'object' && !Array.isArray(s.items) ? (s.items as JsonSchema) : undefined;
      return Array.from({ length: n }, () => placeholderValue(items, name));
    }
    case 'number':
    case 'integer':
      return typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return `<${name}>`;
  }
}

/** The arguments of a new instruction of a kind whose arguments' schema is `args`. */
export function placeholderArgs(args: JsonSchema): unknown {
  return placeholderValue(args, 'value');
}
