// The graph editor and the debugger in the real workbench, checked in the webview's DOM as a
// person sees it: a click on a node's breakpoint dot sets VS Code's breakpoint, a debug session
// (the `stepwise` type, as F5 starts it) stops there and the node is lit as the current state, and
// once the run ends the visited states and taken transitions stay marked.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, waitFor, writeFile } from './helpers';
import { edgeSelector, nodeSelector, WebviewDom } from './webview';

const FILE = 'graph-debug.task.yaml';
const TEXT = `version: 1
name: graph-debug
start: greet
states:
  greet:
    do:
      - set: { n: 1 }
    next: check
  check:
    on:
      - to: big
        when: "data.n > 5"
      - to: done
  big:
    next: done
  done:
    final: true
`;

interface Message {
  type: string;
  event?: string;
  body?: any;
}

describe('graph editor and the debugger (webview DOM)', () => {
  let uri: vscode.Uri;
  let tracker: vscode.Disposable;
  const sent = new Map<string, Message[]>();
  const dom = new WebviewDom(FILE);

  before(async () => {
    await api();
    await closeAll();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    uri = writeFile(FILE, TEXT);
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('stepwise', {
      createDebugAdapterTracker(session) {
        const list: Message[] = [];
        sent.set(session.id, list);
        return { onDidSendMessage: (m: Message) => list.push(m) };
      },
    });
  });

  after(async () => {
    tracker.dispose();
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
    await closeAll();
  });

  it('a click on a node’s breakpoint dot sets the breakpoint; the debugger stops there, lit on the graph; the run’s path stays marked', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    const checkLine = doc.getText().split('\n').findIndex((l) => l.trim() === 'check:');
    // As a person works: the text, and the graph beside it (a stop reveals its line in the text).
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('stepwise.openGraph', uri);
    await dom.waitFor('the graph to draw the states', `document.querySelectorAll('.react-flow__node').length === 4 && !!document.querySelector('main.sw-canvas[data-busy="false"]')`);

    // The dot, clicked with the mouse.
    const dot = `${nodeSelector('check')} button.sw-bp`;
    assert.equal(await dom.evaluate(`document.querySelector(${JSON.stringify(dot)}).getAttribute('aria-pressed')`), 'false');
    await dom.click(dot);
    const atCheck = () => vscode.debug.breakpoints.filter((b) => b instanceof vscode.SourceBreakpoint && b.location.uri.fsPath === uri.fsPath && b.location.range.start.line === checkLine);
    await waitFor('the breakpoint in vscode.debug.breakpoints', () => atCheck().length === 1);
    assert.equal(vscode.debug.breakpoints.length, 1, 'one breakpoint, at the state line');
    await dom.waitFor('the dot to show the breakpoint', `document.querySelector(${JSON.stringify(dot)}).getAttribute('aria-pressed') === 'true'`);

    // F5's way: startDebugging with the stepwise type.
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidStartDebugSession((s) => {
        if (s.type !== 'stepwise') return;
        sub.dispose();
        resolve(s);
      });
    });
    assert.ok(await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], { type: 'stepwise', request: 'launch', name: 'Debug graph-debug', program: uri.fsPath }));
    const session = await started;
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.id !== session.id) return;
        sub.dispose();
        resolve();
      });
    });
    const messages = () => sent.get(session.id) ?? [];
    const tabs = () => vscode.window.tabGroups.all.map((g) => `${g.viewColumn}:${g.tabs.map((t) => `${t.input instanceof vscode.TabInputCustom ? 'graph' : 'text'}${t.isActive ? '*' : ''}`).join(',')}`).join(' ');
    const stop = await waitFor('the session to stop', () => messages().find((m) => m.type === 'event' && m.event === 'stopped'));
    assert.equal(stop.body.reason, 'breakpoint');
    const top = (await session.customRequest('stackTrace', { threadId: 1 })).stackFrames[0];
    assert.equal(top.line, checkLine + 1, 'stopped at the state check');

    // The stop's line shows in the text; the graph stays in view beside it.
    await waitFor(`the graph to be the active tab of its group (tabs: ${tabs()})`, () =>
      vscode.window.tabGroups.all.some((g) => g.activeTab?.input instanceof vscode.TabInputCustom && g.activeTab.input.uri.toString() === uri.toString()),
    );
    // The graph: check lit as the current state, greet visited, the transition greet -> check taken.
    await dom.waitFor('check to be lit as current', `document.querySelector(${JSON.stringify(`${nodeSelector('check')} .sw-node`)})?.classList.contains('sw-current')`);
    assert.match(await dom.evaluate<string>(`document.querySelector(${JSON.stringify(`${nodeSelector('check')} .sw-node`)}).getAttribute('aria-label')`), /current state of the debugged run/);
    assert.equal(await dom.evaluate(`document.querySelectorAll('.sw-node.sw-current').length`), 1, 'one current state');
    assert.ok((await dom.classes(`${nodeSelector('greet')} .sw-node`)).includes('sw-visited'));
    assert.ok((await dom.classes(edgeSelector('greet', 0))).includes('sw-edge-taken'), 'greet -> check is taken');
    assert.ok(!(await dom.classes(edgeSelector('check', 1))).includes('sw-edge-taken'), 'check -> done is not taken yet');

    await session.customRequest('continue', { threadId: 1 });
    const exited = await waitFor('the run to exit', () => messages().find((m) => m.type === 'event' && m.event === 'exited'));
    assert.equal(exited.body.exitCode, 0);
    await ended;

    // After the run: nothing current; the path it took stays marked, the branch it did not is not.
    await dom.waitFor('the current mark to go', `document.querySelectorAll('.sw-node.sw-current').length === 0`);
    await dom.waitFor('done to be marked visited', `document.querySelector(${JSON.stringify(`${nodeSelector('done')} .sw-node`)})?.classList.contains('sw-visited')`);
    for (const s of ['greet', 'check']) assert.ok((await dom.classes(`${nodeSelector(s)} .sw-node`)).includes('sw-visited'), `${s} visited`);
    assert.ok(!(await dom.classes(`${nodeSelector('big')} .sw-node`)).includes('sw-visited'), 'big was not visited');
    assert.ok((await dom.classes(edgeSelector('greet', 0))).includes('sw-edge-taken'), 'greet -> check taken');
    assert.ok((await dom.classes(edgeSelector('check', 1))).includes('sw-edge-taken'), 'check -> done taken');
    assert.ok(!(await dom.classes(edgeSelector('check', 0))).includes('sw-edge-taken'), 'check -> big not taken');
    assert.ok(!(await dom.classes(edgeSelector('big', 0))).includes('sw-edge-taken'), 'big -> done not taken');
    // Each state entered once: the count chips say ×1.
    assert.equal(await dom.evaluate(`document.querySelector(${JSON.stringify(`${nodeSelector('done')} .sw-count`)})?.textContent`), '×1');

    // The dot, clicked again, removes VS Code's breakpoint.
    // VS Code showed the stop in the text beside, not over the graph.
    const graphGroup = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString()));
    assert.ok(graphGroup?.activeTab?.input instanceof vscode.TabInputCustom, `the graph is the active tab of its group (tabs: ${tabs()})`);
    assert.ok(!graphGroup.tabs.some((t) => t.input instanceof vscode.TabInputText), `no text editor opened over the graph (tabs: ${tabs()})`);

    // The run's end moved the view to done: fit the graph, then click.
    await dom.click('[aria-label="Fit the graph to the view"]');
    await dom.click(dot);
    await waitFor('the breakpoint to be removed', () => atCheck().length === 0);
  });
});
