// Bad input over a real DAP transport: launches that cannot start answer with an error naming
// the file, line and problem (no hang); unknown and malformed requests get error responses; a
// disconnect in the middle of an instruction ends the run cleanly and journals it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { until } from '../server/client';
import { sample, suite, tempDir, withTimeout } from './helpers';

const hello = sample('hello.task.yaml');

suite('bad input', (test) => {
  test('a launch with a missing file answers with an error naming the file', async (dap) => {
    await dap.dc.initializeRequest();
    const missing = path.join(path.dirname(hello), 'no-such.task.yaml');
    await assert.rejects(withTimeout(dap.dc.launchRequest({ program: missing } as never), 5000, 'launch'), (err: Error) => {
      assert.match(err.message, /Task file not found/);
      assert.ok(err.message.includes(missing), err.message);
      return true;
    });
  });

  test('a launch with a file that does not lint answers with file, line and message', async (dap) => {
    await dap.dc.initializeRequest();
    const broken = sample('broken.task.yaml');
    await assert.rejects(withTimeout(dap.dc.launchRequest({ program: broken } as never), 5000, 'launch'), (err: Error) => {
      assert.match(err.message, /does not lint clean/);
      assert.ok(err.message.includes(`${broken}:18:1: `), err.message);
      assert.match(err.message, /descripton/);
      return true;
    });
  });

  test('a launch without a program, with a bad clock, bad input or a bad mocks file is refused with the reason', async (dap) => {
    await dap.dc.initializeRequest();
    await assert.rejects(dap.dc.launchRequest({} as never), /needs 'program'/);
    await assert.rejects(dap.dc.launchRequest({ program: hello, clock: 'fast' } as never), /'clock' must be "real" or "virtual"/);
    await assert.rejects(dap.dc.launchRequest({ program: hello, input: { nobody: 1 } } as never), /'nobody' is not an input of task 'hello'/);
    const dir = tempDir();
    try {
      const mocks = path.join(dir, 'bad.mocks.yaml');
      fs.writeFileSync(mocks, 'mocks:\n  - state: greet\n    result: 1\n');
      await assert.rejects(dap.dc.launchRequest({ program: hello, mocks } as never), (err: Error) => {
        assert.ok(err.message.startsWith(`${mocks}:2:5: `), err.message);
        return true;
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('unknown and malformed requests get error responses, and the session goes on', async (dap) => {
    await dap.dc.initializeRequest();
    await assert.rejects(dap.dc.customRequest('frobnicate'), /Unknown request 'frobnicate'/);
    await assert.rejects(dap.dc.gotoRequest({ threadId: 1, targetId: 1 }), /Unknown request 'goto'/);
    await assert.rejects(dap.dc.nextRequest({ threadId: 1 }), /Launch a task first/);
    await dap.launch({ program: hello, stopOnEntry: true, clock: 'virtual' });
    await dap.stopped();
    await assert.rejects(dap.dc.setBreakpointsRequest({} as never), /needs 'source.path'/);
    await assert.rejects(dap.dc.setBreakpointsRequest({ source: { path: hello }, breakpoints: [{ line: 'x' }] } as never), /needs a line number/);
    await assert.rejects(dap.dc.stackTraceRequest({ threadId: 7 }), /Unknown thread 7/);
    await assert.rejects(dap.dc.scopesRequest({ frameId: 99 }), /Unknown frame 99/);
    await assert.rejects(dap.dc.variablesRequest({ variablesReference: 4242 }), /Unknown variablesReference 4242/);
    await assert.rejects(dap.dc.customRequest('setBreakpoints', [1, 2]), /arguments of 'setBreakpoints' must be an object/);
    await assert.rejects(dap.dc.setExceptionBreakpointsRequest({ filters: ['everything'] }), /Unknown exception filter everything/);
    await assert.rejects(dap.dc.evaluateRequest({} as never), /needs an 'expression'/);
    // A message that is not JSON cannot be answered, but it does not end the session.
    (dap.dc as unknown as { outputStream: NodeJS.WritableStream }).outputStream.write('Content-Length: 5\r\n\r\n{oops');
    await dap.waitOutput('not valid JSON');
    const threads = await dap.dc.threadsRequest();
    assert.equal(threads.body.threads.length, 1);
    await dap.dc.continueRequest({ threadId: 1 });
    await dap.next('terminated');
  });

  test('a disconnect in the middle of an instruction ends the run cleanly, journaled as cancelled', async (dap) => {
    const dir = tempDir();
    try {
      const task = path.join(dir, 'slow.task.yaml');
      fs.writeFileSync(
        task,
        [
          'version: 1',
          'name: slow',
          'start: work',
          'states:',
          '  work:',
          '    do:',
          '      - exec:',
          '          command: node',
          '          args: ["-e", "console.log(\'started \' + process.pid); setTimeout(() => {}, 60000)"]',
          '        as: out',
          '    next: done',
          '  done:',
          '    final: true',
          '',
        ].join('\n'),
      );
      const store = path.join(dir, 'runs');
      await dap.launch({ program: task, store });
      await dap.waitOutput(/started \d+/);
      const pid = Number(/started (\d+)/.exec(dap.outputText())![1]);
      await dap.close();
      const files = fs.readdirSync(store).filter((f) => f.endsWith('.jsonl'));
      assert.equal(files.length, 1);
      const events = fs.readFileSync(path.join(store, files[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(events.map((e) => e.type), ['run-started', 'state-entered', 'instruction-started', 'run-ended']);
      assert.equal(events.at(-1).status, 'cancelled');
      assert.match(events.at(-1).error.message, /disconnected/);
      // The command was stopped with the run.
      const alive = () => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await until(`the command (pid ${pid}) to stop with its cancelled run`, async () => !alive(), 10_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
