// A run continued from a journal that ends with an instruction's final failure routes that failure
// (as a worker that takes a run over must): it does not run the instruction once more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { virtualClock } from '../../engine/runtime/clock';
import { createEngine } from '../../engine/runtime/engine';
import { parseMocks } from '../../engine/runtime/mocks';
import { parseTask } from '../../engine/model/parse';
import { memoryStore } from '../../engine/store/memory';

const TASK = `version: 1
name: failing
start: deploy
states:
  deploy:
    do:
      - exec: { command: deploy-tool }
        as: deploy
    next: done
    catch:
      - { to: recover, error: exec }
  recover:
    do: [ { set: { recovered: true } } ]
    next: done
  done: { final: true }
`;
const MOCKS = `mocks:
  - { state: deploy, instruction: deploy, error: { kind: exec, message: "exit status 1" } }
`;

test('a final failure at the end of the journal is routed, not attempted again', async () => {
  const task = { model: parseTask(TASK).model };
  const mocks = parseMocks(MOCKS);
  const first = createEngine({ store: memoryStore(), clock: virtualClock(), mocks });
  const run = first.start(task, { runId: 'r' });
  await run.done;
  const full = await first.store.read('r');
  const cut = full.findIndex((e) => e.type === 'instruction-failed') + 1;
  assert.ok(cut > 0);
  // The worker died right after journaling the failure: continue from there elsewhere.
  const store = memoryStore();
  await store.append('r', full.slice(0, cut));
  const second = createEngine({ store, clock: virtualClock(), mocks });
  const resumed = await second.resume('r', { task, journal: { reason: 'lease-expired' } });
  const final = await resumed.done;
  assert.equal(final.status, 'succeeded');
  assert.equal(final.data.recovered, true);
  const after = (await store.read('r')).slice(cut).map((e) => e.type);
  assert.deepEqual(after.slice(0, 2), ['run-recovered', 'transition-taken']);
  assert.equal((await store.read('r')).filter((e) => e.type === 'instruction-started').length, 2, 'deploy once, set once');
});
