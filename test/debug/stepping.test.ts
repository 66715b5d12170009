// Stepping over a real DAP transport: stop on entry, step in / next / step out (into and out of a
// called task), continue, pause, restart, terminate, step back and reverse continue.
import assert from 'node:assert/strict';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { lineOf, sample, suite } from './helpers';

const hello = sample('hello.task.yaml');
const call = sample('call.task.yaml');
const child = sample('child.task.yaml');
const deploy = sample('deploy.task.yaml');
const deployRun = { program: deploy, mocks: sample('deploy.mocks.yaml'), clock: 'virtual' };

type Exited = DebugProtocol.ExitedEvent;

suite('stepping', (test) => {
  test('stopOnEntry stops before the first state; step in walks instructions and the transition; next goes to the next state', async (dap) => {
    await dap.launch({ program: hello, stopOnEntry: true, clock: 'virtual' });
    const entry = await dap.stopped();
    assert.equal(entry.body.reason, 'entry');
    assert.equal((await dap.top()).line, lineOf(hello, 'greet:'));
    const walk: Array<[string, number]> = [];
    for (let i = 0; i < 3; i++) {
      await dap.dc.stepInRequest({ threadId: 1 });
      const s = await dap.stopped();
      assert.equal(s.body.reason, 'step');
      const top = await dap.top();
      walk.push([top.name, top.line]);
    }
    assert.deepEqual(walk, [
      ['greet › log #0', lineOf(hello, '- log:')],
      ['greet › set #1', lineOf(hello, '- set:')],
      ['greet → done (else)', lineOf(hello, 'next: done')],
    ]);
    await dap.dc.nextRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.top()).line, lineOf(hello, 'done:'));
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<Exited>('exited')).body.exitCode, 0);
    await dap.next('terminated');
  });

  test('next steps over a whole state, polls and all', async (dap) => {
    await dap.launch(deployRun, { breakpoints: { [deploy]: [lineOf(deploy, 'wait-collected:')] } });
    await dap.stopped();
    await dap.dc.nextRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.top()).line, lineOf(deploy, 'compare:'));
    assert.equal((await dap.evaluate('data.actual.body.phase')).result, '"Collected"');
  });

  test('step out finishes the state: it stops on the transition that leaves it', async (dap) => {
    await dap.launch({ program: hello, clock: 'virtual' }, { breakpoints: { [hello]: [lineOf(hello, '- log:')] } });
    await dap.stopped();
    await dap.dc.stepOutRequest({ threadId: 1 });
    await dap.stopped();
    const top = await dap.top();
    assert.equal(top.line, lineOf(hello, 'next: done'));
    assert.equal((await dap.scope('Data')).greetings, '1');
  });

  test('step in enters a called task (its frames above the call); step out returns to the caller', async (dap) => {
    await dap.launch({ program: call }, { breakpoints: { [call]: [lineOf(call, '- call:')] } });
    await dap.stopped();
    await dap.dc.stepInRequest({ threadId: 1 });
    await dap.stopped();
    let frames = await dap.frames();
    assert.deepEqual(
      frames.map((f) => [f.source?.path, f.line]),
      [
        [child, lineOf(child, 'work:')],
        [call, lineOf(call, '- call:')],
        [call, lineOf(call, 'delegate:')],
      ],
    );
    assert.equal((await dap.scope('Input', frames[0].id)).count, '3');
    const threads = await dap.dc.threadsRequest();
    assert.equal(threads.body.threads.length, 1, 'a called task runs on its caller\'s thread');
    await dap.dc.stepOutRequest({ threadId: 1 });
    await dap.stopped();
    frames = await dap.frames();
    assert.deepEqual(frames.map((f) => [f.source?.path, f.line]), [
      [call, lineOf(call, '- log:')],
      [call, lineOf(call, 'delegate:')],
    ]);
    assert.match((await dap.scope('Data')).child, /status: "succeeded"/);
  });

  test('next over a call does not stop in the called task', async (dap) => {
    await dap.launch({ program: call }, { breakpoints: { [call]: [lineOf(call, '- call:')] } });
    await dap.stopped();
    await dap.dc.nextRequest({ threadId: 1 });
    await dap.stopped();
    const frames = await dap.frames();
    assert.equal(frames[0].source?.path, call);
    assert.equal(frames[0].line, lineOf(call, 'done:'));
  });

  test('pause stops a waiting run and shows what it waits for; continue goes on', async (dap) => {
    const approval = sample('approval.task.yaml');
    await dap.launch({ program: approval, clock: 'real' });
    await dap.waitOutput('● wait');
    await dap.dc.pauseRequest({ threadId: 1 });
    const stop = await dap.stopped();
    assert.equal(stop.body.reason, 'pause');
    assert.match(stop.body.description ?? '', /Paused while waiting: event 'approved'|after 24h/);
    const top = await dap.top();
    assert.match(top.name, /waiting: after 24h → expired/);
    assert.equal(top.line, lineOf(approval, '- to: expired'));
    const run = await dap.scope('Run');
    assert.equal(run.status, '"paused"');
    await dap.dc.continueRequest({ threadId: 1 });
    await dap.dc.customRequest('sendEvent', { name: 'approved', data: { by: 'dana' } });
    await dap.next('terminated');
    assert.match(dap.outputText('stdout'), /approved by dana/);
  });

  test('restart runs the task again from the start, as a new run', async (dap) => {
    await dap.launch({ program: hello, stopOnEntry: true, clock: 'virtual' });
    await dap.stopped();
    const before = (await dap.dc.threadsRequest()).body.threads[0].name;
    await dap.dc.stepInRequest({ threadId: 1 });
    await dap.stopped();
    await dap.dc.restartRequest({});
    const s = await dap.stopped();
    assert.equal(s.body.reason, 'entry');
    const after = (await dap.dc.threadsRequest()).body.threads[0].name;
    assert.notEqual(after, before);
    assert.equal((await dap.top()).line, lineOf(hello, 'greet:'));
    assert.equal((await dap.scope('Data')).greetings, '0');
  });

  test('terminate cancels the run, journaled as cancelled', async (dap) => {
    await dap.launch({ program: hello, stopOnEntry: true, clock: 'virtual' });
    await dap.stopped();
    await dap.dc.terminateRequest({});
    assert.equal((await dap.next<Exited>('exited')).body.exitCode, 1);
    await dap.next('terminated');
    const journal = await dap.journal();
    const end = journal.at(-1)!;
    assert.equal(end.type, 'run-ended');
    assert.equal(end.status, 'cancelled');
  });

  test('step back restores the data of the earlier step; stepping forward again redoes the step', async (dap) => {
    await dap.launch({ program: hello, clock: 'virtual' }, { breakpoints: { [hello]: [lineOf(hello, '- set:')] } });
    await dap.stopped();
    assert.equal((await dap.scope('Data')).greetings, '0');
    await dap.dc.stepInRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.scope('Data')).greetings, '1');
    await dap.dc.stepBackRequest({ threadId: 1 });
    const back = await dap.stopped();
    assert.equal(back.body.reason, 'step');
    assert.equal((await dap.top()).line, lineOf(hello, '- set:'));
    const data = await dap.scope('Data');
    assert.equal(data.greetings, '0');
    assert.equal(data.greeting, undefined);
    await dap.dc.stepInRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.scope('Data')).greetings, '1');
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<Exited>('exited')).body.exitCode, 0);
    // The rewound run is a fork: its journal starts with the first run's prefix.
    const journal = await dap.journal();
    assert.ok(journal.some((e) => e.type === 'run-forked'));
    assert.equal(journal.filter((e) => e.type === 'instruction-finished' && e.kind === 'set').length, 1);
  });

  test('reverse continue goes back to the latest earlier breakpoint, with the state of then', async (dap) => {
    const compare = lineOf(deploy, 'compare:');
    const validate = lineOf(deploy, 'validate:');
    await dap.launch(deployRun, { breakpoints: { [deploy]: [compare, validate] } });
    await dap.stopped();
    await dap.dc.continueRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.top()).line, validate);
    assert.ok((await dap.scope('Data')).pr, 'the pull request was opened before validate');
    await dap.dc.reverseContinueRequest({ threadId: 1 });
    const back = await dap.stopped();
    assert.equal(back.body.reason, 'breakpoint');
    assert.equal((await dap.top()).line, compare);
    const data = await dap.scope('Data');
    assert.equal(data.pr, undefined);
    assert.equal((await dap.evaluate('data.actual.body.phase')).result, '"Collected"');
    // Forward again: the mocked results come out the same and the run succeeds.
    await dap.dc.continueRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.top()).line, validate);
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<Exited>('exited')).body.exitCode, 0);
  });

  test('step back from inside a called task goes back to the caller\'s call instruction', async (dap) => {
    await dap.launch({ program: call }, { breakpoints: { [child]: [lineOf(child, '- log:')] } });
    await dap.stopped();
    assert.equal((await dap.top()).source?.path, child);
    await dap.dc.stepBackRequest({ threadId: 1 });
    await dap.stopped();
    const frames = await dap.frames();
    assert.deepEqual(frames.map((f) => [f.source?.path, f.line]), [
      [call, lineOf(call, '- call:')],
      [call, lineOf(call, 'delegate:')],
    ]);
    assert.equal((await dap.scope('Data')).child, undefined);
    // Stepping in again runs the called task again, and stops in it.
    await dap.dc.stepInRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.top()).line, lineOf(child, 'work:'));
    await dap.dc.continueRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.top()).line, lineOf(child, '- log:'));
  });

  test('reverse continue with no breakpoint behind goes back to the start', async (dap) => {
    await dap.launch({ program: hello, clock: 'virtual' }, { breakpoints: { [hello]: [lineOf(hello, 'next: done')] } });
    await dap.stopped();
    await dap.dc.setBreakpointsRequest({ source: { path: hello }, breakpoints: [] });
    await dap.dc.reverseContinueRequest({ threadId: 1 });
    const s = await dap.stopped();
    assert.equal(s.body.reason, 'entry');
    assert.equal((await dap.top()).line, lineOf(hello, 'greet:'));
    assert.equal((await dap.scope('Data')).greetings, '0');
    // At the first step there is nothing before.
    await assert.rejects(dap.dc.stepBackRequest({ threadId: 1 }), /first step/);
  });
});

