// The model of a `consume` transition, for any subject and settings written in the YAML: its
// settings as data, its subject, its kind and ranges; and NATS subject matching, which decides
// which transitions a mocked message reaches.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseTask } from '../../engine/model/parse';
import { transitionKind } from '../../engine/model/types';
import { subjectMatches } from '../../engine/runtime/subjects';

const token = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
const subject = fc.array(token, { minLength: 1, maxLength: 5 }).map((t) => t.join('.'));

function taskWith(transition: Record<string, unknown>): string {
  return stringify({ version: 1, name: 't', start: 'a', states: { a: { on: [transition, { to: 'b', after: '1h' }] }, b: { final: true } } });
}

describe('a consume transition in the model', () => {
  it('keeps its settings as written, its subject, and is of kind consume, whatever the values', () => {
    fc.assert(
      fc.property(fc.oneof(subject, fc.string()), fc.string(), fc.option(fc.string(), { nil: undefined }), fc.dictionary(fc.stringMatching(/^x[a-z]{0,5}$/), fc.jsonValue()), (subj, connection, when, extra) => {
        const args = { connection, subject: subj, ...extra };
        const text = taskWith({ to: 'b', consume: args, ...(when === undefined ? {} : { when }) });
        const t = parseTask(text).model.states[0].on[0];
        assert.equal(transitionKind(t), 'consume');
        assert.deepEqual(JSON.parse(JSON.stringify(t.consume?.args)), JSON.parse(JSON.stringify(args)));
        assert.equal(t.consume?.subject, subj);
        assert.equal(t.when, when);
        const { key, value } = t.fields.consume;
        assert.equal(text.slice(key.start.offset, key.end.offset), 'consume');
        assert.ok(value.start.offset >= key.end.offset && value.end.offset <= t.range.end.offset);
      }),
    );
  });

  it('is still a consume transition, with no subject, when the value is empty or not a mapping', () => {
    const empty = parseTask(taskWith({ to: 'b', consume: null }));
    assert.equal(transitionKind(empty.model.states[0].on[0]), 'consume');
    assert.equal(empty.model.states[0].on[0].consume?.subject, undefined);
    const scalar = parseTask(taskWith({ to: 'b', consume: 'orders.created' }));
    assert.equal(transitionKind(scalar.model.states[0].on[0]), 'consume');
    assert.equal(scalar.model.states[0].on[0].consume?.subject, undefined);
    assert.ok(scalar.diagnostics.some((d) => d.code === 'schema'), 'the schema says it must be a mapping');
  });
});

describe('subjectMatches', () => {
  it('matches a subject to itself, to * in any token and to a trailing >', () => {
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 6 }), fc.nat(), fc.nat(), (tokens, star, cut) => {
        const s = tokens.join('.');
        assert.ok(subjectMatches(s, s));
        const starred = tokens.map((t, i) => (i === star % tokens.length ? '*' : t)).join('.');
        assert.ok(subjectMatches(starred, s), `${starred} ~ ${s}`);
        const keep = cut % tokens.length;
        assert.ok(subjectMatches([...tokens.slice(0, keep), '>'].join('.'), s));
      }),
    );
  });

  it('does not match another token count, another token, or > with nothing after', () => {
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 6 }), token, (tokens, more) => {
        const s = tokens.join('.');
        assert.ok(!subjectMatches(`${s}.${more}`, s));
        assert.ok(!subjectMatches(s, `${s}.${more}`));
        assert.ok(!subjectMatches(`${s}.>`, s));
        assert.ok(!subjectMatches(`${s}.*`, s));
        const other = [...tokens.slice(0, -1), `${tokens[tokens.length - 1]}x`].join('.');
        assert.ok(!subjectMatches(other, s));
      }),
    );
  });
});
