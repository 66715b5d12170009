// Hand-written task files for the edit operations: comments everywhere, odd quoting, flow style,
// blank lines, CRLF line endings and 4-space indentation with unindented lists.
import * as assert from 'node:assert/strict';
import { applyEdits, editTask } from '../../engine/edit/index';
import type { EditOperation, EditResult } from '../../engine/edit/types';
import { parseTask } from '../../engine/model/parse';

export const COMMENTED = `# deploy.task.yaml: a hand-written file
version: 1
name: 'deploy'   # quoted name
description: "Roll out"
start: collect   # the entry
states:
  # first state: collects
  collect:
    description: Ask for the "actual" state   # trailing
    do:
      - http: { method: POST, url: "https://x/{{ input.env }}" }
        as: collect
        retry: { attempts: 3, delay: 1s }

      - log: 'collect accepted'   # a log
    timeout: 2m
    on:
      # the happy path
      - to: compare
        when: "data.collect.status = 200"
      - to: failed   # else
        after: 5m
    catch:
      - { to: failed, error: http }

  compare:
    on:
      - to: "deploy"
        when: data.x != input.v
      - to: done
  deploy: { next: done }   # flow style
  'live':
    next: done
  done: { final: true }
  failed:    { final: true, status: failed }
# trailing comment
`;

/** CRLF, 4-space indentation, lists at their key's column, no final line break. */
export const CRLF = [
  '# crlf file',
  'version: 1',
  'name: crlf',
  'start: a',
  'states:',
  '    a:',
  '        # a comment inside a',
  '        do:',
  '        - log: one',
  '        - log: "two"',
  '        next: b',
  '    b:',
  '        on:',
  '        -   to: c',
  '            when: x',
  '        -   to: a',
  '    c: {final: true}',
].join('\r\n');

/**
 * The text `op` gives, checked against `changes`: each [before, after] pair replaces the one place
 * `before` occurs in `text`; nothing else may differ. Also checks the result parses without errors.
 */
export function expectEdit(text: string, op: EditOperation, changes: Array<[string, string]>): EditResult & { text: string } {
  const r = editTask(text, op);
  assert.equal(r.error, undefined, `unexpected error: ${r.error}`);
  const out = applyEdits(text, r.edits);
  let expected = text;
  for (const [before, after] of changes) {
    const at = expected.indexOf(before);
    assert.ok(at >= 0, `fixture does not hold ${JSON.stringify(before)}`);
    assert.equal(expected.indexOf(before, at + 1), -1, `fixture holds ${JSON.stringify(before)} more than once`);
    expected = expected.slice(0, at) + after + expected.slice(at + before.length);
  }
  assert.equal(out, expected);
  const parsed = parseTask(out);
  const yamlErrors = parsed.diagnostics.filter((d) => d.code === 'yaml-syntax');
  assert.deepEqual(yamlErrors, [], `the result does not parse: ${out}`);
  return { ...r, text: out };
}

export function expectError(text: string, op: EditOperation, message: RegExp): void {
  const r = editTask(text, op);
  assert.deepEqual(r.edits, []);
  assert.match(r.error ?? '', message);
}
