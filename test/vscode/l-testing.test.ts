// Task tests in VS Code: the Test Explorer lists the samples' cases, runs them through its own
// commands, shows a failing case's diff, reports coverage of the task files (and paints it on the
// graph), debugs a case; test files get problems and state name completion; "Save as Test Case"
// turns a run into a passing case.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { TestReport } from '../../extension/testing/controller';
import type { RunNode } from '../../extension/runsView';
import { api, closeAll, codeOf, open, positionOf, setSetting, stepwiseDiagnostics, waitFor, workspaceFile, writeFile } from './helpers';
import { edgeSelector, WebviewDom } from './webview';

const FAILING = `task: ./hello.task.yaml
cases:
  ends in the wrong order:
    expect:
      status: succeeded
      path: [done, greet]
  greets:
    expect:
      status: succeeded
`;

async function controller(): Promise<vscode.TestController> {
  return (await api()).testing.tests.controller;
}

function caseItem(c: vscode.TestController, file: string, name: string): vscode.TestItem | undefined {
  return c.items.get(workspaceFile(file).toString())?.children.get(`${workspaceFile(file).toString()}::${name}`);
}

/** Runs a VS Code testing command and waits for the report of the run it started. */
async function reportOf(command: string, profile: TestReport['profile']): Promise<TestReport> {
  const tests = (await api()).testing.tests;
  const report = new Promise<TestReport>((resolve) => {
    const sub = tests.onDidReport((r) => {
      if (r.profile !== profile) return;
      sub.dispose();
      resolve(r);
    });
  });
  await vscode.commands.executeCommand(command);
  return waitFor(`the ${profile} report of ${command}`, () => Promise.race([report, new Promise<undefined>((r) => setTimeout(() => r(undefined), 200))]), 60_000);
}

function lineOf(file: string, text: string): number {
  return fs.readFileSync(workspaceFile(file).fsPath, 'utf8').split('\n').findIndex((l) => l === text);
}

