// The lint worker's schema compiler: one compile per distinct schema, whatever copy arrives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import fc from 'fast-check';
import { cachedCompiler } from '../../extension/core/schemaCache';

describe('cachedCompiler', () => {
  it('compiles a schema once however many copies of it come', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 20 }), (picks) => {
        const ajv = new Ajv({ strict: false });
        let compiles = 0;
        const compile = cachedCompiler((schema) => {
          compiles++;
          return ajv.compile(schema);
        });
        // Copies, as postMessage delivers them: equal, never the same object.
        for (const n of picks) assert.equal(compile(structuredClone({ type: 'object', maxProperties: n })) ({ a: 1 }), n >= 1);
        assert.equal(compiles, new Set(picks).size);
      }),
    );
  });

  it('compiles a schema with an $id again without ajv refusing the duplicate id', () => {
    const ajv = new Ajv({ strict: false });
    const compile = cachedCompiler((schema) => ajv.compile(schema));
    const schema = { $id: 'https://example.com/args', type: 'string' };
    compile(structuredClone(schema));
    assert.equal(compile(structuredClone(schema))('x'), true);
  });
});
