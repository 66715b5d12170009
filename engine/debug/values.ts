// How values read in the variables view, the watch list and the debug console: short previews,
// children of objects and arrays, and the JSONata expression that names a nested value (so that
// "Add to Watch" and "Copy as Expression" give something the debugger can evaluate again).

const MAX_PREVIEW = 120;

export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Whether the variables view can expand the value. */
export function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object';
}

/** A one-line preview: `"text"`, `42`, `{status: 200, body: {…}}`, `[3] [1, 2, 3]`. */
export function preview(value: unknown, depth = 0): string {
  const text = render(value, depth);
  return text.length > MAX_PREVIEW ? `${text.slice(0, MAX_PREVIEW - 1)}…` : text;
}

function render(value: unknown, depth: number): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  if (Array.isArray(value)) {
    if (depth > 0) return value.length ? `[…${value.length}]` : '[]';
    return `[${value.length}] [${value.slice(0, 10).map((v) => render(v, depth + 1)).join(', ')}${value.length > 10 ? ', …' : ''}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (depth > 0) return entries.length ? '{…}' : '{}';
  return `{${entries.slice(0, 10).map(([k, v]) => `${k}: ${render(v, depth + 1)}`).join(', ')}${entries.length > 10 ? ', …' : ''}}`;
}

export interface Child {
  name: string;
  key: string | number;
  value: unknown;
}

export function children(value: unknown): Child[] {
  if (Array.isArray(value)) return value.map((v, i) => ({ name: String(i), key: i, value: v }));
  if (isContainer(value)) return Object.entries(value).map(([k, v]) => ({ name: k, key: k, value: v }));
  return [];
}

/** `data.collect.body`, `data.items[0]`, data.`wait-merge` */
export function pathExpression(root: string, path: ReadonlyArray<string | number>): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `.\`${key.replace(/`/g, '')}\``;
  }
  return out;
}
