// Running tasks from VS Code: the engine in the extension host, the file store in the workspace,
// the Output channel, the Runs view and its actions.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../extension/runs';
import type { RunNode } from '../../extension/runsView';
import { api, closeAll, open, waitFor, workspaceDir, workspaceFile, writeFile } from './helpers';

const WAITER = `version: 1
name: waiter
start: wait
states:
  wait:
    on:
      - to: done
        event: approved
        when: "event.data.by != null"
      - to: failed
        after: 1h
  done:
    final: true
  failed:
    final: true
    status: failed
`;

const INPUTS = `version: 1
name: greeter
input:
  who:
    type: string
    required: true
    description: Who to greet
start: greet
states:
  greet:
    do:
      - set:
          greeted: "={{ input.who }}"
    next: done
  done:
    final: true
`;

function journal(runId: string): Array<Record<string, unknown>> {
  const file = path.join(workspaceDir(), '.stepwise', 'runs', `${runId}.jsonl`);
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** The Output channel's text as the Output panel holds it (the channel's own document). */
async function outputText(mustContain: string): Promise<string> {
  await vscode.commands.executeCommand('stepwise.showOutput');
  return waitFor(`the Stepwise output channel to show '${mustContain}'`, () => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes(mustContain));
    return doc?.getText();
  });
}

async function node(runId: string, status?: string): Promise<RunNode> {
  const view = (await api()).runsView;
  return waitFor(`run ${runId} in the Runs view${status ? ` as ${status}` : ''}`, async () => (await view.getChildren()).find((n) => n.runId === runId && (!status || n.status === status)));
}

async function newestRun(task: string, status: string, state?: string): Promise<RunNode> {
  const view = (await api()).runsView;
  return waitFor(`a ${status} run of ${task} in the Runs view`, async () =>
    (await view.getChildren()).find((n) => n.state.task === task && n.status === status && (!state || n.state.state === state)),
  );
}

