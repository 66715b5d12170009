// A fan-out under the debugger: until branches are threads of their own, a `parallel` or `map` is
// one step of its state, and its called runs go to their end without stopping.
import assert from 'node:assert/strict';
import { lineOf, sample, suite } from './helpers';

const release = sample('release.task.yaml');
const releaseRun = { program: release, mocks: sample('release.mocks.yaml'), clock: 'virtual' };

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
});
