// Task tests end to end through the engine: every `expect` key passing and failing with a message
// that says what was expected and what happened, and the hermetic rule (nothing unmocked runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTask } from '../../engine/model/parse';
import { NO_MOCKS } from '../../engine/runtime/mocks';
import { runCase } from '../../engine/testing/run-case';
import type { CaseResult } from '../../engine/testing/suite';
import { dedent } from '../helpers/tasks';
import { HAPPY_MOCKS, pipelineTest, runAll, tempDir } from './helpers';

async function results(cases: string, defaultMocks = HAPPY_MOCKS): Promise<Map<string, CaseResult>> {
  const { cases: list } = await runAll(pipelineTest(cases, defaultMocks));
  return new Map(list.map((r) => [r.name, r]));
}

function message(r: CaseResult | undefined): string {
  assert.ok(r, 'the case ran');
  return r.failures.map((f) => f.message).join('\n');
}

test('status: passes on the final status, fails naming both and where the run ended', async () => {
  const r = await results(`
    ok: { expect: { status: succeeded } }
    wrong: { expect: { status: failed } }
  `);
  assert.equal(r.get('ok')!.status, 'passed', message(r.get('ok')));
  assert.equal(r.get('wrong')!.status, 'failed');
  assert.equal(message(r.get('wrong')), "status: expected failed, the run ended succeeded in state 'done'.");
  assert.deepEqual(r.get('wrong')!.failures.map((f) => [f.key, f.expected, f.actual]), [['status', 'failed', 'succeeded']]);
});

test('path: passes on exactly the states entered; fails with the path as a diff', async () => {
  const r = await results(`
    ok: { expect: { path: [build, wait, ship, approve, done] } }
    wrong: { expect: { path: [build, ship, approve, failed] } }
  `);
  assert.equal(r.get('ok')!.status, 'passed', message(r.get('ok')));
  assert.equal(
    message(r.get('wrong')),
    ['path: the states entered differ (- expected, + actual):', '    build', '  + wait', '    ship', '    approve', '  - failed', '  + done'].join('\n'),
  );
  const f = r.get('wrong')!.failures[0];
  assert.equal(f.expected, 'build\nship\napprove\nfailed');
  assert.equal(f.actual, 'build\nwait\nship\napprove\ndone');
});

test('visits: passes on states in order with others between; fails naming the first one missing', async () => {
  const r = await results(`
    ok: { expect: { visits: [build, approve, done] } }
    order: { expect: { visits: [approve, wait] } }
  `);
  assert.equal(r.get('ok')!.status, 'passed', message(r.get('ok')));
  assert.equal(
    message(r.get('order')),
    "visits: expected 'wait' to be entered after 'approve' (in the order approve → wait); the path was build → wait → ship → approve → done.",
  );
});

test('never: passes when none is entered; fails naming those that were', async () => {
  const r = await results(`
    ok: { expect: { never: [failed] } }
    wrong: { expect: { never: [failed, ship, wait] } }
  `);
  assert.equal(r.get('ok')!.status, 'passed', message(r.get('ok')));
  assert.equal(message(r.get('wrong')), "never: 'ship', 'wait' were entered; the path was build → wait → ship → approve → done.");
});

test('data: a predicate or a list over data, input and run; a failure shows the values it read', async () => {
  const r = await results(`
    ok:
      input: { env: prod }
      expect:
        data:
          - "data.shipped = true"
          - "input.env = 'prod' and run.status = 'succeeded' and run.state = 'done'"
          - "data.deploy.exitCode = 0"
    wrong:
      expect:
        data: ["data.shipped = true", "data.shipped = false and data.deploy.exitCode > 0 and input.env = 'prod'"]
    throws:
      expect: { data: "$number('x') = 1" }
  `);
  assert.equal(r.get('ok')!.status, 'passed', message(r.get('ok')));
  assert.equal(
    message(r.get('wrong')),
    "data: expected `data.shipped = false and data.deploy.exitCode > 0 and input.env = 'prod'` to hold, it gave false; it saw data.shipped = true, data.deploy.exitCode = 0, input.env = \"staging\".",
  );
  assert.match(message(r.get('throws')), /^data: the predicate `\$number\('x'\) = 1` failed: /);
});

