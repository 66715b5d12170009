// `publish` and `consume` against a real NATS server (Debian's nats-server, started by the test):
// what a subscriber receives, a message a run waits for, failures, and timeouts that close the
// connection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { createEngine } from '../../engine/runtime/engine';
import { nextJournal, ofType, runToEnd, taskFrom, virtualEngine, withTimeout } from '../helpers/tasks';
import { MASK } from '../../engine/runtime/redact';
import { startNats, type NatsServer } from './server';

let server: NatsServer;
let client: NatsConnection;

before(async () => {
  server = await startNats();
  client = await connect({ servers: `${server.host}:${server.port}`, user: server.user, pass: server.password });
});

after(async () => {
  await client.close();
  await server.stop();
});

function oneInstruction(instruction: string, extra = ''): ReturnType<typeof taskFrom> {
  return taskFrom(`
    version: 1
    name: broker
    start: a
    states:
      a:
        do:
          - ${instruction}
            as: out
            ${extra}
        next: done
        catch:
          - { to: viaPublish, error: publish }
          - { to: viaConsume, error: consume }
          - { to: viaTimeout, error: timeout }
      done: { final: true }
      viaPublish: { final: true, status: failed }
      viaConsume: { final: true, status: failed }
      viaTimeout: { final: true, status: failed }
  `);
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('publish', () => {
  test('publishes JSON data and headers on a subject, over the connection from a secret', async () => {
    const sub = client.subscribe('orders.created', { max: 1 });
    await client.flush();
    const { engine } = virtualEngine({ secrets: { NATS_URL: server.url } });
    const task = oneInstruction(`publish: { connection: "{{ secrets.NATS_URL }}", subject: orders.created, data: { id: 7, items: [a, b] }, headers: { X-Source: stepwise } }`);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    let got: { subject: string; data: unknown; source?: string } | undefined;
    for await (const m of sub) got = { subject: m.subject, data: JSON.parse(new TextDecoder().decode(m.data)), source: m.headers?.get('X-Source') };
    assert.deepEqual(got, { subject: 'orders.created', data: { id: 7, items: ['a', 'b'] }, source: 'stepwise' });
    assert.deepEqual(state.data.out, { subject: 'orders.created' });
    assert.ok(!JSON.stringify(journal).includes(server.password), 'the password is not journaled');
  });

  test('a refused login fails with kind publish, without the password in the message', async () => {
    const { engine } = virtualEngine({ secrets: { NATS_URL: server.url.replace(server.password, 'wrong-pw-8080') } });
    const { state, journal } = await runToEnd(engine, oneInstruction(`publish: { connection: "{{ secrets.NATS_URL }}", subject: x, data: 1 }`));
    assert.equal(state.state, 'viaPublish');
    const failed = ofType(journal, 'instruction-failed')[0];
    assert.match(failed.error.message, /AUTHORIZATION_VIOLATION|Authorization Violation/i);
    assert.ok(!JSON.stringify(journal).includes('wrong-pw-8080'));
  });
});

describe('consume', () => {
  test('waits for one message on a subject; its data (JSON parsed), subject and headers are the result', async () => {
    const engine = createEngine({ secrets: { NATS_URL: server.url, TOKEN: 'tok-n4ts-s3cr3t' } });
    const run = engine.start(oneInstruction(`consume: { connection: "{{ secrets.NATS_URL }}", subject: "deploys.*" }`));
    await nextJournal(engine, (r, e) => r.id === run.id && e.type === 'instruction-started');
    // Core NATS keeps no messages: publish until the subscription (made after the journal entry) has one.
    const h = natsHeaders();
    h.set('X-Env', 'prod');
    const publisher = setInterval(() => client.publish('deploys.eu', JSON.stringify({ version: '2.0', token: 'tok-n4ts-s3cr3t' }), { headers: h }), 50);
    try {
      const state = await withTimeout(run.done, 10_000, 'the consume');
      assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
      // A message that holds a secret's value is masked like any other result.
      assert.deepEqual(state.data.out, { subject: 'deploys.eu', data: { version: '2.0', token: MASK }, headers: { 'X-Env': 'prod' } });
    } finally {
      clearInterval(publisher);
    }
    await waitFor('the consumer to disconnect', async () => (await server.connections()) === 1);
  });

  test('a timeout fails with kind timeout and closes the connection', async () => {
    const engine = createEngine({ secrets: { NATS_URL: server.url } });
    const { state } = await runToEnd(engine, oneInstruction(`consume: { connection: "{{ secrets.NATS_URL }}", subject: nobody.sends }`, 'timeout: 300ms'));
    assert.equal(state.state, 'viaTimeout');
    await waitFor('the consumer to disconnect', async () => (await server.connections()) === 1);
  });

  test('a missing subject fails with a message saying what to write', async () => {
    const { engine } = virtualEngine({ secrets: { NATS_URL: server.url } });
    const { journal } = await runToEnd(engine, oneInstruction(`consume: { connection: "{{ secrets.NATS_URL }}" }`));
    assert.match(ofType(journal, 'instruction-failed')[0].error.message, /consume needs a 'subject'/);
  });
});
