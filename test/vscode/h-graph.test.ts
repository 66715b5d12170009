// The graph editor in the real workbench: the custom editor opens on a task file, its webview
// loads (under its CSP) and says `ready`, edits proposed the way the webview proposes them become
// minimal text edits on the TextDocument (save writes them; undo takes them back), text edits made
// beside the graph reach it quickly, and a breakpoint toggled on a node is VS Code's breakpoint at
// the state's line.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { HostMessage } from '../../webview/protocol';
import type { RunOutcome } from '../../extension/runs';
import { api, closeAll, stepwiseDiagnostics, waitFor, writeFile } from './helpers';
import { edgeSelector, nodeSelector, WebviewDom } from './webview';

const TEXT = `# A task with comments, odd quoting and flow style: the graph must not touch them.
version: 1
name: graph-demo   # trailing comment
start: greet
states:
  # the first state
  greet:
    description: 'Say hello'
    do:
      - log: "Hello!"
    next: done

  done: { final: true }   # flow style
`;

function isGraphTab(uri: vscode.Uri): boolean {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === 'stepwise.graph' && input.uri.toString() === uri.toString();
}

/** True when `small`'s lines occur in `big` in the same order (the others were inserted). */
function isSubsequence(small: string[], big: string[]): boolean {
  let i = 0;
  for (const line of big) if (i < small.length && line === small[i]) i++;
  return i === small.length;
}

