// The extension's pure parts (no `vscode`): what to complete where, and which state a cursor is on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from '../../engine/lint/index';
import { completionSite } from '../../extension/core/completion';
import { describeState } from '../../extension/core/describe';
import { invalidStateName, nameSpan, referencesTo, stateSiteAt } from '../../extension/core/states';

/** Completion at the `|` of a text. */
function at(text: string) {
  const offset = text.indexOf('|');
  return completionSite(text.replace('|', ''), offset);
}

const TASK = `version: 1
name: t
start: a
states:
  a:
    do:
      - log: hi
        as: x
    on:
      - to: b
        when: "true"
  b:
    final: true
`;

describe('completion sites', () => {
  it('state names after to:, next: and start:, also in flow mappings', () => {
    assert.equal(at('start: |')?.kind, 'state');
    assert.equal(at('states:\n  a:\n    next: b|')?.kind, 'state');
    assert.equal(at('    on:\n      - to: |')?.kind, 'state');
    assert.equal(at('  live: { next: |')?.kind, 'state');
  });

  it('instruction keys in a do list, also under a multi-line item', () => {
    const site = at(TASK.replace('        as: x\n', '        as: x\n      - |\n'));
    assert.equal(site?.kind, 'key');
    assert.deepEqual(site?.kind === 'key' && site.path, ['states', 'a', 'do', '-']);
    const sibling = at(TASK.replace('        as: x\n', '        as: x\n        |\n'));
    assert.deepEqual(sibling?.kind === 'key' && sibling.keys.map((k) => k.key).slice(0, 3), ['http', 'exec', 'set']);
  });

  it('condition keys in an on list, poll keys under poll, state and top-level keys', () => {
    const on = at(TASK.replace('        when: "true"\n', '        when: "true"\n      - |\n'));
    assert.deepEqual(on?.kind === 'key' && on.keys.map((k) => k.key), ['to', 'when', 'after', 'poll', 'event']);
    const poll = at('states:\n  a:\n    on:\n      - to: b\n        poll:\n          |\n');
    assert.deepEqual(poll?.kind === 'key' && poll.keys.map((k) => k.key), ['every', 'do', 'until']);
    const state = at('states:\n  a:\n    |\n');
    assert.ok(state?.kind === 'key' && state.keys.some((k) => k.key === 'on'));
    const top = at('version: 1\n|');
    assert.ok(top?.kind === 'key' && top.keys.some((k) => k.key === 'states'));
  });

  it('fan-out keys: map fields under map, branch instructions (no set, no as) under a branch and a map do', () => {
    const keys = (text: string) => {
      const site = at(text);
      return site?.kind === 'key' ? site.keys.map((k) => k.key) : undefined;
    };
    const doList = keys(TASK.replace('        as: x\n', '        as: x\n      - |\n'));
    assert.ok(doList?.includes('parallel') && doList.includes('map'));
    const mapKeys = keys('states:\n  a:\n    do:\n      - map:\n          |\n');
    assert.deepEqual(mapKeys, ['items', 'concurrency', 'tolerate', 'do']);
    for (const text of ['states:\n  a:\n    do:\n      - parallel:\n          web:\n            |\n', 'states:\n  a:\n    do:\n      - map:\n          do:\n            |\n']) {
      const branch = keys(text) ?? [];
      assert.ok(branch?.includes('call') && branch.includes('retry'), text);
      assert.ok(!branch.includes('set') && !branch.includes('as') && !branch.includes('parallel'), text);
    }
    assert.deepEqual(keys('states:\n  a:\n    do:\n      - parallel:\n          web:\n            retry:\n              |\n'), ['attempts', 'delay', 'backoff', 'max_delay']);
  });

  it('a state hover lists a fan-out by its branches or items', () => {
    const text = TASK.replace('      - log: hi\n        as: x\n', '      - parallel: { web: { call: { task: ./w.task.yaml } }, api: { http: { url: "https://x" } } }\n      - map: { items: "={{ data.r }}", concurrency: 2, do: { call: { task: ./r.task.yaml } } }\n');
    const md = describeState(lintText(text).model.states[0], true);
    assert.match(md, /`parallel` `web: call, api: http`/);
    assert.match(md, /`map` `call per item of =\{\{ data.r \}\}, 2 at once`/);
  });

  it('values after error: and status:; nothing inside free text', () => {
    const e = at('    catch:\n      - to: x\n        error: |');
    assert.ok(e?.kind === 'value' && e.values.includes('timeout'));
    assert.equal(at('description: some words |'), undefined);
  });
});

describe('state sites', () => {
  const { model } = lintText(TASK);

  it('finds the state at a definition or a reference', () => {
    assert.equal(stateSiteAt(model, TASK.indexOf('start: a') + 7)?.kind, 'start');
    assert.equal(stateSiteAt(model, TASK.indexOf('to: b') + 4)?.name, 'b');
    assert.equal(stateSiteAt(model, TASK.indexOf('  b:') + 2)?.kind, 'definition');
    assert.equal(stateSiteAt(model, TASK.indexOf('log')), undefined);
    assert.deepEqual(referencesTo(model, 'b').map((s) => s.kind), ['to']);
  });

  it('keeps quotes out of the renamed span', () => {
    const text = 'version: 1\nname: q\nstart: "a"\nstates:\n  a:\n    final: true\n';
    const m = lintText(text).model;
    const span = nameSpan(text, m.fields.start.value);
    assert.equal(text.slice(span.start, span.end), 'a');
  });

  it('refuses taken, invalid and YAML-reserved names', () => {
    assert.match(invalidStateName(model, 'a', 'b') ?? '', /already exists/);
    assert.match(invalidStateName(model, 'a', '9x') ?? '', /not a valid state name/);
    assert.match(invalidStateName(model, 'a', 'true') ?? '', /boolean or null/);
    assert.equal(invalidStateName(model, 'a', 'collect'), undefined);
  });
});