test('error: the kind of the error the run ended with, or the last one a catch routed', async () => {
  const r = await results(`
    caught:
      mocks:
        - { state: build, instruction: build, error: { kind: http, message: "502 Bad Gateway" } }
      expect: { status: failed, path: [build, failed], error: http }
    wrong:
      mocks:
        - { state: build, instruction: build, error: { kind: http, message: "502 Bad Gateway" } }
      expect: { error: timeout }
    none:
      expect: { error: http }
  `);
  assert.equal(r.get('caught')!.status, 'passed', message(r.get('caught')));
  assert.equal(message(r.get('wrong')), "error: expected a 'timeout' error, the run ended failed with a 'http' error (502 Bad Gateway).");
  assert.equal(message(r.get('none')), "error: expected a 'http' error, the run ended succeeded without an error.");
});

test('within: passes when the run ends in time; fails saying where the run was when time ran out', async () => {
  const r = await results(`
    ok: { expect: { within: 30m } }
    late: { expect: { within: 29m, status: succeeded } }
    polls-forever:
      mocks:
        - { state: build, instruction: build, result: { status: 200, body: {} } }
        - { state: wait, poll: 0, results: [ { status: 200, body: { done: false } } ] }
      expect: { within: 10m }
  `);
  // The approval event comes at +30m and ends the run.
  assert.equal(r.get('ok')!.status, 'passed', message(r.get('ok')));
  assert.equal(r.get('ok')!.virtualMs, 30 * 60_000);
  assert.equal(message(r.get('late')), "within: expected the run to end within 29m of virtual time; at +30m it was still in state 'approve'.");
  assert.equal(r.get('polls-forever')!.failures[0].key, 'within');
  assert.equal(message(r.get('polls-forever')), "within: expected the run to end within 10m of virtual time; at +11m it was still in state 'wait'.");
});

test('hermetic: an unmocked http, exec or poll fails the case naming the state and instruction', async () => {
  const r = await results(
    `
    http: { expect: { status: succeeded } }
    poll:
      mocks: [ { state: build, instruction: build, result: { status: 200, body: {} } } ]
      expect: { status: succeeded }
    exec:
      mocks:
        - { state: build, instruction: 0, result: { status: 200, body: {} } }
        - { state: wait, poll: 0, results: [ { status: 200, body: { done: true } } ] }
      expect: { status: succeeded }
  `,
    '[]',
  );
  assert.equal(message(r.get('http')), "Instruction 0 (as: build) of state 'build' is a 'http' with no mock in this test: add a mock { state: build, instruction: build, result: … }.");
  assert.equal(message(r.get('poll')), "The poll of transition 0 of state 'wait' has no mock in this test: add a mock { state: wait, poll: 0, results: [ … ] }.");
  assert.equal(message(r.get('exec')), "Instruction 0 (as: deploy) of state 'ship' is a 'exec' with no mock in this test: add a mock { state: ship, instruction: deploy, result: … }.");
  // The catch on `build` (error: http) does not swallow it: the case stops at the unmocked call.
  assert.deepEqual(r.get('http')!.path, ['build']);
});

test('hermetic: an unmocked custom instruction fails the case, and a real exec never starts', async () => {
  const task = parseTask(
    dedent(`
      version: 1
      name: custom
      start: a
      states:
        a:
          do:
            - exec: { command: "${process.execPath}", args: ["-e", "require('fs').writeFileSync('should-not-exist', '')"] }
              as: ran
          next: b
        b:
          do:
            - page-someone: { who: oncall }
          next: done
        done: { final: true }
    `),
  ).model;
  // A relative exec runs in the task file's folder: a real run would leave its file there.
  const dir = tempDir();
  const unmocked = await runCase({ model: task, file: path.join(dir, 'custom.task.yaml') }, { input: {}, mocks: NO_MOCKS });
  assert.equal(unmocked.stop?.kind, 'unmocked');
  assert.equal(fs.existsSync(path.join(dir, 'should-not-exist')), false);
  assert.match(unmocked.stop!.message, /Instruction 0 \(as: ran\) of state 'a' is a 'exec' with no mock/);
  const mocked = await runCase({ model: task }, { input: {}, mocks: { outcomes: [{ target: { state: 'a', instruction: 'ran' }, results: [{ result: { exitCode: 0 } }] }], events: [], messages: [] } });
  assert.equal(mocked.stop?.kind, 'unmocked');
  assert.equal(mocked.stop!.message, "Instruction 0 of state 'b' is a 'page-someone' with no mock in this test: add a mock { state: b, instruction: 0, result: … }.");
});

