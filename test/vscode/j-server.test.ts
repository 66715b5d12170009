// The server in the Runs view, in a real VS Code: a real `stepwise serve` (dist/cli.js) over a
// copy of samples/, with a token; the setting, the token in SecretStorage, the server's runs live
// in the view's TreeDataProvider, Run Task on Server, the run actions, a restart of the server.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerMessageNode, ServerRunNode, ServerTreeNode } from '../../extension/server/tree';
import type { ServerRunStarted } from '../../extension/server/commands';
import { api, closeAll, open, setSetting, waitFor, workspaceDir, workspaceFile, writeFile } from './helpers';
import { freePort, LONG, serve, type Served } from './serve';

const TOKEN = 'j-server-token-5b1e';

// The extension runs from its bundle (dist/extension.js): its classes are not this suite's
// compiled ones, so nodes are told apart by their `kind`, not with instanceof.
function isGroup(n: unknown): boolean {
  return (n as ServerTreeNode).kind === 'server';
}

function isRun(n: ServerTreeNode): n is ServerRunNode {
  return n.kind === 'serverRun';
}

function isMessage(n: ServerTreeNode): n is ServerMessageNode {
  return n.kind === 'serverMessage';
}

async function serverChildren(): Promise<ServerTreeNode[]> {
  const tree = (await api()).runsTree;
  const roots = await tree.getChildren();
  const group = roots.find(isGroup);
  if (!group) return [];
  return (await tree.getChildren(group)) as ServerTreeNode[];
}

async function groupItem(): Promise<vscode.TreeItem | undefined> {
  const tree = (await api()).runsTree;
  const group = (await tree.getChildren()).find(isGroup);
  return group ? tree.getTreeItem(group) : undefined;
}

async function serverRun(runId: string, status?: string, state?: string): Promise<ServerRunNode> {
  return waitFor(
    `server run ${runId} in the Runs view${status ? ` as ${status}` : ''}${state ? ` in ${state}` : ''}`,
    async () => (await serverChildren()).find((n): n is ServerRunNode => isRun(n) && n.runId === runId && (!status || n.status === status) && (!state || n.run.state === state)),
    LONG,
  );
}

async function outputText(mustContain: string): Promise<string> {
  await vscode.commands.executeCommand('stepwise.showOutput');
  return waitFor(`the Stepwise output channel to show '${mustContain}'`, () => {
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes(mustContain));
    return doc?.getText();
  });
}

