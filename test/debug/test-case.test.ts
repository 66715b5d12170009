// Debugging a case of a test file (launch attribute `test`): the case's input and mocks on the
// virtual clock, hermetic as `stepwise test` runs it, and the stop where the run leaves its path.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, sample, suite, tempDir } from './helpers';

type Exited = DebugProtocol.ExitedEvent;

/** A test file beside a copy of deploy.task.yaml whose case expects a path the run leaves at `rollout`. */
function deployTest(): string {
  const dir = tempDir();
  for (const f of ['deploy.task.yaml', 'deploy.mocks.yaml']) fs.copyFileSync(sample(f), path.join(dir, f));
  const file = path.join(dir, 'deploy.test.yaml');
  fs.writeFileSync(
    file,
    [
      'task: ./deploy.task.yaml',
      'mocks: ./deploy.mocks.yaml',
      'cases:',
      '  takes a detour:',
      '    input: { version: "1.5.0" }',
      '    expect:',
      '      path: [collect, wait-collected, compare, open-pr, wait-merge, done]',
      '',
    ].join('\n'),
  );
  return file;
}

suite('test case launch', (test) => {
  test("stopOnDivergence stops at the first state the case's path does not have there", async (dap) => {
    const file = deployTest();
    await dap.launch({ test: { file, case: 'takes a detour' }, stopOnDivergence: true });
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'breakpoint');
    assert.equal(stop.body.description, "The run leaves the case's path: it enters 'rollout' where the path has 'done'");
    assert.equal((await dap.top()).line, lineOf(path.join(path.dirname(file), 'deploy.task.yaml'), 'rollout:'));
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<Exited>('exited')).body.exitCode, 0);
  });

  test("a run that keeps to the case's path runs through: the case's input and the file's mocks are the run's", async (dap) => {
    const file = deployTest();
    fs.appendFileSync(file, '  already runs:\n    input: { version: "1.4.0" }\n    expect:\n      path: [collect, wait-collected, compare, done]\n');
    await dap.launch({ test: { file, case: 'already runs' }, stopOnDivergence: true });
    assert.equal((await dap.next<Exited>('exited')).body.exitCode, 0);
    assert.equal(dap.pending('stopped').length, 0);
  });

  test('a case that is not in the test file is refused, naming the cases there are', async (dap) => {
    const file = deployTest();
    await assert.rejects(dap.launch({ test: { file, case: 'nope' } }), /has no case 'nope' \(its cases: 'takes a detour'\)/);
  });
});