describe('task tests', () => {
  before(async () => {
    await api();
  });
  after(async () => {
    await closeAll();
  });

  it('lists every case of the sample test files in the Test Explorer, at the line of its name', async () => {
    await vscode.commands.executeCommand('workbench.view.testing.focus');
    const c = await controller();
    const item = await waitFor('the cases of hello.test.yaml', () => caseItem(c, 'hello.test.yaml', 'greets someone by name'));
    assert.equal(item.range?.start.line, lineOf('hello.test.yaml', '  greets someone by name:'));
    const deploy = await waitFor('deploy.test.yaml', () => c.items.get(workspaceFile('deploy.test.yaml').toString()));
    assert.ok(deploy.children.size >= 4);
    const files: string[] = [];
    c.items.forEach((i) => files.push(i.label));
    for (const f of ['approval.test.yaml', 'health.test.yaml', 'retry.test.yaml', 'timeout.test.yaml']) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  });

  it('follows a test file as it is typed: a new case gets its item', async () => {
    const c = await controller();
    const editor = await open(workspaceFile('hello.test.yaml'));
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    await editor.edit((e) => e.insert(end, '\n  a typed case:\n    expect: { status: succeeded }\n'));
    const item = await waitFor('the typed case in the Test Explorer', () => caseItem(c, 'hello.test.yaml', 'a typed case'));
    assert.equal(editor.document.lineAt(item.range!.start.line).text, '  a typed case:');
    await closeAll();
    await waitFor('the typed case to go with the unsaved edit', () => !caseItem(c, 'hello.test.yaml', 'a typed case'));
  });

  it("runs every case from the Test Explorer's Run: the samples pass, a failing case shows its diff at its line", async () => {
    writeFile('wrong.test.yaml', FAILING);
    const c = await controller();
    await waitFor('the cases of wrong.test.yaml', () => caseItem(c, 'wrong.test.yaml', 'greets'));
    const report = await reportOf('testing.runAll', 'run');
    const status = (file: string, name: string) => report.cases.find((x) => x.item === caseItem(c, file, name))?.status;
    assert.equal(status('hello.test.yaml', 'greets the world by default'), 'passed');
    assert.equal(status('deploy.test.yaml', 'rolls out a new version'), 'passed');
    assert.equal(status('wrong.test.yaml', 'greets'), 'passed');
    const failed = report.cases.filter((x) => x.status !== 'passed');
    assert.deepEqual(failed.map((x) => x.item.label), ['ends in the wrong order']);
    const [message] = failed[0].messages;
    assert.equal(message.expectedOutput, 'done\ngreet');
    assert.equal(message.actualOutput, 'greet\ndone');
    assert.match(String(message.message), /path: the states entered differ/);
    assert.equal(message.location?.uri.toString(), workspaceFile('wrong.test.yaml').toString());
    assert.equal(message.location?.range.start.line, 2);
  });

  it("reports coverage of the task files from the Test Explorer's Coverage: a statement per state, a branch per transition", async () => {
    const report = await reportOf('testing.coverageAll', 'coverage');
    const hello = report.coverage.find((f) => f.uri.toString() === workspaceFile('hello.task.yaml').toString());
    assert.ok(hello, `coverage of hello.task.yaml among ${report.coverage.map((f) => f.uri.fsPath).join(', ')}`);
    assert.deepEqual([hello.statementCoverage.covered, hello.statementCoverage.total], [2, 2]);
    const text = fs.readFileSync(workspaceFile('hello.task.yaml').fsPath, 'utf8').split('\n');
    const greet = hello.details.find((d) => text[(d.location as vscode.Range).start.line].trim() === 'greet:');
    assert.ok(greet && Number(greet.executed) > 0);
    const deploy = report.coverage.find((f) => f.uri.toString() === workspaceFile('deploy.task.yaml').toString())!;
    assert.ok(deploy.branchCoverage && deploy.branchCoverage.covered < deploy.branchCoverage.total, 'deploy has transitions no case takes');
    assert.equal((await api()).testing.tests.coverageOf(workspaceFile('deploy.task.yaml').fsPath), deploy.source);
  });

  it('paints the coverage on the graph when asked: hits on entered states, unentered states and untaken transitions marked', async () => {
    const file = workspaceFile('deploy.task.yaml');
    const cov = (await api()).testing.tests.coverageOf(file.fsPath);
    assert.ok(cov, 'the Coverage run before this one covered deploy.task.yaml');
    assert.equal(await vscode.commands.executeCommand('stepwise.showCoverageOnGraph', file), true);
    const dom = new WebviewDom('deploy.task.yaml');
    await dom.waitFor('the coverage on the graph', `document.querySelectorAll('.sw-node[data-covered]').length === ${cov.states.length}`);
    const painted = await dom.evaluate<Record<string, string>>(`Object.fromEntries([...document.querySelectorAll('.sw-node[data-covered]')].map((n) => [n.getAttribute('data-state'), n.getAttribute('data-covered') + ':' + n.getAttribute('data-hits')]))`);
    assert.deepEqual(painted, Object.fromEntries(cov.states.map((s) => [s.state, `${s.hits > 0}:${s.hits}`])));
    const untaken = cov.branches.filter((b) => b.hits === 0);
    assert.ok(untaken.length > 0, 'deploy has transitions no case takes');
    for (const b of cov.branches) {
      const classes = await dom.classes(edgeSelector(b.state, b.index!, b.kind === 'catch' ? 'catch' : 'on'));
      assert.ok(classes.includes(b.hits ? 'sw-edge-covered' : 'sw-edge-uncovered'), `${b.state} ${b.kind} ${b.index}: ${classes.join(' ')}`);
    }
    // The toolbar's toggle takes it off again.
    await dom.click('[aria-label="Hide the test coverage"]');
    await dom.waitFor('the coverage to go', `document.querySelectorAll('.sw-node[data-covered]').length === 0 && !!document.querySelector('[aria-label="Show the test coverage on the graph"]')`);
    await closeAll();
  });

  it('shows the problems of a test file and completes state names in its path', async () => {
    const uri = writeFile('typo.test.yaml', 'task: ./hello.task.yaml\ncases:\n  typo:\n    expect:\n      path: [greet, dnoe]\n');
    const editor = await open(uri);
    const diags = await waitFor('the typo in the Problems panel', () => stepwiseDiagnostics(uri).find((d) => codeOf(d) === 'unknown-state'));
    assert.match(diags.message, /did you mean 'done'/);
    assert.equal(diags.range.start.line, 4);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, positionOf(editor.document, 'greet,', 6));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('greet') && labels.includes('done'), labels.join(', '));
    await closeAll();
  });

  it('debugs a case, stopping where the run leaves its path', async () => {
    const c = await controller();
    const item = await waitFor('the failing case', () => caseItem(c, 'wrong.test.yaml', 'ends in the wrong order'));
    const stops: string[] = [];
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('stepwise', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type: string; event?: string; body?: { description?: string } }) => {
          if (m.type === 'event' && m.event === 'stopped') stops.push(m.body?.description ?? '');
        },
      }),
    });
    try {
      assert.equal(await (await api()).testing.tests.debug(new vscode.TestRunRequest([item]), true), true);
      const stop = await waitFor('the stop where the run leaves the path', () => stops[0]);
      assert.equal(stop, "The run leaves the case's path: it enters 'greet' where the path has 'done'");
      await vscode.debug.stopDebugging();
    } finally {
      tracker.dispose();
    }
  });

  it('"Save as Test Case" turns a finished run into a case of its test file that passes', async () => {
    await setSetting('mocksFile', '${taskDir}/${taskName}.mocks.yaml');
    await setSetting('clock', 'virtual');
    try {
      const before = fs.readFileSync(workspaceFile('health.test.yaml').fsPath, 'utf8');
      const outcome = await vscode.commands.executeCommand<{ runId: string; status: string }>('stepwise.runTask', workspaceFile('health.task.yaml'), { noPrompt: true });
      assert.equal(outcome?.status, 'succeeded');
      const view = (await api()).runsView;
      const node = await waitFor('the run in the Runs view', async () => (await view.getChildren()).find((n: RunNode) => n.runId === outcome.runId && n.status === 'succeeded'));
      const saved = await vscode.commands.executeCommand<{ file: string; name: string }>('stepwise.runs.saveAsTest', node);
      assert.equal(saved?.file, workspaceFile('health.test.yaml').fsPath);
      const after = fs.readFileSync(saved.file, 'utf8');
      assert.ok(after.startsWith(before), 'the file kept what it held');
      assert.match(after, /\n {2}run \S+ succeeded:\n/);
      const c = await controller();
      const item = await waitFor('the saved case in the Test Explorer', () => caseItem(c, 'health.test.yaml', saved.name));
      const report = await (await api()).testing.tests.run(new vscode.TestRunRequest([item]), undefined, 'run');
      assert.deepEqual(
        report?.cases.map((x) => [x.item.label, x.status, x.messages.map((m) => String(m.message))]),
        [[saved.name, 'passed', []]],
      );
    } finally {
      await setSetting('mocksFile', undefined);
      await setSetting('clock', undefined);
    }
  });
});
