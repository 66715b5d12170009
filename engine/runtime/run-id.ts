// Run ids: the start time to the millisecond, then 64 bits that are random but for counting, e.g.
// `20250101-120000-123-1f86d081884c7d65`. Plain text order is start order (the stores list runs
// by it, and journals are files named after the id), and ids from many processes do not collide.
import { randomBytes } from 'node:crypto';

let last = { ms: NaN, counter: 0n };

/**
 * A new run id. Ids made in the same millisecond by this process count up from the first one's
 * random value, so a thousand runs started at once get a thousand ids, in the order they started.
 */
export function newRunId(now = new Date()): string {
  const ms = now.getTime();
  last = ms === last.ms ? { ms, counter: last.counter + 1n } : { ms, counter: randomStart() };
  return `${stamp(ms)}-${last.counter.toString(16).padStart(16, '0')}`;
}

/** 63 random bits: the top bit is left clear so that counting up cannot run out of 16 digits. */
function randomStart(): bigint {
  const bytes = randomBytes(8);
  bytes[0] &= 0x7f;
  return BigInt(`0x${bytes.toString('hex')}`);
}

/** `2025-01-01T12:00:00.123Z` as `20250101-120000-123`. */
function stamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${iso.slice(20, 23)}`;
}
