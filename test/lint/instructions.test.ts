import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lintText } from '../../engine/lint/index';
import { assertRange, diagnostics, fixClears, fixed, none, one, VALID, variant } from './helpers';

describe('duplicate-as', () => {
  it('is quiet when each result name is used once per state', () => {
    none(VALID, 'duplicate-as');
    // the same name in two states is fine: each state stores its own result
    none(variant('        as: push', '        as: collect'), 'duplicate-as');
  });

  it('reports the second use, on the value, with a rename fix', () => {
    const text = variant('      - log: "collect request {{ data.collect.body.id }} accepted"', '      - log: "collect request {{ data.collect.body.id }} accepted"\n        as: collect');
    const d = one(text, 'duplicate-as');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /^'as: collect' is already used by instruction 0 of state 'collect'/);
    assertRange(text, d.range, 'collect', 'accepted"\n        as: ');
    const after = fixClears(text, 'duplicate-as');
    assert.match(after, /as: collect_2/);
  });

  it('picks a rename that is not taken', () => {
    const base = variant('        as: push', '        as: r');
    const text = variant('      - sleep: 1s', '      - sleep: 1s\n        as: r\n      - log: x\n        as: r_2', base);
    const d = one(text, 'duplicate-as');
    assert.match(fixed(text, d), /as: r_3/);
  });
});

describe('unknown-kind', () => {
  it('is quiet for built-in and custom kinds', () => {
    none(VALID, 'unknown-kind');
    none(variant('      - sleep: 1s', '      - notify: { channel: ops }'), 'unknown-kind');
  });

  it('warns about a kind that looks like a misspelt built-in one, with a fix', () => {
    const text = variant('      - sleep: 1s', '      - slep: 1s');
    const d = one(text, 'unknown-kind');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /^'slep' is not a built-in instruction kind: did you mean 'sleep'\?/);
    assertRange(text, d.range, 'slep');
    assert.equal(fixClears(text, 'unknown-kind'), VALID);
  });

  it('checks against the registered kinds when they are given', () => {
    const text = variant('      - sleep: 1s', '      - notify: { channel: ops }');
    assert.equal(lintText(text, { customKinds: ['notify'] }).diagnostics.length, 0);
    const d = lintText(text, { customKinds: ['page'] }).diagnostics.filter((x) => x.code === 'unknown-kind');
    assert.equal(d.length, 1);
    assert.match(d[0].message, /no plugin of the workspace's stepwise\.config\.json or registered custom kind is named 'notify'/);
  });
});

describe('sql-query-template', () => {
  it('is quiet for a query with $n placeholders and templates in params', () => {
    none(variant('      - sleep: 1s', '      - sql: { connection: "{{ secrets.DB }}", query: "select * from t where id = $1", params: ["{{ input.env }}"] }'), 'sql-query-template');
  });

  it('reports a template in the query, on the query, in instructions, branches and map items', () => {
    for (const instruction of [
      '      - sql: { connection: "{{ secrets.DB }}", query: "select * from t where id = {{ input.env }}" }',
      '      - parallel: { a: { sql: { connection: x, query: "delete from t where id = {{ input.env }}" } }, b: { log: b } }',
      '      - map: { items: [1], do: { sql: { connection: x, query: "select {{ item }}" } } }',
    ]) {
      const text = variant('      - sleep: 1s', instruction);
      const d = one(text, 'sql-query-template');
      assert.equal(d.severity, 'error');
      assert.match(d.message, /Write \$1, \$2 … in the query and put the values in 'params'/);
      const query = /query: ("[^"]*")/.exec(instruction)![1];
      assertRange(text, d.range, query);
    }
  });

  it('reports exactly the queries that hold a template, whatever else they hold', () => {
    const piece = fc.constantFrom('select ', '$1', "'", '"', '{', '}', '{{ ', ' }}', 'input.x', '\\', ' where ', ':', '#', '\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), (query) => {
        const text = variant('      - sleep: 1s', `      - sql: { connection: x, query: ${JSON.stringify(query)} }`);
        const found = diagnostics(text).filter((d) => d.code === 'sql-query-template');
        assert.equal(found.length, query.includes('{{') ? 1 : 0, query);
      }),
      { numRuns: 300 },
    );
  });
});

describe('plain-credential', () => {
  it('is quiet for credentials from secrets and URLs without a password', () => {
    for (const instruction of [
      '      - sql: { connection: "{{ secrets.DB_URL }}", query: "select 1" }',
      '      - sql: { connection: "postgres://localhost/dev", query: "select 1" }',
      '      - sql: { connection: "postgres://app@localhost/dev", query: "select 1" }',
      '      - smtp: { host: mail, user: robot, password: "{{ secrets.SMTP_PASSWORD }}", from: a@x, to: b@x }',
      '      - publish: { connection: "nats://127.0.0.1:4222", subject: s }',
    ]) {
      none(variant('      - sleep: 1s', instruction), 'plain-credential');
    }
  });

  it('reports a password written in the task, on the value, naming the secret to use', () => {
    for (const [instruction, value, secret] of [
      ['      - sql: { connection: "postgres://app:hunter2@db:5432/shop", query: "select 1" }', '"postgres://app:hunter2@db:5432/shop"', 'DB_URL'],
      ['      - smtp: { host: mail, user: robot, password: hunter2, from: a@x, to: b@x }', 'hunter2', 'SMTP_PASSWORD'],
      ['      - map: { items: [1], do: { consume: { connection: "nats://u:p@broker:4222", subject: s } } }', '"nats://u:p@broker:4222"', 'NATS_URL'],
    ]) {
      const text = variant('      - sleep: 1s', instruction);
      const d = one(text, 'plain-credential');
      assert.equal(d.severity, 'error');
      assert.ok(d.message.endsWith(`"{{ secrets.${secret} }}".`), d.message);
      assertRange(text, d.range, value);
    }
  });
});
