import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertRange, diagnostics, fixClears, none, one, VALID, variant } from './helpers';

describe('final-with-transitions', () => {
  it('is quiet for final states without transitions, with `do` or `catch`', () => {
    none(VALID, 'final-with-transitions');
    none(variant('  done:    { final: true }', '  done:    { final: true, do: [ { log: bye } ], catch: [ { to: failed } ] }'), 'final-with-transitions');
  });

  it("reports 'next' on a final state, on the key", () => {
    const text = variant('  done:    { final: true }', '  done:    { final: true, next: failed }');
    const d = one(text, 'final-with-transitions');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /^State 'done' is final.*'next' transition is never taken/);
    assertRange(text, d.range, 'next', 'final: true, ');
  });

  it("reports 'on' on a final state", () => {
    const text = variant('  done:    { final: true }', '  done:\n    final: true\n    on:\n      - to: failed\n        when: "true"');
    const d = one(text, 'final-with-transitions');
    assert.match(d.message, /'on' transitions are never taken/);
    assertRange(text, d.range, 'on', 'final: true\n    ');
  });
});

describe('status-without-final', () => {
  it('is quiet for a status on a final state', () => {
    none(VALID, 'status-without-final');
  });

  it("reports 'status' on a non-final state, and fixes a flow mapping", () => {
    const text = variant('  failed:  { final: true, status: failed }', '  failed:  { status: failed }');
    const d = one(text, 'status-without-final');
    assert.equal(d.severity, 'warning');
    assertRange(text, d.range, 'status', 'failed:  { ');
    const after = fixClears(text, 'status-without-final');
    assert.equal(after, VALID);
  });

  it("fixes a block mapping with the key's indentation", () => {
    const text = variant('  failed:  { final: true, status: failed }', '  failed:\n    status: failed');
    const after = fixClears(text, 'status-without-final');
    assert.match(after, /\n  failed:\n    final: true\n    status: failed\n/);
    assert.deepEqual(diagnostics(after), []);
  });

  it("turns 'final: false' into 'final: true'", () => {
    const text = variant('  failed:  { final: true, status: failed }', '  failed:  { final: false, status: failed }');
    assert.equal(fixClears(text, 'status-without-final'), VALID);
  });
});
