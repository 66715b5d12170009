// Numbers in requests over a real DAP transport: lines, columns, frame and variable ranges that
// are huge, negative or fractional get an answer in bounded time (a result clamped to the file,
// or a clear error), and the session goes on and disconnects.
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, sample, suite, withTimeout } from './helpers';

const hello = sample('hello.task.yaml');
/** How long an answer may take: far more than a bounded answer needs, far less than a loop over 1e8 lines. */
const ANSWER_MS = 3000;

suite('numbers in requests', (test) => {
  for (const endLine of [1e8, 2 ** 53]) {
    test(`breakpointLocations with endLine ${endLine} answers with the file's locations, and the session still answers and disconnects`, async (dap) => {
      await dap.launch({ program: hello, stopOnEntry: true, clock: 'virtual' });
      await dap.stopped();
      const whole = (await withTimeout(dap.dc.customRequest('breakpointLocations', { source: { path: hello }, line: 1, endLine: 40 }), ANSWER_MS, 'breakpointLocations to line 40')).body.breakpoints;
      const huge = (await withTimeout(dap.dc.customRequest('breakpointLocations', { source: { path: hello }, line: 1, endLine }), ANSWER_MS, `breakpointLocations to line ${endLine}`)).body.breakpoints;
      assert.deepEqual(huge, whole);
      assert.ok(whole.some((b: DebugProtocol.BreakpointLocation) => b.line === lineOf(hello, 'greet:')));
      const past = (await withTimeout(dap.dc.customRequest('breakpointLocations', { source: { path: hello }, line: endLine }), ANSWER_MS, 'breakpointLocations past the end')).body.breakpoints;
      assert.deepEqual(past, []);
      const threads = await withTimeout(dap.dc.threadsRequest(), ANSWER_MS, 'threads after breakpointLocations');
      assert.equal(threads.body.threads.length, 1);
      await dap.disconnect(ANSWER_MS);
    });
  }

  test('breakpointLocations with a line that is not a whole number from 1 answers with an error saying so', async (dap) => {
    await dap.launch({ program: hello, stopOnEntry: true, clock: 'virtual' });
    await dap.stopped();
    for (const args of [{ line: 0 }, { line: -5 }, { line: 2.5 }, { line: 1, endLine: 3.5 }, { line: 1, endLine: -1e9 }]) {
      await assert.rejects(withTimeout(dap.dc.customRequest('breakpointLocations', { source: { path: hello }, ...args }), ANSWER_MS, 'breakpointLocations'), /breakpointLocations: '(line|endLine)' must be a whole number from 1/);
    }
    const backwards = await withTimeout(dap.dc.customRequest('breakpointLocations', { source: { path: hello }, line: 20, endLine: 3 }), ANSWER_MS, 'breakpointLocations backwards');
    assert.deepEqual(backwards.body.breakpoints, []);
  });

  test('setBreakpoints with huge, negative or fractional lines answers at once: those are unverified with a reason, the others are set', async (dap) => {
    await dap.launch({ program: hello, stopOnEntry: true, clock: 'virtual' });
    await dap.stopped();
    const lines = [lineOf(hello, '- set:'), 1e8, 2 ** 53, -3, 0, 2.5];
    const r = await withTimeout(dap.dc.setBreakpointsRequest({ source: { path: hello }, breakpoints: [...lines.map((line) => ({ line })), { line: lineOf(hello, 'greet:'), column: -2 }, { line: lineOf(hello, 'greet:'), column: 0.5 }] }), ANSWER_MS, 'setBreakpoints');
    const [set, far, farther, negative, zero, fraction, badColumn, fractionalColumn] = r.body.breakpoints;
    assert.equal(set.verified, true);
    assert.equal(set.line, lineOf(hello, '- set:'));
    for (const b of [far, farther]) {
      assert.equal(b.verified, false);
      assert.match(b.message ?? '', /No step here/);
    }
    for (const [b, line] of [[negative, -3], [zero, 0], [fraction, 2.5]] as const) {
      assert.equal(b.verified, false);
      assert.equal(b.message, `Line ${line} is not a line of the file: a line is a whole number from 1.`);
    }
    for (const [b, column] of [[badColumn, -2], [fractionalColumn, 0.5]] as const) {
      assert.equal(b.verified, false);
      assert.equal(b.message, `Column ${column} is not a column of the line: a column is a whole number from 1.`);
    }
    // The breakpoint that is set works.
    await dap.dc.continueRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.top()).line, lineOf(hello, '- set:'));
  });

  test('stackTrace and variables with huge ranges answer what there is; negative or fractional ones answer with an error', async (dap) => {
    await dap.launch({ program: hello, clock: 'virtual' }, { breakpoints: { [hello]: [lineOf(hello, '- set:')] } });
    await dap.stopped();
    const all = (await dap.dc.stackTraceRequest({ threadId: 1 })).body;
    for (const args of [{ levels: 2 ** 53 }, { startFrame: 0, levels: 1e8 }]) {
      const r = (await withTimeout(dap.dc.stackTraceRequest({ threadId: 1, ...args }), ANSWER_MS, 'stackTrace')).body;
      assert.deepEqual(r.stackFrames, all.stackFrames);
    }
    assert.deepEqual((await withTimeout(dap.dc.stackTraceRequest({ threadId: 1, startFrame: 2 ** 53, levels: 2 ** 53 }), ANSWER_MS, 'stackTrace far')).body.stackFrames, []);
    for (const args of [{ startFrame: -1 }, { startFrame: 0.5 }, { levels: -1 }, { levels: 1.5 }]) {
      await assert.rejects(withTimeout(dap.dc.stackTraceRequest({ threadId: 1, ...args }), ANSWER_MS, 'stackTrace'), /stackTrace: '(startFrame|levels)' must be a whole number from 0/);
    }
    const input = (await dap.dc.evaluateRequest({ expression: '[10, 20, 30]', context: 'watch' })).body;
    const ref = input.variablesReference;
    const values = async (args: Partial<DebugProtocol.VariablesArguments>) => (await withTimeout(dap.dc.variablesRequest({ variablesReference: ref, ...args }), ANSWER_MS, 'variables')).body.variables.map((v) => v.value);
    assert.deepEqual(await values({ filter: 'indexed', start: 1, count: 2 ** 53 }), ['20', '30']);
    assert.deepEqual(await values({ filter: 'indexed', start: 2 ** 53, count: 1e8 }), []);
    assert.deepEqual(await values({ filter: 'indexed', start: 0, count: 0 }), ['10', '20', '30']);
    for (const args of [{ start: -1 }, { start: 0.5 }, { count: -2 }, { count: 1.5 }]) {
      await assert.rejects(withTimeout(dap.dc.variablesRequest({ variablesReference: ref, filter: 'indexed', ...args }), ANSWER_MS, 'variables'), /variables: '(start|count)' must be a whole number from 0/);
    }
  });
});
