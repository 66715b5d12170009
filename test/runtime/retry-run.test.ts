// Retry from a step at the engine level: values computed from secrets before the fork point come
// back in clear for the retried steps and stay masked in the new journal.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../engine/runtime/engine';
import { loadTaskFile } from '../../engine/runtime/load';
import { retryPrefix, retryRun } from '../../engine/runtime/retry';
import { memoryStore } from '../../engine/store/memory';
import type { JournalEvent } from '../../engine/journal/events';
import { dedent, rmDir, tmpDir } from '../helpers/tasks';

const dir = tmpDir('stepwise-retry-run-');
after(() => rmDir(dir));
const NODE = process.execPath.replace(/\\/g, '/');

test('a retry passes a value computed from a secret before the fork point in clear, and journals only the mask', async () => {
  const seen = path.join(dir, 'seen.txt');
  const ok = path.join(dir, 'ok');
  const file = path.join(dir, 'secret.task.yaml');
  fs.writeFileSync(
    file,
    dedent(`
      version: 1
      name: secret
      start: login
      states:
        login:
          do: [ { set: { auth: "={{ 'Bearer ' & secrets.TOKEN }}" } } ]
          next: call
        call:
          do:
            - exec: { command: "${NODE}", args: [ "-e", "const fs = require('fs'); fs.writeFileSync(process.argv[1], process.argv[2]); process.exit(fs.existsSync(process.argv[3]) ? 0 : 3)", "${seen}", "={{ data.auth }}", "${ok}" ] }
          next: done
        done: { final: true }
    `),
  );
  const store = memoryStore();
  const engine = createEngine({ store, secrets: { TOKEN: 's3cr3t-value' } });
  const first = engine.start(loadTaskFile(file));
  assert.equal((await first.done).status, 'failed');
  fs.writeFileSync(ok, '');
  fs.rmSync(seen);
  const { run, from } = await retryRun(engine, first.id, { loadTask: loadTaskFile });
  assert.equal(from, 'call');
  assert.equal((await run.done).status, 'succeeded');
  assert.equal(fs.readFileSync(seen, 'utf8'), 'Bearer s3cr3t-value');
  const journal = JSON.stringify(await store.read(run.id));
  assert.doesNotMatch(journal, /s3cr3t-value/);
});

test('retryPrefix refuses a run that has not ended and one that succeeded without --from', () => {
  const started: JournalEvent = { seq: 1, at: 0, type: 'run-started', runId: 'r1', task: 't', input: {}, data: {}, clock: 'virtual' };
  const entered: JournalEvent = { seq: 2, at: 0, type: 'state-entered', state: 'a' };
  assert.throws(() => retryPrefix([started, entered]), /has not ended; cancel it/);
  const ended: JournalEvent = { seq: 3, at: 0, type: 'run-ended', status: 'succeeded' };
  assert.throws(() => retryPrefix([started, entered, ended]), /succeeded; name the state to retry from/);
  const { prefix } = retryPrefix([started, entered, ended], 'a');
  assert.deepEqual(prefix, [{ ...started, retryOf: 'r1' }]);
});
