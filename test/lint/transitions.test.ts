import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertRange, diagnostics, fixClears, none, one, only, pos, VALID, variant } from './helpers';

describe('shadowed-transition', () => {
  it('is quiet when the unconditional transition is last', () => {
    none(VALID, 'shadowed-transition');
  });

  const swapped = variant(
    '      - to: deploy\n        when: "data.collect.body.version != input.version"\n      - to: done\n',
    '      - to: done\n      - to: deploy\n        when: "data.collect.body.version != input.version"\n',
  );

  it('warns about an unconditional transition before others, on its first line', () => {
    const d = one(swapped, 'shadowed-transition');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /^The transition to 'done' has no condition .* Put it last in 'on'/);
    assertRange(swapped, d.range, 'to: done', 'compare:\n    on:\n      - ');
  });

  it('moves it to the end of the list', () => {
    assert.equal(fixClears(swapped, 'shadowed-transition'), VALID);
  });

  it('moves a multi-line item with its comment, and a last item at the end of the file', () => {
    const text = [
      'version: 1',
      'name: t',
      'start: a',
      'states:',
      '  done: { final: true }',
      '  a:',
      '    on:',
      '      # the default',
      '      - to: done',
      '        # no condition',
      '      - to: a',
      '        when: "data.again"',
      '      - to: a',
      '        when: "data.twice"',
    ].join('\n');
    const after = fixClears(text, 'shadowed-transition');
    assert.ok(after.endsWith('        when: "data.twice"\n      - to: done\n        # no condition'), after);
    assert.deepEqual(diagnostics(after), []);
  });

  it('says when a later unconditional transition is never taken', () => {
    const text = variant('      - to: done\n  deploy:', '      - to: done\n      - to: deploy\n  deploy:');
    const d = one(text, 'shadowed-transition');
    assert.match(d.message, /the later unconditional transition to 'deploy' is never taken/);
  });

  it('offers no fix in a flow list', () => {
    const text = variant('  live: { next: done }', '  live: { on: [ { to: done }, { to: failed, when: "data.bad" } ] }');
    assert.equal(one(text, 'shadowed-transition').fix, undefined);
  });
});

describe('else-never-taken', () => {
  it('is quiet for an else branch among when-only transitions, and for timers without one', () => {
    none(VALID, 'else-never-taken');
  });

  it('warns about an unconditional transition in a state that waits for a timer, a poll or an event', () => {
    const text = variant('        after: 15m', '        after: 15m\n      - to: done');
    const d = one(text, 'else-never-taken');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /^The transition to 'done' has no condition, but state 'deploy' also waits for a poll/);
    assertRange(text, d.range, 'to: done', 'after: 15m\n      - ');
    none(text, 'shadowed-transition');
    const timer = variant('  live: { next: done }', '  live: { on: [ { to: done }, { to: failed, after: 1m } ] }');
    assert.match(one(timer, 'else-never-taken').message, /waits for a timer \(after: 1m\)/);
    const event = variant('  live: { next: done }', '  live: { on: [ { to: failed, event: stop }, { to: done } ] }');
    assert.match(one(event, 'else-never-taken').message, /waits for an event \(stop\)/);
  });

  it("does not count a 'next' shorthand", () => {
    none(variant('  live: { next: done }', '  live: { next: done, catch: [ { to: failed } ] }'), 'else-never-taken');
  });
});

describe('unknown-error-kind', () => {
  it('is quiet for the known kinds', () => {
    none(VALID, 'unknown-error-kind');
    for (const kind of ['exec', 'timeout', 'expression', 'any']) none(variant('error: http', `error: ${kind}`), 'unknown-error-kind');
  });

  it('reports another kind on the value, with the nearest as a fix', () => {
    const text = variant('error: http', 'error: htpp');
    const d = one(text, 'unknown-error-kind');
    assert.equal(d.severity, 'error');
    assert.equal(d.message, "'htpp' is not an error kind: use http, exec, sql, smtp, publish, consume, grpc, timeout, expression or any (did you mean 'http'?).");
    assertRange(text, d.range, 'htpp');
    assert.equal(fixClears(text, 'unknown-error-kind'), VALID);
  });

  it('offers no fix when nothing is close', () => {
    const text = variant('error: http', 'error: network');
    const d = one(text, 'unknown-error-kind');
    assert.equal(d.fix, undefined);
    assert.equal(d.range.start.line, pos(text, 'network').line);
    assert.equal(only(text, 'schema').length, 0);
  });
});
