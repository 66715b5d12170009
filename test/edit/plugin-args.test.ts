// The inspector's edits of a plugin instruction's arguments: each field's commit is one
// `updateInstruction` of [kind, argument]. Random sequences of them, on a block and a flow mapping
// with comments: the instruction's arguments re-parse to what the fields set, everything else in
// the file keeps its text, and lint (with the plugin's schema) finds a problem only for a required
// argument that was emptied.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import fc from 'fast-check';
import { applyEdits, editTask } from '../../engine/edit/index';
import { lintText } from '../../engine/lint/index';
import { parseTask } from '../../engine/model/parse';

const SCHEMA = {
  type: 'object',
  properties: {
    text: { type: 'string' },
    algorithm: { enum: ['sha256', 'sha512', 'sha1'], default: 'sha256' },
    rounds: { type: 'integer' },
    upper: { type: 'boolean' },
  },
  required: ['text'],
  additionalProperties: false,
};
const ajv = new Ajv({ allErrors: true, strict: false });
const PLUGINS = { plugins: [{ kind: 'checksum', args: SCHEMA, plugin: 'checksum', module: '/checksum.mjs' }], compileSchema: (s: object) => ajv.compile(s) };

const BLOCK = `version: 1
name: notes # the release notes
start: digest
states:
  digest:
    do:
      # the notes' digest
      - checksum:
          text: "hello" # quoted
          algorithm: sha256
        as: sum
      - log: "{{ data.sum.digest }}"
    next: done
  done:
    final: true # the end
`;

const FLOW = BLOCK.replace(/ {6}- checksum:\n {10}text: "hello" # quoted\n {10}algorithm: sha256\n/, '      - checksum: { text: hello, algorithm: sha256 }\n');

/** What a field of the inspector commits: an argument and its new value (undefined: emptied). */
const fieldEdit = fc.oneof(
  fc.record({ name: fc.constant('text'), value: fc.option(fc.string({ minLength: 1 }), { nil: undefined }) }),
  fc.record({ name: fc.constant('algorithm'), value: fc.option(fc.constantFrom('sha256', 'sha512', 'sha1'), { nil: undefined }) }),
  fc.record({ name: fc.constant('rounds'), value: fc.option(fc.integer(), { nil: undefined }) }),
  fc.record({ name: fc.constant('upper'), value: fc.option(fc.boolean(), { nil: undefined }) }),
);

const digestArgs = (text: string) => parseTask(text).model.states.find((s) => s.name === 'digest')?.do[0];
const outside = (text: string) => {
  const lines = text.split('\n');
  return [lines.slice(0, lines.findIndex((l) => l.includes('- checksum:'))).join('\n'), lines.slice(lines.findIndex((l) => l.includes('as: sum'))).join('\n')];
};

describe('plugin argument edits, property', () => {
  it('random field edits set exactly those arguments and leave the rest of the file as it was', () => {
    fc.assert(
      fc.property(fc.constantFrom(BLOCK, FLOW), fc.array(fieldEdit, { minLength: 1, maxLength: 10 }), (start, edits) => {
        let text = start;
        const expected: Record<string, unknown> = { text: 'hello', algorithm: 'sha256' };
        for (const { name, value } of edits) {
          const r = editTask(text, { type: 'updateInstruction', state: 'digest', index: 0, path: ['checksum', name], value });
          assert.equal(r.error, undefined, `${name} = ${JSON.stringify(value)}: ${r.error}\n${text}`);
          const next = applyEdits(text, r.edits);
          if (value === undefined) delete expected[name];
          else expected[name] = value;
          const ins = digestArgs(next);
          assert.equal(ins?.kind, 'checksum', next);
          assert.deepEqual(ins?.args ?? {}, expected, `${name} = ${JSON.stringify(value)} gave:\n${next}`);
          assert.equal(ins?.as, 'sum');
          assert.deepEqual(outside(next), outside(text), `${name} = ${JSON.stringify(value)} changed text outside the instruction:\n${next}`);
          text = next;
        }
        const problems = lintText(text, PLUGINS).diagnostics.filter((d) => d.code === 'plugin-arguments');
        if ('text' in expected) assert.deepEqual(problems, [], text);
        else assert.deepEqual(problems.map((d) => d.message), ["'checksum' needs the argument 'text'."]);
      }),
      { numRuns: 200 },
    );
  });
});
