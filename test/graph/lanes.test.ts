// Fan-out on the graph: a parallel's branches and a map's item instruction as lanes of their node
// (sized before layout), their status in a run read from the journal (any prefix of it), and test
// coverage keyed as the graph names its nodes and edges.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { graphCoverage, stateHits, edgeHits } from '../../engine/graph/coverage';
import { fanoutView, itemsText, laneStatus } from '../../engine/graph/lanes';
import { graphOf, NODE_WIDTH_MAX } from '../../engine/graph/model';
import { runPath } from '../../engine/graph/runPath';
import { graphSvg, LIGHT_PALETTE } from '../../engine/graph/svg';
import { outlineOf } from '../../engine/graph/types';
import { lintText } from '../../engine/lint/index';
import { fileCoverage } from '../../engine/testing/coverage';
import { runToEnd, taskFrom, virtualEngine } from '../helpers/tasks';

const RELEASE = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'samples', 'release.task.yaml'), 'utf8');

const FAN = `
  version: 1
  name: fan
  start: build
  states:
    build:
      do:
        - parallel:
            slow: { sleep: 1m }
            boom: { log: "{{ $error('boom') }}" }
      catch:
        - to: each
    each:
      do:
        - map:
            items: [a, b, c]
            concurrency: 2
            do: { sleep: 10s }
          as: out
      next: done
    done: { final: true }
`;

