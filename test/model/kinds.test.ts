// The instruction kinds a task uses, which a worker compares with the kinds it has: a kind written
// only in a fan-out branch, a map's item instruction or a poll counts as much as one in a `do`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintText } from '../../engine/lint/index';
import { instructionKinds } from '../../engine/model/kinds';

test('every kind of the task, once each: do lists, parallel branches, map items, polls', () => {
  const { model } = lintText(`version: 1
name: k
start: a
states:
  a:
    do:
      - log: { message: hi }
      - parallel:
          one: { checksum: { text: a } }
          two: { log: { message: again } }
      - map:
          items: [1, 2]
          do: { archive: { path: x } }
    on:
      - to: done
        poll:
          every: 1s
          do: { probe: {} }
          until: "result = true"
  done: { final: true }
`);
  assert.deepEqual(instructionKinds(model), ['log', 'parallel', 'checksum', 'map', 'archive', 'probe']);
});
