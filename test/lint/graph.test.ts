import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertRange, none, one, only, VALID, yaml } from './helpers';

const task = (states: string, start = 'a') =>
  yaml(`
    version: 1
    name: graph
    start: ${start}
    states:
  `) + states;

describe('unreachable-state', () => {
  it('is quiet when every state can be reached (through on, next and catch)', () => {
    none(VALID, 'unreachable-state');
  });

  it('reports a state no path from start leads to, on its key', () => {
    const text = task(`  a: { next: done }\n  lost: { next: done }\n  done: { final: true }\n`);
    const d = one(text, 'unreachable-state');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /^State 'lost' is never entered/);
    assertRange(text, d.range, 'lost');
  });

  it("does not follow a final state's transitions", () => {
    const text = task(`  a: { next: done }\n  done: { final: true, next: after }\n  after: { final: true }\n`);
    assert.deepEqual(
      only(text, 'unreachable-state').map((d) => d.message.slice(0, 20)),
      ["State 'after' is nev"],
    );
  });

  it('follows catch targets', () => {
    const text = task(`  a:\n    do: [ { log: x } ]\n    next: done\n    catch: [ { to: failed } ]\n  done: { final: true }\n  failed: { final: true, status: failed }\n`);
    none(text, 'unreachable-state');
  });

  it('says nothing when start names no state (unknown-target says it)', () => {
    const text = task(`  a: { next: done }\n  done: { final: true }\n`, 'nowhere');
    none(text, 'unreachable-state');
    one(text, 'unknown-target');
  });
});

describe('no-way-out', () => {
  it('is quiet when every state has a transition, a catch or is final', () => {
    none(VALID, 'no-way-out');
    none(task(`  a:\n    do: [ { log: x } ]\n    catch: [ { to: done } ]\n  done: { final: true }\n`), 'no-way-out');
  });

  it('reports a non-final state with no transition and no catch, on its key', () => {
    const text = task(`  a: { next: stuck }\n  stuck:\n    do: [ { log: waiting } ]\n  done: { final: true }\n`);
    const d = one(text, 'no-way-out');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /^State 'stuck' has no way out/);
    assertRange(text, d.range, 'stuck', 1);
  });

  it('leaves a state that is not a mapping to the schema', () => {
    const text = task(`  a: { next: b }\n  b:\n  done: { final: true }\n`);
    none(text, 'no-way-out');
    assert.match(one(text, 'schema').message, /^State 'b' must be a mapping/);
  });
});

describe('no-final-reachable', () => {
  it('is quiet when a final state can be reached', () => {
    none(VALID, 'no-final-reachable');
  });

  it('reports a loop that never reaches a final state, on start', () => {
    const text = task(`  a: { next: b }\n  b: { next: a }\n  done: { final: true }\n`);
    const d = one(text, 'no-final-reachable');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /No final state can be reached from the start state 'a' \(final: done\)/);
    assertRange(text, d.range, 'a', 'start: ');
  });

  it('says when no state is final at all', () => {
    const text = task(`  a: { next: b }\n  b: { next: a }\n`);
    assert.match(one(text, 'no-final-reachable').message, /^No state is final/);
  });
});