describe('server runs', function () {
  // Each test waits for a real server and the view in turn; a busy machine is slow, not wrong.
  this.timeout(4 * LONG);
  let server: Served;
  let port = 0;
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-j-server-store-'));
  const tasks = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-j-server-tasks-'));

  before(async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    this.timeout(2 * LONG);
    // The server serves its own copy of the samples: a task of the workspace runs there by its name.
    for (const f of ['hello.task.yaml', 'approval.task.yaml', 'child.task.yaml']) fs.copyFileSync(workspaceFile(f).fsPath, path.join(tasks, f));
    port = await freePort();
    server = await serve(['--store', store, '--tasks', tasks, '--port', String(port)], TOKEN);
    await api();
  });

  after(async () => {
    await setSetting('server.url', undefined);
    await server?.stop();
    await closeAll();
  });

  it('with the URL set and no token: the server group says unauthorized, with Set Server Token as its action', async () => {
    await setSetting('server.url', server.url);
    const message = await waitFor(
      'the unauthorized message',
      async () => (await serverChildren()).find((n): n is ServerMessageNode => isMessage(n) && /Unauthorized/.test(n.text)),
      LONG,
    );
    assert.equal(message.command?.command, 'stepwise.server.setToken');
    assert.match(String(message.detail), /needs a token and none is set for it/);
    const item = await groupItem();
    assert.equal(item?.label, `Server — 127.0.0.1:${port}`);
    assert.equal(item?.description, 'unauthorized');
  });

  it('Set Server Token connects; a run started through the API shows live with task, status, state and time', async () => {
    assert.equal(await vscode.commands.executeCommand('stepwise.server.setToken', TOKEN), true);
    await waitFor('the group to connect', async () => /^connected/.test(String((await groupItem())?.description)), LONG);
    const client = (await api()).server.client!;
    const run = await client.startRun('approval');
    const waiting = await serverRun(run.id, 'running', 'wait');
    const tree = (await api()).runsTree;
    const item = tree.getTreeItem(waiting);
    assert.equal(item.label, 'approval');
    assert.match(String(item.description), /^running in wait · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · (\d+ ms|\d+\.\d s|\d+ min \d+ s)$/);
    assert.equal(item.contextValue, 'stepwiseServerRun:running');

    // The view's actions, through the REST API: pause, resume, an event that finishes the run.
    assert.equal(await vscode.commands.executeCommand('stepwise.server.pause', waiting), true);
    await serverRun(run.id, 'paused');
    assert.equal(await vscode.commands.executeCommand('stepwise.server.resume', await serverRun(run.id, 'paused')), true);
    const resumed = await serverRun(run.id, 'running');
    // The journal opens as a read-only document that follows the run.
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('stepwise.server.openJournal', resumed);
    assert.equal(editor.document.uri.scheme, 'stepwise-server');
    assert.equal(path.posix.basename(editor.document.uri.path), `${run.id}.jsonl`);
    assert.equal(JSON.parse(editor.document.lineAt(0).text).type, 'run-started');
    assert.equal(await vscode.commands.executeCommand('stepwise.server.sendEvent', resumed, 'approved', { by: 'ada' }), true);
    const done = await serverRun(run.id, 'succeeded');
    assert.equal(done.run.state, 'done');
    await waitFor('the open journal to show the event and the end', () => {
      const text = editor.document.getText();
      return text.includes('"type":"event-received"') && text.includes('"type":"run-ended"');
    }, LONG);
  });

  it('Run Task on Server runs the open sample on the server and shows it complete live', async () => {
    await open(workspaceFile('hello.task.yaml'));
    const started = await vscode.commands.executeCommand<ServerRunStarted>('stepwise.server.runTask');
    assert.equal(started?.task, 'hello');
    const node = await serverRun(started.runId, 'succeeded');
    assert.equal(node.run.state, 'done');
    assert.match(String((await api()).runsTree.getTreeItem(node).description), /^succeeded · /);
    assert.ok(fs.readdirSync(store).some((f) => f.startsWith(started.runId)), "the run is journaled in the server's store, not the workspace's");
    await outputText(`started run ${started.runId} of hello`);
  });

  it('cancels a server run from the view', async () => {
    const started = await vscode.commands.executeCommand<ServerRunStarted>('stepwise.server.runTask', workspaceFile('approval.task.yaml'), { input: { change: 'from the test' } });
    const node = await serverRun(started!.runId, 'running', 'wait');
    assert.equal(await vscode.commands.executeCommand('stepwise.server.cancel', node), true);
    await serverRun(started!.runId, 'cancelled');
  });

  it('marks a run whose task file changed on the server since it started as an older version, and opens the diff', async () => {
    const file = path.join(tasks, 'approval.task.yaml');
    const original = fs.readFileSync(file, 'utf8');
    const started = await vscode.commands.executeCommand<ServerRunStarted>('stepwise.server.runTask', workspaceFile('approval.task.yaml'), { input: { change: 'older version' } });
    const tree = (await api()).runsTree;
    const waiting = await serverRun(started!.runId, 'running', 'wait');
    assert.doesNotMatch(String(tree.getTreeItem(waiting).description), /older version/);
    fs.writeFileSync(file, `${original}# edited on the server while the run waits\n`);
    try {
      // The view reads the served tasks again while a running run keeps it ticking.
      const [node, item] = await waitFor(
        'the run to be marked as an older version',
        async () => {
          const n = await serverRun(started!.runId, 'running');
          const i = tree.getTreeItem(n);
          return /older version/.test(String(i.description)) ? ([n, i] as const) : undefined;
        },
        LONG,
      );
      assert.match(String(item.description), /^running in wait · older version · /);
      assert.equal(item.contextValue, 'stepwiseServerRun:running:older');
      assert.match((item.tooltip as vscode.MarkdownString).value, /Task 'approval' has changed on the server since this run started/);
      assert.equal(await vscode.commands.executeCommand('stepwise.runs.openDiff', node), true);
      const diff = await waitFor('the diff editor', () => {
        const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
        return input instanceof vscode.TabInputTextDiff ? input : undefined;
      });
      assert.equal(diff.original.scheme, 'stepwise-pinned');
      const pinned = await vscode.workspace.openTextDocument(diff.original);
      assert.equal(pinned.getText(), original, 'the left side is the text the run started with');
      assert.equal(diff.modified.fsPath, file);
      assert.equal(await vscode.commands.executeCommand('stepwise.server.cancel', node), true);
      await serverRun(started!.runId, 'cancelled');
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('a task the server does not serve: a clear error that says to serve its folder with --tasks', async () => {
    const uri = writeFile('unserved.task.yaml', 'version: 1\nname: unserved\nstart: a\nstates:\n  a:\n    final: true\n');
    const started = await vscode.commands.executeCommand('stepwise.server.runTask', uri);
    assert.equal(started, undefined);
    const text = await outputText("does not know the task 'unserved'");
    assert.ok(text.includes(`stepwise serve --tasks ${workspaceDir()}`), text);
  });

  it('says disconnected — retrying while the server is down, and reconnects when it is back', async () => {
    const before = (await serverChildren()).filter(isRun).length;
    await server.stop();
    await waitFor('the group to say disconnected', async () => (await groupItem())?.description === 'disconnected — retrying', LONG);
    const message = await waitFor(
      'the disconnected message',
      async () => (await serverChildren()).find((n): n is ServerMessageNode => isMessage(n) && /^Disconnected — retrying/.test(n.text)),
      LONG,
    );
    assert.match(String(message.detail ?? message.text), new RegExp(`127\\.0\\.0\\.1:${port}|retrying`));
    server = await serve(['--store', store, '--tasks', tasks, '--port', String(port)], TOKEN);
    await vscode.commands.executeCommand('stepwise.server.reconnect');
    await waitFor('the group to reconnect', async () => /^connected/.test(String((await groupItem())?.description)), LONG);
    assert.equal((await serverChildren()).filter(isRun).length, before, 'the runs from before the restart are listed again');
    const started = await vscode.commands.executeCommand<ServerRunStarted>('stepwise.server.runTask', workspaceFile('hello.task.yaml'));
    await serverRun(started!.runId, 'succeeded');
  });

  it('never writes the token to the output; Clear Server Token makes the server refuse again', async () => {
    const text = await outputText('token set');
    assert.ok(!text.includes(TOKEN), 'the token is not in the output');
    assert.equal(await vscode.commands.executeCommand('stepwise.server.clearToken'), true);
    await waitFor('unauthorized again', async () => (await groupItem())?.description === 'unauthorized', LONG);
  });

  it('an empty URL takes the server group away', async () => {
    await setSetting('server.url', '');
    await waitFor('no server group', async () => (await groupItem()) === undefined, LONG);
    assert.equal((await api()).server.client, undefined);
  });
});

describe('server in restricted mode', () => {
  before(function () {
    if (vscode.workspace.isTrusted) this.skip();
  });
  after(async () => {
    await setSetting('server.url', undefined);
  });

  it("ignores a workspace's stepwise.server.url (a workspace cannot send a token to a server of its choosing)", async () => {
    await setSetting('server.url', 'http://127.0.0.1:9');
    const settings = fs.readFileSync(path.join(workspaceDir(), '.vscode', 'settings.json'), 'utf8');
    assert.match(settings, /"stepwise\.server\.url": "http:\/\/127\.0\.0\.1:9"/, 'the workspace holds the setting');
    const server = (await api()).server;
    await server.restart();
    assert.equal(server.setting.kind, 'off');
    assert.equal(await groupItem(), undefined);
  });
});
