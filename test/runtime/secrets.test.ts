// Secrets are readable by expressions and never written in clear: journal, files, output, state.
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEngine } from '../../engine/runtime/engine';
import { fileStore } from '../../engine/store/file';
import { InstructionFailure } from '../../engine/instructions/types';
import { MASK, redact } from '../../engine/runtime/redact';
import { nextJournal, rmDir, taskFrom, tmpDir, virtualEngine, runToEnd, T0 } from '../helpers/tasks';
import { evaluate } from '../../engine/expr/expression';
import { virtualClock } from '../../engine/runtime/clock';
import { derivedTask, DERIVED, expectedHeaders, headerServer, leaks, SECRET as TOKEN, type HeaderServer } from '../helpers/secret-tasks';
import type { OutputChunk } from '../../engine/runtime/run';
import fc from 'fast-check';

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
    // Values computed from the secret, a comparison too, are stored masked.
    assert.equal(state.data.ok, MASK);
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

  test('redact masks every string, nested; text search leaves values under 3 characters alone', () => {
    assert.deepEqual(redact({ a: ['x s3cr3t-value y', { b: 's3cr3t-value' }], n: 1 }, { t: SECRET }), { a: [`x ${MASK} y`, { b: MASK }], n: 1 });
    assert.equal(redact('ab', { t: 'ab' }), 'ab');
  });
});

