// What the rules share instead of each looking things up from the document's root: the
// instructions with their plain values, the state nodes, node look-ups below a found node, and the
// calls found in a compiled expression. Each must say exactly what the root look-up says.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LintContext, lintText } from '../../engine/lint/index';
import { unknownCalls } from '../../engine/lint/expressions';
import { parseTaskDocument } from '../../engine/model/parse';
import type { LineCounter } from 'yaml';
import { generateTask } from '../../bench/generate';
import { VALID } from './helpers';

const SAMPLES = path.join(__dirname, '..', '..', '..', 'samples');

function context(text: string): LintContext {
  const p = parseTaskDocument(text);
  return new LintContext(p.text, p.doc, p.lineCounter as LineCounter, p.model);
}

const FANOUT = `version: 1
name: fan
start: a
states:
  a:
    do:
      - parallel:
          one: { http: { url: "https://x/{{ input.a }}" } }
          two: { sql: { query: "select 1", connection: "postgres://u:p@h/db" } }
      - map:
          items: [1, 2]
          do: { log: "{{ item }}" }
    on:
      - to: done
        poll: { every: 5s, do: { log: "{{ data.x }}" }, until: "result = 1" }
  b:
    do: { log: one }
    next: done
  done: { final: true }
`;

const TEXTS = [VALID, FANOUT, generateTask(5), ...fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.task.yaml')).map((f) => fs.readFileSync(path.join(SAMPLES, f), 'utf8'))];

describe('shared lint indexes', () => {
  it('give each instruction the plain value at its path, branches included', () => {
    for (const text of TEXTS) {
      const ctx = context(text);
      assert.ok(ctx.instructions().length > 0);
      for (const e of ctx.instructionsWithBranches()) assert.deepEqual(e.value, ctx.value(e.path), e.path.join('/'));
    }
  });

  it('find a state node and nodes below it as a look-up from the root does', () => {
    for (const text of TEXTS) {
      const ctx = context(text);
      for (const name of ctx.states.keys()) {
        assert.equal(ctx.stateNode(name)?.node, ctx.node(['states', name])?.node);
        assert.equal(ctx.stateNode(name)?.key, ctx.node(['states', name])?.key);
      }
      for (const { path: p } of ctx.instructionsWithBranches()) {
        for (let cut = 0; cut <= p.length; cut++) {
          assert.equal(ctx.plain.nodeFrom(ctx.node(p.slice(0, cut)), p.slice(cut))?.node, ctx.node(p)?.node, `${p.join('/')} cut at ${cut}`);
        }
      }
    }
  });

  it('find a key in a mapping of any size, the first of repeated keys', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'), { minLength: 1, maxLength: 14 }), fc.constantFrom('a', 'e', 'j'), (keys, wanted) => {
        const text = `version: 1\nname: t\nstart: s\nstates:\n  s:\n    final: true\ndata:\n${keys.map((k, i) => `  ${k}: ${i}`).join('\n')}\n`;
        const ctx = context(text);
        const first = keys.indexOf(wanted);
        const found = ctx.node(['data', wanted]);
        if (first < 0) assert.equal(found, undefined);
        else assert.equal(String((found?.node as { value?: unknown }).value), String(first));
      }),
    );
  });

  it('report each repeated key once, in order, in short and long mappings', () => {
    for (const size of [3, 12]) {
      const keys = Array.from({ length: size }, (_, i) => `k${i}`);
      const written = [...keys, 'k1', 'k0', 'k1'];
      const text = `version: 1\nname: t\nstart: s\nstates:\n  s:\n    final: true\ndata:\n${written.map((k) => `  ${k}: 1`).join('\n')}\n`;
      const found = lintText(text).diagnostics.filter((d) => d.code === 'duplicate-key');
      assert.deepEqual(
        found.map((d) => [d.message, d.range.start.line]),
        [
          ["Duplicate key 'k1': only one may be given (the later one is ignored).", 7 + size],
          ["Duplicate key 'k0': only one may be given (the later one is ignored).", 8 + size],
          ["Duplicate key 'k1': only one may be given (the later one is ignored).", 9 + size],
        ],
      );
    }
  });

  it('find unknown calls in an expression the same way every time it is asked', () => {
    const source = '$lenght(data.x) + $f(1) + ($g := function($v) { $v }; $g(2))';
    const first = unknownCalls(source);
    assert.deepEqual(first, [
      { name: 'lenght', index: 0 },
      { name: 'f', index: 18 },
    ]);
    assert.deepEqual(unknownCalls(source), first);
    assert.throws(() => (first as Array<unknown>).push({ name: 'x', index: 0 }), TypeError);
  });
});
