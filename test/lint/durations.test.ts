import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { correctDuration } from '../../engine/lint/durations';
import { assertRange, fixClears, none, one, only, VALID, variant } from './helpers';

describe('invalid-duration', () => {
  it('is quiet for valid durations everywhere', () => {
    none(VALID, 'invalid-duration');
  });

  it('reports a state timeout, on the value, with a fix for a near miss', () => {
    const text = variant('  timeout: 2m', '  timeout: 2 minutes');
    const d = one(text, 'invalid-duration');
    assert.equal(d.severity, 'error');
    assert.equal(d.message, "The 'timeout' of state 'collect' is '2 minutes', not a duration: write e.g. 500ms, 10s, 5m, 2h, 1d or 1h30m (did you mean '2m'?).");
    assertRange(text, d.range, '2 minutes');
    assert.equal(fixClears(text, 'invalid-duration'), VALID);
  });

  it('checks every duration field', () => {
    const fields: Array<[string, string]> = [
      ['timeout: 30m', 'timeout: 30x'],
      ['        after: 5m', '        after: 5x'],
      ['          every: 10s', '          every: 10x'],
      ['      - sleep: 1s', '      - sleep: 1x'],
      ['delay: 1s,', 'delay: 1x,'],
      ['max_delay: 1m', 'max_delay: 1x'],
      ['          timeout: 10s', '          timeout: 10x'],
      ['    timeout: 2m', '    timeout: 2x'],
    ];
    for (const [from, to] of fields) {
      const text = variant(from, to);
      const d = one(text, 'invalid-duration');
      assert.match(d.message, /not a duration/, to);
      assert.equal(text.slice(d.range.start.offset, d.range.end.offset), to.split(': ')[1].replace(',', ''));
    }
    const exec = variant('cwd: "." }', 'cwd: ".", timeout: soon }');
    one(exec, 'invalid-duration');
    const ins = variant('        as: collect', '        as: collect\n        timeout: never');
    one(ins, 'invalid-duration');
  });

  it('says that a bare number needs a unit, and offers no guess', () => {
    const text = variant('timeout: 30m', 'timeout: 30');
    const d = one(text, 'invalid-duration');
    assert.match(d.message, /a number needs a unit/);
    assert.equal(d.fix, undefined);
  });

  it('corrects near misses', () => {
    assert.equal(correctDuration('10 sec'), '10s');
    assert.equal(correctDuration('1H30M'), '1h30m');
    assert.equal(correctDuration('1.5h'), '1h30m');
    assert.equal(correctDuration('2 hours 5 mins'), '2h5m');
    assert.equal(correctDuration('500 millis'), '500ms');
    assert.equal(correctDuration('soon'), undefined);
    assert.equal(correctDuration('10'), undefined);
    assert.equal(correctDuration('0.0001ms'), undefined);
  });

  it('keeps a quoted value quoted when it fixes it', () => {
    const text = variant('        after: 15m', '        after: "15 min"');
    const after = fixClears(text, 'invalid-duration');
    assert.match(after, /after: "15m"/);
    assert.deepEqual(only(after, 'schema'), []);
  });
});