suite('step back and results', (test) => {
  const counterTask = (dir: string, counter: string) => {
    const file = require('node:path').join(dir, 'counter.task.yaml') as string;
    require('node:fs').writeFileSync(
      file,
      [
        'version: 1',
        'name: counter',
        'start: work',
        'states:',
        '  work:',
        '    do:',
        '      - exec:',
        '          command: node',
        `          args: ["-e", "require('fs').appendFileSync(process.argv[1], 'x')", ${JSON.stringify(counter)}]`,
        '        as: out',
        '      - log: "counted"',
        '    next: done',
        '  done:',
        '    final: true',
        '',
      ].join('\n'),
    );
    return file;
  };

  for (const reuse of [true, false]) {
    test(`stepping forward after a step back ${reuse ? 'reuses the recorded exec result' : 'runs the command again with reuseResults: false'}`, async (dap) => {
      const fs = require('node:fs') as typeof import('node:fs');
      const path = require('node:path') as typeof import('node:path');
      const { tempDir } = require('./helpers') as typeof import('./helpers');
      const dir = tempDir();
      try {
        const counter = path.join(dir, 'count.txt');
        const task = counterTask(dir, counter);
        await dap.launch({ program: task, reuseResults: reuse }, { breakpoints: { [task]: [lineOf(task, '- log:')] } });
        await dap.stopped();
        assert.equal(fs.readFileSync(counter, 'utf8'), 'x');
        await dap.dc.stepBackRequest({ threadId: 1 });
        await dap.stopped();
        assert.equal((await dap.top()).line, lineOf(task, '- exec:'));
        assert.equal((await dap.scope('Data')).out, undefined);
        await dap.dc.stepInRequest({ threadId: 1 });
        await dap.stopped();
        assert.equal((await dap.top()).line, lineOf(task, '- log:'));
        assert.match((await dap.scope('Data')).out, /exitCode: 0/);
        assert.equal(fs.readFileSync(counter, 'utf8'), reuse ? 'x' : 'xx');
        const journal = await dap.journal();
        const finished = journal.find((e) => e.type === 'instruction-finished' && e.kind === 'exec')!;
        assert.equal(finished.replayed, reuse ? true : undefined);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
