// The fan-out edit operations: a parallel's branches added, removed and renamed, a map's items,
// concurrency and tolerate set, as minimal text edits; refused with a message when they cannot
// apply. A property test runs random sequences of them on parallels written in every style.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyEdits, editTask } from '../../engine/edit/index';
import type { EditOperation } from '../../engine/edit/types';
import { lintText } from '../../engine/lint/index';
import { parseTask } from '../../engine/model/parse';
import { expectEdit, expectError } from './fixtures';

const RELEASE = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'samples', 'release.task.yaml'), 'utf8');

const BLOCK = `version: 1
name: fan
start: build
states:
  build:
    do:
      - log: before
      - parallel:
          # the web image
          web:
            call: { task: ./web.task.yaml }
          api:
            exec: { command: make, args: [api] }
            timeout: 5m
        as: builds
    next: done
  each:
    do:
      map:
        items: "={{ input.regions }}"   # where to deploy
        do: { call: { task: ./region.task.yaml, input: { region: "={{ item }}" } } }
    next: done
  done: { final: true }
`;

function branchesOf(text: string, state: string, index: number): string[] {
  const ins = parseTask(text).model.states.find((s) => s.name === state)?.do[index];
  return ins?.fanout?.kind === 'parallel' ? ins.fanout.branches.map((b) => b.name) : [];
}