describe('graph editor', () => {
  let uri: vscode.Uri;

  before(async () => {
    await api();
    await closeAll();
    uri = writeFile('graph.task.yaml', TEXT);
  });

  after(async () => {
    await closeAll();
  });

  it('registers the custom editor, its command and setting', async () => {
    const pkg = vscode.extensions.getExtension('stepwise.stepwise')!.packageJSON;
    assert.equal(pkg.contributes.customEditors[0].viewType, 'stepwise.graph');
    assert.equal(pkg.contributes.customEditors[0].priority, 'option');
    assert.ok((await vscode.commands.getCommands(true)).includes('stepwise.openGraph'));
    assert.equal(vscode.workspace.getConfiguration('stepwise').get('graph.defaultEditor'), false);
  });

  it('opens a task file in the graph editor; its webview loads and receives the document', async () => {
    const { graph } = await api();
    await vscode.commands.executeCommand('vscode.openWith', uri, 'stepwise.graph');
    await waitFor('the graph editor to be the active tab', () => isGraphTab(uri));
    // The webview's script ran under its CSP and said `ready`: the host posted the document.
    const doc = await vscode.workspace.openTextDocument(uri);
    await waitFor('the document to be posted to the webview', () => graph.postedVersion(uri) === doc.version, 30_000);
  });

  it('a text edit beside the graph reaches the webview quickly', async () => {
    const { graph } = await api();
    const doc = await vscode.workspace.openTextDocument(uri);
    const seen = new Promise<number>((resolve) => {
      const sub = graph.onDidPost(({ uri: u, message }) => {
        if (u.toString() === uri.toString() && message.type === 'document' && message.text.includes('Say hello there')) {
          sub.dispose();
          resolve(Date.now());
        }
      });
    });
    const edit = new vscode.WorkspaceEdit();
    const at = doc.getText().indexOf("'Say hello'") + "'Say hello".length;
    edit.insert(uri, doc.positionAt(at), ' there');
    const started = Date.now();
    assert.ok(await vscode.workspace.applyEdit(edit));
    const ms = (await seen) - started;
    console.log(`    text edit -> graph document message: ${ms} ms`);
    assert.ok(ms < 1000, `the graph heard of the edit after ${ms} ms`);
    // Back as it was (one undo step, as the graph's own edits are).
    await vscode.commands.executeCommand('undo');
    await waitFor('the undo', () => doc.getText() === TEXT);
  });

  it('adds a state and a transition through the webview path: save writes only the new text; undo restores it', async () => {
    const { graph } = await api();
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(), TEXT);
    const added = await graph.applyIntent(uri, { type: 'addState', name: 'review', after: 'greet', description: 'A person looks' });
    assert.equal(added.error, undefined);
    assert.ok(added.applied);
    assert.equal(added.state, 'review');
    const connected = await graph.applyIntent(uri, { type: 'addTransition', state: 'review', to: 'done' });
    assert.equal(connected.error, undefined);
    assert.ok(doc.isDirty, 'the edits make the document dirty');
    await waitFor('the graph to get the edited document', () => graph.postedVersion(uri) === doc.version);
    assert.ok(await doc.save());

    const disk = fs.readFileSync(uri.fsPath, 'utf8');
    assert.match(disk, /\n {2}review:\n {4}description: A person looks\n {4}next: done\n/);
    // The file is the old text with the new state's lines inserted before `done`: every other
    // byte (comments, quoting, flow style, blank lines) as it was.
    const block = '  review:\n    description: A person looks\n    next: done\n\n';
    const at = TEXT.indexOf('  done: {');
    assert.equal(disk, TEXT.slice(0, at) + block + TEXT.slice(at));
    const before = TEXT.split('\n');
    assert.ok(isSubsequence(before, disk.split('\n')), 'every line of the file is still there, in order');

    // Undo (as the webview's Ctrl+Z asks) takes the two edits back, one step each.
    assert.ok(isGraphTab(uri), 'the graph editor is still active');
    await vscode.commands.executeCommand('undo');
    await waitFor('the first undo', () => doc.getText() !== disk);
    await vscode.commands.executeCommand('undo');
    await waitFor('the undo to restore the text', () => doc.getText() === TEXT);
    assert.ok(await doc.save());
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), TEXT);
    // Redo brings the state back.
    await vscode.commands.executeCommand('redo');
    await waitFor('the redo', () => doc.getText().includes('  review:'));
    await vscode.commands.executeCommand('undo');
    await waitFor('the undo again', () => doc.getText() === TEXT);
  });

  it('an edit the operations refuse is reported and leaves the text alone', async () => {
    const { graph } = await api();
    const doc = await vscode.workspace.openTextDocument(uri);
    const r = await graph.applyIntent(uri, { type: 'renameState', state: 'nowhere', newName: 'x' });
    assert.ok(r.error, 'an error');
    assert.equal(r.applied, false);
    assert.equal(doc.getText(), TEXT);
  });

  it('a breakpoint toggled on a node is the VS Code breakpoint at the state line, and the graph hears of it', async () => {
    const { graph } = await api();
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = doc.getText().split('\n').findIndex((l) => l.trim() === 'greet:');
    const heard: string[][] = [];
    const sub = graph.onDidPost(({ uri: u, message }: { uri: vscode.Uri; message: HostMessage }) => {
      if (u.toString() === uri.toString() && message.type === 'breakpoints') heard.push(message.states);
    });
    try {
      assert.equal(await graph.toggleBreakpoint(uri, 'greet'), true);
      const atLine = () => vscode.debug.breakpoints.filter((b) => b instanceof vscode.SourceBreakpoint && b.location.uri.fsPath === uri.fsPath && b.location.range.start.line === line);
      await waitFor('the breakpoint in vscode.debug.breakpoints', () => atLine().length === 1);
      await waitFor('the graph to hear of the breakpoint', () => heard.some((s) => s.includes('greet')));
      // Set in the gutter (through the API, as the gutter does) on `done`: the node shows it.
      const doneLine = doc.getText().split('\n').findIndex((l) => l.trim().startsWith('done:'));
      const bp = new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(doneLine, 0)));
      vscode.debug.addBreakpoints([bp]);
      await waitFor('the graph to show the gutter breakpoint', () => heard.some((s) => s.includes('done') && s.includes('greet')));
      vscode.debug.removeBreakpoints([bp]);
      assert.equal(await graph.toggleBreakpoint(uri, 'greet'), false);
      await waitFor('the breakpoint to be removed', () => atLine().length === 0);
      await waitFor('the graph to hear of no breakpoints', () => heard.length > 0 && heard[heard.length - 1].length === 0);
    } finally {
      sub.dispose();
    }
  });

  it('stepwise.graph.defaultEditor makes the graph the default editor of task files, and back', async () => {
    const associations = () => vscode.workspace.getConfiguration('workbench').inspect<Record<string, string>>('editorAssociations')?.globalValue ?? {};
    await vscode.workspace.getConfiguration('stepwise').update('graph.defaultEditor', true, vscode.ConfigurationTarget.Global);
    await waitFor('the editor associations', () => associations()['*.task.yaml'] === 'stepwise.graph' && associations()['*.task.yml'] === 'stepwise.graph');
    await vscode.workspace.getConfiguration('stepwise').update('graph.defaultEditor', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the associations to be removed', () => !('*.task.yaml' in associations()) && !('*.task.yml' in associations()));
  });

  it('stores pins per file in the workspace state, never in the YAML', async () => {
    const { graph } = await api();
    assert.deepEqual(graph.viewState(uri), { pins: {}, direction: 'DOWN' });
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), TEXT);
  });
});