describe('run', () => {
  before(async () => {
    await api();
  });
  after(async () => {
    await closeAll();
  });

  let helloRun: string;

  it('Run Task runs hello.task.yaml to succeeded, journaled in .stepwise/runs/', async () => {
    const outcome = await vscode.commands.executeCommand<RunOutcome>('stepwise.runTask', workspaceFile('hello.task.yaml'));
    assert.equal(outcome?.status, 'succeeded');
    helloRun = outcome.runId;
    const events = journal(helloRun);
    assert.deepEqual(events.filter((e) => e.type === 'state-entered').map((e) => e.state), ['greet', 'done']);
    assert.equal(events.at(-1)?.type, 'run-ended');
  });

  it('streams the run to the Stepwise output channel: its states and its end', async () => {
    const text = await outputText(`run ${helloRun} succeeded`);
    assert.match(text, new RegExp(`\\[hello\\] .*▶ run ${helloRun} of hello`));
    assert.match(text, /\[hello\] .*● greet/);
    assert.match(text, /\[hello\] .*log Hello, world!/);
    assert.match(text, /\[hello\] .*● done/);
    assert.match(text, /✔ succeeded/);
  });

  it('lists the run in the Runs view with task, status, start and duration', async () => {
    const view = (await api()).runsView;
    const n = await node(helloRun);
    const item = view.getTreeItem(n);
    assert.equal(item.label, 'hello');
    assert.match(String(item.description), /^succeeded · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · (\d+ ms|\d+\.\d s)$/);
    assert.equal(item.contextValue, 'stepwiseRun:succeeded');
    await vscode.commands.executeCommand('stepwise.runs.focus');
    // Open the journal from the view's item, as its click does.
    await vscode.commands.executeCommand('stepwise.runs.openJournal', n);
    assert.equal(path.basename(vscode.window.activeTextEditor!.document.uri.fsPath), `${helloRun}.jsonl`);
  });

  it('runs the active editor when called from the palette (no argument)', async () => {
    await open(workspaceFile('child.task.yaml'));
    const outcome = await vscode.commands.executeCommand<RunOutcome>('stepwise.runTask');
    assert.equal(outcome?.status, 'succeeded');
    assert.equal(journal(outcome.runId)[0].task, 'child');
  });

  it('takes inputs, and Run Again from the view reuses them', async () => {
    const uri = writeFile('greeter.task.yaml', INPUTS);
    const first = await vscode.commands.executeCommand<RunOutcome>('stepwise.runTask', uri, { input: { who: 'Ada' } });
    assert.equal(first?.status, 'succeeded');
    const again = await vscode.commands.executeCommand<RunOutcome>('stepwise.runs.rerun', await node(first.runId));
    assert.equal(again?.status, 'succeeded');
    assert.notEqual(again.runId, first.runId);
    assert.deepEqual(journal(again.runId)[0].input, { who: 'Ada' });
  });

  it('shows a waiting run live, notes a change on disk, and finishes it with an event sent from the view', async () => {
    const uri = writeFile('waiter.task.yaml', WAITER);
    const done = vscode.commands.executeCommand<RunOutcome>('stepwise.runTask', uri);
    const n = await newestRun('waiter', 'running', 'wait');
    assert.match(String((await api()).runsView.getTreeItem(n).description), /^running in wait · /);
    assert.equal((await api()).runsView.getTreeItem(n).contextValue, 'stepwiseRun:running:here');

    // The file changes on disk mid-run: the run keeps its version, and says so. VS Code starts a
    // file watcher asynchronously, so a change made before it watches goes unseen: the file is
    // changed again (each second) until the note shows.
    const note = `waiter.task.yaml was changed on disk during run ${n.runId}`;
    await vscode.commands.executeCommand('stepwise.showOutput');
    let writes = 0;
    let lastWrite = 0;
    await waitFor(`the Stepwise output channel to show '${note}'`, () => {
      if (vscode.workspace.textDocuments.some((d) => d.uri.scheme === 'output' && d.getText().includes(note))) return true;
      if (Date.now() - lastWrite > 1000) {
        fs.writeFileSync(uri.fsPath, WAITER.replace('after: 1h', `after: ${2 + writes++}h`));
        lastWrite = Date.now();
      }
      return false;
    });

    assert.equal(await vscode.commands.executeCommand('stepwise.runs.sendEvent', n, 'approved', { by: 'ada' }), true);
    const outcome = await done;
    assert.equal(outcome?.status, 'succeeded');
    await node(n.runId, 'succeeded');
    assert.ok(journal(n.runId).some((e) => e.type === 'event-received' && e.name === 'approved'));
  });

  it('notes a change on disk made as soon as the run starts, by the end of the run if not at once', async () => {
    const uri = writeFile('waiter4.task.yaml', WAITER.replace('name: waiter', 'name: waiter4'));
    const done = vscode.commands.executeCommand<RunOutcome>('stepwise.runTask', uri);
    const n = await newestRun('waiter4', 'running', 'wait');
    // One write, likely before VS Code's file watcher watches (see the test above).
    fs.writeFileSync(uri.fsPath, WAITER.replace('name: waiter', 'name: waiter4').replace('after: 1h', 'after: 2h'));
    assert.equal(await vscode.commands.executeCommand('stepwise.runs.sendEvent', n, 'approved', { by: 'ada' }), true);
    assert.equal((await done)?.status, 'succeeded');
    await outputText(`waiter4.task.yaml was changed on disk during run ${n.runId}`);
  });

  it('cancels a run from the view', async () => {
    const uri = writeFile('waiter2.task.yaml', WAITER.replace('name: waiter', 'name: waiter2'));
    const done = vscode.commands.executeCommand<RunOutcome>('stepwise.runTask', uri);
    const n = await newestRun('waiter2', 'running', 'wait');
    assert.equal(await vscode.commands.executeCommand('stepwise.runs.cancel', n), true);
    assert.equal((await done)?.status, 'cancelled');
  });

  it('resumes an interrupted run (its process is gone) from the view', async () => {
    const uri = writeFile('waiter3.task.yaml', WAITER.replace('name: waiter', 'name: waiter3'));
    const runId = '20250101-000000-abc123';
    const dir = path.join(workspaceDir(), '.stepwise', 'runs');
    fs.mkdirSync(dir, { recursive: true });
    const at = Date.now() - 60_000;
    // A journal left by a process that died (pid 2^22 + 1 is above Linux's pid_max).
    const lines = [
      { seq: 1, at, type: 'run-started', runId, task: 'waiter3', file: uri.fsPath, input: {}, data: {}, clock: 'real', pid: 4194305 },
      { seq: 2, at, type: 'state-entered', state: 'wait' },
    ];
    fs.writeFileSync(path.join(dir, `${runId}.jsonl`), lines.map((l) => JSON.stringify(l) + '\n').join(''));
    (await api()).runsView.refreshSoon();
    const n = await node(runId, 'interrupted');
    assert.equal((await api()).runsView.getTreeItem(n).contextValue, 'stepwiseRun:interrupted');
    const done = vscode.commands.executeCommand<RunOutcome>('stepwise.runs.resume', n);
    await node(runId, 'running');
    await vscode.commands.executeCommand('stepwise.runs.sendEvent', await node(runId, 'running'), 'approved', { by: 'bob' });
    assert.equal((await done)?.status, 'succeeded');
    assert.ok(journal(runId).some((e) => e.type === 'run-recovered'));
  });

  it('refuses to run a file with lint errors', async () => {
    const outcome = await vscode.commands.executeCommand('stepwise.runTask', workspaceFile('broken.task.yaml'));
    assert.equal(outcome, undefined);
  });

  it('the Debug lens command starts a stepwise debug session', async () => {
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => s.type === 'stepwise' && (sub.dispose(), resolve()));
    });
    const started = await vscode.commands.executeCommand<boolean>('stepwise.debugTask', workspaceFile('hello.task.yaml'));
    assert.equal(started, true);
    // No breakpoint: the run goes to its end, and the session with it.
    await ended;
  });
});
