// Small helpers to point into, and write, YAML text without reformatting anything else.
import { isScalar, type Node } from 'yaml';

/** Offsets [start, end) of a node's value (without a trailing comment or line break). */
export function nodeSpan(node: Node | null | undefined): [number, number] | undefined {
  const r = node?.range;
  if (!r) return undefined;
  return [r[0], r[1]];
}

export function lineStart(text: string, offset: number): number {
  const i = text.lastIndexOf('\n', Math.max(0, offset - 1));
  return offset === 0 ? 0 : i + 1;
}

/** Offset of the end of the line holding `offset` (before its line break). */
export function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  const end = i < 0 ? text.length : i;
  return end > offset && text[end - 1] === '\r' ? end - 1 : end;
}

/** The part of [start, end) on its first line (at least one character when the span has one). */
export function firstLine(text: string, start: number, end: number): [number, number] {
  const e = Math.min(end, lineEnd(text, start));
  return [start, e > start ? e : Math.min(end, start + 1)];
}

const PLAIN_SAFE = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;
const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

/** A string written as a YAML scalar in the given style (plain only when that reads back the same). */
export function renderScalar(value: string, style?: string): string {
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if ((PLAIN_SAFE.test(value) && !RESERVED.test(value)) || DURATION.test(value)) return value;
  return JSON.stringify(value);
}

/** A replacement for a scalar node's text, keeping its quoting style. */
export function replaceScalar(node: Node, value: string): { start: number; end: number; newText: string } | undefined {
  const span = nodeSpan(node);
  if (!span || !isScalar(node)) return undefined;
  const style = node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE' ? node.type : undefined;
  return { start: span[0], end: span[1], newText: renderScalar(value, style) };
}

/**
 * Where the characters [index, index + length) of a string scalar's value are in the text: exact
 * when the value is written as is (plain, or quoted without escapes, or a unique substring of the
 * source), else the whole scalar.
 */
export function locateInScalar(text: string, node: Node, index: number, length: number): { start: number; end: number; exact: boolean } {
  const span = nodeSpan(node) ?? [0, 0];
  const whole = { start: span[0], end: span[1], exact: false };
  if (!isScalar(node) || typeof node.value !== 'string') return whole;
  const value = node.value;
  const source = text.slice(span[0], span[1]);
  if ((node.type === 'PLAIN' || node.type === undefined) && source === value) {
    return { start: span[0] + index, end: span[0] + index + length, exact: true };
  }
  if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && source.slice(1, -1) === value) {
    return { start: span[0] + 1 + index, end: span[0] + 1 + index + length, exact: true };
  }
  const part = value.slice(index, index + length);
  if (part.length) {
    const at = source.indexOf(part);
    if (at >= 0 && source.indexOf(part, at + 1) < 0) return { start: span[0] + at, end: span[0] + at + part.length, exact: true };
  }
  return whole;
}