// What a person sees in the webview (its DOM, read through the harness): selection follows between
// the graph and the text both ways, and the graph takes the colours of the theme.
describe('graph editor in the webview', () => {
  const FILE = 'graph-ui.task.yaml';
  const UI_TEXT = `version: 1
name: graph-ui
start: greet
states:
  greet:
    do:
      - log: hello
    next: review
  review:
    description: A person looks
    on:
      - to: done
        when: "data.ok = true"
      - to: greet
  done:
    final: true
`;
  const dom = new WebviewDom(FILE);
  let uri: vscode.Uri;
  let doc: vscode.TextDocument;

  /** The text editor of the task beside the graph. */
  const textEditor = () => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  const selectedNodes = () => dom.evaluate<string[]>(`[...document.querySelectorAll('.react-flow__node.selected')].map((n) => n.getAttribute('data-id'))`);

  before(async () => {
    await api();
    await closeAll();
    uri = writeFile(FILE, UI_TEXT);
    doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('stepwise.openGraph', uri);
    await dom.waitFor('the graph to draw the states', `document.querySelectorAll('.react-flow__node').length === 3 && !!document.querySelector('main.sw-canvas[data-busy="false"]')`);
  });

  after(async () => {
    await closeAll();
  });

  it('clicking a node selects it and reveals its state in the text beside the graph', async () => {
    await dom.click(`${nodeSelector('review')} .sw-node-name`);
    await dom.waitFor('review to be selected on the graph', `document.querySelector(${JSON.stringify(nodeSelector('review'))})?.classList.contains('selected')`);
    const line = doc.getText().split('\n').findIndex((l) => l.trim() === 'review:');
    const editor = await waitFor('the text to show review', () => {
      const e = textEditor();
      return e && e.selection.start.line === line ? e : undefined;
    });
    assert.equal(doc.getText(editor.selection), 'review', 'the state name is selected');
    assert.ok(editor.visibleRanges.some((r) => r.contains(new vscode.Position(line, 0))), 'its line is in view');
    const graphGroup = vscode.window.tabGroups.all.find((g) => g.activeTab?.input instanceof vscode.TabInputCustom);
    assert.ok(graphGroup && graphGroup.viewColumn !== editor.viewColumn, 'the text is beside the graph, which stays in view');
    assert.deepEqual(await selectedNodes(), ['review']);
  });

  it('moving the cursor in the text selects the state (or the transition) under it on the graph', async () => {
    const editor = textEditor()!;
    const inDone = doc.positionAt(doc.getText().indexOf('final: true'));
    editor.selection = new vscode.Selection(inDone, inDone);
    await dom.waitFor('done to be selected on the graph', `document.querySelector(${JSON.stringify(nodeSelector('done'))})?.classList.contains('selected')`);
    assert.deepEqual(await selectedNodes(), ['done']);
    // The cursor on a transition's line: that edge is selected, no node.
    const onEdge = doc.positionAt(doc.getText().indexOf('- to: greet') + 4);
    editor.selection = new vscode.Selection(onEdge, onEdge);
    await dom.waitFor('the transition review -> greet to be selected', `document.querySelector(${JSON.stringify(edgeSelector('review', 1))})?.classList.contains('selected')`);
    assert.deepEqual(await selectedNodes(), []);
    // Back on a state's name.
    const onGreet = doc.positionAt(doc.getText().indexOf('greet:') + 2);
    editor.selection = new vscode.Selection(onGreet, onGreet);
    await dom.waitFor('greet to be selected on the graph', `document.querySelector(${JSON.stringify(nodeSelector('greet'))})?.classList.contains('selected')`);
  });

  it('switching the colour theme re-colours the graph', async () => {
    const workbench = vscode.workspace.getConfiguration('workbench');
    const before = workbench.inspect<string>('colorTheme')?.globalValue;
    const look = () =>
      dom.evaluate<{ body: string; background: string; node: string }>(
        `({ body: document.body.className, background: getComputedStyle(document.querySelector('.react-flow')).backgroundColor, node: getComputedStyle(document.querySelector(${JSON.stringify(`${nodeSelector('greet')} .sw-node`)})).backgroundColor })`,
      );
    try {
      await workbench.update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
      await dom.waitFor('the dark theme in the webview', `document.body.classList.contains('vscode-dark')`);
      const dark = await look();
      await workbench.update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
      await dom.waitFor('the light theme in the webview', `document.body.classList.contains('vscode-light')`);
      const light = await waitFor('the graph to take the light colours', async () => {
        const l = await look();
        return l.background !== dark.background && l.node !== dark.node ? l : undefined;
      });
      // Light means a light canvas: the sum of its RGB channels is above the dark one's.
      const lightness = (css: string) => (css.match(/\d+/g) ?? []).slice(0, 3).reduce((n, c) => n + Number(c), 0);
      assert.ok(lightness(light.background) > lightness(dark.background), `light ${light.background} vs dark ${dark.background}`);
      assert.ok(!light.body.includes('vscode-dark'));
    } finally {
      await workbench.update('colorTheme', before, vscode.ConfigurationTarget.Global);
    }
  });

  it('panels hidden from the toolbar stay hidden when the graph is opened again (workspace state)', async () => {
    await dom.click('[aria-label="Hide the palette"]');
    await dom.click('[aria-label="Hide the minimap"]');
    await dom.waitFor('the palette and the minimap to go', `!document.querySelector('.sw-palette') && !document.querySelector('.react-flow__minimap')`);
    await closeAll();
    await vscode.commands.executeCommand('stepwise.openGraph', uri);
    await dom.waitFor('the graph again', `document.querySelectorAll('.react-flow__node').length === 3 && !!document.querySelector('main.sw-canvas[data-busy="false"]')`);
    assert.deepEqual(
      await dom.evaluate(`({ palette: !!document.querySelector('.sw-palette'), minimap: !!document.querySelector('.react-flow__minimap'), inspector: !!document.querySelector('.sw-inspector'), offered: !!document.querySelector('[aria-label="Show the palette"]') })`),
      { palette: false, minimap: false, inspector: true, offered: true },
    );
    await dom.click('[aria-label="Show the palette"]');
    await dom.click('[aria-label="Show the minimap"]');
    await dom.waitFor('the palette and the minimap back', `!!document.querySelector('.sw-palette') && !!document.querySelector('.react-flow__minimap')`);
  });
});

