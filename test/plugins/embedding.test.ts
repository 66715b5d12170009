// The embedding API's own functions (engine/api.ts): instruction kinds defined in code made engine
// handlers with the checks a plugin's get, and a task from its text.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { createEngine, defineInstruction, definePlugin, instructionHandlers, memoryStore, TaskLoadError, taskFromText } from '../../engine/api';

const echo = defineInstruction<{ n: number }, { n: number }>({
  kind: 'echo',
  args: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  result: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
  async run(args) {
    return { n: args.n };
  },
});

const task = (args: string) => `version: 1\nname: t\nstart: a\nstates:\n  a:\n    do:\n      - echo: ${args}\n        as: out\n    next: b\n  b: { final: true }\n`;

describe('instructionHandlers', () => {
  it('runs a kind defined in code, checking its arguments and result against its schemas', async () => {
    const engine = createEngine({ store: memoryStore(), instructions: instructionHandlers(definePlugin({ name: 'p', instructions: [echo] })) });
    const ok = await engine.start(taskFromText(task('{ n: 2 }'))).done;
    assert.deepEqual([ok.status, ok.data.out], ['succeeded', { n: 2 }]);
    const bad = await engine.start(taskFromText(task('{ n: "two" }'))).done;
    assert.equal(bad.status, 'failed');
    assert.match(bad.error?.message ?? '', /arguments of 'echo' do not fit its schema: \/n must be integer/);
    const liar = instructionHandlers({ ...echo, run: async () => ({ n: 'x' }) });
    const lied = await createEngine({ instructions: liar }).start(taskFromText(task('{ n: 1 }'))).done;
    assert.match(lied.error?.message ?? '', /'echo' returned a result that does not fit its schema/);
  });

  it('refuses a kind that is built in, defined twice, badly named, without run() or with a broken schema', () => {
    assert.throws(() => instructionHandlers({ ...echo, kind: 'http' }), /instruction 'http' defines 'http', which is built in/);
    assert.throws(() => instructionHandlers(echo, echo), /defines 'echo', which another plugin defines too/);
    assert.throws(() => instructionHandlers({ ...echo, kind: 'Echo' }), /kind "Echo": use lowercase letters/);
    assert.throws(() => instructionHandlers({ ...echo, run: undefined as never }), /'echo' has no run\(args, ctx\) function/);
    assert.throws(() => instructionHandlers({ ...echo, args: { type: 'nonsense' } }), /the schema of 'echo' is not a valid JSON Schema/);
  });
});

describe('taskFromText', () => {
  it('gives a task that runs, and refuses one with lint errors as a task file is', async () => {
    const t = taskFromText(task('{ n: 1 }'), { file: 'tasks/t.task.yaml' });
    assert.equal(t.file, path.resolve('tasks/t.task.yaml'));
    assert.throws(() => taskFromText('version: 1\nname: t\nstart: nowhere\nstates:\n  a: { final: true }\n'), (err: unknown) => err instanceof TaskLoadError && /nowhere/.test(err.message));
  });
});
