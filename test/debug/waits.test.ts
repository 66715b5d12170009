// Waiting runs over a real DAP transport: with the virtual clock, step in stops where the run
// waits and says for what; "skip wait" fires the next timer; "send event" delivers an event.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, sample, suite } from './helpers';

const approval = sample('approval.task.yaml');
const health = sample('health.task.yaml');

async function stopAtWait(dap: import('./helpers').Dap): Promise<DebugProtocol.StoppedEvent> {
  await dap.launch({ program: approval, clock: 'virtual' }, { breakpoints: { [approval]: [lineOf(approval, 'wait:')] } });
  await dap.stopped();
  await dap.dc.stepInRequest({ threadId: 1 });
  return dap.stopped();
}

suite('waits', (test) => {
  test('step in stops where the run waits on the virtual clock and shows the timer it waits for', async (dap) => {
    const stop = await stopAtWait(dap);
    assert.equal(stop.body.reason, 'step');
    assert.match(stop.body.description ?? '', /^Waiting: after 24h → expired \(due in 1d/);
    assert.match(stop.body.text ?? '', /event 'approved' → approved/);
    const top = await dap.top();
    assert.equal(top.line, lineOf(approval, '- to: expired'));
    const run = await dap.scope('Run');
    assert.match(run.waiting, /after 24h/);
  });

  test('skip wait fires the next timer now and stops at the step it leads to', async (dap) => {
    await stopAtWait(dap);
    const r = await dap.dc.customRequest('skipWait');
    assert.match(r.body.skipped, /after 24h → expired/);
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'step');
    const top = await dap.top();
    assert.equal(top.line, lineOf(approval, '- to: expired'));
    assert.match(top.name, /wait → expired \(after\)/);
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 1, 'expired ends cancelled');
    const journal = await dap.journal();
    const started = journal[0].at as number;
    const taken = journal.find((e) => e.type === 'transition-taken' && e.to === 'expired')!;
    assert.equal((taken.at as number) - started, 24 * 3_600_000, 'the timer fired at its virtual time');
  });

  test('skip wait steps through a poll, one poll at a time', async (dap) => {
    await dap.launch({ program: health, mocks: sample('health.mocks.yaml'), clock: 'virtual' }, { breakpoints: { [health]: [lineOf(health, 'wait-healthy:')] } });
    await dap.stopped();
    await dap.dc.stepInRequest({ threadId: 1 });
    let stop = await dap.stopped();
    assert.match(stop.body.description ?? '', /Waiting: poll every 10s → healthy \(1 poll so far/);
    await dap.dc.customRequest('skipWait');
    stop = await dap.stopped();
    assert.match(stop.body.description ?? '', /\(2 polls so far/);
    assert.equal((await dap.evaluate('result.status')).result, '200');
  });

  test('send event delivers an event with JSON data to the waiting run', async (dap) => {
    await stopAtWait(dap);
    const sent = await dap.dc.customRequest('sendEvent', { name: 'approved', data: { by: 'carol' } });
    assert.ok(sent.body.seq > 0);
    // The run moves on by itself: a continued event, then the stop at the transition it takes.
    await dap.next('continued');
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'step');
    const top = await dap.top();
    assert.equal(top.line, lineOf(approval, '- to: approved'));
    assert.deepEqual(await dap.scope('Event'), { name: '"approved"', data: '{by: "carol"}' });
    await dap.dc.continueRequest({ threadId: 1 });
    await dap.next('terminated');
    assert.match(dap.outputText('stdout'), /approved by carol/);
  });

  test('skip wait needs the virtual clock and a waiting run', async (dap) => {
    await dap.launch({ program: approval, clock: 'virtual', stopOnEntry: true });
    await dap.stopped();
    await assert.rejects(dap.dc.customRequest('skipWait'), /not waiting/);
    await assert.rejects(dap.dc.customRequest('sendEvent', {}), /needs a 'name'/);
  });
});

suite('a consume wait', (test) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-consume-dap-'));
  const task = path.join(dir, 'orders.task.yaml');
  fs.writeFileSync(
    task,
    [
      'version: 1',
      'name: orders',
      'start: wait',
      'states:',
      '  wait:',
      '    on:',
      '      - to: big',
      '        consume: { connection: "{{ secrets.NATS_URL }}", subject: "orders.*" }',
      '        when: "event.data.total >= 100"',
      '      - to: expired',
      '        after: 1h',
      '  big: { final: true }',
      '  expired: { final: true, status: failed }',
      '',
    ].join('\n'),
  );
  const mocks = path.join(dir, 'orders.mocks.yaml');
  fs.writeFileSync(mocks, 'mocks:\n  - { consume: orders.eu, after: 10m, data: { id: 7, total: 120 } }\n');

  test('shows the message it waits for like an event, and the message taken as the Event', async (dap) => {
    await dap.launch({ program: task, mocks, clock: 'virtual' }, { breakpoints: { [task]: [lineOf(task, 'wait:')] } });
    await dap.stopped();
    await dap.dc.stepInRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.match(stop.body.text ?? '', /message on 'orders\.\*' → big \(when event\.data\.total >= 100\)/);
    assert.match(stop.body.text ?? '', /mocked message on 'orders\.eu'/);
    await dap.dc.stepInRequest({ threadId: 1 });
    await dap.stopped();
    const top = await dap.top();
    assert.equal(top.line, lineOf(task, '- to: big'));
    assert.match(top.name, /wait → big \(consume\)/);
    assert.deepEqual(await dap.scope('Event'), { name: '"orders.eu"', data: '{id: 7, total: 120}' });
  });
});
