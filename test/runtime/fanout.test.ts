// `parallel` and `map`: concurrency on the virtual clock, results, cancellation of siblings,
// `tolerate`, retries of the failed branches only, mocks per branch or item.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InstructionFailure, type InstructionHandler } from '../../engine/instructions/types';
import { mocksFrom, ofType, rmDir, taskFrom, tmpDir, virtualEngine, runToEnd } from '../helpers/tasks';

const dir = tmpDir('stepwise-fanout-');
after(() => rmDir(dir));

/** `work: { ms, fail?, value }`: waits on the run's clock, then fails or returns `value`. */
function workKind(calls: string[]): InstructionHandler {
  return async (ctx) => {
    const a = ctx.args as { ms?: number; fail?: string; value?: unknown; name?: string };
    calls.push(String(a.name ?? a.value));
    await ctx.sleep(a.ms ?? 0);
    if (a.fail) throw new InstructionFailure(a.fail, `${a.name ?? a.value} failed`);
    return a.value ?? null;
  };
}

function engineWith(calls: string[] = [], mocks = '') {
  return virtualEngine({ instructions: { work: workKind(calls) }, mocks: mocks ? mocksFrom(mocks) : undefined });
}

const PARALLEL = `
  version: 1
  name: builds
  start: build
  states:
    build:
      do:
        - parallel:
            web:  { work: { ms: 10000, value: w } }
            api:  { work: { ms: 30000, value: a } }
            docs: { work: { ms: 20000, value: d } }
          as: builds
      next: done
    done: { final: true }
`;

const mapTask = (opts: string, body = '{ work: { ms: 10000, value: "={{ item & \\"-\\" & $string(index) }}" } }') => `
  version: 1
  name: regions
  input:
    regions: { type: array, default: [eu, us, ap, sa] }
  start: deploy
  states:
    deploy:
      do:
        - map:
            items: "={{ input.regions }}"
            ${opts}
            do: ${body}
          as: deployments
      next: done
      catch:
        - to: rolled-back
    done: { final: true }
    rolled-back: { final: true, status: failed }
`;

