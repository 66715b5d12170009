import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputReferences } from '../../engine/lint/expressions';
import { assertRange, fixClears, fixed, none, one, only, VALID, variant } from './helpers';

describe('invalid-expression', () => {
  it('is quiet for expressions and templates that compile', () => {
    none(VALID, 'invalid-expression');
  });

  it("reports a 'when' that does not compile, on the expression text", () => {
    const text = variant('when: "data.collect.status = 200"', 'when: "data.collect.status = = 200"');
    const d = one(text, 'invalid-expression');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /^'when' does not compile: /);
    assertRange(text, d.range, 'data.collect.status = = 200');
  });

  it("reports an 'until' that does not compile", () => {
    const text = variant(`until: "result.body.phase = 'Live'"`, `until: "result.body.phase = 'Live"`);
    const d = one(text, 'invalid-expression');
    assert.match(d.message, /^'until' does not compile/);
    assertRange(text, d.range, `result.body.phase = 'Live`);
  });

  it('reports a template in an instruction argument, on the text between the braces', () => {
    const text = variant('"collect request {{ data.collect.body.id }} accepted"', '"collect request {{ data.collect.body. }} accepted"');
    const d = one(text, 'invalid-expression');
    assert.match(d.message, /^The template expression 'data.collect.body.' does not compile: /);
    assertRange(text, d.range, 'data.collect.body.');
  });

  it('checks whole-value templates, nested arguments and the instruction of a poll', () => {
    const whole = variant('"={{ data.attempts + 1 }}"', '"={{ data.attempts + }}"');
    assertRange(whole, one(whole, 'invalid-expression').range, 'data.attempts +');
    const nested = variant('data: { version: "={{ input.version }}" }', 'data: { version: ["={{ input.version ++ }}"] }');
    one(nested, 'invalid-expression');
    const poll = variant('url: "https://deploy.example.com/status"', 'url: "https://deploy.example.com/{{ ) }}"');
    one(poll, 'invalid-expression');
  });

  it('reports an empty template', () => {
    const text = variant('log: "rolling back"', 'log: "rolling back {{ }}"');
    assert.match(one(text, 'invalid-expression').message, /the expression is empty/);
  });

  it("fixes a 'when' written as a template", () => {
    const text = variant('when: "data.collect.status = 200"', 'when: "{{ data.collect.status = 200 }}"');
    const d = one(text, 'invalid-expression');
    assert.match(d.message, /'when' is a bare JSONata expression: write it without '\{\{ \}\}'/);
    assert.equal(fixClears(text, 'invalid-expression'), VALID);
  });

  it('points at the whole scalar when the text has escapes', () => {
    const text = variant('when: "data.collect.status = 200"', 'when: "data.collect.status = \\u0020= 200"');
    const d = one(text, 'invalid-expression');
    assertRange(text, d.range, '"data.collect.status = \\u0020= 200"');
  });
});

describe('undeclared-input', () => {
  it('is quiet when every input read is declared', () => {
    none(VALID, 'undeclared-input');
  });

  it('reports input.<name> in a template, on the reference', () => {
    const text = variant('"https://deploy.example.com/collect/{{ input.env }}"', '"https://deploy.example.com/collect/{{ input.region }}"');
    const d = one(text, 'undeclared-input');
    assert.equal(d.severity, 'error');
    assert.equal(d.message, "'input.region' is not declared: the task has no input 'region' (inputs: env, version). Declare it under 'input:'.");
    assertRange(text, d.range, 'input.region');
    assert.equal(d.fix?.title, "Declare input 'region'");
    none(fixed(text, d), 'undeclared-input');
  });

  it("reports references in 'when' and 'until', and suggests a near name", () => {
    const text = variant('when: "data.collect.body.version != input.version"', 'when: "data.collect.body.version != input.verison"');
    const d = one(text, 'undeclared-input');
    assert.match(d.message, /did you mean 'input.version'\?/);
    assert.equal(fixClears(text, 'undeclared-input'), VALID);
    const until = variant(`until: "result.body.phase = 'Live'"`, `until: "result.body.phase = input.phase"`);
    one(until, 'undeclared-input');
  });

  it("says when the task has no 'input' at all", () => {
    const text = variant('input:\n  env:\n    type: string\n    enum: [staging, prod]\n    default: staging\n  version:\n    type: string\n    required: true\n', '');
    const found = only(text, 'undeclared-input');
    assert.ok(found.length >= 4);
    assert.match(found[0].message, /the task has no 'input' section/);
  });

  it('ignores names in string literals, $input, and fields named input', () => {
    assert.deepEqual(inputReferences(`"input.a" & 'input.b' & $input.c & data.input.d & input.e & input . f`).map((r) => r.name), ['e', 'f']);
  });
});
