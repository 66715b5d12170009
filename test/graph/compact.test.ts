// The layout's compact messages (engine/graph/compact.ts): a layout that crosses to the worker and
// back compactly reads exactly as ELK's answer read directly, for any input and any answer.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { compactElk, edgesBetweenNodes, expandCompact, packInput, unpackInput } from '../../engine/graph/compact';
import { fromElk, type LayoutInput } from '../../engine/graph/layout';

const coord = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
const point = fc.record({ x: coord, y: coord });

/** A layout input (edges may name unknown nodes) and an answer ELK could give for it. */
const layoutCase = fc
  .uniqueArray(fc.string(), { maxLength: 12 })
  .chain((ids) => {
    const end = ids.length ? fc.oneof(fc.constantFrom(...ids), fc.string()) : fc.string();
    const edge = fc.record({ source: end, target: end, label: fc.string(), labelWidth: fc.oneof(fc.constant(0), fc.double({ min: 1, max: 500, noNaN: true })) });
    return fc.record({
      nodes: fc.tuple(...ids.map((id) => fc.record({ id: fc.constant(id), width: coord, height: coord }))),
      edges: fc.uniqueArray(fc.record({ id: fc.string(), e: edge }), { selector: (x) => x.id, maxLength: 16 }),
      direction: fc.constantFrom('DOWN' as const, 'RIGHT' as const),
      first: fc.option(ids.length ? fc.constantFrom(...ids) : fc.string(), { nil: undefined }),
      children: fc.tuple(...ids.map(() => fc.record({ x: fc.option(coord, { nil: undefined }), y: fc.option(coord, { nil: undefined }) }))),
      answers: fc.array(
        fc.record({
          section: fc.option(fc.record({ startPoint: point, endPoint: point, bendPoints: fc.option(fc.array(point, { maxLength: 6 }), { nil: undefined }) }), { nil: undefined }),
          label: fc.option(fc.record({ x: fc.option(coord, { nil: undefined }), y: fc.option(coord, { nil: undefined }), width: coord, height: coord }), { nil: undefined }),
        }),
        { minLength: 16, maxLength: 16 },
      ),
    });
  })
  .map(({ nodes, edges, direction, first, children, answers }) => {
    // Plain objects, as the canvas makes them (fast-check's records may have no prototype).
    const input: LayoutInput = { nodes: nodes.map((n) => ({ ...n })), edges: edges.map(({ id, e }) => ({ id, ...e })), direction, first };
    const known = new Set(nodes.map((n) => n.id));
    // ELK answers for every node and for the edges between known nodes (the others are not posted).
    const result = {
      id: 'root',
      children: nodes.map((n, i) => ({ id: n.id, ...children[i] })),
      edges: input.edges
        .filter((e) => known.has(e.source) && known.has(e.target))
        .map((e, i) => ({ id: e.id, sections: answers[i].section ? [answers[i].section] : undefined, labels: answers[i].label ? [answers[i].label] : undefined })),
    };
    return { input, result };
  });

describe('compact layout messages', () => {
  it('a layout read from the compact answer is the one read from ELK directly (positions and routes, exactly)', async () => {
    await fc.assert(
      fc.asyncProperty(layoutCase, async ({ input, result }) => {
        // What crosses to the worker and back is cloned; the answer's arrays are transferred.
        const inWorker = unpackInput(structuredClone(packInput(input)));
        const c = compactElk(structuredClone(result), inWorker);
        const back = structuredClone(c, { transfer: [c.positions.buffer as ArrayBuffer, c.routes.buffer as ArrayBuffer, c.labels.buffer as ArrayBuffer] });
        const direct = fromElk(result as Parameters<typeof fromElk>[0], 'worker');
        const read = await expandCompact(back, input, 'worker');
        assert.deepEqual(read.positions, direct.positions);
        assert.deepEqual(read.routes, direct.routes);
      }),
      { numRuns: 300 },
    );
  });

  it('the input reaches the worker as it was, whatever its names and labels hold', () => {
    fc.assert(
      fc.property(layoutCase, ({ input }) => {
        const known = new Set(input.nodes.map((n) => n.id));
        assert.deepEqual(unpackInput(structuredClone(packInput(input))), { ...input, edges: input.edges.filter((e) => known.has(e.source) && known.has(e.target)) });
      }),
      { numRuns: 300 },
    );
  });

  it('reads a large answer in slices, giving the thread back between them, into the same layout', async () => {
    await fc.assert(
      fc.asyncProperty(layoutCase, fc.integer({ min: 1, max: 5 }), async ({ input, result }, slice) => {
        const c = compactElk(result, unpackInput(packInput(input)));
        let pauses = 0;
        const sliced = await expandCompact(c, input, 'worker', async () => void pauses++, slice);
        const whole = await expandCompact(c, input, 'worker');
        assert.deepEqual(sliced, whole);
        const edges = edgesBetweenNodes(input).length;
        assert.equal(pauses, Math.max(0, Math.ceil(input.nodes.length / slice) + Math.ceil(edges / slice) - 1));
      }),
      { numRuns: 200 },
    );
  });
});
