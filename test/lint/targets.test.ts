import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertRange, diagnostics, fixClears, fixed, none, one, only, VALID, variant, yaml } from './helpers';

describe('unknown-target', () => {
  it('is quiet when every name is a state', () => {
    none(VALID, 'unknown-target');
  });

  it('reports a transition target that names no state, on the name, with a fix', () => {
    const text = variant('      - to: compare\n', '      - to: compre\n');
    const d = one(text, 'unknown-target');
    assert.equal(d.severity, 'error');
    assert.equal(d.message, "The transition target 'compre' is not a state: did you mean 'compare'?");
    assertRange(text, d.range, 'compre');
    const after = fixClears(text, 'unknown-target');
    assert.equal(after, VALID);
  });

  it('checks start, next and catch targets too', () => {
    const start = variant('start: collect', 'start: colect');
    const s = one(start, 'unknown-target');
    assert.match(s.message, /^The start state 'colect' is not a state: did you mean 'collect'\?/);
    assertRange(start, s.range, 'colect');
    assert.equal(fixClears(start, 'unknown-target'), VALID);

    const next = variant('  live: { next: done }', '  live: { next: don }');
    assertRange(next, one(next, 'unknown-target').range, 'don', 'live: { next: ');
    assert.equal(fixClears(next, 'unknown-target'), VALID);

    const katch = variant('      - to: rollback\n        error: http', '      - to: rolback\n        error: http');
    assert.match(one(katch, 'unknown-target').message, /^The catch target 'rolback'/);
    assert.equal(fixClears(katch, 'unknown-target'), VALID);
  });

  it('keeps the quoting of the name it fixes', () => {
    const text = variant('  live: { next: done }', `  live: { next: 'dnoe' }`);
    assert.equal(fixed(text, one(text, 'unknown-target')), variant('  live: { next: done }', `  live: { next: 'done' }`));
  });

  it('offers to create the state when no state name is close, and lists the states', () => {
    const text = variant('  live: { next: done }', '  live: { next: elsewhere }');
    const d = one(text, 'unknown-target');
    assert.equal(d.fix?.title, "Create state 'elsewhere' (final)");
    assert.ok(fixed(text, d).endsWith('  failed:  { final: true, status: failed }\n  elsewhere:\n    final: true\n'));
    assert.match(d.message, /is not a state \(states: collect, compare, deploy, live, rollback, done, failed\)/);
  });

  it('leaves an empty `states` to the schema', () => {
    const text = yaml(`
      version: 1
      name: t
      start: a
      states: {}
    `);
    none(text, 'unknown-target');
  });
});

describe('missing-start', () => {
  it('is quiet when there is a start', () => {
    none(VALID, 'missing-start');
  });

  it("reports a task without 'start' on 'states', and fixes it with the first state", () => {
    const text = variant('start: collect\n', '');
    const d = one(text, 'missing-start');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /no start state.*'start: collect'/);
    assertRange(text, d.range, 'states');
    const after = fixClears(text, 'missing-start');
    assert.deepEqual(diagnostics(after), []);
    assert.match(after, /\nstart: collect\nstates:/);
  });

  it("reports an empty 'start:' on its key and fills it in", () => {
    const text = variant('start: collect', 'start:');
    const d = one(text, 'missing-start');
    assertRange(text, d.range, 'start');
    assert.deepEqual(only(text, 'schema'), []);
    assert.equal(fixClears(text, 'missing-start'), VALID);
  });

  it('says nothing for a document that is not a mapping', () => {
    none('just text\n', 'missing-start');
  });
});
