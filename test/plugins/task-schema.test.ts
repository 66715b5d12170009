// The task schema extended with plugin kinds (what Red Hat's YAML extension gets through the
// schema contributor): a template is accepted wherever a plugin's schema places a value, and any
// other value is accepted or refused exactly as the plugin's own schema decides.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Ajv from 'ajv';
import fc from 'fast-check';
import taskSchema from '../../engine/schema/task.schema.json';
import type { JsonSchema, PluginKindInfo } from '../../engine/plugins/define';
import { taskSchemaWithPlugins } from '../../engine/plugins/task-schema';
import { acceptTemplates } from '../../engine/plugins/template-values';

/** One instance: creating one per check would make the property tests take many seconds. */
const ajv = new Ajv({ strict: false, allErrors: true });

/** Schemas of the shapes plugins declare: scalars, enums, lists, nested mappings, closed or not. */
const schemaArb: fc.Arbitrary<JsonSchema> = fc.letrec<{ s: JsonSchema }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<JsonSchema>({ type: 'string' }, { type: 'integer', minimum: 0 }, { type: 'boolean' }, { enum: ['a', 'b'] }, { const: 3 }, {}),
    fc.record({ type: fc.constant('array'), items: tie('s') }),
    fc.record(
      {
        type: fc.constant('object'),
        properties: fc.dictionary(fc.constantFrom('x', 'y', 'z'), tie('s'), { maxKeys: 3 }),
        required: fc.subarray(['x', 'y']),
        additionalProperties: fc.oneof(fc.boolean(), tie('s')),
      },
      { requiredKeys: ['type', 'properties'] },
    ),
    fc.record({ anyOf: fc.array(tie('s'), { minLength: 1, maxLength: 2 }) }),
  ),
})).s;

/** Values with no template in them. */
const valueArb = fc.jsonValue({ maxDepth: 3 }).filter((v) => !JSON.stringify(v).includes('{{'));

/** Every place in a value where a template could be written instead: the value, its items, its entries. */
function withTemplates(value: unknown): unknown[] {
  const out: unknown[] = ['={{ input.x }}'];
  if (Array.isArray(value)) value.forEach((item, i) => withTemplates(item).forEach((t) => out.push(value.map((v, j) => (j === i ? t : v)))));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) withTemplates(v).forEach((t) => out.push({ ...value, [k]: t }));
  return out;
}

describe('acceptTemplates', () => {
  it('accepts and refuses a value with no template exactly as the original schema does', () => {
    fc.assert(
      fc.property(schemaArb, valueArb, (schema, value) => {
        assert.equal(ajv.validate(acceptTemplates(schema, ''), value), ajv.validate(schema, value));
      }),
    );
  });

  it('accepts a template in place of any value of a valid instance', () => {
    fc.assert(
      fc.property(schemaArb, valueArb, (schema, value) => {
        fc.pre(ajv.validate(schema, value));
        const tolerant = ajv.compile(acceptTemplates(schema, ''));
        for (const v of withTemplates(value)) assert.ok(tolerant(v), JSON.stringify(v));
      }),
    );
  });

  it('re-points local $refs at where their targets are in the schema that holds it', () => {
    const args: JsonSchema = {
      type: 'object',
      definitions: { port: { type: 'integer', maximum: 65535 } },
      properties: { port: { $ref: '#/definitions/port' }, ports: { type: 'array', items: { $ref: '#/definitions/port' } }, self: { $ref: '#' } },
      additionalProperties: false,
    };
    const holder = { definitions: { 'plugin-x': acceptTemplates(args, '/definitions/plugin-x') }, $ref: '#/definitions/plugin-x' };
    const check = ajv.compile(holder);
    assert.ok(check({ port: 80, ports: [1, '={{ p }}'], self: { port: 1 } }));
    assert.ok(!check({ port: 70000 }));
    assert.ok(!check({ ports: [70000] }));
    assert.ok(!check({ self: { port: 'x' } }));
    assert.ok(!check({ porrt: 1 }));
  });
});

describe('taskSchemaWithPlugins', () => {
  const checksum: PluginKindInfo = {
    kind: 'checksum',
    description: 'The digest of a text.',
    args: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false },
    plugin: 'checksum',
    module: '/w/checksum.mjs',
  };
  const task = (args: unknown) => ({ version: 1, name: 't', start: 'a', states: { a: { final: true, do: [{ checksum: args, as: 'sum' }] } } });

  it("checks a plugin kind's arguments with its schema, inside fan-out branches too, and names the schema by id", () => {
    const schema = taskSchemaWithPlugins([checksum], 'stepwise://plugins/x');
    assert.equal(schema.$id, 'stepwise://plugins/x');
    const validate = ajv.compile(schema);
    assert.ok(validate(task({ text: 'hi' })), JSON.stringify(validate.errors));
    assert.ok(validate(task({ text: '={{ input.notes }}' })));
    assert.ok(!validate(task({ text: 'hi', algoritm: 'md5' })));
    assert.ok(!validate(task({ text: 5 })));
    assert.ok(!validate(task({})));
    const inMap = { version: 1, name: 't', start: 'a', states: { a: { final: true, do: [{ map: { items: [1], do: { checksum: { txt: 'x' } } } }] } } };
    assert.ok(!validate(inMap));
  });

  it('describes the kind for hovers and leaves the bundled schema as it was', () => {
    const before = JSON.stringify(taskSchema);
    const schema = taskSchemaWithPlugins([checksum], 'stepwise://plugins/x') as { definitions: { instruction: { properties: Record<string, { description: string }> } } };
    assert.match(schema.definitions.instruction.properties.checksum.description, /The digest of a text\. \(plugin 'checksum'\)/);
    assert.equal(JSON.stringify(taskSchema), before);
  });

  it('is the bundled schema (but for its id) without plugins', () => {
    assert.deepEqual({ ...taskSchemaWithPlugins([], 'x'), $id: taskSchema.$id }, taskSchema);
  });
});
