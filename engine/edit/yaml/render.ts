// Writes new YAML values as text: block style in block context (with the file's indentation), flow
// style inside flow collections. Only new text goes through here; existing text is never re-rendered.
import { parse } from 'yaml';

const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`]/;
const FLOW_CHARS = /[,[\]{}]/;

/** Whether `value` can be written as a plain scalar that reads back as the same string. */
export function isPlainSafe(value: string, flow: boolean): boolean {
  if (value === '' || value !== value.trim() || /[\n\r\t]/.test(value)) return false;
  if (INDICATOR_START.test(value) && !/^[-?:][^\s]/.test(value)) return false;
  if (/^[-?:]([,[\]{}]|$)/.test(value)) return false;
  if (value.includes(': ') || value.includes(' #') || value.endsWith(':')) return false;
  if (flow && FLOW_CHARS.test(value)) return false;
  try {
    return parse(value) === value;
  } catch {
    return false;
  }
}

/** A string as a YAML scalar: plain when safe, else double-quoted. */
export function stringScalar(value: string, flow = false): string {
  return isPlainSafe(value, flow) ? value : JSON.stringify(value);
}

/** A scalar value (string, number, boolean, null) as YAML text. */
export function scalarText(value: unknown, flow = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return stringScalar(value, flow);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? '.inf' : value < 0 ? '-.inf' : '.nan';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return String(value);
  return JSON.stringify(String(value));
}

export function isCollection(value: unknown): value is Record<string, unknown> | unknown[] {
  return value !== null && typeof value === 'object' && !(value instanceof Date);
}

function isEmptyCollection(value: unknown): boolean {
  return Array.isArray(value) ? value.length === 0 : isCollection(value) && Object.keys(value).length === 0;
}

/**
 * A value in flow style on one line: `{ a: 1, b: [x, y] }`. With `json`, strings and keys are
 * double-quoted (`{ "a": "x" }`), for files written as JSON.
 */
export function flowText(value: unknown, json = false): string {
  if (Array.isArray(value)) return value.length ? `[ ${value.map((v) => flowText(v, json)).join(', ')} ]` : '[]';
  if (isCollection(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return entries.length ? `{ ${entries.map(([k, v]) => flowEntry(k, v, json)).join(', ')} }` : '{}';
  }
  return json && typeof value === 'string' ? JSON.stringify(value) : scalarText(value, true);
}

/** A mapping entry in flow style: `key: value`. */
export function flowEntry(key: string, value: unknown, json = false): string {
  return `${json ? JSON.stringify(key) : stringScalar(key, true)}: ${flowText(value, json)}`;
}

/** The value written after `key: ` on the same line, when it fits there (scalars, empty collections). */
export function inlineText(value: unknown): string | undefined {
  if (!isCollection(value) || isEmptyCollection(value)) return isCollection(value) ? flowText(value) : scalarText(value);
  return undefined;
}

/** How the file indents: spaces per level, and whether a list under a key is indented (`key:\n  - a`) or not. */
export interface Indent {
  unit: number;
  /** True when a block sequence sits at its key's column (`key:\n- a`). */
  compactSeq: boolean;
}

/**
 * Lines (no line breaks) of a mapping entry `key: value` whose key sits at column `col`.
 * Strings with line breaks are written double-quoted (escapes), never as block scalars.
 */
export function pairLines(key: string, value: unknown, col: number, indent: Indent): string[] {
  const pad = ' '.repeat(col);
  const k = stringScalar(key);
  const inline = inlineText(value);
  if (inline !== undefined) return [`${pad}${k}: ${inline}`];
  return [`${pad}${k}:`, ...blockLines(value, col, indent)];
}

/** Lines of a non-empty collection that is the value of a key at column `col`. */
export function blockLines(value: unknown, col: number, indent: Indent): string[] {
  if (Array.isArray(value)) {
    const dash = indent.compactSeq ? col : col + indent.unit;
    return value.flatMap((item) => itemLines(item, dash, indent));
  }
  const inner = col + indent.unit;
  return Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .flatMap(([k, v]) => pairLines(k, v, inner, indent));
}

/** Lines of a block sequence item whose dash sits at column `dash`. */
export function itemLines(value: unknown, dash: number, indent: Indent): string[] {
  const pad = ' '.repeat(dash);
  const inline = inlineText(value);
  if (inline !== undefined) return [`${pad}- ${inline}`];
  if (Array.isArray(value)) {
    const inner = itemLines(value[0], dash + 2, indent);
    const rest = value.slice(1).flatMap((v) => itemLines(v, dash + 2, indent));
    return [`${pad}- ${inner[0].slice(dash + 2)}`, ...inner.slice(1), ...rest];
  }
  const lines = blockLines(value, dash + 2 - indent.unit, indent);
  return [`${pad}- ${lines[0].slice(dash + 2)}`, ...lines.slice(1)];
}

/** Re-indents lines (no line breaks): removes `from` columns of leading spaces, adds `to`. */
export function reindent(lines: readonly string[], from: number, to: number): string[] {
  const add = ' '.repeat(Math.max(0, to));
  return lines.map((line) => {
    if (line.trim() === '') return line.trim();
    let cut = 0;
    while (cut < from && line[cut] === ' ') cut++;
    return add + line.slice(cut);
  });
}
