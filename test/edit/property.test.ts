// Random sequences of edit operations on hand-written files: after each operation the text
// re-parses to the model a reference implementation (plain data) expects, and every state the
// operation did not touch is byte for byte what it was (comments, quoting, flow style, CRLF).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyEdits, editTask } from '../../engine/edit/index';
import { parseTask } from '../../engine/model/parse';
import { COMMENTED, CRLF } from './fixtures';
import { applyRef, comments, opFor, project, stateText, touched } from './reference';

describe('edit operations, property', () => {
  it('random sequences re-parse to the expected model and leave untouched states byte for byte', () => {
    const applied = new Map<string, number>();
    fc.assert(
      fc.property(fc.constantFrom(COMMENTED, CRLF), fc.array(fc.record({ kind: fc.nat(), a: fc.nat(), b: fc.nat(), c: fc.nat() }), { minLength: 1, maxLength: 14 }), (start, seeds) => {
        let text = start;
        let model = parseTask(text).model;
        let ref = project(model);
        const crlf = start.includes('\r\n');
        for (const seed of seeds) {
          const op = opFor(ref, text, seed);
          if (!op) continue;
          const r = editTask(text, op);
          assert.equal(r.error, undefined, `${JSON.stringify(op)} failed: ${r.error}\n${text}`);
          const next = applyEdits(text, r.edits);
          const parsed = parseTask(next);
          assert.deepEqual(parsed.diagnostics.filter((d) => d.code === 'yaml-syntax' || d.code === 'duplicate-key' || d.code === 'duplicate-state'), [], `${JSON.stringify(op)} broke the YAML:\n${next}`);
          const expected = applyRef(ref, op);
          const actual = project(parsed.model);
          assert.deepEqual(actual, expected, `${JSON.stringify(op)} gave another model:\n${next}`);
          // Untouched states keep their text; so do the lines above `states:` (but `start`).
          const keep = touched(ref, op);
          for (const s of ref.states) {
            if (keep.has(s.name) || !expected.states.some((x) => x.name === s.name)) continue;
            assert.equal(stateText(next, parsed.model, s.name), stateText(text, model, s.name), `${JSON.stringify(op)} changed state '${s.name}'`);
          }
          const head = (t: string) => t.slice(0, t.indexOf('states:')).replace(/^start:.*$/m, '');
          assert.equal(head(next), head(text), `${JSON.stringify(op)} changed the task's header`);
          if (crlf) assert.ok(!/[^\r]\n/.test(next), `${JSON.stringify(op)} wrote a bare LF into a CRLF file`);
          else assert.ok(!next.includes('\r'), `${JSON.stringify(op)} wrote CR into an LF file`);
          for (const comment of comments(text)) {
            if (op.type === 'deleteState' || op.type === 'deleteTransition' || op.type === 'removeInstruction' || op.type === 'setFinal' || op.type === 'setDescription' || op.type === 'setTimeout' || op.type === 'setTransitionCondition' || op.type === 'updateInstruction' || op.type === 'setInstructionKind' || op.type === 'addInstruction') continue;
            assert.ok(next.includes(comment), `${JSON.stringify(op)} lost the comment ${comment}:\n${text}\n---\n${next}`);
          }
          text = next;
          model = parsed.model;
          ref = expected;
          applied.set(op.type, (applied.get(op.type) ?? 0) + 1);
        }
      }),
      { numRuns: 400, includeErrorInReport: true },
    );
    // Every operation the reference knows was exercised, many times.
    const types = ['addState', 'deleteState', 'renameState', 'duplicateState', 'pasteStates', 'setStart', 'setFinal', 'setDescription', 'setTimeout', 'addTransition', 'deleteTransition', 'retargetTransition', 'reorderTransition', 'setTransitionCondition', 'addInstruction', 'removeInstruction', 'moveInstruction', 'updateInstruction'];
    for (const t of types) assert.ok((applied.get(t) ?? 0) >= 8, `${t} ran ${applied.get(t) ?? 0} times: ${JSON.stringify([...applied])}`);
  });
});
