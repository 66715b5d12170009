// Task tests of a `consume` transition: mocked messages stand in for the broker (a test never
// subscribes), a message the `when` refuses is dropped, a message no transition takes is a lint
// error, and a run left waiting for one says which mock to add.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseTask } from '../../engine/model/parse';
import { NO_MOCKS, parseMocks } from '../../engine/runtime/mocks';
import { runCase } from '../../engine/testing/run-case';
import { loadTestFile } from '../../engine/testing/load';
import { dedent } from '../helpers/tasks';
import { ORDERS_TASK } from '../helpers/orders-task';
import { runAll, writeFiles } from './helpers';

// No NATS_URL secret exists in a test: a run that tried to subscribe would fail into `broken`.
function testFile(cases: string): ReturnType<typeof loadTestFile> {
  const dir = writeFiles({ 'orders.task.yaml': ORDERS_TASK, 'orders.test.yaml': `task: ./orders.task.yaml\ncases:\n${cases}` });
  return loadTestFile(path.join(dir, 'orders.test.yaml'));
}

test('a mocked message is taken by the consume transition whose subject matches, with its data and headers', async () => {
  const { cases } = await runAll(
    testFile(`
      a big order:
        mocks:
          - { consume: orders.eu, after: 5m, data: { id: 1, total: 500 }, headers: { X-Source: shop } }
        expect:
          status: succeeded
          path: [wait, big, done]
          data: "data.order.id = 1 and data.from = 'orders.eu' and data.source = 'shop'"
          within: 6m
      a small order is refused, then the timer:
        mocks:
          - { consume: orders.eu, after: 5m, data: { id: 2, total: 5 } }
        expect: { status: failed, path: [wait, expired] }
      a refused order, then one that passes:
        mocks:
          - { consume: orders.eu, after: 5m, data: { id: 3, total: 5 } }
          - { consume: orders.us, after: 10m, data: { id: 4, total: 400 } }
        expect: { status: succeeded, data: "data.order.id = 4 and data.from = 'orders.us'" }
      no message at all:
        expect: { status: failed, path: [wait, expired] }
    `.replace(/^ {4}/gm, '')),
  );
  assert.deepEqual(
    cases.map((c) => [c.name, c.failures.map((f) => f.message)]),
    [
      ['a big order', []],
      ['a small order is refused, then the timer', []],
      ['a refused order, then one that passes', []],
      ['no message at all', []],
    ],
  );
});

test('a mocked message that no consume transition takes is a lint error of the test file', () => {
  const t = testFile(`
  typo:
    mocks:
      - { consume: order.eu, data: {} }
    expect: { status: succeeded }
`);
  const found = t.diagnostics.filter((d) => d.code === 'unknown-mock-target').map((d) => d.message);
  assert.deepEqual(found, ["The mock is a message on 'order.eu', which no consume transition of task 'orders' takes: its consume transitions wait on 'orders.*'."]);
});

test('a run left waiting for a message fails the case naming the mock to add', async () => {
  const task = parseTask(
    dedent(`
      version: 1
      name: stuck
      start: wait
      states:
        wait:
          on:
            - { to: done, consume: { connection: "{{ secrets.NATS_URL }}", subject: "orders.>" } }
        done: { final: true }
    `),
  ).model;
  const run = await runCase({ model: task }, { input: {}, mocks: NO_MOCKS });
  assert.equal(run.stop?.kind, 'stuck');
  assert.equal(run.stop!.message, "The run waits forever in state 'wait' for a message on 'orders.>': no mock sends one. Add a mock { consume: orders.>, after: …, data: … } to the case (a subject with no wildcard).");
});

test('a mocks file says where a consume mock is wrong', () => {
  assert.throws(() => parseMocks('mocks:\n  - { consume: "orders.*", data: 1 }\n', 'm.yaml'), /m\.yaml:2:5: 'consume' names the subject the mocked message comes on, such as orders.created \(no wildcards\)\./);
  assert.throws(() => parseMocks('mocks:\n  - { consume: orders.eu, after: soon }\n', 'm.yaml'), /m\.yaml:2:5: invalid duration 'soon' in 'after'\./);
  assert.deepEqual(parseMocks('mocks:\n  - { consume: orders.eu, after: 2m, data: { a: 1 }, headers: { n: 3 } }\n').messages, [{ index: 0, subject: 'orders.eu', afterMs: 120_000, data: { a: 1 }, headers: { n: '3' } }]);
});
