// Operating runs from the Runs view, in a real VS Code: Retry from Here… (the QuickPick's default is
// the state the run failed in; a side-effect file proves the steps before it are not done again),
// Debug This Run (a replay that stops on entry and runs nothing) with Continue Live, the mark of a
// run of an older version with the diff editor and the graph's banner, and a bulk cancel; for a
// run of a real `stepwise serve` (with a token), Retry from Here and Debug This Run through its URL.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Retried } from '../../extension/operate/retry';
import type { BulkDone } from '../../extension/operate/bulk';
import { PINNED_SCHEME } from '../../extension/operate/versions';
import type { RunOutcome } from '../../extension/runs';
import type { RunNode } from '../../extension/runsView';
import type { ServerRunNode, ServerTreeNode } from '../../extension/server/tree';
import type { ShownOnGraph } from '../../extension/showRun';
import { api, closeAll, setSetting, waitFor, workspaceDir, writeFile } from './helpers';
import { freePort, LONG, serve, type Served } from './serve';
import { WebviewDom } from './webview';

const NODE = process.execPath.replace(/\\/g, '/');

/** prep appends to side.txt; work fails until the file `ok` exists. */
function flaky(dir: string): string {
  const node = (script: string, arg: string) => `{ exec: { command: "${NODE}", args: [ "-e", "${script}", "${arg}" ], env: { ELECTRON_RUN_AS_NODE: "1" } } }`;
  return `version: 1
name: m-flaky
start: prep
states:
  prep:
    do: [ ${node("require('fs').appendFileSync(process.argv[1], 'prep\\\\n')", `${dir}/side.txt`)} ]
    next: work
  work:
    do: [ ${node("process.exit(require('fs').existsSync(process.argv[1]) ? 0 : 3)", `${dir}/ok`)} ]
    next: done
  done: { final: true }
`;
}

const WAITING = `version: 1
name: m-waiting
start: wait
states:
  wait:
    on: [ { to: done, event: go } ]
  done: { final: true }
`;

const versioned = (message: string) => `version: 1
name: m-versioned
start: greet
states:
  greet:
    do: [ { log: "${message}" } ]
    next: done
  done: { final: true }
`;

async function runNode(runId: string, status?: string): Promise<RunNode> {
  const view = (await api()).runsView;
  return waitFor(`run ${runId} in the Runs view`, async () => (await view.getChildren()).find((n) => n.runId === runId && (!status || n.status === status)));
}

interface Message {
  type: string;
  event?: string;
  body?: any;
}
/** What the adapter of each debug session sent, by session id. */
const sent = new Map<string, Message[]>();

/** A server run as the Runs view lists it (the bundle's classes are told apart by `kind`). */
async function serverRunNode(runId: string, status: string): Promise<ServerRunNode> {
  const tree = (await api()).runsTree;
  return waitFor(
    `server run ${runId} as ${status}`,
    async () => {
      const group = (await tree.getChildren()).find((n) => (n as ServerTreeNode).kind === 'server');
      const runs = group ? ((await tree.getChildren(group)) as ServerTreeNode[]) : [];
      return runs.find((n): n is ServerRunNode => n.kind === 'serverRun' && n.runId === runId && n.status === status);
    },
    LONG,
  );
}

