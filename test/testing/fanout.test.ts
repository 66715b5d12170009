// Task tests of fan-out: hermetic branches and items, and mocks that answer the tasks a task calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseTask } from '../../engine/model/parse';
import { NO_MOCKS, parseMocks } from '../../engine/runtime/mocks';
import { runCase } from '../../engine/testing/run-case';
import { loadTestFile } from '../../engine/testing/load';
import { dedent } from '../helpers/tasks';
import { writeFiles } from './helpers';

const FANOUT = dedent(`
  version: 1
  name: fan
  start: a
  states:
    a:
      do:
        - parallel:
            web: { http: { url: "https://web.example.com" } }
            note: { log: building }
          as: builds
        - map:
            items: [eu, us]
            do: { exec: { command: deploy, args: ["{{ item }}"] } }
          as: deployed
      next: done
    done: { final: true }
`);

test('hermetic: an unmocked branch or item fails the case naming it; mocked ones run', async () => {
  const task = parseTask(FANOUT).model;
  const bare = await runCase({ model: task }, { input: {}, mocks: NO_MOCKS });
  assert.equal(bare.stop?.kind, 'unmocked');
  assert.equal(bare.stop!.message, "Branch 'web' of instruction 0 (as: builds) of state 'a' is a 'http' with no mock in this test: add a mock { state: a, instruction: builds, branch: web, result: … }.");

  const webOnly = parseMocks('mocks:\n  - { state: a, instruction: builds, branch: web, result: { status: 200 } }\n');
  const items = await runCase({ model: task }, { input: {}, mocks: webOnly });
  assert.equal(items.stop?.kind, 'unmocked');
  assert.match(items.stop!.message, /^The items of instruction 1 \(as: deployed\) of state 'a' run a 'exec' with no mock in this test: add a mock per item \{ state: a, instruction: deployed, index: 0/);

  const all = parseMocks(
    'mocks:\n  - { state: a, instruction: builds, branch: web, result: { status: 200 } }\n  - { state: a, instruction: deployed, index: 0, result: eu }\n  - { state: a, instruction: deployed, index: 1, result: us }\n',
  );
  const ok = await runCase({ model: task }, { input: {}, mocks: all });
  assert.equal(ok.stop, undefined, ok.stop?.message);
  assert.equal(ok.final.status, 'succeeded');
  assert.deepEqual(ok.final.data.deployed, ['eu', 'us']);
});

test("a test's mocks may name states of the tasks it calls (also from a branch or a map); others are still reported", () => {
  const dir = writeFiles({
    'parent.task.yaml': `
      version: 1
      name: parent
      start: s
      states:
        s:
          do:
            - parallel:
                one: { call: { task: ./child.task.yaml } }
                two: { log: two }
          next: done
        done: { final: true }
    `,
    'child.task.yaml': `
      version: 1
      name: child
      start: fetch
      states:
        fetch:
          do: [ { http: { url: "https://x.example.com" } } ]
          next: ok
        ok: { final: true }
    `,
    'parent.test.yaml': `
      task: ./parent.task.yaml
      cases:
        runs:
          mocks:
            - { state: fetch, instruction: 0, result: { status: 200 } }
            - { state: fecth, instruction: 0, result: { status: 200 } }
          expect: { status: succeeded }
    `,
  });
  const loaded = loadTestFile(path.join(dir, 'parent.test.yaml'));
  const problems = loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], /names state 'fecth', which task 'parent' does not have/);
  fs.rmSync(dir, { recursive: true, force: true });
});
