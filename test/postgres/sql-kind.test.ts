// The `sql` instruction against the real PostgreSQL the suite starts: parameterised queries, rows as
// the result, the connection from a secret, failures, timeouts that end the query on the server, a
// bounded pool.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { MASK } from '../../engine/runtime/redact';
import { freshDatabase } from './helpers';
import { ofType, runToEnd, taskFrom, virtualEngine, withTimeout } from '../helpers/tasks';
import { createEngine } from '../../engine/runtime/engine';

let db: { url: string; drop: () => Promise<void> };
let admin: pg.Client;

before(async () => {
  db = await freshDatabase('sql_kind');
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query('create table orders (id int primary key, customer text not null, placed timestamptz not null)');
  await admin.query(`insert into orders values (1, 'ada', '2024-01-02T03:04:05Z'), (2, 'bob', '2024-02-03T04:05:06Z')`);
});

after(async () => {
  await admin.end();
  await db.drop();
});

function sqlTask(sqlArgs: string, extra = ''): ReturnType<typeof taskFrom> {
  return taskFrom(`
    version: 1
    name: orders
    start: a
    states:
      a:
        do:
          - sql: ${sqlArgs}
            as: out
            ${extra}
        next: done
        catch:
          - { to: viaSql, error: sql }
          - { to: viaTimeout, error: timeout }
      done: { final: true }
      viaSql: { final: true, status: failed }
      viaTimeout: { final: true, status: failed }
  `);
}

/** Connections the sql instruction holds to the test database (its pool names itself). */
async function stepwiseConnections(): Promise<Array<{ pid: number; state: string; query: string }>> {
  const r = await admin.query(`select pid, state, query from pg_stat_activity where datname = current_database() and application_name = 'stepwise' and pid <> pg_backend_pid()`);
  return r.rows;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sql', () => {
  test('runs a parameterised query on the connection from a secret; the rows are the result, as JSON', async () => {
    const { engine } = virtualEngine({ secrets: { DB_URL: db.url } });
    const task = sqlTask(`{ connection: "{{ secrets.DB_URL }}", query: "select id, customer, placed from orders where id = $1 or customer = $2 order by id", params: [1, "bob"] }`);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.deepEqual(state.data.out, {
      rows: [
        { id: 1, customer: 'ada', placed: '2024-01-02T03:04:05.000Z' },
        { id: 2, customer: 'bob', placed: '2024-02-03T04:05:06.000Z' },
      ],
      rowCount: 2,
    });
    assert.ok(!JSON.stringify(journal).includes(db.url), 'the connection string is not journaled');
  });

  test('a parameter is data, never SQL: a quote in it is matched, not run', async () => {
    const { engine } = virtualEngine({ secrets: { DB_URL: db.url } });
    const task = sqlTask(`{ connection: "{{ secrets.DB_URL }}", query: "select count(*)::int as n from orders where customer = $1", params: ["ada' or '1'='1"] }`);
    const { state } = await runToEnd(engine, task);
    assert.deepEqual(state.data.out, { rows: [{ n: 0 }], rowCount: 1 });
  });

  test('a write gives its row count; rows a secret went into are masked in the journal', async () => {
    const { engine } = virtualEngine({ secrets: { DB_URL: db.url, TOKEN: 'tok-s3cr3t-991' } });
    const task = sqlTask(`{ connection: "{{ secrets.DB_URL }}", query: "insert into orders values ($1, $2, now()) returning customer", params: [3, "{{ secrets.TOKEN }}"] }`);
    const { state, journal } = await runToEnd(engine, task);
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.equal((state.data.out as { rowCount: number }).rowCount, 1);
    assert.deepEqual((state.data.out as { rows: unknown[] }).rows, [{ customer: MASK }]);
    assert.ok(!JSON.stringify(journal).includes('tok-s3cr3t-991'));
    const stored = await admin.query('select customer from orders where id = 3');
    assert.equal(stored.rows[0].customer, 'tok-s3cr3t-991', 'sent in clear');
  });

  test('an SQL error fails with kind sql and the server’s message and SQLSTATE', async () => {
    const { engine } = virtualEngine({ secrets: { DB_URL: db.url } });
    const { state, journal } = await runToEnd(engine, sqlTask(`{ connection: "{{ secrets.DB_URL }}", query: "select nope from orders" }`));
    assert.equal(state.state, 'viaSql');
    const failed = ofType(journal, 'instruction-failed')[0];
    assert.equal(failed.error.kind, 'sql');
    assert.match(failed.error.message, /column "nope" does not exist \(SQLSTATE 42703\)/);
  });

  test('missing or malformed arguments fail with a message saying what to write', async () => {
    const { engine } = virtualEngine({ secrets: { DB_URL: db.url } });
    for (const [args, message] of [
      [`{ query: "select 1" }`, /sql needs a 'connection'/],
      [`{ connection: "{{ secrets.DB_URL }}" }`, /sql needs a 'query'/],
      [`{ connection: "{{ secrets.DB_URL }}", query: "select $1", params: 5 }`, /'params' must be a list/],
    ] as const) {
      const { journal } = await runToEnd(engine, sqlTask(args));
      assert.match(ofType(journal, 'instruction-failed')[0].error.message, message, args);
    }
  });

  test('a timeout ends the query on the server and frees its connection', async () => {
    const engine = createEngine({ secrets: { DB_URL: db.url } });
    const task = sqlTask(`{ connection: "{{ secrets.DB_URL }}", query: "select pg_sleep(60)" }`, 'timeout: 300ms');
    const { state } = await runToEnd(engine, task);
    assert.equal(state.state, 'viaTimeout');
    await waitFor('the sleeping query to end', async () => (await stepwiseConnections()).every((c) => !c.query.includes('pg_sleep(60)') || c.state === 'idle'));
  });

  test('concurrent queries share a bounded pool', async () => {
    const engine = createEngine({ secrets: { DB_URL: db.url } });
    const task = taskFrom(`
      version: 1
      name: many
      start: a
      states:
        a:
          do:
            - map:
                items: "={{ [1,2,3,4,5,6,7,8,9,10] }}"
                do:
                  sql:
                    connection: "{{ secrets.DB_URL }}"
                    query: "select (select count(*)::int from pg_stat_activity where application_name = 'stepwise' and datname = current_database()) as n, pg_sleep(0.2) is null as slept"
              as: counts
          next: done
        done: { final: true }
    `);
    const { state } = await withTimeout(runToEnd(engine, task), 30_000, 'the map of queries');
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    const seen = (state.data.counts as Array<{ rows: Array<{ n: number }> }>).map((r) => r.rows[0].n);
    assert.equal(seen.length, 10);
    assert.ok(Math.max(...seen) <= 4, `at most 4 connections at once, saw ${seen}`);
  });

  test('idle connections close after a while, so a finished run leaves none behind', async () => {
    const engine = createEngine({ secrets: { DB_URL: db.url } });
    const { state } = await runToEnd(engine, sqlTask(`{ connection: "{{ secrets.DB_URL }}", query: "select 1 as one" }`));
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    assert.ok((await stepwiseConnections()).length >= 1, 'the pool keeps its connection for the next query');
    await waitFor('the idle connections to close', async () => (await stepwiseConnections()).length === 0);
  });
});
