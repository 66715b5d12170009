// Replay debugging over a real DAP transport: a recorded run is opened with `"replay": RUN_ID`,
// stops on entry, and stepping both ways and breakpoints move through its recorded steps without
// running anything (a side-effect file stays as it was); Continue Live forks a real run from there.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { createEngine } from '../../engine/runtime/engine';
import { loadTaskFile } from '../../engine/runtime/load';
import { fileStore } from '../../engine/store/file';
import { lineOf, suite, tempDir, type Dap } from './helpers';

const NODE = process.execPath.replace(/\\/g, '/');

/** Records a run (prep and work append to side.txt; work waits for `go` first) in a file store. */
async function recorded(): Promise<{ dir: string; store: string; file: string; runId: string; side: string }> {
  const dir = tempDir('stepwise-replay-');
  const side = path.join(dir, 'side.txt');
  const file = path.join(dir, 'replayed.task.yaml');
  const append = (what: string) => `{ exec: { command: "${NODE}", args: [ "-e", "require('fs').appendFileSync(process.argv[1], '${what}\\\\n'); console.log(JSON.stringify({ n: 7 }))", "${side}" ] }, as: ${what} }`;
  fs.writeFileSync(
    file,
    [
      'version: 1',
      'name: replayed',
      'start: prep',
      'states:',
      '  prep:',
      `    do: [ ${append('prep')} ]`,
      '    next: wait',
      '  wait:',
      '    on: [ { to: work, event: go } ]',
      '  work:',
      '    do:',
      '      - set: { by: "={{ event.data.by }}" }',
      `      - ${append('work')}`,
      '    next: done',
      '  done: { final: true }',
      '',
    ].join('\n'),
  );
  const store = path.join(dir, 'runs');
  const engine = createEngine({ store: fileStore(store) });
  const run = engine.start(loadTaskFile(file));
  while (run.state.state !== 'wait') await new Promise((r) => setTimeout(r, 10));
  await run.send('go', { by: 'ann' });
  assert.equal((await run.done).status, 'succeeded');
  await engine.store.close();
  assert.equal(fs.readFileSync(side, 'utf8'), 'prep\nwork\n');
  return { dir, store, file, runId: run.id, side };
}

async function step(dap: Dap, request: 'stepIn' | 'stepBack' | 'next' | 'reverseContinue' | 'continue'): Promise<DebugProtocol.StackFrame> {
  if (request === 'stepIn') await dap.dc.stepInRequest({ threadId: 1 });
  else if (request === 'stepBack') await dap.dc.stepBackRequest({ threadId: 1 });
  else if (request === 'next') await dap.dc.nextRequest({ threadId: 1 });
  else if (request === 'reverseContinue') await dap.dc.reverseContinueRequest({ threadId: 1 });
  else await dap.dc.continueRequest({ threadId: 1 });
  await dap.stopped();
  return dap.top();
}

suite('replay debugging', (test) => {
  test('a replay stops on entry, steps both ways and stops at breakpoints with the recorded data, running nothing', async (dap) => {
    const r = await recorded();
    await dap.launch({ replay: r.runId, store: r.store, cwd: r.dir }, { breakpoints: { [r.file]: [lineOf(r.file, 'work:')] } });
    assert.equal((await dap.stopped()).body.reason, 'entry');
    assert.equal((await dap.top()).name, 'prep (entering)');
    assert.equal((await step(dap, 'continue')).name, 'work (entering)', 'the breakpoint on work');
    assert.equal((await dap.scope('Data')).prep, '{exitCode: 0, stdout: "{\\"n\\":7}\\n", stderr: ""}');
    await step(dap, 'stepIn');
    await step(dap, 'stepIn');
    assert.equal((await dap.scope('Data')).by, '"ann"', 'the recorded event is given again');
    const back = await step(dap, 'stepBack');
    assert.equal(back.line, lineOf(r.file, '- set:'));
    assert.equal((await step(dap, 'reverseContinue')).name, 'work (entering)');
    assert.equal((await dap.top()).line, lineOf(r.file, 'work:'));
    await step(dap, 'reverseContinue');
    assert.equal((await dap.top()).name, 'prep (entering)');
    await dap.dc.setBreakpointsRequest({ source: { path: r.file }, breakpoints: [] });
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 0);
    assert.equal(fs.readFileSync(r.side, 'utf8'), 'prep\nwork\n', 'nothing was run again');
    assert.deepEqual(await fileStore(r.store).list(), [r.runId], 'a replay writes nothing to the store');
    const refused = await dap.dc.customRequest('sendEvent', { name: 'go' }).catch((e: Error) => e);
    assert.match(String((refused as Error).message), /replay of run .* does not take events/);
  });

  test('Continue Live forks a real run from the step the replay stands at', async (dap) => {
    const r = await recorded();
    await dap.launch({ replay: r.runId, store: r.store, cwd: r.dir }, { breakpoints: { [r.file]: [lineOf(r.file, 'work:')] } });
    await dap.stopped();
    assert.equal((await step(dap, 'continue')).name, 'work (entering)');
    const live = (await dap.dc.customRequest('continueLive')).body as { runId: string };
    const stop = await dap.stopped();
    assert.match(stop.body.description ?? '', new RegExp(`Continuing live as run ${live.runId}`));
    assert.equal((await dap.top()).name, 'work (entering)');
    await dap.dc.setBreakpointsRequest({ source: { path: r.file }, breakpoints: [] });
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 0);
    assert.equal(fs.readFileSync(r.side, 'utf8'), 'prep\nwork\nwork\n', 'work ran for real, prep did not');
    const journal = await fileStore(r.store).read(live.runId);
    const forked = journal.find((e) => e.type === 'run-forked');
    assert.equal(forked?.type === 'run-forked' && forked.from, r.runId);
    assert.equal(journal[journal.length - 1].type === 'run-ended' && journal[journal.length - 1].type, 'run-ended');
    assert.ok(journal.some((e) => e.type === 'instruction-finished' && e.as === 'work' && !e.replayed));
  });
});
