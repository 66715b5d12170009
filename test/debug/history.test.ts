// What the user did while stopped is part of the run's history, over a real DAP transport: an
// event sent while the run waits, or a value set at a step, is kept when stepping back past it
// and comes again, at the same place, when stepping forward.
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, sample, suite, type Dap } from './helpers';

const approval = sample('approval.task.yaml');
const hello = sample('hello.task.yaml');

async function step(dap: Dap, request: 'stepIn' | 'stepBack'): Promise<DebugProtocol.StackFrame> {
  await (request === 'stepIn' ? dap.dc.stepInRequest({ threadId: 1 }) : dap.dc.stepBackRequest({ threadId: 1 }));
  await dap.stopped();
  return dap.top();
}

suite('history kept by step back', (test) => {
  test('an event sent while the run waits is kept: step back lands on the transition it caused, and forward it causes it again', async (dap) => {
    await dap.launch({ program: approval, clock: 'virtual' }, { breakpoints: { [approval]: [lineOf(approval, 'wait:')] } });
    await dap.stopped();
    assert.match((await step(dap, 'stepIn')).name, /waiting: after 24h/);
    await dap.dc.customRequest('sendEvent', { name: 'approved', data: { by: 'carol' } });
    await dap.stopped();
    const taken = await dap.top();
    assert.equal(taken.name, 'wait → approved (event)');
    assert.equal((await step(dap, 'stepIn')).name, 'approved (entering)');

    const back = await step(dap, 'stepBack');
    assert.equal(back.name, 'wait → approved (event)', 'the step before is the transition the event caused');
    assert.equal(back.line, lineOf(approval, '- to: approved'));
    assert.deepEqual(await dap.scope('Event'), { name: '"approved"', data: '{by: "carol"}' });

    assert.equal((await step(dap, 'stepBack')).name, 'wait (entering)');
    assert.equal((await step(dap, 'stepIn')).name, 'wait → approved (event)', 'forward again, the event comes at the same place');
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 0);
    assert.match(dap.outputText('stdout'), /approved by carol/);
    const journal = await dap.journal();
    const received = journal.filter((e) => e.type === 'event-received');
    assert.deepEqual(received.map((e) => [e.name, e.data, e.source]), [['approved', { by: 'carol' }, 'debugger']]);
    assert.ok(!journal.some((e) => e.type === 'transition-taken' && e.to === 'expired'));
  });

  test('a value set at a transition is kept when stepping back to that transition from a later step', async (dap) => {
    await dap.launch({ program: hello, clock: 'virtual' }, { breakpoints: { [hello]: [lineOf(hello, 'next: done')] } });
    await dap.stopped();
    const greetings = await dap.variable('Data', ['greetings']);
    assert.equal(greetings.value, '1');
    const scopes = (await dap.dc.scopesRequest({ frameId: (await dap.top()).id })).body.scopes;
    await dap.dc.setVariableRequest({ variablesReference: scopes.find((s) => s.name === 'Data')!.variablesReference, name: 'greetings', value: '42' });
    assert.equal((await step(dap, 'stepIn')).name, 'done (entering)');
    assert.equal((await dap.scope('Data')).greetings, '42');

    assert.equal((await step(dap, 'stepBack')).name, 'greet → done (else)');
    assert.equal((await dap.scope('Data')).greetings, '42', 'the value set at this step is part of it');
    assert.equal((await step(dap, 'stepIn')).name, 'done (entering)');
    assert.equal((await dap.scope('Data')).greetings, '42');
  });
});
