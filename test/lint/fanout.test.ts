import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lintText } from '../../engine/lint/index';
import { itemReferences } from '../../engine/lint/fanout';
import { assertRange, fixClears, none, one, VALID, variant } from './helpers';

const SLEEP = '      - sleep: 1s';

/** VALID with a fan-out instruction in state `deploy` (in place of its `sleep`). */
const withFanout = (lines: string) => variant(SLEEP, lines);

const PARALLEL = `      - parallel:
          web:  { call: { task: ./build-web.task.yaml } }
          api:  { call: { task: ./build-api.task.yaml, input: { tag: "={{ input.version }}" } }, retry: { attempts: 2 }, timeout: 5m }
        as: builds`;

const MAP = `      - map:
          items: "={{ input.regions }}"
          concurrency: 2
          tolerate: 1
          do: { call: { task: ./region.task.yaml, input: { region: "={{ item }}", n: "={{ index }}" } } }
        as: deployments`;

const withRegions = (text: string) => text.replace('\ninput:\n', '\ninput:\n  regions: { type: array, default: [eu, us] }\n');

describe('fan-out in the schema', () => {
  it('a parallel and a map of the contract are clean', () => {
    assert.deepEqual(lintText(withRegions(withFanout(PARALLEL + '\n' + MAP))).diagnostics, []);
  });

  it('reports an unknown key in a map and a branch that is not an instruction', () => {
    const text = withRegions(withFanout(MAP.replace('concurrency: 2', 'concurrenc: 2')));
    const d = lintText(text).diagnostics.filter((x) => x.code === 'schema');
    assert.equal(d.length, 1);
    assert.match(d[0].message, /Unknown key 'concurrenc'.*did you mean 'concurrency'\?/);
    const bad = withFanout(PARALLEL.replace('web:  { call: { task: ./build-web.task.yaml } }', 'web: 12'));
    assert.ok(lintText(bad).diagnostics.some((x) => x.code === 'schema'), 'a branch must be an instruction');
  });
});

describe('invalid-branch', () => {
  it('is quiet for branches that return results', () => {
    none(withRegions(withFanout(PARALLEL + '\n' + MAP)), 'invalid-branch');
  });

  it('reports set in a branch and in a map do, on the kind', () => {
    const text = withFanout(PARALLEL.replace('web:  { call: { task: ./build-web.task.yaml } }', 'web:  { set: { x: 1 } }'));
    const d = one(text, 'invalid-branch');
    assert.match(d.message, /^'set' is not allowed in branch 'web'/);
    assertRange(text, d.range, 'set', 'web:  { ');
    const inMap = withRegions(withFanout(MAP.replace(/do: \{ call: .*\}$/m, 'do: { set: { x: 1 } }')));
    assert.match(one(inMap, 'invalid-branch').message, /in the map's 'do'/);
  });

  it('reports as in a branch, on the key', () => {
    const text = withFanout(PARALLEL.replace('timeout: 5m }', 'timeout: 5m, as: api }'));
    const d = one(text, 'invalid-branch');
    assert.match(d.message, /^Branch 'api' takes no 'as'/);
    assertRange(text, d.range, 'as', 'timeout: 5m, ');
  });

  it('reports a parallel nested in a branch', () => {
    const text = withFanout(PARALLEL.replace('web:  { call: { task: ./build-web.task.yaml } }', 'web:  { parallel: { a: { log: a }, b: { log: b } } }'));
    assert.match(one(text, 'invalid-branch').message, /^A 'parallel' cannot run inside branch 'web'/);
  });
});

describe('map-without-items', () => {
  it('reports a map without items on its kind', () => {
    const text = withFanout(MAP.replace('          items: "={{ input.regions }}"\n', ''));
    const d = one(text, 'map-without-items');
    assertRange(text, d.range, 'map');
  });

  it('reports bare text and offers to make it an expression', () => {
    const text = withRegions(withFanout(MAP.replace('"={{ input.regions }}"', 'input.regions')));
    const d = one(text, 'map-without-items');
    assert.match(d.message, /'items' is the text 'input.regions', not a list/);
    assert.match(fixClears(text, 'map-without-items'), /items: "=\{\{ input.regions \}\}"/);
  });

  it('accepts a literal list', () => {
    none(withFanout(MAP.replace('"={{ input.regions }}"', '[eu, us]')), 'map-without-items');
  });
});

describe('invalid-concurrency', () => {
  for (const bad of ['0', '-1', '1.5', 'two']) {
    it(`reports concurrency: ${bad}`, () => {
      const text = withRegions(withFanout(MAP.replace('concurrency: 2', `concurrency: ${bad}`)));
      const d = one(text, 'invalid-concurrency');
      assert.match(d.message, /'concurrency' must be a whole number of at least 1/);
      assertRange(text, d.range, bad, 'concurrency: ');
    });
  }

  it('reports a negative tolerate', () => {
    const text = withRegions(withFanout(MAP.replace('tolerate: 1', 'tolerate: -1')));
    assert.match(one(text, 'invalid-concurrency').message, /'tolerate' must be a whole number of at least 0/);
  });
});

describe('single-branch-parallel', () => {
  it('warns about a parallel of one branch', () => {
    const text = withFanout(PARALLEL.replace(/\n {10}api: .*$/m, ''));
    const d = one(text, 'single-branch-parallel');
    assert.equal(d.severity, 'warning');
    assertRange(text, d.range, 'parallel');
  });
});

describe('item-outside-map', () => {
  it('is quiet inside a map do', () => {
    none(withRegions(withFanout(MAP)), 'item-outside-map');
  });

  it('reports item and index elsewhere, on the name', () => {
    const text = withFanout('      - log: "deploying {{ item }} as number {{ index + 1 }}"');
    const found = lintText(text).diagnostics.filter((d) => d.code === 'item-outside-map');
    assert.equal(found.length, 2);
    assertRange(text, found[0].range, 'item', 'deploying {{ ');
    assertRange(text, found[1].range, 'index', 'as number {{ ');
  });

  it('reports them in a when, and in a map’s own items', () => {
    const when = variant('when: "data.collect.status = 200"', 'when: "item = 200"');
    one(when, 'item-outside-map');
    one(withFanout(MAP.replace('"={{ input.regions }}"', '"={{ [index] }}"')), 'item-outside-map');
  });

  it('does not take other names, paths, variables or strings for them', () => {
    assert.deepEqual(itemReferences(`data.items[0] & $index & data.item & "item" & 'index' & items & indexes`), []);
    assert.deepEqual(itemReferences('item.name & (index + 1)').map((r) => r.name), ['item', 'index']);
  });

  it('finds every free reference (property)', () => {
    const name = fc.constantFrom('item', 'index');
    const other = fc.constantFrom('data.x', '"item"', '$index', 'input.item', '1', 'items');
    fc.assert(
      fc.property(fc.array(fc.oneof(name, other), { minLength: 1, maxLength: 8 }), (parts) => {
        const found = itemReferences(parts.join(' & ')).map((r) => r.name);
        assert.deepEqual(found, parts.filter((p) => p === 'item' || p === 'index'));
      }),
    );
  });
});

describe('expressions in a fan-out', () => {
  it('a template that does not compile in a branch or in items is invalid-expression', () => {
    const text = withFanout(PARALLEL.replace('"={{ input.version }}"', '"={{ input.version + }}"'));
    one(text, 'invalid-expression');
    one(withFanout(MAP.replace('"={{ input.regions }}"', '"={{ [1, }}"')), 'invalid-expression');
  });

  it('VALID stays clean', () => {
    assert.deepEqual(lintText(VALID).diagnostics, []);
  });
});
