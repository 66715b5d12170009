// The path of a run on the graph, read from its journal: visits, taken transitions, the failing
// state, and per state the data it found, its results and its timing.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { preview, runPath } from '../../engine/graph/runPath';
import { runToEnd, taskFrom, virtualEngine } from '../helpers/tasks';

const LOOP = `
  version: 1
  name: loop
  start: init
  states:
    init:
      do: [ { set: { n: 0 } } ]
      next: step
    step:
      do:
        - set: { n: "={{ data.n + 1 }}" }
        - sleep: 5s
      on:
        - to: step
          when: "data.n < 3"
        - to: boom
    boom:
      do:
        - log: "{{ $error('boom') }}"
      catch:
        - to: broken
    broken:
      do:
        - sleep: 1m
        - log: "{{ $error('again') }}"
      next: done
    done: { final: true }
`;

describe('runPath', () => {
  test('a finished run: visit counts, the transitions the journal names, the failing state, data, results and timing', async () => {
    const { engine } = virtualEngine();
    const { journal } = await runToEnd(engine, taskFrom(LOOP));
    const view = runPath(journal, { id: 'r1', where: 'local' });
    assert.equal(view.status, 'failed');
    assert.equal(view.active, false);
    assert.equal(view.current, undefined);
    assert.deepEqual(view.counts, { init: 1, step: 3, boom: 1, broken: 1 });
    assert.deepEqual(view.visited, ['init', 'step', 'boom', 'broken']);
    assert.deepEqual(view.taken, [
      { state: 'init', index: 0, list: 'on' },
      { state: 'step', index: 0, list: 'on' },
      { state: 'step', index: 1, list: 'on' },
      { state: 'boom', index: 0, list: 'catch' },
    ]);
    assert.deepEqual(view.failed, ['broken']);
    assert.deepEqual(view.run, { id: 'r1', where: 'local', task: 'loop' });
    const step = view.states!.step;
    // The last visit found n = 2 and made it 3; each visit slept 5 s.
    assert.deepEqual(step.input, { n: 2 });
    assert.deepEqual(step.results[0], { index: 0, kind: 'set', result: { n: 3 } });
    assert.equal(step.results[1].kind, 'sleep');
    assert.equal(step.durationMs, 5000);
    assert.equal(step.totalMs, 15000);
    assert.match(view.states!.boom.results[0].error ?? '', /boom/);
    assert.match(view.states!.broken.results[1].error ?? '', /again/);
    assert.equal(view.states!.broken.durationMs, 60000);
    assert.equal(view.states!.done, undefined);
  });

  test('a prefix of the journal is the live run: the state it is in is current, its visit counted so far', async () => {
    const { engine } = virtualEngine();
    const { journal } = await runToEnd(engine, taskFrom(LOOP));
    const secondStep = journal.filter((e) => e.type === 'state-entered' && e.state === 'step')[1];
    const cut = journal.findIndex((e) => e.seq === secondStep.seq) + 1;
    const view = runPath(journal.slice(0, cut + 3), { id: 'r1', where: 'server', task: 'loop' });
    assert.equal(view.active, true);
    assert.equal(view.current, 'step');
    assert.equal(view.status, undefined);
    assert.deepEqual(view.counts, { init: 1, step: 2 });
    assert.equal(view.states!.step.durationMs, undefined);
    assert.deepEqual(view.failed, []);
  });

  test('preview keeps small values and cuts large ones to a bounded string', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.integer({ min: 10, max: 200 }), (v, max) => {
        const p = preview(v, max);
        const json = JSON.stringify(v);
        // Compared as JSON, the form a journal holds (-0 is 0 there).
        if (json.length <= max) assert.equal(JSON.stringify(p), json);
        else {
          assert.equal(typeof p, 'string');
          assert.ok((p as string).startsWith(json.slice(0, max)));
          assert.ok((p as string).length < max + 30);
        }
      }),
    );
  });
});
