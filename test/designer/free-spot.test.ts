import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { freeSpot, type Box } from '../../webview/layout/free-spot';

const SIZE = { width: 200, height: 60 };
const clear = (p: { x: number; y: number }, b: Box, gap: number) =>
  p.x >= b.x + b.width + gap || b.x >= p.x + SIZE.width + gap || p.y >= b.y + b.height + gap || b.y >= p.y + SIZE.height + gap;

describe('freeSpot (where a state added from the toolbar goes)', () => {
  it('keeps the place asked for when it is free', () => {
    assert.deepEqual(freeSpot({ x: 0, y: 0 }, SIZE, [{ x: 500, y: 0, width: 200, height: 60 }]), { x: 0, y: 0 });
  });

  it('moves below a state drawn where it was asked for (a one-state task fitted in the middle)', () => {
    assert.deepEqual(freeSpot({ x: 10, y: 10 }, SIZE, [{ x: 0, y: 0, width: 200, height: 60 }]), { x: 10, y: 100 });
  });

  it('property: the spot is at or below the place asked for, clear of every state', () => {
    const box = fc.record({ x: fc.integer({ min: -2000, max: 2000 }), y: fc.integer({ min: -2000, max: 2000 }), width: fc.integer({ min: 1, max: 400 }), height: fc.integer({ min: 1, max: 300 }) });
    fc.assert(
      fc.property(fc.record({ x: fc.integer({ min: -2000, max: 2000 }), y: fc.integer({ min: -2000, max: 2000 }) }), fc.array(box, { maxLength: 60 }), (at, taken) => {
        const spot = freeSpot(at, SIZE, taken);
        assert.equal(spot.x, at.x);
        assert.ok(spot.y >= at.y);
        for (const b of taken) assert.ok(clear(spot, b, 40), `${JSON.stringify(spot)} overlaps ${JSON.stringify(b)}`);
      }),
    );
  });
});
