// The webview's pure parts, in Node: the graph view model, the ELK mapping (with the real elkjs),
// the quick and merged layouts, the protocol guard and the HTML's CSP.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from '../../engine/lint/index';
import { parseTask } from '../../engine/model/parse';
import { edgeId, graphOf, instructionSummary, nearestInDirection, parseEdgeId, realTarget, searchStates, structureKey, transitionLabel, withProxies } from '../../engine/graph/model';
import { generateTask } from '../../bench/generate';
import * as fs from 'node:fs';
import * as vm from 'node:vm';
import { ELK_OPTIONS, fromElk, layoutInput, mergeLayout, portIds, quickLayout, renameInLayout, toElk } from '../../engine/graph/layout';
import { expandCompact, packInput, unpackInput } from '../../engine/graph/compact';
import { layoutWorkerSource } from '../../webview/layout/worker-source';
import { LABEL_HEIGHT } from '../../engine/graph/model';
import { asWebviewMessage, isBrokenYaml, outlineOf } from '../../webview/protocol';
import { makeNonce, webviewCsp, webviewHtml } from '../../webview/html';
import { readSample } from './harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ELK = require('elkjs/lib/elk.bundled.js') as new () => { layout(g: unknown): Promise<unknown> };

const deploy = () => lintText(readSample('deploy.task.yaml'));

