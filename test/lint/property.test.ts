// Whatever the text, lintText returns a model and diagnostics whose ranges and fixes lie in the text.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyEdits, lintText } from '../../engine/lint/index';
import type { Diagnostic, Range } from '../../engine/model/types';
import { MAX_NESTING } from '../../engine/model/nesting';
import { mutatedText, VALID } from './helpers';

function checkRange(text: string, r: Range): void {
  assert.ok(r.start.offset >= 0 && r.start.offset <= r.end.offset && r.end.offset <= text.length, JSON.stringify(r));
  assert.ok(r.start.line <= r.end.line);
}

function wellFormed(text: string, diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) {
    assert.notEqual(d.code, 'internal', d.message);
    assert.ok(d.message.length > 0);
    assert.doesNotMatch(d.message, /undefined|\[object Object\]/, d.message);
    checkRange(text, d.range);
    for (const e of d.fix?.edits ?? []) assert.ok(e.start >= 0 && e.start <= e.end && e.end <= text.length, JSON.stringify(e));
  }
}

const TOKENS = [
  '\n', ' ', '  ', ':', ': ', '- ', '{', '}', '[', ']', ',', '"', "'", '&a ', '*a', '# c', '\t', '{{', '}}', '={{ ', 'states:',
  'on:', 'to: ', 'do:', 'http:', 'next: ', 'catch:', 'final: true', 'x', '1', '1s', 'null', '? ', '|', '>', '!!str ', '!x ',
  '---\n', '...\n', '<<: ', 'input.x', '\r\n', '\uFEFF', '😀', 'é',
];

describe('lintText never throws', () => {
  it('on random mutations of a valid task', () => {
    fc.assert(
      fc.property(mutatedText(VALID, TOKENS, { minEdits: 1, maxEdits: 6, maxRemove: 24, maxInsert: 5 }), (text) => {
        const result = lintText(text);
        assert.ok(Array.isArray(result.model.states));
        wellFormed(text, result.diagnostics);
      }),
      { numRuns: 400 },
    );
  });

  it('on strings made of YAML-ish tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((a) => a.join('')), (text) => {
        wellFormed(text, lintText(text).diagnostics);
      }),
      { numRuns: 400 },
    );
  });

  it('on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        wellFormed(text, lintText(text).diagnostics);
      }),
      { numRuns: 300 },
    );
  });

  it('on mappings and lists nested up to 400 levels deep, in block and flow style', () => {
    const levels = fc.array(fc.constantFrom('map', 'list', '{', '['), { maxLength: 400 });
    // Where the value goes, and how many levels hold it there.
    const places = [
      { at: (v: string) => `${HEAD}data:\n  x:${v.replace(/\n/g, '\n    ')}\n`, holders: 2 },
      { at: (v: string) => `${HEAD}  s:\n    do:\n      - http:\n          url: x\n          body:${v.replace(/\n/g, '\n            ')}\n`, holders: 6 },
      { at: (v: string) => `${HEAD}  s:${v.replace(/\n/g, '\n    ')}\n`, holders: 2 },
    ];
    fc.assert(
      fc.property(levels, fc.constantFrom(...places), (outerFirst, place) => {
        const text = place.at(nested(outerFirst));
        const { diagnostics } = lintText(text);
        wellFormed(text, diagnostics);
        assert.deepEqual(diagnostics.filter((d) => d.code === 'yaml-syntax'), []);
        const deep = diagnostics.filter((d) => d.code === 'too-deep');
        assert.equal(deep.length, outerFirst.length + place.holders > MAX_NESTING ? 1 : 0);
        if (deep.length) assert.equal(diagnostics.length, 1);
      }),
      { numRuns: 60 },
    );
  });

  it('after applying any fix it offers', () => {
    const line = fc.nat();
    fc.assert(
      // Also the `when`/`next` words whose loss strands a state, orphans one or leaves no final reachable.
      fc.property(fc.constantFrom(VALID, VALID.replace('  live: { next: done }', '  live: { do: { log: x } }')), fc.array(fc.tuple(line, fc.constantFrom('x', 'do', '1', 'htp', 'failled', '5 min', ' ', '', 'nowhere', 'false')), { maxLength: 3 }), (base, edits) => {
        // Replace a word on random lines: typos that rules offer fixes for.
        const lines = base.split('\n');
        for (const [n, word] of edits) {
          const i = n % lines.length;
          lines[i] = lines[i].replace(/[A-Za-z0-9_]+(?=\s*$|"?\s*$)/, word);
        }
        const text = lines.join('\n');
        const before = lintText(text).diagnostics;
        // The same typo on two lines gives two findings with the same message: a fix removes one.
        const alike = (list: typeof before, d: (typeof before)[number]) => list.filter((x) => x.code === d.code && x.message === d.message).length;
        for (const d of before) {
          for (const fix of [...(d.fix ? [d.fix] : []), ...(d.otherFixes ?? [])]) {
            const after = applyEdits(text, fix.edits);
            const again = lintText(after).diagnostics;
            wellFormed(after, again);
            assert.ok(alike(again, d) < alike(before, d), `'${fix.title}' left '${d.message}':\n${after}`);
          }
        }
      }),
      // The same typo as a `to:` and a `next:`: found by this test at random.
      { numRuns: 150, examples: [[VALID, [[940568040, 'failled'], [273977357, 'failled']]]] },
    );
  });
});

const HEAD = 'version: 1\nname: deep\nstart: done\nstates:\n  done: { final: true }\n';

/**
 * A value nested as the levels say, outermost first: block mappings and lists ('map', 'list') or
 * flow ones ('{', '['); inside a flow level every level is flow, as YAML requires. The text starts
 * with a line break (block) or a space (flow), to follow a key's colon.
 */
function nested(outerFirst: string[]): string {
  const firstFlow = outerFirst.findIndex((l) => l === '{' || l === '[');
  const levels = outerFirst.map((l, i) => (firstFlow >= 0 && i > firstFlow ? (l === 'map' ? '{' : l === 'list' ? '[' : l) : l));
  let flow = 'x';
  let i = levels.length - 1;
  for (; i >= 0 && (levels[i] === '{' || levels[i] === '['); i--) flow = levels[i] === '{' ? `{k: ${flow}}` : `[${flow}]`;
  // Block levels, innermost first, as lines.
  let lines = [flow];
  for (; i >= 0; i--) {
    if (levels[i] === 'map') lines = ['k:', ...lines.map((l) => `  ${l}`)];
    else lines = [`- ${lines[0]}`, ...lines.slice(1).map((l) => `  ${l}`)];
  }
  return levels.length && (levels[0] === 'map' || levels[0] === 'list') ? `\n${lines.join('\n')}` : ` ${lines.join('\n')}`;
}
