// Repeated keys and unknown aliases are found by the walk that builds the plain value (one walk
// of the document instead of two). Whatever the text, they must be the problems a walk of their
// own finds, in the same order: the reference below is that walk.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isAlias, isMap, isPair, isSeq, type Document, type Node } from 'yaml';
import { parseTaskDocument } from '../../engine/model/parse';
import { anchorTargets, keyText, plainDocument, type TextProblem } from '../../engine/schema/nodes';
import { generateTask } from '../../bench/generate';

/** Pre-order, keys before values; a mapping's repeated keys before the collections inside it. */
function reference(doc: Document): TextProblem[] {
  const anchors = anchorTargets(doc);
  const out: TextProblem[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isAlias(node)) {
      if (!anchors.has(node)) out.push({ kind: 'unknown-alias', alias: node });
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    } else if (isMap(node)) {
      const seen = new Set<string>();
      for (const item of node.items) {
        const k = keyText(item.key);
        if (k === undefined) continue;
        if (seen.has(k)) out.push({ kind: 'duplicate', map: node, key: item.key as Node, text: k });
        seen.add(k);
      }
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (!isPair(item)) continue;
        stack.push(item.value, item.key);
      }
    }
  }
  return out;
}

// Flow YAML with few key names (so keys repeat), anchors, aliases known and unknown, and keys that
// are collections.
const { value: flowValue } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('1', 'x', '"{{ a }}"', '*a', '*b', '*nope', '&a 1'),
    tie('seq'),
    tie('map'),
  ),
  seq: fc.tuple(fc.constantFrom('', '&a ', '&b '), fc.array(tie('value'), { maxLength: 4 })).map(([anchor, items]) => `${anchor}[${(items as string[]).join(', ')}]`),
  map: fc
    .tuple(fc.constantFrom('', '&a ', '&b '), fc.array(fc.tuple(fc.oneof(fc.constantFrom('a', 'b', 'c', '"a"', '1', '*a'), tie('seq').map((s) => `? ${s as string}`)), tie('value')), { maxLength: 5 }))
    .map(([anchor, entries]) => `${anchor}{${(entries as Array<[string, string]>).map(([k, v]) => `${k}: ${v}`).join(', ')}}`),
}));

function problemsOf(text: string): { found: TextProblem[]; expected: TextProblem[] } {
  const { doc } = parseTaskDocument(text);
  return { found: [...plainDocument(doc).problems], expected: reference(doc) };
}

describe('repeated keys and unknown aliases found by the plain-value walk', () => {
  it('are those a walk of their own finds, in the same order, for any flow YAML', () => {
    fc.assert(
      fc.property(flowValue, (text) => {
        const { found, expected } = problemsOf(`root: ${text}\nroot: ${text}\n`);
        assert.deepEqual(found, expected);
      }),
      { numRuns: 500 },
    );
  });

  it('are those a walk of their own finds in a task with repeated lines', () => {
    const lines = generateTask(3).split('\n');
    fc.assert(
      fc.property(fc.array(fc.nat(lines.length - 1), { maxLength: 6 }), (repeated) => {
        const copy = [...lines];
        for (const i of repeated) copy.splice(i, 0, copy[i]);
        const { found, expected } = problemsOf(copy.join('\n'));
        assert.deepEqual(found, expected);
      }),
      { numRuns: 200 },
    );
  });

  it('say nothing again inside what an alias stands for', () => {
    const { found } = problemsOf('a: &x {k: 1, k: 2, u: *nope}\nb: *x\nc: *x\n');
    assert.deepEqual(
      found.map((p) => (p.kind === 'duplicate' ? `duplicate ${p.text}` : `alias ${p.alias.source}`)),
      ['duplicate k', 'alias nope'],
    );
  });
});
