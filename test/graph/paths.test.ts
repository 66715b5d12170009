// ELK's routes moved onto React Flow's handles (a few pixels off ELK's ports) stay orthogonal.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { snapRoute } from '../../engine/graph/paths';
import type { Point } from '../../engine/graph/types';

const orthogonal = (points: Point[]) => points.every((p, i) => i === 0 || p.x === points[i - 1].x || p.y === points[i - 1].y);

describe('snapRoute', () => {
  it('moves the whole straight run at each end onto the handle (ELK repeats points along a long edge)', () => {
    const route = [{ x: 816, y: 144 }, { x: 816, y: 209 }, { x: 816, y: 313 }, { x: 816, y: 1638 }, { x: 218, y: 1638 }, { x: 218, y: 1666 }];
    const snapped = snapRoute(route, { x: 813.5, y: 147 }, { x: 219.5, y: 1670 });
    assert.deepEqual(snapped, [{ x: 813.5, y: 147 }, { x: 813.5, y: 209 }, { x: 813.5, y: 313 }, { x: 813.5, y: 1638 }, { x: 219.5, y: 1638 }, { x: 219.5, y: 1670 }]);
  });

  it('keeps any orthogonal route orthogonal, from the handle to the handle', () => {
    const step = fc.record({ horizontal: fc.boolean(), by: fc.integer({ min: -300, max: 300 }).filter((n) => n !== 0) });
    fc.assert(
      fc.property(fc.integer({ min: -500, max: 500 }), fc.integer({ min: -500, max: 500 }), fc.array(step, { minLength: 1, maxLength: 8 }), fc.double({ min: -7, max: 7, noNaN: true }), fc.double({ min: -7, max: 7, noNaN: true }), (x, y, steps, dx, dy) => {
        const route: Point[] = [{ x, y }];
        for (const s of steps) {
          const last = route[route.length - 1];
          route.push(s.horizontal ? { x: last.x + s.by, y: last.y } : { x: last.x, y: last.y + s.by });
        }
        const end = route[route.length - 1];
        const from = { x: x + dx, y: y + dy };
        const to = { x: end.x - dy, y: end.y + dx };
        const snapped = snapRoute(route, from, to);
        assert.deepEqual(snapped[0], from);
        assert.deepEqual(snapped[snapped.length - 1], to);
        assert.ok(orthogonal(snapped), JSON.stringify(snapped));
      }),
    );
  });
});
