// Edges with no route from ELK go around the nodes between their ends, never through them.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { detour } from '../../engine/graph/detour';
import type { Box } from '../../webview/layout/fit';

function hits(points: { x: number; y: number }[], b: Box): boolean {
  for (let i = 1; i < points.length; i++) {
    const [a, c] = [points[i - 1], points[i]];
    if (Math.max(a.x, c.x) > b.x && Math.min(a.x, c.x) < b.x + b.width && Math.max(a.y, c.y) > b.y && Math.min(a.y, c.y) < b.y + b.height) return true;
  }
  return false;
}

describe('detour', () => {
  it('goes around a node stacked between the ends (a chain retargeted past its middle)', () => {
    const middle = { x: 50, y: 150, width: 200, height: 60 };
    const pts = detour({ x: 150, y: 100 }, { x: 150, y: 300 }, [middle], true);
    assert.ok(!hits(pts, middle), JSON.stringify(pts));
    assert.deepEqual(pts[0], { x: 150, y: 100 });
    assert.deepEqual(pts[pts.length - 1], { x: 150, y: 300 });
  });
  it('takes the straight way when nothing is in it, and works left to right', () => {
    assert.equal(detour({ x: 0, y: 0 }, { x: 100, y: 200 }, [], true).length, 4);
    const middle = { x: 150, y: 50, width: 60, height: 200 };
    assert.ok(!hits(detour({ x: 100, y: 150 }, { x: 300, y: 150 }, [middle], false), middle));
  });
  it('never crosses a node lying between the rows of its ends, whatever the nodes and ends', () => {
    const box = fc.record({ x: fc.integer({ min: -500, max: 500 }), y: fc.integer({ min: -500, max: 500 }), width: fc.integer({ min: 20, max: 300 }), height: fc.integer({ min: 20, max: 200 }) });
    const pt = fc.record({ x: fc.integer({ min: -600, max: 600 }), y: fc.integer({ min: -600, max: 600 }) });
    fc.assert(
      fc.property(fc.array(box, { maxLength: 8 }), pt, pt, fc.boolean(), (boxes, s, t, downward) => {
        // Layers: the nodes in between lie in the rows (columns, left to right) between the ends' rows.
        const main = (p: { x: number; y: number }) => (downward ? p.y : p.x);
        const [lo, hi] = [Math.min(main(s), main(t)), Math.max(main(s), main(t))];
        const between = boxes.filter((b) => (downward ? b.y > lo + 40 && b.y + b.height < hi - 40 : b.x > lo + 40 && b.x + b.width < hi - 40));
        const pts = detour(s, t, between, downward);
        for (const b of between) assert.ok(!hits(pts, b), `${JSON.stringify(pts)} crosses ${JSON.stringify(b)}`);
      }),
      { numRuns: 300 },
    );
  });
});
