// The debugger runs a plugin's instruction (samples/plugins: `checksum`, from the stepwise.config.json
// beside the program) over a real DAP transport: step in stops before it, and once it has run its
// result is in Variables — the real sha256 of the notes, computed here.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, sample, suite } from './helpers';

const program = sample(path.join('plugins', 'release-notes.task.yaml'));
const NOTES = 'Stepwise 1.0: fan-out, task tests, plugins.';
const digest = createHash('sha256').update(NOTES).digest('hex');

suite('a plugin instruction in the debugger', (test) => {
  test('step in stops before the checksum instruction; after it, sum and its digest show in Variables', async (dap) => {
    await dap.launch({ program, stopOnEntry: true, clock: 'virtual' });
    assert.equal((await dap.stopped()).body.reason, 'entry');
    assert.equal((await dap.top()).line, lineOf(program, 'digest:'));

    await dap.dc.stepInRequest({ threadId: 1 });
    assert.equal((await dap.stopped()).body.reason, 'step');
    const before = await dap.top();
    assert.deepEqual([before.name, before.line], ['digest › checksum as sum', lineOf(program, '- checksum:')]);
    assert.equal((await dap.scope('Data')).sum, undefined, 'the instruction has not run yet');

    await dap.dc.stepInRequest({ threadId: 1 });
    await dap.stopped();
    const after = await dap.top();
    assert.deepEqual([after.name, after.line], ['digest › log #1', lineOf(program, '- log:')]);
    const sum = await dap.variable('Data', ['sum']);
    assert.ok(sum.variablesReference > 0, 'sum expands');
    assert.deepEqual(await dap.children(sum.variablesReference), { algorithm: '"sha256"', digest: JSON.stringify(digest) });
    assert.equal((await dap.variable('Data', ['sum', 'digest'])).value, JSON.stringify(digest));
    assert.equal((await dap.evaluate('data.sum.digest')).result, JSON.stringify(digest));
    assert.deepEqual(await dap.scope('Result'), { algorithm: '"sha256"', digest: JSON.stringify(digest) }, 'Result: the last instruction\'s');

    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 0);
    await dap.next('terminated');
    assert.match(dap.outputText('stdout'), new RegExp(`notes ${digest}`));
  });
});