describe('values computed from secrets', () => {
  let server: HeaderServer;
  before(async () => {
    server = await headerServer();
  });
  after(() => server.close());

  test('are masked in the journal, the output and the run state, and sent in clear', async () => {
    const output: OutputChunk[] = [];
    const { engine } = virtualEngine({ secrets: { token: TOKEN } });
    engine.onOutput((c) => output.push(c));
    const { state, journal } = await runToEnd(engine, taskFrom(derivedTask(server.url)));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(leaks(JSON.stringify(journal)), [], 'journal');
    assert.deepEqual(leaks(JSON.stringify(state)), [], 'run state');
    assert.deepEqual(leaks(output.map((c) => c.text).join('\n')), [], 'output');
    // Stored values are replaced where they are stored: the mask, not a search result.
    for (const key of Object.keys(DERIVED)) {
      assert.equal(state.data[key], MASK, key);
      assert.equal((state.data.derived as Record<string, unknown>)[key], MASK, `derived.${key}`);
    }
    const log = journal.find((e) => e.type === 'log');
    assert.equal(log?.type === 'log' && log.message, `upper=${MASK} b64=${MASK} sub=${MASK} joined=${MASK}`);
    const headers = server.received.at(-1)!;
    for (const [k, v] of Object.entries(expectedHeaders())) assert.equal(headers[k], v, k);
  });

  test('secrets of one and two characters are masked, and used in clear', async () => {
    const seen: unknown[] = [];
    const { engine } = virtualEngine({ secrets: { one: 'q', two: 'zk' }, instructions: { probe: async (ctx) => void seen.push(ctx.args) } });
    const output: string[] = [];
    engine.onOutput((c) => output.push(c.text));
    const task = taskFrom(`
      version: 1
      name: short
      start: a
      states:
        a:
          do:
            - set: { one: "={{ secrets.one }}", two: "<{{ secrets.two }}>", plain: quiz }
            - log: "one={{ secrets.one }} two={{ data.two }} plain={{ data.plain }}"
            - probe: { one: "={{ data.one }}", two: "={{ data.two }}" }
          next: done
        done: { final: true }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded');
    assert.deepEqual(seen, [{ one: 'q', two: '<zk>' }]);
    assert.deepEqual(state.data, { one: MASK, two: `<${MASK}>`, plain: 'quiz' });
    const log = journal.find((e) => e.type === 'log');
    assert.equal(log?.type === 'log' && log.message, `one=${MASK} two=${MASK} plain=quiz`);
    assert.deepEqual(output, [`one=${MASK} two=${MASK} plain=quiz`]);
  });

  test('an expression that fails on one does not quote it in its error', async () => {
    const { engine } = virtualEngine({ secrets: { token: TOKEN } });
    const task = taskFrom(`
      version: 1
      name: failing
      start: a
      states:
        a:
          do:
            - set: { n: "={{ $number($uppercase(secrets.token)) }}" }
          next: done
        done: { final: true }
    `);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'failed');
    assert.equal(state.error?.kind, 'expression');
    assert.match(state.error!.message, /\$number\(\$uppercase\(secrets\.token\)\).*computed from a secret/);
    assert.deepEqual(leaks(JSON.stringify(journal)), []);
  });

  test('a resumed run recomputes them from the secrets and still sends them in clear', async () => {
    const runs = tmpDir('stepwise-secrets-resume-');
    try {
      const before = server.received.length;
      const task = taskFrom(derivedTask(server.url, true));
      const first = createEngine({ store: fileStore(runs), clock: virtualClock(T0), secrets: { token: TOKEN } });
      const waiting = nextJournal(first, (_, e) => e.type === 'state-entered' && e.state === 'hold');
      const run = first.start(task);
      await waiting;
      run.detach('test: the process stops');
      await run.done;
      const second = createEngine({ store: fileStore(runs), clock: virtualClock(T0), secrets: { token: TOKEN } });
      const resumed = await second.resume(run.id, { task });
      await second.send(run.id, 'go', null);
      const state = await resumed.done;
      assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
      assert.equal(server.received.length, before + 1);
      const headers = server.received.at(-1)!;
      for (const [k, v] of Object.entries(expectedHeaders())) assert.equal(headers[k], v, k);
      assert.deepEqual(leaks(fs.readFileSync(path.join(runs, `${run.id}.jsonl`), 'utf8')), []);
    } finally {
      rmDir(runs);
    }
  });

  test('property: no transform of a random secret reaches the journal or the output', async () => {
    const TRANSFORMS = [
      '$uppercase(secrets.s)',
      '$lowercase(secrets.s)',
      '$base64encode(secrets.s)',
      '$substring(secrets.s, 1)',
      "$join($split(secrets.s, ''), '.')",
      "$join($reverse($split(secrets.s, '')))",
      "secrets.s & '!'",
      '$trim(secrets.s)',
    ];
    const secretArb = fc.string({ unit: fc.constantFrom(...'abcXYZ019-_+/= '), minLength: 1, maxLength: 24 });
    await fc.assert(
      fc.asyncProperty(secretArb, fc.constantFrom(...TRANSFORMS), async (secret, transform) => {
        const seen: unknown[] = [];
        const output: string[] = [];
        const { engine } = virtualEngine({ secrets: { s: secret }, instructions: { probe: async (ctx) => void seen.push(ctx.args) } });
        engine.onOutput((c) => output.push(c.text));
        const task = taskFrom(`
          version: 1
          name: prop
          start: a
          states:
            a:
              do:
                - set: { t: "={{ ${transform} }}" }
                  as: kept
                - log: "[{{ data.t }}]"
                - probe: { t: "={{ data.kept.t }}" }
              next: done
            done: { final: true }
        `);
        const { state, journal } = await runToEnd(engine, task);
        assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
        const expected = await evaluate(transform, { secrets: { s: secret } });
        assert.deepEqual(seen, [{ t: expected }], 'the instruction gets the clear value');
        // Structural: where the value is stored or written, the mask stands in its place.
        const set = journal.find((e) => e.type === 'instruction-finished' && e.kind === 'set');
        assert.deepEqual(set?.type === 'instruction-finished' && set.result, { t: MASK });
        assert.deepEqual(state.data, { t: MASK, kept: { t: MASK } });
        assert.deepEqual(output, [`[${MASK}]`]);
        // And no text holds a transformed value long enough to be told apart from other text.
        const text = JSON.stringify(journal) + output.join('');
        for (const v of [secret, String(expected)]) if (v.length >= 8) assert.ok(!text.includes(v), `${v} leaked`);
      }),
      { numRuns: 60 },
    );
  });
});
