// Quick fixes where the fix is obvious: each is applied and the file linted again; the problem is
// gone and no error appears that was not there.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import jsonata from 'jsonata';
import { applyEdits, lintText } from '../../engine/lint/index';
import { JSONATA_FUNCTIONS } from '../../engine/lint/expressions';
import type { Diagnostic, Fix } from '../../engine/model/types';
import { diagnostics, one, yaml } from './helpers';

/** Every fix of a diagnostic (the preferred one first). */
function fixesOf(d: Diagnostic): Fix[] {
  return [...(d.fix ? [d.fix] : []), ...(d.otherFixes ?? [])];
}

function errors(text: string): string[] {
  return diagnostics(text)
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.code}: ${d.message}`);
}

/**
 * Applies the fix titled like `title` of the one `code` diagnostic; the result has no `code`
 * diagnostic for the same subject and no error that the text did not have.
 */
function applyFix(text: string, code: string, title: RegExp): string {
  const d = one(text, code);
  const fix = fixesOf(d).find((f) => title.test(f.title));
  assert.ok(fix, `no fix like ${title} for '${d.message}' (fixes: ${fixesOf(d).map((f) => f.title).join(', ') || 'none'})`);
  const after = applyEdits(text, fix.edits);
  assert.deepEqual(diagnostics(after).filter((x) => x.code === code).map((x) => x.message), [], `after '${fix.title}':\n${after}`);
  const before = new Set(errors(text).filter((e) => !e.startsWith(code)));
  assert.deepEqual(errors(after).filter((e) => !before.has(e)), [], `after '${fix.title}':\n${after}`);
  return after;
}

// States indented by 4, their keys by 6: the fixes write in the file's own indentation.
const STUCK = [
  'version: 1',
  'name: t',
  'start: a',
  'states:',
  '    a:',
  '      on:',
  '        - to: b',
  '          when: "data.ok = true"',
  '        - to: c',
  '    b:',
  '      do:',
  '        - log: working',
  '    c: { final: true }',
  '',
].join('\n');

describe('quick fixes', () => {
  it("no-way-out: 'Mark it final' and 'Add next: <a final state>'", () => {
    const marked = applyFix(STUCK, 'no-way-out', /Mark it final/);
    assert.match(marked, /    b:\n      do:\n        - log: working\n      final: true\n    c:/);
    const next = applyFix(STUCK, 'no-way-out', /Add 'next: c'/);
    assert.match(next, /        - log: working\n      next: c\n/);
    assert.equal(one(STUCK, 'no-way-out').fix?.title, "Mark it final ('final: true')");
    // A flow mapping, and `final: false`.
    applyFix(STUCK.replace('    b:\n      do:\n        - log: working\n', '    b: { do: [ { log: working } ] }\n'), 'no-way-out', /Add 'next: c'/);
    const falseFinal = STUCK.replace('        - log: working\n', '        - log: working\n      final: false\n');
    assert.match(applyFix(falseFinal, 'no-way-out', /Mark it final/), /final: true\n    c:/);
  });

  it("unknown-target with no near name: 'Create state' (a final stub)", () => {
    const text = STUCK.replace('        - to: c\n', '        - to: notify-owners\n').replace('        - log: working\n', '        - log: working\n      next: c\n');
    const after = applyFix(text, 'unknown-target', /Create state 'notify-owners'/);
    assert.ok(after.endsWith('    c: { final: true }\n    notify-owners:\n      final: true\n'), after);
  });

  it('unknown-target: a created state keeps any name, in any file layout (property)', () => {
    const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && !/[\n\r\t\\"#:{}[\],&*!|>'%@`?-]/.test(s) && !['c', 'a'].includes(s));
    fc.assert(
      fc.property(name, fc.constantFrom(2, 4), fc.boolean(), (target, indent, crlf) => {
        const pad = ' '.repeat(indent);
        let text = ['version: 1', 'name: t', 'start: a', 'states:', `${pad}a:`, `${pad}${pad}next: ${JSON.stringify(target)}`, `${pad}c: { final: true }`, ''].join('\n');
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const d = lintText(text).diagnostics.find((x) => x.code === 'unknown-target');
        if (!d || d.message.includes('did you mean')) return; // a near name is changed to instead
        const after = applyEdits(text, d.fix!.edits);
        const result = lintText(after);
        assert.deepEqual(result.diagnostics.filter((x) => x.severity === 'error').map((x) => x.message), [], after);
        assert.ok(result.model.states.some((s) => s.name === target && s.final), after);
      }),
      { numRuns: 150 },
    );
  });

  it("unreachable-state: 'Add a transition from …' and 'Delete state'", () => {
    const text = STUCK.replace('    c: { final: true }\n', '    c: { final: true }\n    orphan:\n      do: [ { log: alone } ]\n      next: c\n');
    // 'a' has an else branch already; 'b' has no way out, so it takes the new transition.
    assert.equal(one(text, 'unreachable-state').fix?.title, "Add a transition from 'b'");
    assert.match(applyFix(text, 'unreachable-state', /Add a transition from 'b'/), /        - log: working\n      next: orphan\n/);
    const deleted = applyFix(text, 'unreachable-state', /Delete state 'orphan'/);
    assert.ok(deleted.endsWith('    c: { final: true }\n'), deleted);
    const middle = text.replace('    c: { final: true }\n    orphan:\n      do: [ { log: alone } ]\n      next: c\n', '    orphan:\n      do: [ { log: alone } ]\n      next: c\n    c: { final: true }\n');
    assert.ok(applyFix(middle, 'unreachable-state', /Delete state/).endsWith('        - log: working\n    c: { final: true }\n'));
    // A list of `when`s gets the new transition as its else branch.
    const whens = text.replace('        - to: c\n', '        - to: c\n          when: "data.ok = false"\n');
    assert.match(applyFix(whens, 'unreachable-state', /Add a transition from 'a'/), /          when: "data.ok = false"\n        - to: orphan\n/);
  });

  it("no-final-reachable: 'Add a final state' with a transition to it", () => {
    const text = yaml(`
      version: 1
      name: loop
      start: a
      states:
        a:
          on:
            - to: b
              when: "data.n > 1"
        b:
          next: a
    `);
    const after = applyFix(text, 'no-final-reachable', /Add a final state 'done' and a transition to it from 'a'/);
    assert.match(after, /      - to: b\n        when: "data.n > 1"\n      - to: done\n/);
    assert.ok(after.endsWith('    next: a\n  done:\n    final: true\n'), after);
  });

  it("else-never-taken: 'Remove it' (the engine never takes it)", () => {
    const text = STUCK.replace('          when: "data.ok = true"\n', '          event: approved\n').replace('        - log: working\n', '        - log: working\n      next: c\n');
    const after = applyFix(text, 'else-never-taken', /Remove it/);
    assert.match(after, /          event: approved\n    b:/);
    const first = text.replace('        - to: b\n          event: approved\n        - to: c\n', '        - to: c\n        - to: b\n          event: approved\n');
    assert.match(applyFix(first, 'else-never-taken', /Remove it/), /      on:\n        - to: b\n          event: approved\n    b:/);
  });

  it("a misspelt JSONata function: 'Change to' the nearest name", () => {
    const text = STUCK.replace('"data.ok = true"', '"$lenght(data.items) > 0 and $uppercase(data.x) = \'A\'"').replace('        - log: working\n', '        - log: working\n      next: c\n');
    const d = one(text, 'invalid-expression');
    assert.equal(d.message, "'$lenght' is not a JSONata function: did you mean '$length'?");
    assert.equal(text.slice(d.range.start.offset, d.range.end.offset), '$lenght');
    assert.match(applyFix(text, 'invalid-expression', /Change to '\$length'/), /"\$length\(data\.items\) > 0/);
    // Names the expression binds, and templates, are read the same way.
    const bound = text.replace('$lenght(data.items)', '($f := function($x) { $count($x) }; $f(data.items))');
    assert.deepEqual(diagnostics(bound).filter((x) => x.code === 'invalid-expression'), []);
    const template = STUCK.replace('        - log: working\n', '        - log: "{{ $uppercse(data.who) }}"\n      next: c\n');
    assert.match(applyFix(template, 'invalid-expression', /Change to '\$uppercase'/), /\{\{ \$uppercase\(data\.who\) \}\}/);
  });

  it('knows every JSONata function by name', async () => {
    for (const name of JSONATA_FUNCTIONS) assert.equal(await jsonata(`$type($${name})`).evaluate({}), 'function', name);
  });

  it("undeclared-input with no near name: 'Declare input'", () => {
    const text = STUCK.replace('        - log: working\n', '        - log: "for {{ input.owner }}"\n      next: c\n');
    assert.match(applyFix(text, 'undeclared-input', /Declare input 'owner'/), /^input:\n  owner: \{\}\nstates:\n/m);
    const declared = text.replace('start: a\n', 'start: a\ninput:\n  env: { type: string }\n');
    assert.match(applyFix(declared, 'undeclared-input', /Declare input 'owner'/), /input:\n  env: \{ type: string \}\n  owner: \{\}\n/);
  });

  it('the broken sample: all but the expression that does not compile and the unknown error kind have a fix', () => {
    const text = fs.readFileSync(path.resolve(__dirname, '../../../samples/broken.task.yaml'), 'utf8');
    const ds = lintText(text).diagnostics;
    assert.equal(ds.length, 10);
    assert.deepEqual(ds.filter((d) => !d.fix).map((d) => d.code), ['invalid-expression', 'unknown-error-kind']);
    for (const d of ds) for (const f of fixesOf(d)) assert.ok(!lintText(applyEdits(text, f.edits)).diagnostics.some((x) => x.code === d.code && x.message === d.message), `${f.title}`);
  });
});
