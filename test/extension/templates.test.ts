// The "Empty task" template: the smallest task that lints clean and runs, one state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { lintText } from '../../engine/lint/index';
import { emptyTask, templateById } from '../../extension/templates/catalog';

describe('the empty task template', () => {
  it('is one state, the start and final, that lints clean whatever the file is called', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,20}$/), (base) => {
        const result = lintText(emptyTask(base));
        assert.deepEqual(result.diagnostics.map((d) => `${d.code}: ${d.message}`), []);
        const model = result.model!;
        assert.equal(model.states.length, 1);
        assert.equal(model.start, model.states[0].name);
        assert.equal(model.states[0].final, true);
      }),
    );
  });

  it('opens in the graph editor', () => {
    assert.equal(templateById('empty')?.opensGraph, true);
  });
});
