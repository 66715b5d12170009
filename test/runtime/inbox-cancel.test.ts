// Cancelling a run owned by another process (the CLI) through the file store's inbox: what the
// Runs view's Cancel does for a run it does not execute.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fileStore } from '../../engine/store/file';
import { memoryStore } from '../../engine/store/memory';
import { UnknownRunError } from '../../engine/store/store';
import { createEngine } from '../../engine/runtime/engine';
import { ofType, rmDir, taskFrom, tmpDir, withTimeout, nextJournal } from '../helpers/tasks';

const root = tmpDir('stepwise-inbox-cancel-');
after(() => rmDir(root));

const WAITING = `
  version: 1
  name: waits
  start: wait
  states:
    wait:
      on:
        - to: done
          event: go
        - to: done
          after: 1h
    done: { final: true }
`;

describe('cancel through the inbox', () => {
  test('a cancel left through a second store on the same folder ends the waiting run as cancelled, with the reason', async () => {
    const dir = path.join(root, 'a');
    const engine = createEngine({ store: fileStore(dir, { inboxPollMs: 20 }) });
    const run = engine.start(taskFrom(WAITING));
    await nextJournal(engine, (r, e) => r === run && e.type === 'state-entered');
    await fileStore(dir).requestCancel!(run.id, 'cancelled from VS Code');
    const state = await withTimeout(run.done, 8000, 'the run to end');
    assert.equal(state.status, 'cancelled');
    assert.match(state.error?.message ?? state.reason ?? '', /cancelled from VS Code/);
    assert.equal(ofType(await engine.store.read(run.id), 'event-received').length, 0, 'a cancel is not an event of the task');
    await engine.store.close();
  });

  test('a paused run is cancelled too', async () => {
    const store = memoryStore();
    const engine = createEngine({ store });
    const run = engine.start(taskFrom(WAITING));
    await nextJournal(engine, (r, e) => r === run && e.type === 'state-entered');
    await run.pause();
    await store.requestCancel!(run.id, 'stop');
    assert.equal((await withTimeout(run.done, 8000, 'the run to end')).status, 'cancelled');
  });

  test('a cancel for a run the store does not have is refused', async () => {
    await assert.rejects(fileStore(path.join(root, 'b')).requestCancel!('nope', 'x'), UnknownRunError);
  });
});
