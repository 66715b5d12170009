// A `consume` transition in lint: its settings as the schema knows them, a password written in its
// connection, its templates, and the transition rules that count it as a wait.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertRange, diagnostics, none, one, VALID, variant } from './helpers';

const CONSUME = '        consume: { connection: "{{ secrets.NATS_URL }}", subject: approvals.granted }';

describe('consume transition', () => {
  it('is valid with a connection from a secret and a subject', () => {
    const text = variant('        event: approved', CONSUME);
    assert.deepEqual(diagnostics(text).filter((d) => d.severity === 'error'), []);
  });

  it('reports an unknown setting with a "did you mean", and a missing subject', () => {
    const typo = variant('        event: approved', '        consume: { connection: "{{ secrets.NATS_URL }}", subjct: approvals.granted }');
    assert.deepEqual(
      diagnostics(typo).filter((d) => d.code === 'schema').map((d) => d.message),
      ["consume needs a 'subject'.", "Unknown key 'subjct' in consume: did you mean 'subject'?"],
    );
  });

  it('reports a password written in its connection, naming the secret to use', () => {
    const text = variant('        event: approved', '        consume: { connection: "nats://u:pw@broker:4222", subject: approvals.granted }');
    const d = one(text, 'plain-credential');
    assert.equal(d.severity, 'error');
    assert.ok(d.message.endsWith('"{{ secrets.NATS_URL }}".'), d.message);
    assertRange(text, d.range, '"nats://u:pw@broker:4222"');
    none(variant('        event: approved', CONSUME), 'plain-credential');
  });

  it('checks the templates in its settings', () => {
    const text = variant('        event: approved', '        consume: { connection: "{{ secrets.NATS_URL }}", subject: "approvals.{{ input.env +  }}" }');
    assert.ok(diagnostics(text).some((d) => d.code === 'invalid-expression'), JSON.stringify(diagnostics(text).map((d) => d.code)));
  });

  it('counts as a wait: an else branch beside it is never taken', () => {
    const text = variant('  live: { next: done }', '  live: { on: [ { to: failed, consume: { connection: "{{ secrets.NATS_URL }}", subject: stop } }, { to: done } ] }');
    assert.match(one(text, 'else-never-taken').message, /waits for a message \(consume: stop\)/);
  });
});