describe('Runs view operations', () => {
  let tracker: vscode.Disposable;
  before(() => {
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('stepwise', {
      createDebugAdapterTracker(session) {
        const list: Message[] = [];
        sent.set(session.id, list);
        return { onDidSendMessage: (m: Message) => list.push(m) };
      },
    });
  });
  after(() => tracker.dispose());

  describe('runs of the workspace', () => {
    const dir = path.join(workspaceDir(), 'm-operate').replace(/\\/g, '/');
    const side = path.join(dir, 'side.txt');
    let failed: RunNode;

    before(async () => {
      await api();
      await closeAll();
      fs.rmSync(dir, { recursive: true, force: true });
      const uri = writeFile('m-operate/m-flaky.task.yaml', flaky(dir));
      const outcome = (await vscode.commands.executeCommand('stepwise.runTask', uri, { noPrompt: true })) as RunOutcome;
      assert.equal(outcome.status, 'failed');
      assert.equal(fs.readFileSync(side, 'utf8'), 'prep\n');
      failed = await runNode(outcome.runId, 'failed');
    });
    after(async () => {
      await vscode.debug.stopDebugging();
      await closeAll();
    });

    it('Retry from Here… offers the failed state first and re-runs from there only', async () => {
      fs.writeFileSync(path.join(dir, 'ok'), '');
      const retrying = vscode.commands.executeCommand('stepwise.runs.retryFrom', failed) as Thenable<Retried | undefined>;
      const answer: { done: boolean; retried?: Retried } = { done: false };
      void retrying.then((r) => Object.assign(answer, { done: true, retried: r }));
      // The QuickPick opens with the state the run failed in selected: accept it as a person presses Enter.
      await waitFor('the retry to be picked and done', async () => {
        if (!answer.done) await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
        return answer.done;
      });
      const retried = answer.retried;
      assert.ok(retried, 'a new run was started');
      assert.equal(retried.from, 'work');
      assert.equal(retried.retryOf, failed.runId);
      assert.equal(retried.outcome?.status, 'succeeded');
      assert.equal(fs.readFileSync(side, 'utf8'), 'prep\n', 'prep, before the fork, was not done again');
      const node = await runNode(retried.runId, 'succeeded');
      const journal = await (await api()).runs.store(node.storeDir).read(node.runId);
      const started = journal[0];
      assert.equal(started.type === 'run-started' && started.retryOf, failed.runId);
    });

    it('Debug This Run replays the run: it stops on entry and runs nothing; Continue Live forks a real run', async () => {
      const before = fs.readFileSync(side, 'utf8');
      // Another stepwise session, stopped and focused, as one a person (or an earlier suite) left open:
      // Continue Live still goes on from the replay.
      const other = writeFile('m-operate/m-other.task.yaml', 'version: 1\nname: m-other\nstart: done\nstates:\n  done: { final: true }\n');
      const otherStarted = new Promise<vscode.DebugSession>((resolve) => {
        const sub = vscode.debug.onDidStartDebugSession((s) => s.type === 'stepwise' && (sub.dispose(), resolve(s)));
      });
      assert.ok(await vscode.debug.startDebugging(undefined, { type: 'stepwise', request: 'launch', name: 'm-other', program: other.fsPath, stopOnEntry: true }));
      const otherSession = await otherStarted;
      await waitFor('the other session to stop on entry', () => (sent.get(otherSession.id) ?? []).some((m) => m.type === 'event' && m.event === 'stopped'));
      const started = new Promise<vscode.DebugSession>((resolve) => {
        const sub = vscode.debug.onDidStartDebugSession((s) => s.type === 'stepwise' && (sub.dispose(), resolve(s)));
      });
      assert.equal(await vscode.commands.executeCommand('stepwise.runs.debugRun', failed), true);
      const session = await started;
      assert.equal(session.configuration.replay, failed.runId);
      const stops = () => (sent.get(session.id) ?? []).filter((m) => m.type === 'event' && m.event === 'stopped');
      await waitFor('the replay to stop on entry', () => stops()[0]?.body.reason === 'entry');
      const top = async () => (await session.customRequest('stackTrace', { threadId: 1 })).stackFrames[0];
      assert.equal((await top()).name, 'prep (entering)');
      await session.customRequest('next', { threadId: 1 });
      await waitFor('the replay to stop at work', async () => stops().length === 2 && (await top()).name === 'work (entering)');
      assert.equal(fs.readFileSync(side, 'utf8'), before, 'the replay ran nothing');

      const liveId = (await vscode.commands.executeCommand('stepwise.debug.continueLive')) as string | undefined;
      assert.ok(liveId, 'Continue Live answered the new run');
      await waitFor('the live run to stop at work', async () => stops().length === 3 && (await top()).name === 'work (entering)');
      await session.customRequest('continue', { threadId: 1 });
      await runNode(liveId, 'succeeded');
      assert.equal(fs.readFileSync(side, 'utf8'), before, 'the live run went on from work: prep was not done again');
      await vscode.debug.stopDebugging(session);
      await vscode.debug.stopDebugging(otherSession);
    });

    it('marks a run of an older version of its file, opens the diff with the file, and says so on the graph', async () => {
      const uri = writeFile('m-operate/m-versioned.task.yaml', versioned('first'));
      const outcome = (await vscode.commands.executeCommand('stepwise.runTask', uri, { noPrompt: true })) as RunOutcome;
      const a = await api();
      const item = async () => a.runsView.getTreeItem(await runNode(outcome.runId, 'succeeded'));
      assert.doesNotMatch(String((await item()).description), /older version/);
      writeFile('m-operate/m-versioned.task.yaml', versioned('second'));
      const marked = await waitFor('the older-version mark', async () => {
        const i = await item();
        return /older version/.test(String(i.description)) && i;
      });
      assert.match(String(marked.contextValue), /^stepwiseRun:succeeded.*:older$/);
      assert.match((marked.tooltip as vscode.MarkdownString).value, /m-versioned\.task\.yaml has changed since this run started/);

      assert.equal(await vscode.commands.executeCommand('stepwise.runs.openDiff', await runNode(outcome.runId)), true);
      const input = await waitFor('the diff editor', () => {
        const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
        return tab?.input instanceof vscode.TabInputTextDiff && tab.input;
      });
      assert.equal(input.original.scheme, PINNED_SCHEME);
      assert.equal(input.modified.fsPath, uri.fsPath);
      assert.equal((await vscode.workspace.openTextDocument(input.original)).getText(), versioned('first'), 'the left side is the text the run started with');

      const shown = (await vscode.commands.executeCommand('stepwise.runs.showOnGraph', await runNode(outcome.runId))) as ShownOnGraph;
      assert.match(shown.olderVersion ?? '', /has changed since this run started/);
      const dom = new WebviewDom('m-versioned.task.yaml');
      await dom.waitFor('the banner to say so', `document.querySelector('.sw-run-banner')?.getAttribute('data-run') === ${JSON.stringify(outcome.runId)} && /older version/.test(document.querySelector('.sw-run-banner').textContent)`);
    });

    it('cancels every run that matches a filter, after checking the count', async () => {
      const uri = writeFile('m-operate/m-waiting.task.yaml', WAITING);
      const runs = [0, 1].map(() => vscode.commands.executeCommand('stepwise.runTask', uri, { noPrompt: true }) as Thenable<RunOutcome>);
      const a = await api();
      await waitFor('both runs waiting', async () => (await a.runsView.getChildren()).filter((n) => n.state.task === 'm-waiting' && n.here && n.state.state === 'wait').length === 2);
      const wrong = (await vscode.commands.executeCommand('stepwise.runs.bulk', { where: 'local', action: 'cancel', task: 'm-waiting', expectCount: 3 })) as BulkDone | undefined;
      assert.equal(wrong, undefined, 'a count that does not match does nothing');
      const done = (await vscode.commands.executeCommand('stepwise.runs.bulk', { where: 'local', action: 'cancel', task: 'm-waiting', expectCount: 2 })) as BulkDone;
      assert.equal(done.matched, 2);
      assert.equal(done.done.length, 2);
      assert.deepEqual((await Promise.all(runs)).map((r) => r.status), ['cancelled', 'cancelled']);
    });
  });

  describe('runs of a server', function () {
    this.timeout(4 * LONG);
    const TOKEN = 'm-operate-token-31c';
    const tasks = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-m-operate-tasks-')).replace(/\\/g, '/');
    const side = path.join(tasks, 'side.txt');
    let server: Served;
    let failed: ServerRunNode;

    before(async function () {
      if (!vscode.workspace.isTrusted) this.skip();
      this.timeout(2 * LONG);
      fs.writeFileSync(path.join(tasks, 'm-flaky.task.yaml'), flaky(tasks));
      server = await serve(['--store', fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-m-operate-store-')), '--tasks', tasks, '--port', String(await freePort())], TOKEN);
      await setSetting('server.url', server.url);
      const a = await api();
      await waitFor('the connection to take the setting', () => a.server.client?.base.origin === new URL(server.url).origin);
      assert.equal(await vscode.commands.executeCommand('stepwise.server.setToken', TOKEN), true);
      const res = await fetch(`${server.url}/v1/runs`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ task: 'm-flaky' }) });
      assert.equal(res.status, 201);
      failed = await serverRunNode(((await res.json()) as { run: { id: string } }).run.id, 'failed');
      assert.equal(fs.readFileSync(side, 'utf8'), 'prep\n');
    });

    after(async () => {
      await vscode.debug.stopDebugging();
      await setSetting('server.url', undefined);
      await server?.stop();
    });

    it('Debug This Run replays a server run through its URL with the token from secret storage, running nothing', async () => {
      const started = new Promise<vscode.DebugSession>((resolve) => {
        const sub = vscode.debug.onDidStartDebugSession((s) => s.type === 'stepwise' && (sub.dispose(), resolve(s)));
      });
      assert.equal(await vscode.commands.executeCommand('stepwise.runs.debugRun', failed), true);
      const session = await started;
      assert.equal(session.configuration.replay, failed.runId);
      assert.equal(new URL(session.configuration.server).origin, new URL(server.url).origin);
      await waitFor('the replay to stop on entry', () => (sent.get(session.id) ?? []).some((m) => m.type === 'event' && m.event === 'stopped' && m.body.reason === 'entry'), LONG);
      assert.equal((await session.customRequest('stackTrace', { threadId: 1 })).stackFrames[0].name, 'prep (entering)');
      await vscode.debug.stopDebugging(session);
      assert.equal(fs.readFileSync(side, 'utf8'), 'prep\n', 'the replay ran nothing');
    });

    it('Retry from Here… retries a server run on the server, from the state it failed in', async () => {
      fs.writeFileSync(path.join(tasks, 'ok'), '');
      const retried = (await vscode.commands.executeCommand('stepwise.runs.retryFrom', failed, 'work')) as Retried | undefined;
      assert.ok(retried, 'the server started a new run');
      assert.equal(retried.retryOf, failed.runId);
      assert.equal(retried.from, 'work');
      await serverRunNode(retried.runId, 'succeeded');
      assert.equal(fs.readFileSync(side, 'utf8'), 'prep\n', 'prep, before the fork, was not done again');
    });
  });
});
