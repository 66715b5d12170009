// Breakpoints over a real DAP transport: states, instructions, transitions, lines moved to their
// element, files outside the session, conditions, hit counts, logpoints, function and exception
// breakpoints.
import assert from 'node:assert/strict';
import { lineOf, sample, suite } from './helpers';

const deploy = sample('deploy.task.yaml');
const deployRun = { program: deploy, mocks: sample('deploy.mocks.yaml'), clock: 'virtual' };
const retry = sample('retry.task.yaml');
const retryRun = { program: retry, mocks: sample('retry.mocks.yaml'), clock: 'virtual' };

suite('breakpoints', (test) => {
  test('a state breakpoint stops before the state is entered', async (dap) => {
    const compare = lineOf(deploy, 'compare:');
    await dap.launch(deployRun, { breakpoints: { [deploy]: [compare] } });
    assert.deepEqual(dap.breakpointResults[deploy].map((b) => [b.verified, b.line]), [[true, compare]]);
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'breakpoint');
    assert.deepEqual(stop.body.hitBreakpointIds, [dap.breakpointResults[deploy][0].id]);
    const frames = await dap.frames();
    assert.equal(frames[0].line, compare);
    assert.equal(frames[0].source?.path, deploy);
    assert.match(frames[0].name, /^compare/);
    const run = await dap.scope('Run');
    assert.equal(run.state, '"compare"');
    assert.equal(run.phase, '"entering"');
    assert.deepEqual(JSON.parse(run.history.replace(/^\[\d+\] /, '')), ['collect', 'wait-collected']);
  });

  test('an instruction breakpoint stops before that instruction, with the state frame below it', async (dap) => {
    const log = lineOf(deploy, '- log: "collect request');
    await dap.launch(deployRun, { breakpoints: { [deploy]: [log] } });
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'breakpoint');
    const frames = await dap.frames();
    assert.deepEqual(frames.map((f) => f.line), [log, lineOf(deploy, 'collect:')]);
    assert.match(frames[0].name, /collect › log/);
    // The http result before it is in data already.
    const data = await dap.scope('Data');
    assert.match(data.collect, /status: 202/);
  });

  test('a transition breakpoint stops when that transition is taken', async (dap) => {
    const toWait = lineOf(deploy, '- to: wait-collected');
    await dap.launch(deployRun, { breakpoints: { [deploy]: [toWait + 1] } });
    assert.equal(dap.breakpointResults[deploy][0].line, toWait, 'the `when:` line moves to the transition');
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'breakpoint');
    assert.equal((await dap.top()).line, toWait);
    const run = await dap.scope('Run');
    assert.match(run.transition, /to: "wait-collected", cause: "when"/);
  });

  test('lines between elements move to the state key line (or the element) and are verified there', async (dap) => {
    const collect = lineOf(deploy, 'collect:');
    const waitCollected = lineOf(deploy, 'wait-collected:');
    const http = lineOf(deploy, '- http:');
    const header = lineOf(deploy, 'start: collect');
    await dap.launch(deployRun, { breakpoints: { [deploy]: [collect + 1, waitCollected - 1, http + 3, header] } });
    const r = dap.breakpointResults[deploy];
    assert.deepEqual(
      r.map((b) => [b.verified, b.line]),
      [
        [true, collect],
        [true, waitCollected],
        [true, http],
        [false, header],
      ],
    );
    assert.match(r[3].message ?? '', /No step here/);
    const stop = await dap.stopped();
    assert.equal((await dap.top()).line, collect);
    assert.deepEqual(stop.body.hitBreakpointIds, [r[0].id]);
  });

  test('a breakpoint in a YAML file that is not a task file is not verified and says why', async (dap) => {
    const plain = sample('deploy.mocks.yaml');
    await dap.launch(deployRun, { breakpoints: { [plain]: [1] } });
    assert.equal(dap.breakpointResults[plain][0].verified, false);
    assert.match(dap.breakpointResults[plain][0].message ?? '', /Not a task file: Stepwise breakpoints apply only to \*\.task\.yaml files/);
    await dap.next('terminated');
  });

  test('breakpoints in a file outside the session are not verified; in a called file they are, and hit', async (dap) => {
    const call = sample('call.task.yaml');
    const child = sample('child.task.yaml');
    const other = sample('health.task.yaml');
    const childLog = lineOf(child, '- log:');
    await dap.launch({ program: call }, { breakpoints: { [other]: [lineOf(other, 'healthy:')], [child]: [childLog] } });
    assert.equal(dap.breakpointResults[other][0].verified, false);
    assert.match(dap.breakpointResults[other][0].message ?? '', /Not part of this debug session/);
    assert.deepEqual(dap.breakpointResults[child].map((b) => [b.verified, b.line]), [[true, childLog]]);
    await dap.stopped();
    const frames = await dap.frames();
    assert.deepEqual(
      frames.map((f) => [f.source?.path, f.line]),
      [
        [child, childLog],
        [child, lineOf(child, 'work:')],
        [call, lineOf(call, '- call:')],
        [call, lineOf(call, 'delegate:')],
      ],
    );
    // The child's frames show the child's data; the caller's show the caller's.
    assert.equal((await dap.scope('Data', frames[0].id)).prepared, '3');
    assert.equal((await dap.scope('Input', frames[2].id)).who, '"staging"');
  });

  test('a conditional breakpoint stops only where its JSONata condition holds', async (dap) => {
    const http = lineOf(retry, '- http:');
    await dap.launch(retryRun, { breakpoints: { [retry]: [{ line: http, condition: 'run.attempt = 3' }, { line: lineOf(retry, 'recover:'), condition: 'data.recovered = true' }] } });
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'breakpoint');
    assert.match((await dap.top()).name, /attempt 3/);
    await dap.dc.continueRequest({ threadId: 1 });
    // `recover` is entered with recovered = false: no stop, the run ends.
    const exited = await dap.next<{ body: { exitCode: number } } & import('@vscode/debugprotocol').DebugProtocol.Event>('exited');
    assert.equal(exited.body.exitCode, 0);
    assert.equal(dap.pending('stopped').length, 0);
  });

  test('a hit count stops on the Nth hit only', async (dap) => {
    const http = lineOf(retry, '- http:');
    await dap.launch(retryRun, { breakpoints: { [retry]: [{ line: http, hitCondition: '2' }] } });
    await dap.stopped();
    assert.match((await dap.top()).name, /attempt 2/);
    await dap.dc.continueRequest({ threadId: 1 });
    await dap.next('terminated');
    assert.equal(dap.pending('stopped').length, 0);
  });

  test('a logpoint writes its message with {expressions} and does not stop', async (dap) => {
    const log = lineOf(retry, '- log: "latest release');
    await dap.launch(retryRun, { breakpoints: { [retry]: [{ line: log, logMessage: 'release {data.release.body.version} after {run.attempt} attempt(s), {{literal}}' }] } });
    await dap.next('terminated');
    assert.equal(dap.pending('stopped').length, 0);
    const logged = dap.log.find((e) => e.event === 'output' && String(e.body.output).startsWith('release '));
    assert.ok(logged, dap.outputText());
    assert.equal(logged!.body.output, 'release 1.5.0 after 1 attempt(s), {literal}\n');
    assert.equal(logged!.body.category, 'console');
    assert.equal(logged!.body.line, log);
  });

  test('a function breakpoint stops before the state of that name; an unknown name is not verified', async (dap) => {
    await dap.launch(retryRun, { functionBreakpoints: [{ name: 'recover' }, { name: 'nowhere' }] });
    assert.deepEqual(dap.functionBreakpointResults.map((b) => b.verified), [true, false]);
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'function breakpoint');
    assert.equal((await dap.top()).line, lineOf(retry, 'recover:'));
  });

  test('the instruction-failed filter stops on a failure that survived its retries', async (dap) => {
    await dap.launch(retryRun, { exceptionFilters: ['instruction-failed'] });
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'exception');
    assert.match(stop.body.description ?? '', /deploy-tool: exit status 1/);
    assert.equal((await dap.top()).line, lineOf(retry, '- exec:'));
    const info = await dap.dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'exec');
    assert.match(info.body.description ?? '', /deploy-tool/);
  });

  test('the run-failed filter (on by default) stops before a run ends failed', async (dap) => {
    const timeout = sample('timeout.task.yaml');
    await dap.launch({ program: timeout, clock: 'virtual' });
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'exception');
    assert.match(stop.body.text ?? '', /timeout: The run timed out after 1h/);
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<{ body: { exitCode: number } } & import('@vscode/debugprotocol').DebugProtocol.Event>('exited')).body.exitCode, 1);
  });

  test('noDebug runs to the end without stopping', async (dap) => {
    await dap.launch({ ...retryRun, noDebug: true, stopOnEntry: true }, { breakpoints: { [retry]: [lineOf(retry, 'recover:')] }, exceptionFilters: ['instruction-failed', 'run-failed'] });
    await dap.next('terminated');
    assert.equal(dap.pending('stopped').length, 0);
  });

  test('a file called through a template is verified when the run first calls it', async (dap) => {
    const { tempDir } = require('./helpers') as typeof import('./helpers');
    const fs = require('node:fs') as typeof import('node:fs');
    const path = require('node:path') as typeof import('node:path');
    const dir = tempDir();
    try {
      const parent = path.join(dir, 'parent.task.yaml');
      const child = path.join(dir, 'child.task.yaml');
      fs.copyFileSync(sample('child.task.yaml'), child);
      fs.writeFileSync(
        parent,
        ['version: 1', 'name: parent', 'input:', '  which: { type: string, default: child }', 'start: go', 'states:', '  go:', '    do:', '      - call: { task: "./{{ input.which }}.task.yaml" }', '    next: done', '  done: { final: true }', ''].join('\n'),
      );
      const work = lineOf(child, 'work:');
      await dap.launch({ program: parent }, { breakpoints: { [child]: [work] } });
      assert.equal(dap.breakpointResults[child][0].verified, false);
      const changed = await dap.next<import('@vscode/debugprotocol').DebugProtocol.BreakpointEvent>('breakpoint');
      assert.equal(changed.body.reason, 'changed');
      assert.deepEqual([changed.body.breakpoint.id, changed.body.breakpoint.verified, changed.body.breakpoint.line], [dap.breakpointResults[child][0].id, true, work]);
      await dap.stopped();
      assert.equal((await dap.top()).source?.path, child);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the state-timeout filter stops when a state times out, at its timeout line', async (dap) => {
    const { tempDir } = require('./helpers') as typeof import('./helpers');
    const fs = require('node:fs') as typeof import('node:fs');
    const path = require('node:path') as typeof import('node:path');
    const health = sample('health.task.yaml');
    const dir = tempDir();
    try {
      const mocks = path.join(dir, 'never.mocks.yaml');
      fs.writeFileSync(mocks, 'mocks:\n  - state: wait-healthy\n    poll: 0\n    result: { status: 503, headers: {}, body: { status: starting } }\n');
      await dap.launch({ program: health, mocks, clock: 'virtual' }, { exceptionFilters: ['state-timeout'] });
      const stop = await dap.stopped();
      assert.equal(stop.body.reason, 'exception');
      assert.match(stop.body.description ?? '', /State timed out: State 'wait-healthy' timed out after 2m/);
      const top = await dap.top();
      assert.equal(top.line, lineOf(health, 'timeout: 2m'));
      assert.equal((await dap.dc.exceptionInfoRequest({ threadId: 1 })).body.exceptionId, 'timeout');
      await dap.dc.continueRequest({ threadId: 1 });
      // The catch entry routes the timeout to `unhealthy` (failed): the run ends failed.
      assert.equal((await dap.next<import('@vscode/debugprotocol').DebugProtocol.ExitedEvent>('exited')).body.exitCode, 1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
