// Inspecting a stopped run over a real DAP transport: threads, scopes and nested variables,
// secrets masked, set value (journaled, and it changes the path taken), evaluate for the console,
// watch and hover, output events, the custom `stepwise/state` event.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, sample, suite, tempDir } from './helpers';

const deploy = sample('deploy.task.yaml');
const deployRun = { program: deploy, mocks: sample('deploy.mocks.yaml'), clock: 'virtual' };
const hello = sample('hello.task.yaml');

suite('inspecting', (test) => {
  test('scopes Data, Input, Result, Event, Run, Secrets with nested variables', async (dap) => {
    await dap.launch({ ...deployRun, secrets: { TOKEN: 'hunter2-very-secret' } }, { breakpoints: { [deploy]: [lineOf(deploy, 'compare:')] } });
    await dap.stopped();
    const threads = (await dap.dc.threadsRequest()).body.threads;
    assert.deepEqual(threads.map((t) => t.id), [1]);
    assert.match(threads[0].name, /^deploy \(run /);
    const frame = (await dap.top()).id;
    const scopes = (await dap.dc.scopesRequest({ frameId: frame })).body.scopes;
    assert.deepEqual(scopes.map((s) => s.name), ['Data', 'Input', 'Result', 'Event', 'Run', 'Secrets']);
    const input = await dap.scope('Input');
    assert.deepEqual(input, { app: '"shop"', env: '"staging"', version: '"1.5.0"' });
    const phase = await dap.variable('Data', ['actual', 'body', 'phase']);
    assert.equal(phase.value, '"Collected"');
    assert.equal(phase.evaluateName, 'data.actual.body.phase');
    const body = await dap.variable('Result', ['body']);
    assert.ok(body.variablesReference > 0);
    assert.equal(body.evaluateName, 'result.body');
    assert.deepEqual(await dap.scope('Secrets'), { TOKEN: '••••••' });
    assert.equal((await dap.evaluate('secrets.TOKEN')).result, '"••••••"');
    assert.equal((await dap.scope('Event')).event, 'null');
    const run = await dap.scope('Run');
    assert.equal(run.task, '"deploy"');
    assert.equal(run.clock, '"virtual"');
  });

  test('set value edits data while stopped, is journaled, and changes the path taken', async (dap) => {
    await dap.launch(deployRun, { breakpoints: { [deploy]: [lineOf(deploy, 'compare:')] } });
    await dap.stopped();
    const body = await dap.variable('Data', ['actual', 'body']);
    const set = await dap.dc.setVariableRequest({ variablesReference: body.variablesReference, name: 'version', value: '"1.5.0"' });
    assert.equal(set.body.value, '"1.5.0"');
    assert.equal((await dap.evaluate('data.actual.body.version')).result, '"1.5.0"');
    // Input is what the run was given: it cannot be edited.
    const scopes = (await dap.dc.scopesRequest({ frameId: (await dap.top()).id })).body.scopes;
    const inputRef = scopes.find((s) => s.name === 'Input')!.variablesReference;
    await assert.rejects(dap.dc.setVariableRequest({ variablesReference: inputRef, name: 'env', value: '"prod"' }), /Only data can be changed/);
    // A value that is neither JSON nor an expression is refused with a hint.
    const dataRef = scopes.find((s) => s.name === 'Data')!.variablesReference;
    await assert.rejects(dap.dc.setVariableRequest({ variablesReference: dataRef, name: 'x', value: 'not json )' }), /neither JSON nor a valid expression/);
    // An expression works: data.deployed := true.
    await dap.dc.setVariableRequest({ variablesReference: dataRef, name: 'note', value: '"running " & data.actual.body.version' });
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 0);
    const journal = await dap.journal();
    const entered = journal.filter((e) => e.type === 'state-entered').map((e) => e.state);
    assert.deepEqual(entered, ['collect', 'wait-collected', 'compare', 'done'], 'the same version: no pull request');
    const sets = journal.filter((e) => e.type === 'data-set');
    assert.deepEqual(sets.map((e) => [e.path, e.value]), [
      [['actual', 'body', 'version'], '1.5.0'],
      [['note'], 'running 1.5.0'],
    ]);
  });

  test('evaluate: JSONata in the console, for watches and hovers; errors come back as errors', async (dap) => {
    await dap.launch(deployRun, { breakpoints: { [deploy]: [lineOf(deploy, 'validate:')] } });
    await dap.stopped();
    assert.equal((await dap.evaluate('data.collect.body.id')).result, '"c-42"');
    const watch = await dap.evaluate('$count($keys(data))', 'watch');
    assert.equal(watch.result, '4');
    const obj = await dap.evaluate('data.pr.body', 'repl');
    assert.ok(obj.variablesReference > 0);
    const kids = await dap.children(obj.variablesReference);
    assert.equal(kids.number, '128');
    // Hovering a name in the YAML (an `as` name) shows the data it names.
    const hover = await dap.evaluate('pr', 'hover');
    assert.match(hover.result, /status: 201/);
    await assert.rejects(dap.evaluate('data.(', 'repl'), /does not compile/);
    await assert.rejects(dap.evaluate('nothing.here', 'hover'), /No value/);
  });

  test('log and exec output come as output events pointing at their instruction', async (dap) => {
    const exec = sample('exec.task.yaml');
    await dap.launch({ program: exec });
    await dap.next('terminated');
    const out = dap.log.filter((e) => e.event === 'output' && e.body.category === 'stdout');
    const fromExec = out.find((e) => String(e.body.output).includes('{"ok":true}'));
    assert.ok(fromExec, dap.outputText());
    assert.equal(fromExec!.body.source.path, exec);
    assert.equal(fromExec!.body.line, lineOf(exec, '- exec:'));
    const fromLog = out.find((e) => String(e.body.output).startsWith('node printed'));
    assert.ok(fromLog);
    assert.equal(fromLog!.body.line, lineOf(exec, '- log:'));
  });

  test('the custom stepwise/state event carries the current state and the history', async (dap) => {
    await dap.launch(deployRun, { breakpoints: { [deploy]: [lineOf(deploy, 'open-pr:')] } });
    await dap.stopped();
    // Events carry the history entries added since the previous event: appended, they give it all.
    const history = (): string[] => {
      const h: string[] = [];
      for (const e of dap.log.filter((x) => x.event === 'stepwise/state')) {
        assert.equal(e.body.historyStart, h.length);
        h.push(...e.body.history.map((x: { state: string }) => x.state));
      }
      return h;
    };
    const last = dap.log.filter((e) => e.event === 'stepwise/state').at(-1)!.body;
    assert.equal(last.state, 'open-pr');
    assert.equal(last.stopped, true);
    assert.equal(last.at, 'state');
    assert.deepEqual(history(), ['collect', 'wait-collected', 'compare']);
    const asked = (await dap.dc.customRequest('position')).body;
    assert.equal(asked.state, 'open-pr');
    assert.equal(asked.historyStart, 0);
    assert.deepEqual(asked.history.map((x: { state: string }) => x.state), ['collect', 'wait-collected', 'compare']);
    await dap.dc.continueRequest({ threadId: 1 });
    await dap.next('terminated');
    const end = dap.log.filter((e) => e.event === 'stepwise/state').at(-1)!.body;
    assert.equal(end.status, 'succeeded');
    assert.deepEqual(history(), ['collect', 'wait-collected', 'compare', 'open-pr', 'wait-merge', 'rollout', 'validate', 'done']);
  });

  test('a store folder keeps the journal of the debug run', async (dap) => {
    const dir = tempDir();
    try {
      await dap.launch({ program: hello, clock: 'virtual', store: dir });
      await dap.next('terminated');
      await dap.close();
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
      assert.equal(files.length, 1);
      const events = fs.readFileSync(path.join(dir, files[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(events.at(-1).type, 'run-ended');
      assert.equal(events.at(-1).status, 'succeeded');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
