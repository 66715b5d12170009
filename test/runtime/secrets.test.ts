// Secrets are readable by expressions and never written in clear: journal, files, output, state.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../engine/runtime/engine';
import { fileStore } from '../../engine/store/file';
import { InstructionFailure } from '../../engine/instructions/types';
import { MASK, redact } from '../../engine/runtime/redact';
import { rmDir, taskFrom, tmpDir, virtualEngine, runToEnd, T0 } from '../helpers/tasks';
import { virtualClock } from '../../engine/runtime/clock';

const SECRET = 's3cr3t-value';
const dir = tmpDir('stepwise-secrets-');
after(() => rmDir(dir));

const TASK = taskFrom(`
  version: 1
  name: secret
  input:
    extra: { type: string, default: none }
  start: a
  states:
    a:
      do:
        - log: "token is {{ secrets.token }}"
        - set:
            auth: "Bearer {{ secrets.token }}"
            raw: "={{ secrets.token }}"
            ok: "={{ secrets.token = 's3cr3t-value' }}"
        - emit: { event: leak, data: { t: "={{ secrets.token }}" } }
        - exec:
            command: "${process.execPath.replace(/\\/g, '/')}"
            args: [ "-e", "console.log(process.argv[1])", "{{ secrets.token }}" ]
          as: echoed
        - shout: { t: "={{ secrets.token }}" }
      next: done
      catch: [ { to: done, error: any } ]
    done: { final: true }
`);

const shout = async (ctx: { args: unknown }) => {
  throw new InstructionFailure('shout', `refused ${(ctx.args as { t: string }).t}`);
};

describe('secrets', () => {
  test('never reach the memory journal, the output or the run state', async () => {
    const output: string[] = [];
    const { engine } = virtualEngine({ secrets: { token: SECRET }, instructions: { shout } });
    engine.onOutput((c) => output.push(c.text));
    const { state, journal } = await runToEnd(engine, TASK, { extra: `x-${SECRET}-y` });
    assert.equal(state.status, 'succeeded');
    const text = JSON.stringify(journal);
    assert.ok(!text.includes(SECRET), 'journal has the secret in clear');
    assert.ok(text.includes(MASK), 'the secret is masked');
    assert.ok(!JSON.stringify(state).includes(SECRET));
    assert.ok(!output.join('\n').includes(SECRET), `output: ${output.join(' | ')}`);
    // The expression did see the real value.
    assert.equal(state.data.ok, true);
    assert.equal(state.data.auth, `Bearer ${MASK}`);
  });

  test('never reach the file store', async () => {
    const store = fileStore(dir);
    const engine = createEngine({ store, clock: virtualClock(T0), secrets: { token: SECRET }, instructions: { shout } });
    const { run, state } = await runToEnd(engine, TASK);
    assert.equal(state.status, 'succeeded');
    await store.close();
    const file = path.join(dir, `${run.id}.jsonl`);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.length > 100);
    assert.ok(!text.includes(SECRET));
  });

  test('redact masks every string, nested, and ignores very short values', () => {
    assert.deepEqual(redact({ a: ['x s3cr3t-value y', { b: 's3cr3t-value' }], n: 1 }, { t: SECRET }), { a: [`x ${MASK} y`, { b: MASK }], n: 1 });
    assert.equal(redact('ab', { t: 'ab' }), 'ab');
  });
});
