// The model reader's shortcuts must give what the slower ways gave: positions by a remembered line
// instead of yaml's linePos, values taken from the document's plain value instead of read again
// from the nodes, and a nesting check without an object per token.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser, parseDocument, type CST, type Node } from 'yaml';
import { lintText } from '../../engine/lint/index';
import { parseTokens, tooDeepAt } from '../../engine/model/nesting';
import { parseTask, parseTaskDocument, parseTaskDocumentInTwoWalks } from '../../engine/model/parse';
import { rangeFactory } from '../../engine/model/positions';
import type { InstructionModel } from '../../engine/model/types';
import { anchorTargets, plainValue } from '../../engine/schema/nodes';
import { mutatedText, VALID } from '../lint/helpers';

describe('rangeFactory', () => {
  it('gives the positions yaml’s linePos gives, whatever the order of the offsets', () => {
    const text = fc.array(fc.constantFrom('a', ' ', '\n', '\r\n', 'é', '😀', ': '), { maxLength: 60 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.integer({ min: -3, max: 70 }), { maxLength: 30 }), (t, offsets) => {
        const lineCounter = new LineCounter();
        parseDocument(t, { lineCounter });
        const range = rangeFactory(lineCounter, t.length);
        for (let i = 0; i + 1 < offsets.length; i += 2) {
          const got = range(offsets[i], offsets[i + 1]);
          const s = Math.max(0, Math.min(offsets[i], t.length));
          const e = Math.max(s, Math.min(offsets[i + 1], t.length));
          for (const [p, offset] of [
            [got.start, s],
            [got.end, e],
          ] as const) {
            const want = lineCounter.linePos(offset);
            assert.deepEqual(p, { line: want.line - 1, column: want.col - 1, offset });
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

/** The nesting check as it was first written: an object per token, children gathered then pushed. */
function referenceTooDeepAt(tokens: readonly CST.Token[], max: number): number | undefined {
  const stack: Array<{ token: CST.Token | null | undefined; level: number }> = tokens.map((token) => ({ token, level: 0 })).reverse();
  const nests = (t: CST.Token | null | undefined) => t?.type === 'block-map' || t?.type === 'block-seq' || t?.type === 'flow-collection';
  while (stack.length) {
    const { token, level } = stack.pop()!;
    if (!token) continue;
    if (token.type === 'document') {
      stack.push({ token: token.value, level });
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    const own = level + 1;
    if (own > max) return token.offset;
    const children: Array<{ token: CST.Token | null | undefined; level: number }> = [];
    for (const item of token.items as CST.CollectionItem[]) {
      const pair = token.type === 'flow-collection' && token.start.source === '[' && item.sep?.some((t) => t.type === 'map-value-ind');
      if (pair && own + 1 > max) return (item.key ?? item.sep![0]).offset;
      const inner = pair ? own + 1 : own;
      if (nests(item.key)) children.push({ token: item.key, level: inner });
      if (nests(item.value)) children.push({ token: item.value, level: inner });
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return undefined;
}

describe('parseTokens', () => {
  it('finds a text too deep exactly where the walk over every token does, whether or not it walks', () => {
    // Small limits, so that the bound from the parser's stack and the line lengths is both passed
    // and missed: long lines, many short lines, flow and block collections, block scalars.
    const pieces = ['[', ']', '{', '}', ', ', 'a: ', 'a', '\n', '\n  ', '\n    ', '- ', '? ', ': ', '[a: 1]', '|\n  x\n', '"q\n r"', '# c'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), fc.integer({ min: 1, max: 24 }), (parts, max) => {
        const text = parts.join('');
        const counted = new LineCounter();
        const { tokens, tooDeep } = parseTokens(text, counted, max);
        const lineCounter = new LineCounter();
        const reference = [...new Parser(lineCounter.addNewLine).parse(text)];
        assert.equal(tooDeep, referenceTooDeepAt(reference, max), JSON.stringify(text));
        assert.deepEqual(counted.lineStarts, lineCounter.lineStarts);
        assert.equal(tokens.length, reference.length);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('tooDeepAt', () => {
  it('finds the first place too deep where the first algorithm found it', () => {
    const pieces = ['[', ']', '{', '}', ', ', 'a: ', 'a', '\n', '  ', '- ', '? ', ': ', '[a: 1]', '{a: [b: [c]]}'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), fc.integer({ min: 1, max: 5 }), (parts, max) => {
        const text = parts.join('');
        const tokens = [...new Parser().parse(text)];
        assert.equal(tooDeepAt(tokens, max), referenceTooDeepAt(tokens, max), JSON.stringify(text));
      }),
      { numRuns: 2000 },
    );
  });
});

/** Every instruction of a model, the branches and a map's `do` included. */
function allInstructions(list: readonly InstructionModel[]): InstructionModel[] {
  return list.flatMap((ins) => [ins, ...allInstructions(ins.fanout?.kind === 'parallel' ? ins.fanout.branches.map((b) => b.ins) : ins.fanout?.do ? [ins.fanout.do] : [])]);
}

function deref(node: unknown, anchors: Map<Node, Node>): unknown {
  return isAlias(node) ? anchors.get(node) : node;
}

/** The first value of a key in a YAML map (aliases followed), as the reader reads keys. */
function valueOf(node: unknown, key: string, anchors: Map<Node, Node>): unknown {
  const target = deref(node, anchors);
  if (!isMap(target)) return undefined;
  const pair = target.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
  return pair?.value ?? null;
}

describe('values the model takes from the plain document', () => {
  it('are the values read from the nodes, for tasks mutated at random', () => {
    const tokens = ['\n', '  ', ': ', '- ', '{', '}', '[', ']', ', ', '&a ', '*a', 'x', '1', '{{ data.x }}', 'body: ', 'retry: ', 'attempts: 2'];
    fc.assert(
      fc.property(mutatedText(VALID, tokens, { maxEdits: 4, maxRemove: 12, maxInsert: 4 }), (text) => {
        const { model, doc } = parseTaskDocument(text);
        const anchors = anchorTargets(doc);
        const root = doc.contents;
        // The data section: what plainValue reads from its node.
        const data = valueOf(root, 'data', anchors);
        if (isMap(data)) assert.deepEqual(model.data, plainValue(data, anchors));
        for (const state of model.states) {
          for (const ins of allInstructions(state.do)) {
            if (ins.kind && ins.args !== undefined) assert.ok(ins.args === null || typeof ins.args !== 'object' || Array.isArray(ins.args) || Object.getPrototypeOf(ins.args) === Object.prototype);
          }
        }
        const first = model.states[0];
        const stateNode = valueOf(valueOf(root, 'states', anchors), first?.name ?? '', anchors);
        const doNode = valueOf(stateNode, 'do', anchors);
        if (first && isSeq(doNode)) {
          for (const ins of first.do) {
            const item: unknown = doNode.items[ins.index];
            const argsNode: unknown = ins.kind ? valueOf(item, ins.kind, anchors) : undefined;
            if (argsNode !== undefined) assert.deepEqual(ins.args, argsNode === null ? null : plainValue(argsNode, anchors));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('give the states read as the plain value is built that a walk of their own after it gives, for tasks mutated at random', () => {
    // Anchors and aliases of whole states and of `states` itself: a mapping the walk reads more than
    // once (each alias of it), or leaves out, must still give each state once.
    const tokens = ['\n', '  ', ': ', '- ', '{', '}', '&a ', '*a', '&s ', '*s', 'states: ', 's1: ', 'x', '{{ data.x }}', 'next: s1'];
    fc.assert(
      fc.property(mutatedText(VALID, tokens, { maxEdits: 5, maxRemove: 30, maxInsert: 4 }), (text) => {
        const once = parseTaskDocument(text);
        const twice = parseTaskDocumentInTwoWalks(text);
        assert.deepEqual(once.model, twice.model);
        assert.deepEqual(once.diagnostics, twice.diagnostics);
      }),
      { numRuns: 400 },
    );
  });

  it('give each state once when `states` is an anchored mapping read again through aliases, or left out of the plain value', () => {
    const ten = (alias: string) => `[${Array(10).fill(alias).join(', ')}]`;
    const texts = {
      'aliased after': 'version: 1\nname: t\nstart: a\nstates: &s\n  a: { final: true }\n  b: { next: a }\nother: *s\n',
      'aliased before': 'defs: &s\n  a: { final: true }\n  b: { next: a }\nversion: 1\nname: t\nstart: a\nstates: *s\nagain: *s\n',
      'a state aliased': 'version: 1\nname: t\nstart: a\nstates:\n  a: &a { final: true }\n  b: *a\n',
      // The anchor is under a repeated key (not part of the plain value), and the aliases before
      // `states` use up what aliases may add: the plain value leaves the states out.
      'left out': [
        'l1: &l1 [x, x, x, x, x, x, x, x, x, x]',
        ...['l2', 'l3', 'l4', 'l5', 'l6'].map((l, i) => `${l}: &${l} ${ten(`*l${i + 1}`)}`),
        'x: 1',
        'x: &s',
        '  a: { final: true }',
        'big: *l6',
        'version: 1',
        'name: t',
        'start: a',
        'states: *s',
        '',
      ].join('\n'),
    };
    for (const [what, text] of Object.entries(texts)) {
      const once = parseTaskDocument(text);
      assert.deepEqual(
        once.model.states.map((s) => s.name),
        what === 'left out' ? ['a'] : ['a', 'b'],
        what,
      );
      assert.deepEqual(once.model, parseTaskDocumentInTwoWalks(text).model, what);
    }
  });

  it('keep keys such as constructor, toString and __proto__ as the file writes them', () => {
    const text = [
      'version: 1',
      'name: keys',
      'start: constructor',
      'states:',
      '  constructor:',
      '    do:',
      '      - set: { constructor: 1, toString: two, __proto__: { polluted: true } }',
      '    next: toString',
      '  toString:',
      '    final: true',
      '',
    ].join('\n');
    const { model, diagnostics } = lintText(text);
    assert.deepEqual(diagnostics, []);
    const args = model.states[0].do[0].args as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(args), Object.prototype);
    assert.deepEqual(Object.keys(args), ['constructor', 'toString', '__proto__']);
    assert.equal(args.constructor, 1);
    assert.deepEqual(Object.getOwnPropertyDescriptor(args, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual(
      model.states.map((s) => s.name),
      ['constructor', 'toString'],
    );
    assert.equal(parseTask(text).model.states[0].on[0].to, 'toString');
  });

  it('keep a `__proto__:` key of a state as a field, not as the prototype of its fields', () => {
    const text = ['version: 1', 'name: p', 'start: a', 'states:', '  a:', '    __proto__: { key: 1 }', '    final: true', ''].join('\n');
    const state = parseTask(text).model.states[0];
    assert.equal(Object.getPrototypeOf(state.fields), Object.prototype);
    assert.deepEqual(Object.keys(state.fields), ['__proto__', 'final']);
    assert.equal((state.fields as Record<string, unknown>).key, undefined);
  });
});
