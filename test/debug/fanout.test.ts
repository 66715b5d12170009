// A fan-out under the debugger: each running branch of a `parallel` and item of a `map` is a thread
// of its own (`state › branch`, `state › item N`), with its called task's frames above the branch;
// a stop stops every thread, a step moves only the thread it names, step back goes back across
// the branches to the fan-out instruction.
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, sample, suite, type Dap } from './helpers';

const release = sample('release.task.yaml');
const buildImage = sample('build-image.task.yaml');
const deployRegion = sample('deploy-region.task.yaml');
const releaseRun = { program: release, mocks: sample('release.mocks.yaml'), clock: 'virtual' };

async function threads(dap: Dap): Promise<Map<string, number>> {
  return new Map((await dap.dc.threadsRequest()).body.threads.map((t) => [t.name, t.id]));
}

async function frames(dap: Dap, threadId: number): Promise<DebugProtocol.StackFrame[]> {
  return (await dap.dc.stackTraceRequest({ threadId })).body.stackFrames;
}

suite('fan-out', (test) => {
  test('next at a parallel runs it whole and stops at the next state, with the results by branch', async (dap) => {
    await dap.launch(releaseRun, { breakpoints: { [release]: [lineOf(release, '- parallel:')] } });
    await dap.stopped();
    assert.equal((await dap.top()).line, lineOf(release, '- parallel:'));
    await dap.dc.nextRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.top()).line, lineOf(release, 'deploy:'));
    assert.match((await dap.scope('Data')).builds, /web: .*api: .*docs: /);
  });

  test("the stepwise/state events carry the fan-out's branches and items as they go, for the graph's lanes", async (dap) => {
    await dap.launch(releaseRun, { breakpoints: { [release]: [lineOf(release, 'done: { final: true }')] } });
    await dap.stopped(20_000);
    const fanouts = dap.log.filter((e) => e.event === 'stepwise/state' && e.body.fanout).map((e) => e.body.fanout as { state: string; index: number; lanes: Record<string, string>; items?: number });
    const builds = fanouts.filter((f) => f.state === 'build');
    assert.ok(builds.some((f) => Object.values(f.lanes).includes('running')), `a running branch in ${JSON.stringify(builds)}`);
    assert.deepEqual(builds.at(-1), { state: 'build', index: 0, lanes: { web: 'succeeded', api: 'succeeded', docs: 'succeeded' } });
    const deploys = fanouts.filter((f) => f.state === 'deploy');
    // Two regions at once: a picture with two items running and the third not started.
    assert.ok(deploys.some((f) => f.items === 3 && Object.keys(f.lanes).length === 2 && Object.values(f.lanes).every((s) => s === 'running')), JSON.stringify(deploys));
    assert.deepEqual(deploys.at(-1), { state: 'deploy', index: 0, lanes: { '0': 'succeeded', '1': 'succeeded', '2': 'succeeded' }, items: 3 });
  });

  test('two branches stopped at a breakpoint of the called task are two threads; a step moves only the one named', async (dap) => {
    const pushLine = lineOf(buildImage, 'push-image:');
    await dap.launch(releaseRun, { breakpoints: { [buildImage]: [pushLine] } });
    const first = await dap.stopped();
    assert.equal(first.body.allThreadsStopped, true);
    const byName = await threads(dap);
    assert.deepEqual([...byName.keys()].slice(1), ['build › web', 'build › api', 'build › docs']);
    assert.equal(first.body.threadId, byName.get('build › web'));
    assert.deepEqual(first.body.hitBreakpointIds, [dap.breakpointResults[buildImage][0].id]);
    const started = dap.log.filter((e) => e.event === 'thread' && e.body.reason === 'started').map((e) => e.body.threadId);
    for (const id of [...byName.values()].slice(1)) assert.ok(started.includes(id), `thread ${id} was announced`);

    const web = byName.get('build › web')!;
    const api = byName.get('build › api')!;
    const webFrames = await frames(dap, web);
    assert.deepEqual(
      webFrames.map((f) => [f.name, f.line]),
      [
        ['build-image · push-image (entering)', pushLine],
        ['build › web', lineOf(release, 'web:')],
        ['build', lineOf(release, 'build:')],
      ],
    );
    // The other branches stopped with it, at their next step in the called task.
    const apiFrames = (await frames(dap, api)).map((f) => f.name);
    assert.deepEqual(apiFrames.slice(-2), ['build › api', 'build']);
    assert.match(apiFrames[0], /^build-image · /);
    const apiScopes = (await dap.dc.scopesRequest({ frameId: (await frames(dap, api))[0].id })).body.scopes;
    assert.equal((await dap.children(apiScopes.find((s) => s.name === 'Input')!.variablesReference)).image, '"api"');
    const branchScope = apiScopes.find((s) => s.name === 'Branch');
    assert.ok(branchScope, `a Branch scope among ${apiScopes.map((s) => s.name).join(', ')}`);
    assert.deepEqual(await dap.children(branchScope.variablesReference), { branch: '"api"' });

    await dap.dc.nextRequest({ threadId: web });
    const stepped = await dap.stopped();
    assert.equal(stepped.body.threadId, web);
    assert.equal((await frames(dap, web))[0].name, 'build-image · built (entering)');
    assert.deepEqual((await frames(dap, api)).map((f) => f.name), apiFrames, 'the other thread stays where it stopped');

    // Let go, another branch reaches the breakpoint and stops in its own thread.
    await dap.dc.continueRequest({ threadId: web });
    const second = await dap.stopped();
    assert.ok([api, byName.get('build › docs')].includes(second.body.threadId), `stopped in ${second.body.threadId}`);
    assert.equal(second.body.reason, 'breakpoint');
    assert.equal(second.body.allThreadsStopped, true);
    assert.equal((await frames(dap, second.body.threadId!))[0].name, 'build-image · push-image (entering)');
  });

  test('step back from a branch goes back across the branches to the parallel; step in enters the first branch again', async (dap) => {
    await dap.launch(releaseRun, { breakpoints: { [buildImage]: [lineOf(buildImage, 'push-image:')] } });
    const stop = await dap.stopped();
    const before = await threads(dap);
    assert.equal(before.size, 4);
    await dap.dc.stepBackRequest({ threadId: stop.body.threadId! });
    const back = await dap.stopped();
    assert.equal(back.body.threadId, 1);
    assert.equal((await dap.top()).line, lineOf(release, '- parallel:'));
    assert.deepEqual([...(await threads(dap)).values()], [1], 'the branch threads ended with the abandoned run');
    const exited = dap.log.filter((e) => e.event === 'thread' && e.body.reason === 'exited').map((e) => e.body.threadId);
    for (const id of [...before.values()].slice(1)) assert.ok(exited.includes(id), `thread ${id} exited`);

    await dap.dc.stepInRequest({ threadId: 1 });
    const inside = await dap.stopped();
    const now = await threads(dap);
    assert.equal(inside.body.threadId, now.get('build › web'));
    assert.equal((await frames(dap, inside.body.threadId!))[0].name, 'build-image · compile (entering)');
  });

  test('map items are threads named by index, with item and index in their Branch scope', async (dap) => {
    await dap.launch(releaseRun, { breakpoints: { [deployRegion]: [lineOf(deployRegion, 'roll-out:')] } });
    const stop = await dap.stopped();
    const byName = await threads(dap);
    assert.equal(stop.body.threadId, byName.get('deploy › item 0'));
    assert.ok(byName.has('deploy › item 1'), `item 1 runs beside item 0: ${[...byName.keys()].join(', ')}`);
    assert.ok(!byName.has('deploy › item 2'), 'concurrency 2: item 2 has not started');
    const top = (await frames(dap, stop.body.threadId!))[0];
    const scopes = (await dap.dc.scopesRequest({ frameId: top.id })).body.scopes;
    assert.deepEqual(await dap.children(scopes.find((s) => s.name === 'Branch')!.variablesReference), { item: '"eu-west"', index: '0' });
    const item = (await frames(dap, stop.body.threadId!)).find((f) => f.name === 'deploy › item 0');
    assert.ok(item, 'a frame for the item above its state');
    assert.equal((await dap.dc.evaluateRequest({ expression: 'item & "#" & index', frameId: item.id, context: 'watch' })).body.result, '"eu-west#0"');
  });

  test('step in on an item left waiting on a timer, while another item is shown waiting, stops where it waits', async (dap) => {
    await dap.launch(releaseRun, { breakpoints: { [deployRegion]: [lineOf(deployRegion, 'wait-live:')] } });
    const first = (await dap.stopped()).body.threadId!;
    // Next on the launched run lets the first item go into its poll (and stop nowhere) while the
    // second reaches the breakpoint.
    await dap.dc.nextRequest({ threadId: 1 });
    const second = (await dap.stopped()).body.threadId!;
    assert.notEqual(second, first);
    await dap.dc.stepInRequest({ threadId: second });
    assert.equal((await dap.stopped()).body.threadId, second);
    assert.match((await frames(dap, second))[0].name, / · waiting: poll/);
    assert.match((await frames(dap, first))[0].name, / · waiting: poll/);

    await dap.dc.stepInRequest({ threadId: first });
    const stop = await dap.stopped();
    assert.equal(stop.body.threadId, first);
    assert.equal(stop.body.reason, 'step');
    assert.match(stop.body.description!, /^Waiting: poll every 1m/);
  });
});
