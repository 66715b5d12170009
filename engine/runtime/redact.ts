// Secrets never reach a journal, a log or a debugger view: their values are masked wherever
// they appear in a string.

export const MASK = '••••••';

export function redact<T>(value: T, secrets: Record<string, string>): T {
  const values = Object.values(secrets).filter((v) => typeof v === 'string' && v.length >= 3);
  if (values.length === 0) return value;
  return mask(value, values) as T;
}

function mask(value: unknown, secrets: string[]): unknown {
  if (typeof value === 'string') {
    let out = value;
    for (const s of secrets) if (out.includes(s)) out = out.split(s).join(MASK);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => mask(v, secrets));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mask(v, secrets);
    return out;
  }
  return value;
}