describe('graph view model', () => {
  it('has a node per state and an edge per transition and catch entry', () => {
    const { model, diagnostics } = deploy();
    const g = graphOf(model, diagnostics);
    assert.deepEqual(
      g.nodes.map((n) => n.name),
      ['collect', 'wait-collected', 'compare', 'open-pr', 'wait-merge', 'rollout', 'validate', 'done', 'failed'],
    );
    const collect = g.nodes[0];
    assert.equal(collect.isStart, true);
    assert.deepEqual(
      collect.instructions.map((r) => [r.kind, r.summary]),
      [
        ['http', 'POST deploy.example.com/collect/{{ input.env }}'],
        ['log', 'collect request {{ data.collect.body.id }} accepted'],
      ],
    );
    const failed = g.nodes.find((n) => n.name === 'failed')!;
    assert.equal(failed.final, true);
    assert.equal(failed.status, 'failed');
    assert.equal(g.nodes.find((n) => n.name === 'done')!.status, 'succeeded');
    const labels = g.edges.filter((e) => e.source === 'collect').map((e) => [e.id, e.target, e.kind, e.label, e.dashed]);
    assert.deepEqual(labels, [
      ['on:0:collect', 'wait-collected', 'when', 'when data.collect.status = 202', false],
      ['on:1:collect', 'failed', 'else', 'else', true],
      ['catch:0:collect', 'failed', 'catch', 'catch', false],
    ]);
    const waitMerge = g.edges.filter((e) => e.source === 'wait-merge').map((e) => e.label);
    assert.deepEqual(waitMerge, ['poll every 1m', 'after 4h', 'catch']);
  });

  it('labels each kind: when, after, poll every, event, else; a lone unconditional one is plain', () => {
    const m = parseTask(`version: 1
name: t
start: a
states:
  a:
    on:
      - to: b
        event: approved
        when: "event.data.by != null"
      - to: b
        after: 5m
  b: { next: c }
  c: { final: true }
`).model;
    const g = graphOf(m);
    assert.deepEqual(
      g.edges.map((e) => [e.kind, e.label, e.dashed]),
      [
        ['event', 'event approved when event.data.by…', false],
        ['after', 'after 5m', false],
        ['next', '', false],
      ],
    );
    assert.equal(transitionLabel(m.states[0].on[0], false).title, 'event approved when event.data.by != null');
  });

  it('labels a consume transition with its subject, from the model and from the outline the webview gets', () => {
    const m = parseTask(`version: 1
name: t
start: a
states:
  a:
    on:
      - to: b
        consume: { connection: "{{ secrets.NATS_URL }}", subject: "orders.*" }
        when: "event.data.total > 100"
      - to: b
  b: { final: true }
`).model;
    const expected = [
      ['consume', 'consume orders.* when event.data.…', false],
      ['else', 'else', true],
    ];
    assert.deepEqual(graphOf(m).edges.map((e) => [e.kind, e.label, e.dashed]), expected);
    assert.deepEqual(graphOf(outlineOf(m)).edges.map((e) => [e.kind, e.label, e.dashed]), expected);
    assert.equal(transitionLabel(m.states[0].on[0], false).title, 'consume orders.* when event.data.total > 100');
  });

  it('draws undeclared targets as ghost nodes with the problem', () => {
    const m = parseTask('version: 1\nname: t\nstart: a\nstates:\n  a: { next: gone }\n').model;
    const g = graphOf(m);
    const ghost = g.nodes.find((n) => n.name === 'gone')!;
    assert.equal(ghost.missing, true);
    assert.match(ghost.diagnostics[0].message, /no state 'gone'/);
  });

  it('puts each diagnostic on the state whose text holds it', () => {
    const { model, diagnostics } = lintText('version: 1\nname: t\nstart: a\nstates:\n  a:\n    timeout: 5 minutes\n    next: b\n  b: { final: true, status: meh }\n');
    const g = graphOf(model, diagnostics);
    assert.ok(g.nodes[0].diagnostics.some((d) => /duration/i.test(d.message)));
    assert.ok(g.nodes[1].diagnostics.length > 0);
  });

  it('the structure key ignores description and condition text edits of the same shape', () => {
    const text = readSample('deploy.task.yaml');
    const a = graphOf(parseTask(text).model);
    const b = graphOf(parseTask(text.replace('Ask the cluster agent to collect', 'Ask the cluster agent to gather ')).model);
    const c = graphOf(parseTask(text.replace('data.collect.status = 202', 'data.collect.status = 201')).model);
    assert.equal(structureKey(a, 'DOWN'), structureKey(b, 'DOWN'));
    assert.equal(structureKey(a, 'DOWN'), structureKey(c, 'DOWN'));
    assert.notEqual(structureKey(a, 'DOWN'), structureKey(a, 'RIGHT'));
    const d = graphOf(parseTask(text.replace('      - to: failed\n    catch:', '      - to: done\n    catch:')).model);
    assert.notEqual(structureKey(a, 'DOWN'), structureKey(d, 'DOWN'));
  });

  it('large graphs draw edges into busy states as reference chips, keeping edge ids', () => {
    const small = graphOf(deploy().model);
    assert.equal(withProxies(small), small, 'small graphs are drawn as they are');
    const g = graphOf(parseTask(generateTask(40)).model);
    const p = withProxies(g);
    const failed = g.edges.filter((e) => e.target === 'failed');
    assert.equal(failed.length, 78);
    assert.equal(p.edges.filter((e) => e.target === 'failed' && e.list === 'on').length, 1, 'one real transition into the busy state (catches are badges, engine/graph/catches.ts)');
    const chips = p.nodes.filter((n) => n.proxyOf === 'failed');
    assert.equal(chips.length, 38, 'one chip per other source of a transition into it');
    assert.deepEqual(
      p.edges.map((e) => e.id),
      g.edges.map((e) => e.id),
    );
    const e = p.edges.find((x) => x.hub === 'failed')!;
    assert.equal(realTarget(p, e.target), 'failed');
    assert.equal(realTarget(p, 's1'), 's1');
    assert.ok(!searchStates(p, 'failed').some((n) => n.startsWith('\u0001')));
  });

  it('edge ids round-trip, search finds names first, arrows find the nearest node', () => {
    assert.deepEqual(parseEdgeId(edgeId('a:b', 'catch', 3)), { state: 'a:b', list: 'catch', index: 3 });
    const g = graphOf(deploy().model);
    assert.deepEqual(searchStates(g, 'WAIT'), ['wait-collected', 'wait-merge']);
    assert.deepEqual(searchStates(g, 'pull request').slice(0, 2), ['open-pr', 'wait-merge']);
    const boxes = new Map([
      ['a', { x: 0, y: 0, width: 100, height: 50 }],
      ['b', { x: 0, y: 200, width: 100, height: 50 }],
      ['c', { x: 300, y: 10, width: 100, height: 50 }],
    ]);
    assert.equal(nearestInDirection(boxes, 'a', 'down'), 'b');
    assert.equal(nearestInDirection(boxes, 'a', 'right'), 'c');
    assert.equal(nearestInDirection(boxes, 'a', 'up'), undefined);
    assert.equal(instructionSummary('exec', { command: 'git', args: ['push', 'origin'] }), 'git push origin');
    assert.equal(instructionSummary('sql', { connection: '{{ secrets.DB }}', query: 'select id\n  from orders\n where id = $1' }), 'select id from orders where id = $1');
    assert.equal(instructionSummary('smtp', { to: ['ops@example.com', 'dev@example.com'], subject: 'Release 2' }), 'ops@example.com, dev@example.com: Release 2');
    assert.equal(instructionSummary('consume', { connection: '{{ secrets.NATS }}', subject: 'orders.*' }), 'orders.*');
    assert.equal(instructionSummary('grpc', { service: 'billing.v1.Invoices', method: 'GetInvoice' }), 'Invoices/GetInvoice');
  });
});

