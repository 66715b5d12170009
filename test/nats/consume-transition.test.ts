// A `consume` transition against a real NATS server (Debian's nats-server, started by the test): a
// waiting run takes a published message, a message its `when` refuses is dropped, a run killed while
// it waits subscribes again when resumed, and the journal alone replays what happened.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { connect, headers as natsHeaders, type NatsConnection } from 'nats';
import { createEngine } from '../../engine/runtime/engine';
import { replay } from '../../engine/journal/replay';
import type { JournalEvent } from '../../engine/journal/events';
import { fileStore } from '../../engine/store/file';
import { Timeline } from '../../engine/debug/rewind';
import { MASK } from '../../engine/runtime/redact';
import { ofType, rmDir, taskFrom, tmpDir, withTimeout } from '../helpers/tasks';
import { ORDERS_TASK as TASK } from '../helpers/orders-task';
import { startNats, type NatsServer } from './server';

let server: NatsServer;
let client: NatsConnection;
const dir = tmpDir('stepwise-consume-');

before(async () => {
  server = await startNats();
  client = await connect({ servers: `${server.host}:${server.port}`, user: server.user, pass: server.password });
});

after(async () => {
  await client.close();
  await server.stop();
  rmDir(dir);
});


async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Publishes once a subscription for the subject exists (core NATS keeps no message for later). */
async function publishWhenSubscribed(subject: string, data: unknown, headers: Record<string, string> = {}): Promise<void> {
  await waitFor(`a subscriber of ${subject}`, async () => (await server.subscribers(subject)) > 0);
  const h = natsHeaders();
  for (const [k, v] of Object.entries(headers)) h.set(k, v);
  client.publish(subject, JSON.stringify(data), Object.keys(headers).length ? { headers: h } : undefined);
  await client.flush();
}

describe('consume transition', () => {
  test('a waiting run takes a published message: its data, subject and headers are the event', async () => {
    const engine = createEngine({ secrets: { NATS_URL: server.url, KEY: 'k3y-0f-th3-0rd3r' } });
    const run = engine.start(taskFrom(TASK));
    await waitFor('the run to subscribe', async () => (await server.subscribers('orders.eu')) > 0);
    // A server releases a parked run to continue it later elsewhere: a subscribed one must stay.
    assert.equal(run.parked, false, 'a run subscribed to a broker is not parked');
    await publishWhenSubscribed('orders.eu', { id: 7, total: 120, key: 'k3y-0f-th3-0rd3r' }, { 'X-Source': 'shop' });
    const state = await withTimeout(run.done, 10_000, 'the run');
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.order, { id: 7, total: 120, key: MASK }, 'a secret in the message is masked like any value');
    assert.equal(state.data.from, 'orders.eu');
    assert.equal(state.data.source, 'shop');
    const journal = await engine.store.read(run.id);
    const [received] = ofType(journal, 'message-received');
    assert.deepEqual({ state: received.state, transition: received.transition, subject: received.subject }, { state: 'wait', transition: 0, subject: 'orders.eu' });
    const [taken] = ofType(journal, 'transition-taken');
    assert.deepEqual({ cause: taken.cause, to: taken.to, seq: taken.event?.seq }, { cause: 'consume', to: 'big', seq: received.seq });
    assert.ok(!JSON.stringify(journal).includes(server.password), 'the connection is never journaled');
    // The journal alone rebuilds the run, with no broker.
    assert.deepEqual(replay(journal).data, state.data);
    await waitFor('the subscription to close', async () => (await server.subscribers('orders.eu')) === 0);
  });

  test("the debugger's replay of the run takes the journaled message, with no broker", async () => {
    const live = createEngine({ secrets: { NATS_URL: server.url } });
    const run = live.start(taskFrom(TASK));
    await publishWhenSubscribed('orders.eu', { id: 8, total: 800 });
    const recorded = await withTimeout(run.done, 10_000, 'the run');
    const journal = await live.store.read(run.id);
    // Nothing listens on port 1: a replay that subscribed would fail into state broken.
    const offline = createEngine({ secrets: { NATS_URL: 'nats://127.0.0.1:1' } });
    const replayed = await offline.fork(taskFrom(TASK), [journal[0]], { runId: 'replayed', recorded: new Timeline().replay(run.id, journal) });
    const state = await withTimeout(replayed.done, 10_000, 'the replay');
    assert.equal(state.state, 'done');
    assert.deepEqual(state.data, recorded.data);
    const again = ofType(await offline.store.read('replayed'), 'message-received');
    assert.deepEqual(again.map((e) => [e.subject, e.data]), [['orders.eu', { id: 8, total: 800 }]]);
  });

  test('a message the when refuses is dropped; the run takes the next one that passes', async () => {
    const engine = createEngine({ secrets: { NATS_URL: server.url } });
    const run = engine.start(taskFrom(TASK));
    // Messages from one publisher arrive in order: the small one is seen (and refused) first.
    await publishWhenSubscribed('orders.us', { id: 1, total: 5 });
    await publishWhenSubscribed('orders.us', { id: 2, total: 500 });
    const state = await withTimeout(run.done, 10_000, 'the run');
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.order, { id: 2, total: 500 });
    const received = ofType(await engine.store.read(run.id), 'message-received');
    assert.deepEqual(received.map((e) => e.data), [{ id: 2, total: 500 }], 'only the message taken is journaled');
  });

  test('a connection that fails routes a consume error through catch', async () => {
    const engine = createEngine({ secrets: { NATS_URL: server.url.replace(server.password, 'wr0ng-pw-4242') } });
    const run = engine.start(taskFrom(TASK));
    const state = await withTimeout(run.done, 10_000, 'the run');
    assert.equal(state.state, 'broken');
    const journal = await engine.store.read(run.id);
    assert.ok(!JSON.stringify(journal).includes('wr0ng-pw-4242'));
  });

  test('a run killed while it waits is resumed from the file store, subscribes again and consumes', async () => {
    const runsDir = path.join(dir, 'runs');
    const taskFile = path.join(dir, 'orders.task.yaml');
    fs.writeFileSync(taskFile, TASK);
    const child = (mode: 'start' | 'resume') =>
      spawn(process.execPath, [path.join(__dirname, '..', 'helpers', 'crash-child.js'), runsDir, taskFile, 'r1', mode], {
        env: { ...process.env, STEPWISE_CRASH_CHILD: '1', STEPWISE_SECRET_NATS_URL: server.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
    const journal = (): JournalEvent[] =>
      fs
        .readFileSync(path.join(runsDir, 'r1.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as JournalEvent);

    const first = child('start');
    await waitFor('the first process to subscribe', async () => (await server.subscribers('orders.eu')) > 0);
    const exited = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await exited;
    await waitFor('the killed subscription to go', async () => (await server.subscribers('orders.eu')) === 0);
    assert.equal(replay(journal()).state, 'wait', 'the journal says the run waits in state wait');

    const second = child('resume');
    let out = '';
    second.stdout!.on('data', (c) => (out += c));
    const ended = new Promise<number | null>((r) => second.once('exit', r));
    await publishWhenSubscribed('orders.eu', { id: 9, total: 900 });
    assert.equal(await withTimeout(ended, 10_000, 'the resumed run'), 0);
    assert.match(out, /"status":"succeeded"/);
    const after = replay(journal());
    assert.deepEqual(after.data.order, { id: 9, total: 900 });
    assert.deepEqual(after.history.map((h) => h.state), ['wait', 'big', 'done']);
    assert.equal(ofType(journal(), 'run-recovered').length, 1);
  });
});
