// Fit: never below the readable zoom, inside the part of the canvas the overlays leave free, and
// with the start state in view when the graph is too large to fit.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NAME_FONT_PX, READABLE_PX, readableFit, READABLE_ZOOM, type Box } from '../../webview/layout/fit';

const onScreen = (b: Box, v: { x: number; y: number; zoom: number }) => ({ x: b.x * v.zoom + v.x, y: b.y * v.zoom + v.y, width: b.width * v.zoom, height: b.height * v.zoom });

describe('readableFit', () => {
  it('a small graph is centred in the free area, below the toolbar and above the minimap', () => {
    const boxes = [{ x: 0, y: 0, width: 200, height: 60 }, { x: 0, y: 120, width: 200, height: 60 }];
    const v = readableFit(boxes, 800, 600, { top: 40, right: 0, bottom: 120, left: 0 });
    const a = onScreen(boxes[0], v);
    const b = onScreen(boxes[1], v);
    assert.ok(a.y >= 40 && b.y + b.height <= 480, JSON.stringify({ a, b }));
    assert.ok(v.zoom <= 1.1 && v.zoom >= READABLE_ZOOM);
  });
  it('a graph too large to fit keeps names readable and shows the start at the top, centred across', () => {
    const boxes = Array.from({ length: 30 }, (_, i) => ({ x: (i % 5) * 260, y: Math.floor(i / 5) * 200, width: 200, height: 80 }));
    const start = boxes[2];
    const v = readableFit(boxes, 400, 500, { top: 40, right: 0, bottom: 0, left: 0 }, start);
    assert.ok(v.zoom * NAME_FONT_PX >= READABLE_PX - 1e-9, `zoom ${v.zoom}`);
    const s = onScreen(start, v);
    assert.ok(s.y >= 40 && s.y < 100, `start top at ${s.y}`);
    assert.ok(s.x >= 0 && s.x + s.width <= 400, `start across at ${s.x}`);
  });
  it('for any boxes, canvas and overlays: the zoom is readable, and a graph that fits lies in the free area', () => {
    const box = fc.record({ x: fc.integer({ min: -2000, max: 2000 }), y: fc.integer({ min: -2000, max: 2000 }), width: fc.integer({ min: 40, max: 300 }), height: fc.integer({ min: 20, max: 200 }) });
    fc.assert(
      fc.property(fc.array(box, { minLength: 1, maxLength: 20 }), fc.integer({ min: 300, max: 2000 }), fc.integer({ min: 300, max: 1200 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 130 }), (boxes, width, height, top, bottom) => {
        const v = readableFit(boxes, width, height, { top, right: 0, bottom, left: 0 }, boxes[0]);
        assert.ok(v.zoom >= READABLE_ZOOM && v.zoom <= 1.1);
        const s = onScreen(boxes[0], v);
        // The start is in the free area whenever it can be (it is not larger than the area).
        if (s.height <= height - top - bottom - 32) assert.ok(s.y >= top - 1e-6 && s.y + s.height <= height - bottom + 1e-6, JSON.stringify({ s, v }));
      }),
      { numRuns: 300 },
    );
  });
});
