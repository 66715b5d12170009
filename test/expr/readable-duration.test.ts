// Durations as people read them in the status bar, notifications and the Runs view.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readableDuration } from '../../engine/expr/duration';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** What a reader takes the text to mean, and how precise it is. */
function read(text: string): { ms: number; step: number } {
  const seconds = /^(\d+)\.(\d) s$/.exec(text);
  if (seconds) return { ms: Number(seconds[1]) * 1000 + Number(seconds[2]) * 100, step: 100 };
  const parts = [...text.matchAll(/(\d+) (ms|s|min|h|d)/g)];
  assert.equal(parts.map((p) => p[0]).join(' '), text, `'${text}' is whole parts`);
  const ms = parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
  return { ms, step: UNIT_MS[parts[parts.length - 1][2]] };
}

describe('readableDuration', () => {
  it('reads as a person says it', () => {
    assert.equal(readableDuration(41), '41 ms');
    assert.equal(readableDuration(56_041), '56.0 s');
    assert.equal(readableDuration(59_999), '59.9 s');
    assert.equal(readableDuration(245_000), '4 min 5 s');
    assert.equal(readableDuration(3_600_000), '1 h 0 min');
    assert.equal(readableDuration(90_061_000), '1 d 1 h');
  });

  it('never says more than the duration, and at most two parts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (ms) => {
        const text = readableDuration(ms);
        const seen = read(text);
        assert.ok(seen.ms <= ms && ms < seen.ms + seen.step, `${ms} ms read as '${text}'`);
        assert.ok(text.split(' ').length <= 4, text);
      }),
    );
  });
});
