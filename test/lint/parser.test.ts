import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from '../../engine/lint/index';
import { assertRange, diagnostics, none, one, VALID, variant } from './helpers';

describe('duplicate-state', () => {
  it('is quiet when state names are unique', () => {
    none(VALID, 'duplicate-state');
  });

  it('surfaces through lintText, on the repeated key, keeping the first state', () => {
    const text = variant('  live: { next: done }', '  live: { next: done }\n  live: { next: failed }');
    const d = one(text, 'duplicate-state');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /Duplicate state 'live'/);
    assertRange(text, d.range, 'live', 'next: done }\n  ');
    const { model } = lintText(text);
    assert.equal(model.states.filter((s) => s.name === 'live').length, 1);
    assert.equal(model.states.find((s) => s.name === 'live')?.on[0].to, 'done');
  });
});

describe('duplicate-key', () => {
  it('is quiet when keys are unique', () => {
    none(VALID, 'duplicate-key');
  });

  it('surfaces through lintText, on the repeated key', () => {
    const text = variant('    timeout: 2m', '    timeout: 2m\n    timeout: 3m');
    const d = one(text, 'duplicate-key');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /Duplicate key 'timeout'/);
    assertRange(text, d.range, 'timeout', '2m\n    ');
  });

  it('works in any mapping: a transition, an instruction, the task', () => {
    one(variant('      - to: compare\n', '      - to: compare\n        to: failed\n'), 'duplicate-key');
    one(variant('        as: push', '        as: push\n        as: again'), 'duplicate-key');
    one(variant('name: deploy', 'name: deploy\nname: again'), 'duplicate-key');
  });
});

describe('yaml-syntax', () => {
  it('is quiet for valid YAML', () => {
    none(VALID, 'yaml-syntax');
  });

  it('reports broken YAML, and the rules still read what can be read', () => {
    const text = variant('  live: { next: done }', '  live: { next: done');
    const ds = diagnostics(text);
    assert.ok(ds.some((d) => d.code === 'yaml-syntax' && d.severity === 'error'));
    const { model } = lintText(text);
    assert.ok(model.states.some((s) => s.name === 'collect'));
  });
});

describe('diagnostics', () => {
  it('are sorted by position', () => {
    const text = variant('start: collect', 'start: colect').replace('error: http', 'error: htp').replace('timeout: 2m', 'timeout: 2');
    const offsets = diagnostics(text).map((d) => d.range.start.offset);
    assert.ok(offsets.length >= 3);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b));
  });
});
