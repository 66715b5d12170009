// The status bar's words for a run: real time as real time, virtual time said to be virtual.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endedStatus, runningStatus } from '../../extension/core/runStatus';

describe('run status bar text', () => {
  it('a run on the real clock says how long it took, readably', () => {
    const s = endedStatus({ task: 'health', runId: 'r1', status: 'succeeded', clock: 'real', wallMs: 56_041, clockMs: 56_041 });
    assert.equal(s.text, '$(check) health succeeded in 56.0 s');
    assert.match(s.tooltip, /Click to show the output/);
  });

  it('a run on the virtual clock gives the real time it took and names the virtual time as such', () => {
    const s = endedStatus({ task: 'approval', runId: 'r2', status: 'succeeded', clock: 'virtual', wallMs: 230, clockMs: 86_400_000 });
    assert.equal(s.text, '$(check) approval succeeded in 230 ms (1 d 0 h of virtual time)');
  });

  it('a failed run says why in the tooltip', () => {
    const s = endedStatus({ task: 't', runId: 'r3', status: 'failed', clock: 'real', wallMs: 1500, clockMs: 1500, why: 'network: refused' });
    assert.equal(s.text, '$(error) t failed in 1.5 s');
    assert.match(s.tooltip, /network: refused/);
  });

  it('while running: real elapsed time, with the virtual clock named', () => {
    assert.equal(runningStatus({ task: 'h', state: 'poll', paused: false, clock: 'real', wallMs: 3200, others: 0 }), '$(sync~spin) h: poll 3.2 s');
    assert.equal(runningStatus({ task: 'h', state: undefined, paused: true, clock: 'virtual', wallMs: 900, others: 2 }), '$(debug-pause) h: starting 900 ms (virtual clock) (+2)');
  });
});
