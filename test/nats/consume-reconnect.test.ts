// A `consume` transition across a broker restart (Debian's nats-server, killed and started again on
// the same port): the waiting run reconnects, subscribes again and takes a message published once
// the broker is back, says in its log when the broker went away and came back, gives up on a login
// refused when it reconnects, and closes its connection when the wait ends.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'nats';
import { createEngine, type Engine } from '../../engine/runtime/engine';
import { ofType, taskFrom, withTimeout } from '../helpers/tasks';
import { ORDERS_TASK as TASK } from '../helpers/orders-task';
import { startNats, type NatsServer } from './server';

let server: NatsServer;

before(async () => {
  server = await startNats();
});

// A test that failed with the broker down leaves it down.
beforeEach(() => server.restart());

after(async () => {
  await server.stop();
});

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Publishes once a subscription for the subject exists, over a connection of its own. */
async function publishWhenSubscribed(subject: string, data: unknown): Promise<void> {
  await waitFor(`a subscriber of ${subject}`, async () => (await server.subscribers(subject)) > 0);
  const nc = await connect({ servers: `${server.host}:${server.port}`, user: server.user, pass: server.password });
  nc.publish(subject, JSON.stringify(data));
  await nc.flush();
  await nc.close();
}

async function logs(engine: Engine, runId: string): Promise<string[]> {
  return ofType(await engine.store.read(runId), 'log').map((e) => e.message);
}

/** Kills the broker under a subscribed run and waits for the run to say so. */
async function outage(engine: Engine, runId: string): Promise<void> {
  await waitFor('the run to subscribe', async () => (await server.subscribers('orders.eu')) > 0);
  await server.kill();
  await waitFor('the run to log that the broker is unreachable', async () => (await logs(engine, runId)).some((m) => /unreachable/.test(m)));
}

describe('consume transition across a broker restart', () => {
  test('a waiting run reconnects, subscribes again and takes a message published once the broker is back', async () => {
    const engine = createEngine({ secrets: { NATS_URL: server.url } });
    const run = engine.start(taskFrom(TASK));
    await outage(engine, run.id);
    assert.equal(run.state.status, 'running', 'a lost connection does not end the wait');
    await server.restart();
    await publishWhenSubscribed('orders.eu', { id: 11, total: 300 });
    const state = await withTimeout(run.done, 15_000, 'the run');
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.order, { id: 11, total: 300 });
    const journal = await engine.store.read(run.id);
    const said = ofType(journal, 'log').map((e) => e.message);
    assert.deepEqual(
      said.map((m) => (/unreachable/.test(m) ? 'unreachable' : /is back/.test(m) ? 'back' : m)),
      ['unreachable', 'back'],
    );
    assert.ok(said.every((m) => m.includes(`127.0.0.1:${server.port}`)), 'the log names the broker');
    assert.ok(!JSON.stringify(journal).includes(server.password), 'the connection URL is never journaled');
    await waitFor('the connection to close', async () => (await server.connections()) === 0);
  });

  test('a login refused when the run connects again ends the wait through catch, without the password', async () => {
    const engine = createEngine({ secrets: { NATS_URL: server.url } });
    const run = engine.start(taskFrom(TASK));
    await outage(engine, run.id);
    await server.restart('an0ther-pw-7070');
    try {
      const state = await withTimeout(run.done, 15_000, 'the run');
      assert.equal(state.state, 'broken');
      const journal = await engine.store.read(run.id);
      const [taken] = ofType(journal, 'transition-taken').filter((e) => e.cause === 'catch');
      assert.equal(taken.error?.kind, 'consume');
      assert.match(taken.error!.message, /Authorization Violation|AUTHORIZATION_VIOLATION/i);
      assert.ok(!JSON.stringify(journal).includes(server.password));
    } finally {
      await server.kill();
      await server.restart();
    }
  });

  test('a run cancelled after the broker came back closes its connection', async () => {
    const engine = createEngine({ secrets: { NATS_URL: server.url } });
    const run = engine.start(taskFrom(TASK));
    await outage(engine, run.id);
    await server.restart();
    await waitFor('the run to subscribe again', async () => (await server.subscribers('orders.eu')) > 0);
    assert.equal(await server.connections(), 1);
    run.cancel();
    assert.equal((await withTimeout(run.done, 15_000, 'the run')).status, 'cancelled');
    await waitFor('the connection to close', async () => (await server.connections()) === 0);
  });
});
