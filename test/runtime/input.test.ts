import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTaskDocument } from '../../engine/model/parse';
import { InputError, resolveInput } from '../../engine/runtime/load';
import { yaml } from '../lint/helpers';

const model = (inputs: string) =>
  parseTaskDocument(yaml(`
    version: 1
    name: t
    input:
${inputs}
    start: a
    states:
      a: { final: true }
  `)).model;

function problems(m: ReturnType<typeof model>, given: Record<string, unknown>): string[] {
  try {
    resolveInput(m, given);
  } catch (e) {
    assert.ok(e instanceof InputError);
    return e.message.split('\n');
  }
  return [];
}

describe('resolveInput', () => {
  const m = model('      env: { type: string, enum: [staging, prod], default: staging }\n      n: { type: integer, required: true, description: how many }\n      any: {}');

  it('overlays the defaults with the given values', () => {
    assert.deepEqual(resolveInput(m, { n: 3 }), { env: 'staging', n: 3 });
    assert.deepEqual(resolveInput(m, { n: 3, env: 'prod', any: [1] }), { env: 'prod', n: 3, any: [1] });
  });

  it('names every problem: unknown names, required inputs, types and enums', () => {
    assert.deepEqual(problems(m, { nn: 3, env: 'dev' }), [
      "'nn' is not an input of task 't' (declared: env, n, any).",
      "input 'env' must be one of \"staging\", \"prod\", not \"dev\".",
      "input 'n' is required (how many).",
    ]);
    assert.deepEqual(problems(m, { n: 1.5 }), ["input 'n' must be of type integer, not 1.5."]);
  });

  it('does not take an input named like an Object member from the prototype', () => {
    const p = model('      constructor: { type: string, required: true }\n      toString: { type: string }');
    assert.deepEqual(problems(p, {}), ["input 'constructor' is required."]);
    assert.deepEqual(resolveInput(p, { constructor: 'x' }), { constructor: 'x' });
  });
});