describe('parallel', () => {
  test('all branches start at once; the results are stored by branch name; it ends with the slowest', async () => {
    const { engine } = engineWith();
    const { state, journal } = await runToEnd(engine, taskFrom(PARALLEL));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.builds, { web: 'w', api: 'a', docs: 'd' });
    assert.deepEqual(ofType(journal, 'branch-started').map((e) => [e.branch, e.t]), [
      ['web', 0],
      ['api', 0],
      ['docs', 0],
    ]);
    assert.deepEqual(ofType(journal, 'branch-finished').map((e) => [e.branch, e.t]), [
      ['web', 10_000],
      ['docs', 20_000],
      ['api', 30_000],
    ]);
    assert.equal(ofType(journal, 'instruction-finished')[0].t, 30_000);
  });

  test('a failed branch cancels the others; the instruction fails with its error and name; catch routes it by kind', async () => {
    const calls: string[] = [];
    const { engine } = engineWith(calls);
    const yaml = PARALLEL.replace('value: d }', 'value: d, fail: exec }').replace('next: done', 'next: done\n      catch:\n        - to: broken\n          error: exec').replace(
      '    done: { final: true }',
      '    done: { final: true }\n    broken: { final: true, status: failed }',
    );
    const { state, journal } = await runToEnd(engine, taskFrom(yaml));
    assert.equal(state.state, 'broken');
    const [failed] = ofType(journal, 'instruction-failed');
    assert.deepEqual(failed.error, { kind: 'exec', message: 'd failed', branch: 'docs' });
    assert.equal(failed.t, 20_000, 'fails as soon as docs fails, without waiting for api (30s)');
    assert.deepEqual(ofType(journal, 'branch-cancelled').map((e) => [e.branch, e.t]), [['api', 20_000]]);
    assert.deepEqual(ofType(journal, 'branch-finished').map((e) => e.branch), ['web']);
    const taken = ofType(journal, 'transition-taken')[0];
    assert.equal(taken.cause, 'catch');
  });

  test('a branch has its own retry and timeout', async () => {
    const calls: string[] = [];
    const { engine } = engineWith(calls);
    const yaml = `
      version: 1
      name: own
      start: s
      states:
        s:
          do:
            - parallel:
                flaky: { work: { ms: 1000, fail: http, name: flaky }, retry: { attempts: 3, delay: 5s } }
                slow:  { work: { ms: 60000, value: slow }, timeout: 2m }
          next: done
          catch: [ { to: failed } ]
        done: { final: true }
        failed: { final: true, status: failed }
    `;
    const { state, journal } = await runToEnd(engine, taskFrom(yaml));
    assert.equal(state.state, 'failed');
    assert.deepEqual(ofType(journal, 'branch-failed').map((e) => [e.branch, e.attempt, e.t, e.retryInMs]), [
      ['flaky', 1, 1000, 5000],
      ['flaky', 2, 7000, 5000],
      ['flaky', 3, 13000, undefined],
    ]);
    assert.deepEqual(ofType(journal, 'instruction-failed')[0].error, { kind: 'http', message: 'flaky failed', branch: 'flaky' });
    assert.deepEqual(ofType(journal, 'branch-cancelled').map((e) => [e.branch, e.t]), [['slow', 13_000]], 'the final failure cancels slow');

    const timing = yaml.replace('timeout: 2m', 'timeout: 30s').replace('retry: { attempts: 3, delay: 5s }', 'retry: { attempts: 1 }').replace('ms: 1000, fail: http', 'ms: 90000, fail: http');
    const second = await runToEnd(engineWith().engine, taskFrom(timing));
    assert.deepEqual(ofType(second.journal, 'instruction-failed')[0].error.kind, 'timeout');
    assert.equal(ofType(second.journal, 'instruction-failed')[0].error.branch, 'slow');
    assert.equal(ofType(second.journal, 'instruction-failed')[0].t, 30_000);
  });

  test('a retry of the parallel itself runs again only the branches that did not succeed', async () => {
    const calls: string[] = [];
    const { engine } = engineWith(calls);
    const yaml = PARALLEL.replace('value: d }', 'value: d, fail: "={{ run.attempt = 1 ? \'http\' : \'\' }}" }').replace(
      '          as: builds',
      '          as: builds\n          retry: { attempts: 2, delay: 1m }',
    );
    const { state, journal } = await runToEnd(engine, taskFrom(yaml));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.builds, { web: 'w', api: 'a', docs: 'd' });
    // Attempt 1: web ends at 10s, docs fails at 20s and cancels api. Attempt 2 (at 80s): docs and api.
    assert.deepEqual(calls.slice(0, 3).sort(), ['a', 'd', 'w']);
    assert.deepEqual(calls.slice(3).sort(), ['a', 'd']);
    assert.deepEqual(ofType(journal, 'instruction-started').map((e) => [e.attempt, e.t]), [
      [1, 0],
      [2, 80_000],
    ]);
    assert.deepEqual(ofType(journal, 'branch-started').map((e) => [e.branch, e.t]), [
      ['web', 0],
      ['api', 0],
      ['docs', 0],
      ['api', 80_000],
      ['docs', 80_000],
    ]);
    assert.equal(ofType(journal, 'instruction-finished')[0].t, 110_000);
  });

  test('a mock answers one branch; the others run', async () => {
    const calls: string[] = [];
    const mocks = `
      mocks:
        - { state: build, instruction: builds, branch: docs, result: mocked-docs }
    `;
    const { engine } = engineWith(calls, mocks);
    const { state, journal } = await runToEnd(engine, taskFrom(PARALLEL));
    assert.deepEqual(state.data.builds, { web: 'w', api: 'a', docs: 'mocked-docs' });
    assert.deepEqual(calls, ['w', 'a']);
    assert.deepEqual(ofType(journal, 'branch-finished').filter((e) => e.mocked).map((e) => [e.branch, e.t]), [['docs', 0]]);
  });
});

