// Masking by search, for text the engine did not build: a command's output, a response, an error
// message, a given input. Values the engine computes from secrets are masked where they are
// stored instead (see expr/taint.ts), whatever their length.

export { MASK } from '../expr/taint';
import { MASK } from '../expr/taint';

/**
 * The shortest value searched for: one or two characters cannot be told apart from unrelated
 * text, and masking every "a" would destroy the output.
 */
export const MIN_SEARCHED = 3;

export function redact<T>(value: T, secrets: Record<string, string>): T {
  return redactTexts(value, Object.values(secrets));
}

/** Masks each of the texts (long enough to search for) in every string of a value. */
export function redactTexts<T>(value: T, texts: Iterable<string>): T {
  const values = searchedTexts(texts);
  return values.length === 0 ? value : maskSearched(value, values);
}

/** Masks texts as searchedTexts gives them. */
export function maskSearched<T>(value: T, searched: readonly string[]): T {
  return mask(value, searched) as T;
}

/** The texts worth searching for, longest first: a value that holds a shorter one is masked whole. */
export function searchedTexts(texts: Iterable<string>): string[] {
  return [...new Set(texts)].filter((v) => typeof v === 'string' && v.length >= MIN_SEARCHED).sort((a, b) => b.length - a.length);
}

function mask(value: unknown, texts: readonly string[]): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const s of texts) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => mask(v, texts));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mask(v, texts);
    return out;
  }
  return value;
}