// "A person can design a task from an empty file to a running task without typing YAML": the
// empty state explains and offers the first state; states, a final state and a transition are
// added with the mouse on the graph; the saved file lints clean and runs to completion.
describe('graph editor on an empty task file', () => {
  const FILE = 'first-task.task.yaml';
  const dom = new WebviewDom(FILE);
  let uri: vscode.Uri;

  before(async () => {
    await api();
    await closeAll();
    uri = writeFile(FILE, '');
  });

  after(async () => {
    await closeAll();
  });

  it('shows what a task is and an Add the first state button; the graph alone makes a task that lints clean and runs', async () => {
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
    await vscode.commands.executeCommand('stepwise.openGraph', uri);

    // The empty state: a title, what a task is, the button.
    const empty = await dom.waitFor<string>('the empty state', `document.querySelector('.sw-empty')?.innerText`);
    assert.match(empty, /no states yet/);
    assert.match(empty, /state machine/);
    assert.match(empty, /Add the first state/);
    assert.equal(await dom.evaluate(`document.querySelectorAll('.react-flow__node').length`), 0);

    await dom.click('.sw-empty vscode-button');
    await waitFor('the skeleton of a task in the text', () => doc.getText() === 'version: 1\nname: first-task\nstart: state1\nstates:\n  state1: {}\n');
    await dom.waitFor('the first state on the graph, and no empty state', `!!document.querySelector(${JSON.stringify(nodeSelector('state1'))}) && !document.querySelector('.sw-empty')`);

    // A second state from the toolbar, made final from its context menu.
    await dom.click('[aria-label="Add state"]');
    await dom.waitFor('state2 on the graph', `!!document.querySelector(${JSON.stringify(nodeSelector('state2'))})`);
    await dom.click(`${nodeSelector('state2')} .sw-node-name`, { button: 'right' });
    await dom.click('.sw-menu [role="menuitemcheckbox"]:has-text("Final State")');
    await waitFor('state2 to be final in the text', () => /\n {2}state2:\n {4}final: true\n/.test(doc.getText()));
    await dom.waitFor('state2 drawn as final', `document.querySelector(${JSON.stringify(`${nodeSelector('state2')} .sw-node`)})?.classList.contains('sw-final')`);

    // Connect them: the mouse from state1's handle to state2.
    await dom.waitFor('the layout to settle', `!!document.querySelector('main.sw-canvas[data-busy="false"]')`);
    await dom.drag(`${nodeSelector('state1')} .sw-handle-out`, `${nodeSelector('state2')} .sw-handle-in`);
    await waitFor('the transition in the text', () => /\n {2}state1:\n {4}next: state2\n/.test(doc.getText()));
    await dom.waitFor('the transition on the graph', `!!document.querySelector(${JSON.stringify(edgeSelector('state1', 0))})`);

    assert.ok(await doc.save());
    assert.equal(fs.readFileSync(uri.fsPath, 'utf8'), 'version: 1\nname: first-task\nstart: state1\nstates:\n  state1:\n    next: state2\n  state2:\n    final: true\n');
    // Lint on save: the problems the half-made task had are gone.
    await waitFor('the saved task to lint clean', () => stepwiseDiagnostics(uri).length === 0);
    const outcome = await vscode.commands.executeCommand<RunOutcome>('stepwise.runTask', uri);
    assert.equal(outcome?.status, 'succeeded');
  });
});
