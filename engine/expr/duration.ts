// Durations as the format writes them: `500ms`, `10s`, `5m`, `2h`, `1d`, or combinations (`1h30m`).

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const WHOLE = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/** Milliseconds of a duration, or undefined when the text is not a valid duration. */
export function parseDuration(text: string): number | undefined {
  if (typeof text !== 'string' || !WHOLE.test(text)) return undefined;
  let total = 0;
  for (const [, n, unit] of text.matchAll(PART)) total += Number(n) * UNIT_MS[unit];
  return total;
}

/** Like parseDuration, for values the linter has already accepted. */
export function durationMs(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`Invalid duration '${text}': write e.g. 500ms, 10s, 5m, 2h, 1d or 1h30m.`);
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const unit of ['d', 'h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

/**
 * A duration for people (status bar, notifications, lists): `41 ms`, `56.0 s`, `4 min 5 s`,
 * `2 h 5 min`, `3 d 4 h`. Never more than the duration: the last part is cut, not rounded up.
 */
export function readableDuration(ms: number): string {
  const whole = Math.max(0, Math.floor(ms));
  if (whole < 1000) return `${whole} ms`;
  if (whole < 60_000) return `${Math.floor(whole / 1000)}.${Math.floor((whole % 1000) / 100)} s`;
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) => `${Math.floor(whole / big)} ${bigUnit} ${Math.floor((whole % big) / small)} ${smallUnit}`;
  if (whole < 3_600_000) return two(60_000, 'min', 1000, 's');
  if (whole < 86_400_000) return two(3_600_000, 'h', 60_000, 'min');
  return two(86_400_000, 'd', 3_600_000, 'h');
}