describe('map', () => {
  test('results in item order; item and index in scope; all at once by default', async () => {
    const { engine } = engineWith();
    const { state, journal } = await runToEnd(engine, taskFrom(mapTask('')));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.deployments, ['eu-0', 'us-1', 'ap-2', 'sa-3']);
    assert.deepEqual(ofType(journal, 'map-items').map((e) => e.items), [['eu', 'us', 'ap', 'sa']]);
    assert.deepEqual(ofType(journal, 'branch-started').map((e) => [e.item, e.t]), [
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
    ]);
    assert.equal(ofType(journal, 'instruction-finished')[0].t, 10_000);
  });

  test('four items that each take 10s with concurrency 2 end at +20s', async () => {
    const { engine } = engineWith();
    const { state, journal } = await runToEnd(engine, taskFrom(mapTask('concurrency: 2')));
    assert.deepEqual(state.data.deployments, ['eu-0', 'us-1', 'ap-2', 'sa-3']);
    assert.deepEqual(ofType(journal, 'branch-started').map((e) => [e.item, e.t]), [
      [0, 0],
      [1, 0],
      [2, 10_000],
      [3, 10_000],
    ]);
    assert.equal(ofType(journal, 'instruction-finished')[0].t, 20_000);
  });

  test('concurrency 1 runs the items one after the other', async () => {
    const { engine } = engineWith();
    const { journal } = await runToEnd(engine, taskFrom(mapTask('concurrency: 1')));
    assert.equal(ofType(journal, 'instruction-finished')[0].t, 40_000);
  });

  const failUs = '{ work: { ms: "={{ 1000 * (index + 1) }}", value: "={{ item }}", fail: "={{ item = \\"us\\" ? \\"http\\" : \\"\\" }}" } }';

  test('a failed item cancels the running ones and fails the map with its index', async () => {
    const { engine } = engineWith();
    const { state, journal } = await runToEnd(engine, taskFrom(mapTask('concurrency: 2', failUs)));
    assert.equal(state.state, 'rolled-back');
    const [failed] = ofType(journal, 'instruction-failed');
    assert.deepEqual(failed.error, { kind: 'http', message: 'us failed', index: 1 });
    assert.equal(failed.t, 2000);
    assert.deepEqual(ofType(journal, 'branch-cancelled').map((e) => [e.item, e.t]), [[2, 2000]], 'item 2 started at 1s when item 0 ended');
    assert.deepEqual(ofType(journal, 'branch-started').map((e) => e.item), [0, 1, 2], 'item 3 never starts');
  });

  test('tolerate keeps up to N failed items as { error } in the result and the map succeeds', async () => {
    const { engine } = engineWith();
    const { state } = await runToEnd(engine, taskFrom(mapTask('tolerate: 1', failUs)));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.deployments, ['eu', { error: { kind: 'http', message: 'us failed' } }, 'ap', 'sa']);
  });

  test('a retry of the map runs again only the items that did not succeed', async () => {
    const calls: string[] = [];
    const { engine } = engineWith(calls);
    const body = '{ work: { ms: "={{ 1000 * (index + 1) }}", value: "={{ item }}", fail: "={{ item = \'ap\' and run.attempt = 1 ? \'http\' : \'\' }}" } }';
    const yaml = mapTask('', body).replace('          as: deployments', '          as: deployments\n          retry: { attempts: 2, delay: 1m }');
    const { state, journal } = await runToEnd(engine, taskFrom(yaml));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.deployments, ['eu', 'us', 'ap', 'sa']);
    // Attempt 1: eu (1s) and us (2s) succeed, ap fails at 3s and cancels sa. Attempt 2 at 63s: ap, sa.
    assert.deepEqual(calls.slice(0, 4).sort(), ['ap', 'eu', 'sa', 'us']);
    assert.deepEqual(calls.slice(4).sort(), ['ap', 'sa']);
    assert.deepEqual(ofType(journal, 'branch-cancelled').map((e) => [e.item, e.t]), [[3, 3000]]);
    assert.deepEqual(ofType(journal, 'branch-started').slice(4).map((e) => [e.item, e.t]), [
      [2, 63_000],
      [3, 63_000],
    ]);
    assert.equal(ofType(journal, 'map-items').length, 1, 'the items are resolved once');
  });

  test('items that are not a list fail the map with an expression error', async () => {
    const { engine } = engineWith();
    const { state } = await runToEnd(engine, taskFrom(mapTask('').replace('"={{ input.regions }}"', '"={{ input.regions[0] }}"')));
    assert.equal(state.state, 'rolled-back');
    assert.equal(state.error, undefined);
    const { journal } = await runToEnd(engineWith().engine, taskFrom(mapTask('').replace('"={{ input.regions }}"', '"={{ input.regions[0] }}"')));
    assert.match(ofType(journal, 'instruction-failed')[0].error.message, /items of map \(instruction 0 of state 'deploy'\) must be a list, not "eu"/);
  });

  test('an empty list gives an empty result at once', async () => {
    const { engine } = engineWith();
    const { state } = await runToEnd(engine, taskFrom(mapTask('')), { regions: [] });
    assert.deepEqual(state.data.deployments, []);
  });

  test('a mock answers one item; the others run', async () => {
    const calls: string[] = [];
    const mocks = `
      mocks:
        - { state: deploy, instruction: 0, index: 3, result: mocked-sa }
    `;
    const { engine } = engineWith(calls, mocks);
    const { state, journal } = await runToEnd(engine, taskFrom(mapTask('', '{ work: { ms: 10, value: "={{ item }}" } }')));
    assert.deepEqual(state.data.deployments, ['eu', 'us', 'ap', 'mocked-sa']);
    assert.deepEqual(calls, ['eu', 'us', 'ap']);
    assert.deepEqual(ofType(journal, 'branch-finished').filter((e) => e.mocked).map((e) => e.item), [3]);
  });
});