/** A packed input as JSON (typed arrays as plain arrays): what the test's fake worker realm parses. */
function packed(input: ReturnType<typeof layoutInput>): unknown {
  const p = packInput(input);
  assert.deepEqual(unpackInput(p), { ...input, edges: input.edges });
  return { ...p, lengths: [...p.lengths], sizes: [...p.sizes], ends: [...p.ends], labelWidths: [...p.labelWidths] };
}

describe('layout', () => {
  it('maps the graph to ELK with fixed ports where React Flow puts its handles, and reads routes back', async () => {
    const g = graphOf(deploy().model);
    const input = layoutInput(g, 'DOWN');
    assert.equal(input.nodes[0].id, 'collect');
    const elk = toElk(input);
    assert.equal(elk.children!.length, 9);
    assert.equal(elk.edges!.length, g.edges.filter((e) => e.list === 'on').length, 'catch routes are badges, not laid out');
    const result = fromElk((await new ELK().layout(elk)) as Parameters<typeof fromElk>[0], 'main');
    assert.equal(Object.keys(result.positions).length, 9);
    for (const e of g.edges.filter((x) => x.list === 'on')) {
      const route = result.routes[e.id];
      assert.ok(route, `no route for ${e.id}`);
      const s = result.positions[e.source];
      const t = result.positions[e.target];
      const sn = g.nodes.find((n) => n.name === e.source)!;
      const tn = g.nodes.find((n) => n.name === e.target)!;
      const first = route.points[0];
      const last = route.points[route.points.length - 1];
      assert.ok(Math.abs(first.x - (s.x + sn.width / 2)) < 0.5 && Math.abs(first.y - (s.y + sn.height)) < 0.5, `${e.id} starts at ${JSON.stringify(first)}`);
      assert.ok(Math.abs(last.x - (t.x + tn.width / 2)) < 0.5 && Math.abs(last.y - t.y) < 0.5, `${e.id} ends at ${JSON.stringify(last)}`);
      if (e.label) assert.ok(route.label, `${e.id} has no label position`);
    }
    // The start state is in the first layer.
    assert.ok(Object.values(result.positions).every((p) => p.y >= result.positions.collect.y));
    assert.ok(portIds('x').input !== portIds('x').output);
  });

  it('the worker script lays out from the compact input and answers with the same picture in transferable arrays', async () => {
    const source = layoutWorkerSource(fs.readFileSync(require.resolve('elkjs/lib/elk-worker.min.js'), 'utf8'));
    const replies: Array<{ msg: { id: number; result?: Parameters<typeof expandCompact>[0]; error?: string }; transfer?: unknown[] }> = [];
    // A worker's global: `self` is the global object itself.
    const ctx = vm.createContext({ setTimeout, clearTimeout, console, postMessage: (msg: never, transfer?: unknown[]) => replies.push({ msg, transfer }) });
    vm.runInContext('var self = globalThis;', ctx);
    vm.runInContext(source, ctx);
    // Messages arrive cloned into the worker's realm (ELK checks `instanceof Array`).
    const onmessage = (e: { data: unknown }) => vm.runInContext(`onmessage({ data: JSON.parse(${JSON.stringify(JSON.stringify(e.data))}) })`, ctx);
    onmessage({ data: { cmd: 'register', id: 0, algorithms: ['layered'] } });
    const g = graphOf(deploy().model);
    const input = layoutInput(g, 'DOWN');
    onmessage({ data: { cmd: 'stepwise-layout', id: 7, input: packed(input), options: ELK_OPTIONS, labelHeight: LABEL_HEIGHT } });
    const reply = replies.find((r) => r.msg.id === 7)!;
    assert.ok(reply.msg.result, reply.msg.error);
    assert.equal(reply.transfer?.length, 3);
    const viaWorker = await expandCompact(reply.msg.result!, input, 'worker');
    const direct = fromElk((await new ELK().layout(toElk(input))) as Parameters<typeof fromElk>[0], 'main');
    assert.deepEqual(viaWorker.positions, direct.positions);
    assert.deepEqual(viaWorker.routes, direct.routes);
    // A failure is answered, not left pending.
    onmessage({ data: { cmd: 'stepwise-layout', id: 8, input: null, options: ELK_OPTIONS, labelHeight: 18 } });
    assert.ok(replies.find((r) => r.msg.id === 8)?.msg.error);
  });

  it('lays out left to right too', async () => {
    const g = graphOf(parseTask(readSample('hello.task.yaml')).model);
    const result = fromElk((await new ELK().layout(toElk(layoutInput(g, 'RIGHT')))) as Parameters<typeof fromElk>[0], 'main');
    assert.ok(result.positions.done.x > result.positions.greet.x);
  });

  it('the quick layout places every node without overlaps, in layers from the start', () => {
    const g = graphOf(deploy().model);
    const q = quickLayout(layoutInput(g, 'DOWN'));
    const boxes = g.nodes.map((n) => ({ ...q.positions[n.name], w: n.width, h: n.height }));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        assert.ok(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y, `nodes ${i} and ${j} overlap`);
      }
    assert.ok(q.positions['wait-collected'].y > q.positions.collect.y);
  });

  it('a small structural change keeps the other nodes where they were', async () => {
    const text = readSample('deploy.task.yaml');
    const g1 = graphOf(parseTask(text).model);
    const before = fromElk((await new ELK().layout(toElk(layoutInput(g1, 'DOWN')))) as Parameters<typeof fromElk>[0], 'main');
    const text2 = text.replace('  done:\n    final: true', '  review:\n    next: done\n  done:\n    final: true').replace('      - to: done\n\n  open-pr:', '      - to: review\n\n  open-pr:');
    const g2 = graphOf(parseTask(text2).model);
    const input2 = layoutInput(g2, 'DOWN');
    const after = fromElk((await new ELK().layout(toElk(input2))) as Parameters<typeof fromElk>[0], 'main');
    const merged = mergeLayout(before, after, input2)!;
    assert.ok(merged, 'merged');
    for (const n of g1.nodes) assert.deepEqual(merged.positions[n.name], before.positions[n.name], n.name);
    assert.ok(merged.positions.review);
    const r = g2.nodes.find((n) => n.name === 'review')!;
    for (const n of g1.nodes) {
      const p = merged.positions[n.name];
      const q = merged.positions.review;
      assert.ok(q.x + r.width + 16 <= p.x || p.x + n.width + 16 <= q.x || q.y + r.height + 16 <= p.y || p.y + n.height + 16 <= q.y, `review overlaps ${n.name}`);
    }
    // Too large a change: no merge.
    assert.equal(mergeLayout(before, after, { ...input2, nodes: input2.nodes.map((n, i) => ({ ...n, id: `x${i}` })) }), undefined);
    const renamed = renameInLayout(before, 'collect', 'gather');
    assert.deepEqual(renamed.positions.gather, before.positions.collect);
    assert.ok(renamed.routes['on:0:gather']);
  });
});