describe('addBranch', () => {
  it('adds a branch one a line when the branches are written so (the sample), untouched text byte for byte', () => {
    const r = expectEdit(RELEASE, { type: 'addBranch', state: 'build', index: 0, name: 'cli', instruction: { kind: 'call', args: { task: './build-image.task.yaml', input: { image: 'cli' } } } }, [['timeout: 10m }\n        as: builds', 'timeout: 10m }\n          cli: { call: { task: ./build-image.task.yaml, input: { image: cli } } }\n        as: builds']]);
    assert.equal(r.state, 'build');
    assert.deepEqual(branchesOf(r.text, 'build', 0), ['web', 'api', 'docs', 'cli']);
    assert.deepEqual(
      lintText(r.text).diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
  });
  it('adds a block branch after block branches, with a free name when none is given', () => {
    const r = expectEdit(BLOCK, { type: 'addBranch', state: 'build', index: 1, instruction: { kind: 'log', args: 'hi' } }, [['            timeout: 5m\n', '            timeout: 5m\n          branch:\n            log: hi\n']]);
    assert.deepEqual(branchesOf(r.text, 'build', 1), ['web', 'api', 'branch']);
    const again = editTask(r.text, { type: 'addBranch', state: 'build', index: 1, instruction: { kind: 'log', args: 'hi' } });
    assert.deepEqual(branchesOf(applyEdits(r.text, again.edits), 'build', 1), ['web', 'api', 'branch', 'branch-2']);
  });
  it('adds to a flow-style parallel in place', () => {
    const text = BLOCK.replace(/      - parallel:\n[\s\S]*?        as: builds\n/, '      - parallel: { a: { log: x }, b: { log: y } }\n        as: builds\n');
    expectEdit(text, { type: 'addBranch', state: 'build', index: 1, name: 'c', instruction: { kind: 'sleep', args: '1s' } }, [['{ a: { log: x }, b: { log: y } }', '{ a: { log: x }, b: { log: y }, c: { sleep: 1s } }']]);
  });
  it('refuses a taken name, a blank one, an `as`, a set or a nested fan-out, and an instruction that is no parallel', () => {
    expectError(BLOCK, { type: 'addBranch', state: 'build', index: 1, name: 'web', instruction: { kind: 'log', args: 'x' } }, /already a branch 'web'/);
    expectError(BLOCK, { type: 'addBranch', state: 'build', index: 1, name: ' x', instruction: { kind: 'log', args: 'x' } }, /not a usable branch name/);
    expectError(BLOCK, { type: 'addBranch', state: 'build', index: 1, name: 'x', instruction: { kind: 'log', args: 'x', as: 'r' } }, /takes no 'as'/);
    expectError(BLOCK, { type: 'addBranch', state: 'build', index: 1, name: 'x', instruction: { kind: 'set', args: { a: 1 } } }, /cannot hold a 'set'/);
    expectError(BLOCK, { type: 'addBranch', state: 'build', index: 0, name: 'x', instruction: { kind: 'log', args: 'x' } }, /is a 'log', not a 'parallel'/);
    expectError(BLOCK, { type: 'addBranch', state: 'build', index: 5, name: 'x', instruction: { kind: 'log', args: 'x' } }, /no instruction at position 6/);
    expectError(BLOCK, { type: 'addBranch', state: 'nope', index: 0, instruction: { kind: 'log', args: 'x' } }, /no state 'nope'/);
  });
});

describe('removeBranch and renameBranch', () => {
  it('removes a branch with its comment lines; the last branch stays', () => {
    const r = expectEdit(BLOCK, { type: 'removeBranch', state: 'build', index: 1, branch: 'web' }, [['          # the web image\n          web:\n            call: { task: ./web.task.yaml }\n', '']]);
    expectError(r.text, { type: 'removeBranch', state: 'build', index: 1, branch: 'api' }, /only branch/);
    expectError(BLOCK, { type: 'removeBranch', state: 'build', index: 1, branch: 'gone' }, /no branch 'gone'/);
  });
  it('removes a branch of the sample one a line', () => {
    expectEdit(RELEASE, { type: 'removeBranch', state: 'build', index: 0, branch: 'api' }, [['          api:  { call: { task: ./build-image.task.yaml, input: { image: api, tag: "={{ input.tag }}" } } }\n', '']]);
  });
  it('renames a branch: its key only', () => {
    expectEdit(RELEASE, { type: 'renameBranch', state: 'build', index: 0, branch: 'docs', newName: 'manual' }, [['          docs: { call', '          manual: { call']]);
    expectEdit(BLOCK, { type: 'renameBranch', state: 'build', index: 1, branch: 'api', newName: 'api v2' }, [['          api:\n', '          api v2:\n']]);
    expectError(BLOCK, { type: 'renameBranch', state: 'build', index: 1, branch: 'api', newName: 'web' }, /already a branch 'web'/);
    expectError(BLOCK, { type: 'renameBranch', state: 'build', index: 1, branch: 'api', newName: 'a\nb' }, /not a usable branch name/);
    assert.deepEqual(editTask(BLOCK, { type: 'renameBranch', state: 'build', index: 1, branch: 'api', newName: 'api' }).edits, []);
  });
});

describe('setMapOption', () => {
  it('sets concurrency and tolerate in the format order, changes items in their quoting, removes the limits', () => {
    const r1 = expectEdit(BLOCK, { type: 'setMapOption', state: 'each', index: 0, option: 'concurrency', value: 2 }, [['where to deploy\n', 'where to deploy\n        concurrency: 2\n']]);
    const r2 = expectEdit(r1.text, { type: 'setMapOption', state: 'each', index: 0, option: 'tolerate', value: 1 }, [['concurrency: 2\n', 'concurrency: 2\n        tolerate: 1\n']]);
    expectEdit(r2.text, { type: 'setMapOption', state: 'each', index: 0, option: 'concurrency', value: 8 }, [['concurrency: 2', 'concurrency: 8']]);
    expectEdit(r2.text, { type: 'setMapOption', state: 'each', index: 0, option: 'concurrency' }, [['        concurrency: 2\n', '']]);
    expectEdit(BLOCK, { type: 'setMapOption', state: 'each', index: 0, option: 'items', value: '={{ data.regions }}' }, [['"={{ input.regions }}"   # where', '"={{ data.regions }}"   # where']]);
    const list = expectEdit(BLOCK, { type: 'setMapOption', state: 'each', index: 0, option: 'items', value: ['eu', 'us'] }, [['"={{ input.regions }}"', '[ eu, us ]']]);
    assert.equal(parseTask(list.text).model.states[1].do[0].fanout?.kind, 'map');
  });
  it('edits the sample map: concurrency in place', () => {
    expectEdit(RELEASE, { type: 'setMapOption', state: 'deploy', index: 0, option: 'concurrency', value: 3 }, [['concurrency: 2', 'concurrency: 3']]);
  });
  it('refuses values the format refuses, removing items, and an instruction that is no map', () => {
    expectError(BLOCK, { type: 'setMapOption', state: 'each', index: 0, option: 'concurrency', value: 0 }, /'concurrency' is a whole number, 1 or more/);
    expectError(BLOCK, { type: 'setMapOption', state: 'each', index: 0, option: 'tolerate', value: 1.5 }, /Edit operation: 'setMapOption.value'/);
    expectError(BLOCK, { type: 'setMapOption', state: 'each', index: 0, option: 'concurrency', value: 'two' }, /'concurrency' is a whole number/);
    expectError(BLOCK, { type: 'setMapOption', state: 'each', index: 0, option: 'items' }, /needs its 'items'/);
    expectError(BLOCK, { type: 'setMapOption', state: 'each', index: 0, option: 'items', value: '  ' }, /expression that gives a list/);
    expectError(BLOCK, { type: 'setMapOption', state: 'build', index: 1, option: 'items', value: '={{ x }}' }, /is a 'parallel', not a 'map'/);
    expectError(BLOCK, { type: 'setMapOption', state: 'each', index: 0, option: 'do' as 'items', value: 'x' }, /must be one of 'items', 'concurrency', 'tolerate'/);
  });
});

// ------------------------------------------------------------------ property

/** A parallel written in one of the styles the format allows, between text that must stay as it is. */
const STYLES = ['line', 'block', 'flow'] as const;
type Style = (typeof STYLES)[number];

function parallelFile(style: Style, names: string[], crlf: boolean): string {
  const branch = (n: string, i: number) => (style === 'line' ? [`          ${n}: { log: "b${i}" }`] : [`          # about ${n}`, `          ${n}:`, `            log: "b${i}"`]);
  const body = style === 'flow' ? [`      - parallel: { ${names.map((n, i) => `${n}: { log: "b${i}" }`).join(', ')} }`] : ['      - parallel:', ...names.flatMap(branch)];
  const lines = ['# head comment', 'version: 1', 'name: p', 'start: go', 'states:', '  go:', '    do:', '      - log: first   # keep', ...body, '        as: out', '      - map:', '          items: "={{ input.list }}"', '          do: { log: "{{ item }}" }', '    next: done', '  done: { final: true }  # tail', ''];
  return lines.join(crlf ? '\r\n' : '\n');
}

const branchName = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/);

