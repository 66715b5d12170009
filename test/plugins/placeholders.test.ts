// A plugin kind dropped from the graph's palette starts with its required arguments filled from
// its schema (defaults, else placeholders of their type): the inserted instruction fits the schema,
// so lint finds no plugin-arguments error in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import Ajv from 'ajv';
import fc from 'fast-check';
import { applyEdits, editTask } from '../../engine/edit/index';
import { BUILTIN_OFFERED, kindOffer, newArguments } from '../../engine/graph/kinds';
import { lintText } from '../../engine/lint/index';
import { lintOptions, pluginsForTask } from '../../engine/plugins/load';
import { placeholderArgs } from '../../engine/plugins/placeholders';
import { samplesDir } from '../postgres/samples';

const TASK = `version: 1
name: t
input:
  items: { type: array, default: [] }
start: a
states:
  a:
    do:
      - log: hi
    next: done
  done: { final: true }
`;

const ajv = new Ajv({ allErrors: true, strict: false });

test("the sample plugin's checksum starts with a placeholder text and lints clean", async () => {
  const loaded = await pluginsForTask(path.join(samplesDir, 'plugins', 'release-notes.task.yaml'));
  const offer = kindOffer(loaded.kinds);
  assert.deepEqual(newArguments('checksum', offer), { text: '<text>' });
  const r = editTask(TASK, { type: 'addInstruction', state: 'a', instruction: { kind: 'checksum', args: newArguments('checksum', offer) } });
  assert.equal(r.error, undefined);
  const text = applyEdits(TASK, r.edits);
  assert.match(text, /- checksum:\n\s+text: <text>\n/);
  assert.deepEqual(lintText(text, lintOptions(loaded)).diagnostics.filter((d) => d.severity === 'error'), []);
});

test('a required argument takes its default, const or first enum value before a placeholder', () => {
  const schema = {
    type: 'object',
    properties: {
      region: { type: 'string', default: 'eu' },
      mode: { enum: ['fast', 'safe'] },
      version: { const: 2 },
      count: { type: 'integer', minimum: 3 },
      dry: { type: 'boolean' },
      tags: { type: 'array', items: { type: 'string' } },
      target: { type: 'object', properties: { host: { type: 'string' } }, required: ['host'] },
      optional: { type: 'string' },
    },
    required: ['region', 'mode', 'version', 'count', 'dry', 'tags', 'target'],
  };
  assert.deepEqual(placeholderArgs(schema), { region: 'eu', mode: 'fast', version: 2, count: 3, dry: false, tags: [], target: { host: '<host>' } });
});

test('every built-in kind offered has a working example that lints without errors', () => {
  for (const { kind } of BUILTIN_OFFERED) {
    const r = editTask(TASK, { type: 'addInstruction', state: 'a', instruction: { kind, args: newArguments(kind, kindOffer([])) } });
    assert.equal(r.error, undefined, kind);
    const errors = lintText(applyEdits(TASK, r.edits)).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], `${kind}: ${errors.map((d) => d.message).join('; ')}`);
  }
});

// Argument schemas as plugins write them: typed properties, some with defaults or enums, some required.
const leaf = fc.oneof(
  fc.record({ type: fc.constantFrom('string', 'number', 'integer', 'boolean') }),
  fc.record({ type: fc.constant('string'), default: fc.string() }),
  fc.record({ type: fc.constant('number'), minimum: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ enum: fc.uniqueArray(fc.oneof(fc.string(), fc.integer(), fc.boolean()), { minLength: 1, maxLength: 4 }) }),
  fc.record({ type: fc.constant('array'), items: fc.record({ type: fc.constantFrom('string', 'number') }) }),
);
const objectSchema = (props: fc.Arbitrary<Record<string, unknown>>) =>
  props.chain((properties) =>
    fc.subarray(Object.keys(properties)).map((required) => ({ type: 'object', properties, required, additionalProperties: false })),
  );
const name = fc.stringMatching(/^[a-z][a-zA-Z0-9_]{0,8}$/);
const argsSchema = objectSchema(fc.dictionary(name, fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: objectSchema(fc.dictionary(name, leaf, { maxKeys: 3 })) }), { maxKeys: 6 }));

test('property: the arguments made from any such schema fit it, and the task lints without plugin-arguments errors', () => {
  fc.assert(
    fc.property(argsSchema, (schema) => {
      const args = placeholderArgs(schema);
      assert.ok(ajv.validate(schema, args), JSON.stringify(ajv.errors));
      const r = editTask(TASK, { type: 'addInstruction', state: 'a', instruction: { kind: 'mykind', args } });
      assert.equal(r.error, undefined);
      const plugins = [{ kind: 'mykind', args: schema, plugin: 'p', module: '/p.mjs' }];
      const lint = lintText(applyEdits(TASK, r.edits), { plugins, compileSchema: (s) => ajv.compile(s) });
      assert.deepEqual(lint.diagnostics.filter((d) => d.code === 'plugin-arguments'), []);
    }),
    { numRuns: 150 },
  );
});