test('hermetic: sql, smtp, publish, consume and grpc are mocked like http, and fail the case unmocked', async () => {
  const task = parseTask(
    dedent(`
      version: 1
      name: integrations
      start: a
      states:
        a:
          do:
            - sql: { connection: "{{ secrets.DB_URL }}", query: "select 1" }
              as: rows
            - smtp: { host: "{{ secrets.SMTP_HOST }}", from: a@example.com, to: b@example.com }
            - publish: { connection: "{{ secrets.NATS_URL }}", subject: s }
            - consume: { connection: "{{ secrets.NATS_URL }}", subject: s }
              as: message
            - grpc: { address: "{{ secrets.ADDR }}", proto: ./x.proto, service: x.S, method: M }
              as: reply
          next: done
        done: { final: true }
    `),
  ).model;
  const kinds = ['sql', 'smtp', 'publish', 'consume', 'grpc'];
  for (let mocked = 0; mocked < kinds.length; mocked++) {
    const outcomes = kinds.slice(0, mocked).map((_, i) => ({ target: { state: 'a', instruction: i }, results: [{ result: { ok: i } }] }));
    const r = await runCase({ model: task }, { input: {}, mocks: { outcomes, events: [], messages: [] } });
    assert.equal(r.stop?.kind, 'unmocked', kinds[mocked]);
    assert.match(r.stop!.message, new RegExp(`^Instruction ${mocked}.* of state 'a' is a '${kinds[mocked]}' with no mock in this test`));
  }
  const outcomes = kinds.map((_, i) => ({ target: { state: 'a', instruction: i }, results: [{ result: { ok: i } }] }));
  const all = await runCase({ model: task }, { input: {}, mocks: { outcomes, events: [], messages: [] } });
  assert.equal(all.stop, undefined);
  assert.equal(all.final.status, 'succeeded');
  assert.deepEqual([all.final.data.rows, all.final.data.message, all.final.data.reply], [{ ok: 0 }, { ok: 3 }, { ok: 4 }]);
});

test('a run that would wait forever for an event fails the case saying which event', async () => {
  const r = await results(
    `
    no-event:
      mocks:
        - { state: build, instruction: build, result: { status: 200, body: {} } }
        - { state: wait, poll: 0, results: [ { status: 200, body: { done: true } } ] }
        - { state: ship, instruction: deploy, result: { exitCode: 0 } }
      expect: { status: succeeded }
  `,
  );
  // Without the event, the 2h timer still wins: not stuck, just failed.
  assert.equal(message(r.get('no-event')), "status: expected succeeded, the run ended failed in state 'failed'.");
  const stuck = parseTask(
    dedent(`
      version: 1
      name: stuck
      start: wait
      states:
        wait:
          on:
            - { to: done, event: go }
            - { to: done, event: proceed }
        done: { final: true }
    `),
  ).model;
  const run = await runCase({ model: stuck }, { input: {}, mocks: NO_MOCKS });
  assert.equal(run.stop?.kind, 'stuck');
  assert.equal(run.stop!.message, "The run waits forever in state 'wait' for the event 'go' or 'proceed': nothing sends it. Add a mock { event: go, after: …, data: … } to the case.");
});

test('case mocks replace the default mocks; every case runs on its own clock', async () => {
  const r = await results(`
    default: { expect: { status: succeeded, within: 30m } }
    own:
      mocks:
        - { state: build, instruction: build, result: { status: 500, body: {} } }
      expect: { status: failed, path: [build, failed], within: 0s }
  `);
  assert.equal(r.get('default')!.status, 'passed', message(r.get('default')));
  assert.equal(r.get('own')!.status, 'passed', message(r.get('own')));
  assert.equal(r.get('own')!.virtualMs, 0);
});