describe('fan-out lanes', () => {
  test("the outline carries a parallel's branches and a map's options; the node draws a lane each and is sized for them", () => {
    const model = outlineOf(lintText(RELEASE).model);
    const build = model.states.find((s) => s.name === 'build')!;
    assert.deepEqual(
      build.do[0].fanout?.kind === 'parallel' && build.do[0].fanout.branches.map((b) => [b.name, b.ins.kind, b.ins.timeout]),
      [
        ['web', 'call', undefined],
        ['api', 'call', undefined],
        ['docs', 'call', '10m'],
      ],
    );
    // Plain data, as posted: no ranges of the nested instructions.
    assert.doesNotMatch(JSON.stringify(build.do[0]), /"range"/);
    const graph = graphOf(model);
    const node = graph.nodes.find((n) => n.name === 'build')!;
    assert.deepEqual(node.instructions[0].summary, '3 branches at once');
    assert.deepEqual(node.instructions[0].fanout?.lanes.map((l) => [l.name, l.task]), [
      ['web', './build-image.task.yaml'],
      ['api', './build-image.task.yaml'],
      ['docs', './build-image.task.yaml'],
    ]);
    const plain = graphOf(outlineOf(lintText(RELEASE.replace(/      - parallel:[\s\S]*?as: builds\n/, '      - log: x\n')).model)).nodes.find((n) => n.name === 'build')!;
    assert.equal(node.height - plain.height, 8 + 3 * 22, 'three lanes and the block padding');
    assert.equal(node.width, NODE_WIDTH_MAX);
    const deploy = graph.nodes.find((n) => n.name === 'deploy')!;
    assert.equal(deploy.instructions[0].summary, '× input.regions, 2 at once');
    assert.deepEqual(deploy.instructions[0].fanout?.lanes.map((l) => [l.name, l.kind, l.task]), [['', 'call', './deploy-region.task.yaml']]);
  });

  test('the exported SVG draws the lanes, with their status when a run is shown', () => {
    const graph = graphOf(outlineOf(lintText(RELEASE).model));
    const positions = Object.fromEntries(graph.nodes.map((n, i) => [n.name, { x: 0, y: i * 300 }]));
    const plain = graphSvg({ graph, positions, routes: {}, direction: 'DOWN', palette: LIGHT_PALETTE });
    assert.deepEqual([...plain.matchAll(/data-lane="([^"]*)"/g)].map((m) => m[1]), ['web', 'api', 'docs', '']);
    const overlay = { active: true, visited: ['build'], taken: [], fanouts: [{ state: 'build', index: 0, lanes: { web: 'succeeded' as const, api: 'failed' as const } }] };
    const shown = graphSvg({ graph, positions, routes: {}, direction: 'DOWN', palette: LIGHT_PALETTE, overlay });
    assert.deepEqual([...shown.matchAll(/data-lane="(\w+)" data-status="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`), ['web:succeeded', 'api:failed', 'docs:pending']);
  });

  test('items as the row says them; at most six lanes are drawn', () => {
    assert.equal(itemsText('={{ input.regions }}'), 'input.regions');
    assert.equal(itemsText(['a', 'b']), '2 items');
    const many = fanoutView({ kind: 'parallel', branches: Array.from({ length: 9 }, (_, i) => ({ name: `b${i}`, ins: { kind: 'log', args: 'x' } })) });
    assert.deepEqual([many.lanes.length, many.more], [6, 3]);
  });

  test("a run's lanes: a failed branch and its cancelled sibling, then a map's items in order, from the journal", async () => {
    const { engine } = virtualEngine();
    const { journal } = await runToEnd(engine, taskFrom(FAN));
    const view = runPath(journal, { id: 'r', where: 'local' });
    assert.deepEqual(view.fanouts, [
      { state: 'build', index: 0, lanes: { slow: 'cancelled', boom: 'failed' } },
      { state: 'each', index: 0, lanes: { '0': 'succeeded', '1': 'succeeded', '2': 'succeeded' }, items: 3 },
    ]);
    // Part way: two items at once (concurrency 2), the third not started.
    const second = journal.findIndex((e, i) => e.type === 'branch-started' && e.state === 'each' && e.item === 1 && journal.slice(0, i).some((x) => x.type === 'branch-started' && x.state === 'each' && x.item === 0));
    const live = runPath(journal.slice(0, second + 1), { id: 'r', where: 'local' });
    assert.deepEqual(live.fanouts?.find((f) => f.state === 'each'), { state: 'each', index: 0, lanes: { '0': 'running', '1': 'running' }, items: 3 });
    // Every prefix gives a picture whose lanes are among the branches and items the task has.
    for (let n = 0; n <= journal.length; n++) {
      for (const f of runPath(journal.slice(0, n), { id: 'r', where: 'local' }).fanouts ?? []) {
        const keys = f.state === 'build' ? ['slow', 'boom'] : ['0', '1', '2'];
        assert.ok(Object.keys(f.lanes).every((k) => keys.includes(k)), `${JSON.stringify(f)} at ${n}`);
      }
    }
  });

  test('a lane waiting for its retry is running; stopped with no outcome it was cancelled; not started, pending', () => {
    assert.equal(laneStatus(undefined), 'pending');
    assert.equal(laneStatus({ attempts: 1, running: false, retryAt: 5 }), 'running');
    assert.equal(laneStatus({ attempts: 0, running: false }), 'cancelled');
    assert.equal(laneStatus({ attempts: 0, running: false, outcome: { result: 1 } }), 'succeeded');
    assert.equal(laneStatus({ attempts: 2, running: false, outcome: { error: { kind: 'exec', message: 'x' } } }), 'failed');
  });
});

describe('coverage on the graph', () => {
  test('hits by state name and by edge id; states and edges the coverage does not know are unknown, not uncovered', () => {
    const model = lintText(RELEASE).model;
    const cov = fileCoverage('/x/release.task.yaml', model);
    cov.states.find((s) => s.state === 'build')!.hits = 2;
    cov.branches.find((b) => b.kind === 'catch' && b.state === 'deploy')!.hits = 1;
    const g = graphCoverage(cov);
    assert.deepEqual(g.states, { build: 2, deploy: 0, done: 0, failed: 0 });
    assert.deepEqual(g.branches, { 'on:0:build': 0, 'on:1:build': 0, 'on:0:deploy': 0, 'on:1:deploy': 0, 'catch:0:deploy': 1 });
    assert.equal(stateHits(g, 'build'), 2);
    assert.equal(stateHits(g, 'added-since'), undefined);
    assert.equal(stateHits(null, 'build'), undefined);
    assert.equal(edgeHits(g, 'catch:0:deploy'), 1);
    assert.equal(edgeHits(g, 'on:5:deploy'), undefined);
    // Every node and edge of the graph has its entry.
    const graph = graphOf(outlineOf(model));
    assert.ok(graph.nodes.every((n) => stateHits(g, n.name) !== undefined));
    assert.ok(graph.edges.every((e) => edgeHits(g, e.id) !== undefined));
  });
});