describe('fan-out operations, property', () => {
  it('random add/remove/rename/map options keep the text parsing, the branches as a list would, and the rest byte for byte', () => {
    const step = fc.record({ kind: fc.nat(4), a: fc.nat(), name: branchName, n: fc.integer({ min: -1, max: 5 }) });
    fc.assert(
      fc.property(fc.constantFrom(...STYLES), fc.uniqueArray(branchName, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.array(step, { minLength: 1, maxLength: 10 }), (style, names, crlf, steps) => {
        let text = parallelFile(style, names, crlf);
        let branches = [...names];
        const head = text.slice(0, text.indexOf('      - parallel'));
        const tail = (t: string) => t.slice(t.indexOf('    next: done'));
        const end = tail(text);
        for (const s of steps) {
          const pick = branches[s.a % branches.length];
          const ops: EditOperation[] = [
            { type: 'addBranch', state: 'go', index: 1, name: s.name, instruction: { kind: 'log', args: s.name } },
            { type: 'removeBranch', state: 'go', index: 1, branch: pick },
            { type: 'renameBranch', state: 'go', index: 1, branch: pick, newName: s.name },
            { type: 'setMapOption', state: 'go', index: 2, option: 'concurrency', value: s.n < 0 ? undefined : s.n },
            { type: 'setMapOption', state: 'go', index: 2, option: 'tolerate', value: s.n < 0 ? undefined : s.n },
          ];
          const op = ops[s.kind];
          const r = editTask(text, op);
          const label = `${JSON.stringify(op)} on:\n${text}`;
          // The reference: what a list of names does, and the format's limits.
          const taken = branches.includes(s.name) && !(op.type === 'renameBranch' && pick === s.name);
          const refused = (op.type === 'addBranch' && taken) || (op.type === 'renameBranch' && taken) || (op.type === 'removeBranch' && branches.length === 1) || (op.type === 'setMapOption' && op.value !== undefined && (op.value as number) < (op.option === 'concurrency' ? 1 : 0));
          if (refused) {
            assert.ok(r.error, `not refused: ${label}`);
            assert.deepEqual(r.edits, []);
            continue;
          }
          assert.equal(r.error, undefined, label);
          const next = applyEdits(text, r.edits);
          const parsed = parseTask(next);
          assert.deepEqual(
            parsed.diagnostics.filter((d) => d.code === 'yaml-syntax' || d.code === 'duplicate-key'),
            [],
            `${label}\n---\n${next}`,
          );
          if (op.type === 'addBranch') branches = [...branches, s.name];
          if (op.type === 'removeBranch') branches = branches.filter((b) => b !== pick);
          if (op.type === 'renameBranch') branches = branches.map((b) => (b === pick ? s.name : b));
          assert.deepEqual(branchesOf(next, 'go', 1), branches, `${label}\n---\n${next}`);
          const map = parsed.model.states[0].do[2].fanout;
          assert.ok(map?.kind === 'map' && map.items === '={{ input.list }}', `${label}\n---\n${next}`);
          if (op.type === 'setMapOption') assert.equal(map[op.option], op.value, `${label}\n---\n${next}`);
          assert.ok(next.startsWith(head), `the text before the parallel changed: ${label}\n---\n${next}`);
          assert.equal(tail(next), end, `the text after the map changed: ${label}\n---\n${next}`);
          if (crlf) assert.ok(!/[^\r]\n/.test(next), `a bare LF in a CRLF file: ${label}\n---\n${next}`);
          // The branches not named keep their text.
          for (const b of branches) if (b !== s.name && b !== pick && text.includes(`${b}: { log:`)) assert.ok(next.includes(`${b}: { log:`), `${b} rewritten: ${label}\n---\n${next}`);
          text = next;
        }
      }),
      { numRuns: 300, includeErrorInReport: true },
    );
  });
});