describe('protocol and HTML', () => {
  it('posts an outline of the model: what the graph reads, a fraction of the size', () => {
    const { model, diagnostics } = deploy();
    const outline = outlineOf(model);
    assert.deepEqual(graphOf(outline, diagnostics), graphOf(model, diagnostics));
    const big = lintText(generateTask(200)).model;
    assert.ok(JSON.stringify(outlineOf(big)).length * 4 < JSON.stringify(big).length);
  });

  it('accepts well-formed webview messages only', () => {
    assert.deepEqual(asWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.ok(asWebviewMessage({ type: 'edit', id: 1, version: 3, operation: { type: 'addState' } }));
    assert.equal(asWebviewMessage({ type: 'edit', id: 1, operation: { type: 'addState' } }), undefined);
    assert.equal(asWebviewMessage({ type: 'reveal' }), undefined);
    assert.equal(asWebviewMessage({ type: 'viewState', state: { pins: {}, direction: 'UP' } }), undefined);
    assert.equal(asWebviewMessage({ type: 'shell', command: 'rm' }), undefined);
    assert.equal(asWebviewMessage('ready'), undefined);
    assert.equal(isBrokenYaml(lintText('a: [').diagnostics), true);
    assert.equal(isBrokenYaml(deploy().diagnostics), false);
  });

  it('writes a strict CSP: nonce scripts, no unsafe-eval or inline, blob: workers, no remote origins', () => {
    const csp = webviewCsp('https://res.vscode-cdn.net', 'abc');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc'(;|$)/);
    assert.match(csp, /worker-src blob:/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|https?:\/\/(?!res\.vscode-cdn\.net)/);
    const html = webviewHtml({ cspSource: 'https://res.vscode-cdn.net', nonce: 'abc', scriptUri: 'https://res.vscode-cdn.net/main.js', styleUri: 'https://res.vscode-cdn.net/main.css', title: '<x>' });
    assert.match(html, /<script nonce="abc" src="https:\/\/res\.vscode-cdn\.net\/main\.js"><\/script>/);
    assert.match(html, /<meta property="csp-nonce" content="abc">/);
    assert.match(html, /<title>&lt;x&gt;<\/title>/);
    const nonce = makeNonce((b) => b.fill(7));
    assert.match(nonce, /^[A-Za-z0-9_-]{32}$/);
  });
});