describe('fan-out of calls', () => {
  const CHILD = `
    version: 1
    name: region
    input:
      region: { type: string, required: true }
    data: { done: null }
    start: roll
    states:
      roll:
        do:
          - sleep: "={{ input.region = 'slow' ? '1h' : '1m' }}"
          - set: { done: "={{ input.region }}" }
        next: ok
      ok: { final: true }
  `;
  fs.writeFileSync(path.join(dir, 'region.task.yaml'), CHILD.replace(/^ {4}/gm, '').replace('"={{ input.region = \'slow\' ? \'1h\' : \'1m\' }}"', '1m'));

  test('each item calls a child run with its own id; the results are the children', async () => {
    const yaml = mapTask('', '{ call: { task: ./region.task.yaml, input: { region: "={{ item }}" } } }');
    const { engine } = engineWith();
    const { run, state } = await runToEnd(engine, taskFrom(yaml, path.join(dir, 'p.task.yaml')));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    const children = state.data.deployments as Array<{ status: string; data: { done: string }; runId: string }>;
    assert.deepEqual(children.map((c) => [c.status, c.data.done]), [
      ['succeeded', 'eu'],
      ['succeeded', 'us'],
      ['succeeded', 'ap'],
      ['succeeded', 'sa'],
    ]);
    assert.equal(new Set(children.map((c) => c.runId)).size, 4);
    for (const c of children) {
      const first = (await engine.store.read(c.runId))[0];
      assert.ok(first.type === 'run-started' && first.parentRunId === run.id);
    }
  });

  test('a failing sibling cancels the child runs still running', async () => {
    fs.writeFileSync(path.join(dir, 'long.task.yaml'), 'version: 1\nname: long\nstart: wait\nstates:\n  wait:\n    do: [ { sleep: 1h } ]\n    next: ok\n  ok: { final: true }\n');
    const yaml = `
      version: 1
      name: p
      start: s
      states:
        s:
          do:
            - parallel:
                long: { call: { task: ./long.task.yaml } }
                bad:  { work: { ms: 5000, fail: exec, name: bad } }
          next: done
        done: { final: true }
    `;
    const { engine } = engineWith();
    const { state, journal } = await runToEnd(engine, taskFrom(yaml, path.join(dir, 'p.task.yaml')));
    assert.equal(state.status, 'failed');
    const started = ofType(journal, 'branch-started').find((e) => e.branch === 'long')!;
    const childId = `${state.runId}.${started.seq}`;
    const child = await engine.store.read(childId);
    const end = ofType(child, 'run-ended')[0];
    assert.equal(end.status, 'cancelled');
    assert.equal(end.t, 5000);
  });
});

test('parallel and map are built in: a custom kind cannot take their names', () => {
  const noop: InstructionHandler = async () => null;
  for (const name of ['parallel', 'map']) assert.throws(() => virtualEngine({ instructions: { [name]: noop } }), /is built in/);
});

test('a map refuses items computed from secrets: its items are journaled', async () => {
  const { engine } = virtualEngine({ secrets: { token: 's3cr3t-value' } });
  const yaml = mapTask('').replace('"={{ input.regions }}"', '"={{ [secrets.token] }}"');
  const { state, journal } = await runToEnd(engine, taskFrom(yaml));
  assert.equal(state.state, 'rolled-back');
  assert.match(ofType(journal, 'instruction-failed')[0].error.message, /are computed from secrets, and a map's items are journaled/);
  assert.ok(!JSON.stringify(journal).includes('s3cr3t-value'));
});
