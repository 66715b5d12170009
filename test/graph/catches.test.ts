// `catch` routes as badges: the layout leaves them out (but for the one way into a state only a
// catch reaches), each is a chip under its state, and the exported SVG draws them the same way.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { catchBadge, catchChipText, CHIP_HEIGHT, laidOutEdges } from '../../engine/graph/catches';
import { layoutInput } from '../../engine/graph/layout';
import { graphOf, withProxies } from '../../engine/graph/model';
import { graphSvg, LIGHT_PALETTE } from '../../engine/graph/svg';
import { lintText } from '../../engine/lint/index';
import { parseTask } from '../../engine/model/parse';
import { generateTask } from '../../bench/generate';
import { readSample } from '../webview/harness';

const ONLY_CAUGHT = `version: 1
name: t
start: a
states:
  a:
    do:
      - log: "a"
    next: b
    catch:
      - to: cleanup
        error: timeout
      - to: b
  b:
    do:
      - log: "b"
    next: done
    catch:
      - to: cleanup
  cleanup:
    next: done
  done: { final: true }
`;

describe('catch routes as badges', () => {
  it('the layout places no catch route into a state a transition reaches; the first into a state only catches reach', () => {
    const deploy = graphOf(lintText(readSample('deploy.task.yaml')).model);
    const input = layoutInput(deploy, 'DOWN');
    assert.equal(deploy.edges.filter((e) => e.list === 'catch').length, 6);
    assert.deepEqual(input.edges.filter((e) => e.id.startsWith('catch:')), []);
    assert.equal(input.edges.length, deploy.edges.length - 6);
    const g = graphOf(parseTask(ONLY_CAUGHT).model);
    assert.deepEqual(
      layoutInput(g, 'DOWN').edges.map((e) => e.id),
      ['on:0:a', 'catch:0:a', 'on:0:b', 'on:0:cleanup'],
    );
  });

  it('keeps every state reached, and every transition, whatever the edges', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd', 'e');
    const edge = fc.record({ list: fc.constantFrom('on' as const, 'catch' as const), source: name, target: name });
    fc.assert(
      fc.property(fc.array(edge, { maxLength: 25 }), (edges) => {
        const kept = laidOutEdges(edges);
        assert.deepEqual(
          kept.filter((e) => e.list === 'on'),
          edges.filter((e) => e.list === 'on'),
        );
        const into = (list: typeof edges) => new Set(list.filter((e) => e.source !== e.target).map((e) => e.target));
        assert.deepEqual(into(kept), into(edges), 'a state reached before is reached in the layout');
        const caught = kept.filter((e) => e.list === 'catch');
        assert.equal(new Set(caught.map((e) => e.target)).size, caught.length, 'at most one catch route per state');
        for (const c of caught) assert.ok(!edges.some((e) => e.list === 'on' && e.target === c.target && e.source !== e.target), `${c.target} is reached by a transition`);
      }),
    );
  });

  it('large graphs make reference chips for transitions only: a catch is a badge already', () => {
    const g = graphOf(parseTask(generateTask(40)).model);
    const p = withProxies(g);
    assert.ok(p.edges.filter((e) => e.list === 'catch').every((e) => !e.hub && e.target === 'failed'));
    assert.ok(p.edges.some((e) => e.list === 'on' && e.hub === 'failed'));
  });

  it('stacks the chips of a state under its output, clear of each other, joined to the handle', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.constantFrom('DOWN' as const, 'RIGHT' as const), fc.integer({ min: 1, max: 6 }), (x, y, direction, n) => {
        const out = { x, y };
        const badges = Array.from({ length: n }, (_, i) => catchBadge(out, i, direction));
        badges.forEach((b, i) => {
          assert.deepEqual(b.stub[0], out);
          assert.deepEqual(b.stub[b.stub.length - 1], b.anchor);
          assert.ok(b.anchor.y - CHIP_HEIGHT / 2 > y, 'below the handle');
          if (direction === 'DOWN') assert.ok(b.align === 'right' && b.anchor.x < x, 'left of the handle, where no edge leaves');
          else assert.ok(b.align === 'left' && b.anchor.x > x, 'past the node');
          if (i) assert.ok(b.anchor.y - badges[i - 1].anchor.y >= CHIP_HEIGHT, 'no chip over another');
          for (let k = 1; k < b.stub.length; k++) assert.ok(b.stub[k].x === b.stub[k - 1].x || b.stub[k].y === b.stub[k - 1].y, 'orthogonal stub');
        });
      }),
    );
    assert.equal(catchChipText({ label: 'catch timeout', target: 'stuck' }), 'catch timeout → stuck');
  });

  it('the exported SVG draws a catch as its chip, and in full when the run took it', () => {
    const g = graphOf(parseTask(ONLY_CAUGHT).model);
    const positions = { a: { x: 0, y: 0 }, b: { x: 0, y: 200 }, cleanup: { x: 300, y: 200 }, done: { x: 0, y: 400 } };
    const svg = graphSvg({ graph: g, positions, routes: {}, direction: 'DOWN', palette: LIGHT_PALETTE });
    const chips = [...svg.matchAll(/<g class="catch-chip" data-edge="([^"]+)">[\s\S]*?<text[^>]*>([^<]*)<\/text><\/g>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(chips, [
      ['catch:0:a', 'catch timeout → cleanup'],
      ['catch:1:a', 'catch → b'],
      ['catch:0:b', 'catch → cleanup'],
    ]);
    assert.doesNotMatch(svg, /class="edge[^"]*" data-edge="catch:/, 'no full catch route');
    const taken = graphSvg({ graph: g, positions, routes: {}, direction: 'DOWN', palette: LIGHT_PALETTE, overlay: { active: false, visited: ['a', 'cleanup'], taken: [{ state: 'a', list: 'catch', index: 0 }] } });
    assert.match(taken, /class="edge taken" data-edge="catch:0:a"/);
    assert.doesNotMatch(taken, /class="catch-chip" data-edge="catch:0:a"/);
  });
});
