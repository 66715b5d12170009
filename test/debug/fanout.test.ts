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
});
