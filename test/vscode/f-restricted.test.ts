// Restricted Mode (an untrusted workspace): lint and language features work, running does not.
// The harness runs these alone in a second window with workspace trust on; in a trusted window
// they are skipped.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerRunNode } from '../../extension/server/tree';
import type { KindOffer } from '../../webview/protocol';
import { api, closeAll, codeOf, open, positionOf, stepwiseDiagnostics, waitFor, workspaceDir, workspaceFile } from './helpers';
import { WebviewDom } from './webview';

/** A journal of hello.task.yaml that stopped in its first state: resumable, and runnable again. */
function interruptedRun(storeDir: string, runId: string): string {
  const file = workspaceFile('hello.task.yaml').fsPath;
  const at = Date.now();
  const events = [
    { seq: 1, at, type: 'run-started', runId, task: 'hello', file, input: { name: 'world' }, data: { greetings: 0 }, clock: 'real' },
    { seq: 2, at, type: 'state-entered', state: 'greet' },
  ];
  const journal = path.join(storeDir, `${runId}.jsonl`);
  fs.writeFileSync(journal, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return journal;
}

describe('restricted mode', () => {
  before(function () {
    if (vscode.workspace.isTrusted) this.skip();
  });
  after(async () => {
    await closeAll();
  });

  it('lints and answers language features in an untrusted workspace', async () => {
    await api();
    const broken = workspaceFile('broken.task.yaml');
    await open(broken);
    const diags = await waitFor('diagnostics in Restricted Mode', () => {
      const d = stepwiseDiagnostics(broken);
      return d.length > 0 && d;
    });
    assert.ok(diags.some((d) => codeOf(d) === 'unknown-target'));
    const hello = workspaceFile('hello.task.yaml');
    const editor = await open(hello);
    const defs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', hello, positionOf(editor.document, 'next: done', 7));
    assert.equal(editor.document.lineAt(defs[0].range.start.line).text.trim(), 'done:');
  });

  it('loads no plugin (workspace code): lint checks no plugin arguments', async () => {
    const notes = fs.readFileSync(workspaceFile('plugins/release-notes.task.yaml').fsPath, 'utf8');
    const uri = workspaceFile('plugins/restricted-misspelt.task.yaml');
    fs.writeFileSync(uri.fsPath, notes.replace('algorithm: sha256', 'algoritm: sha256'));
    const lint = await (await api()).models.get(await vscode.workspace.openTextDocument(uri));
    assert.deepEqual(lint.result.diagnostics.map((d) => d.code), []);
  });

  it("opens a plugin task's graph without loading the plugin: the palette shows it unavailable, with the reason", async () => {
    const { graph } = await api();
    const uri = workspaceFile('plugins/release-notes.task.yaml');
    const posted = new Promise<KindOffer>((resolve) => {
      const sub = graph.onDidPost(({ uri: u, message }) => {
        if (u.toString() === uri.toString() && message.type === 'kinds') {
          sub.dispose();
          resolve(message.offer);
        }
      });
    });
    await vscode.commands.executeCommand('stepwise.openGraph', uri);
    const offer = await posted;
    assert.ok(!offer.kinds.some((k) => k.group === 'plugins'), 'no plugin kind is known without loading the plugin');
    assert.deepEqual(offer.unavailable?.plugins, ['./checksum.mjs']);
    assert.match(offer.unavailable?.reason ?? '', /Restricted Mode/);
    const dom = new WebviewDom('release-notes.task.yaml');
    const item = `document.querySelector('.sw-palette [role="group"][aria-label="Plugins"] .sw-palette-item[data-item="./checksum.mjs"]')`;
    assert.equal(await dom.waitFor<string>('the unavailable plugin in the palette', `${item}?.getAttribute('aria-disabled')`), 'true');
    assert.match(await dom.evaluate<string>(`${item}.title`), /Restricted Mode/);
    await closeAll();
  });

  it('refuses to run a task, and runs nothing', async () => {
    const outcome = await vscode.commands.executeCommand('stepwise.runTask', workspaceFile('hello.task.yaml'));
    assert.equal(outcome, undefined);
    assert.equal(fs.existsSync(path.join(workspaceDir(), '.stepwise')), false, 'no run was journaled');
    assert.equal(await vscode.commands.executeCommand('stepwise.debugTask', workspaceFile('hello.task.yaml')), false);
  });

  it('refuses to debug: the debug configuration is not resolved, no session starts', async () => {
    const debug = (await api()).debug;
    const config = { type: 'stepwise', request: 'launch', name: 'Debug hello', program: workspaceFile('hello.task.yaml').fsPath };
    assert.equal(debug.resolveDebugConfiguration(vscode.workspace.workspaceFolders?.[0], config), undefined);
    assert.equal(await debug.debugFile(workspaceFile('hello.task.yaml')), false);
    assert.equal(vscode.debug.activeDebugSession, undefined);
  });

  it('lists task test cases and shows test file problems, but refuses to run or debug a case', async () => {
    const tests = (await api()).testing.tests;
    await tests.discover();
    const file = tests.controller.items.get(workspaceFile('hello.test.yaml').toString());
    assert.ok(file && file.children.size >= 2, 'the cases of hello.test.yaml are listed');
    const typo = workspaceFile('hello.test.yaml');
    const editor = await open(typo);
    await editor.edit((e) => e.replace(new vscode.Range(positionOf(editor.document, 'path: [greet, done]', 14), positionOf(editor.document, 'path: [greet, done]', 18)), 'dnoe'));
    await waitFor('the test file problem in Restricted Mode', () => stepwiseDiagnostics(typo).some((d) => codeOf(d) === 'unknown-state'));
    const request = new vscode.TestRunRequest([...file.children].map(([, item]) => item));
    let reported = false;
    const sub = tests.onDidReport(() => (reported = true));
    try {
      assert.equal(await tests.run(request, undefined, 'run'), undefined);
      assert.equal(await tests.run(request, undefined, 'coverage'), undefined);
      assert.equal(await tests.debug(request, true), false);
    } finally {
      sub.dispose();
    }
    assert.equal(reported, false, 'no case ran');
    assert.equal(vscode.debug.activeDebugSession, undefined);
    await closeAll();
  });

  it('refuses to resume or run again a journaled run, and leaves its journal alone', async () => {
    const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-restricted-'));
    const runId = '20261202T000000Z-restricted';
    const journal = interruptedRun(storeDir, runId);
    const before = fs.readFileSync(journal, 'utf8');
    const node = { runId, storeDir, journal, status: 'interrupted', here: false, state: {} };
    assert.equal(await vscode.commands.executeCommand('stepwise.runs.resume', node), undefined);
    assert.equal(await vscode.commands.executeCommand('stepwise.runs.rerun', node), undefined);
    assert.equal(fs.readFileSync(journal, 'utf8'), before, 'the journal was not appended to');
    assert.deepEqual(fs.readdirSync(storeDir), [path.basename(journal)], 'no new run was journaled');
    assert.equal(fs.existsSync(path.join(workspaceDir(), '.stepwise')), false);
  });

  it('refuses Retry from Here, bulk actions and Debug This Run, and leaves the store alone', async () => {
    const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-restricted-'));
    const runId = '20261202T000000Z-restricted-operate';
    const journal = interruptedRun(storeDir, runId);
    const before = fs.readFileSync(journal, 'utf8');
    const node = { runId, storeDir, journal, status: 'failed', here: false, state: { task: 'hello' } };
    assert.equal(await vscode.commands.executeCommand('stepwise.runs.retryFrom', node, 'greet'), undefined);
    assert.equal(await vscode.commands.executeCommand('stepwise.runs.bulk', { where: 'local', action: 'resume', status: 'interrupted' }), undefined);
    assert.equal(await vscode.commands.executeCommand('stepwise.runs.debugRun', node), false);
    assert.equal(vscode.debug.activeDebugSession, undefined);
    assert.equal(fs.readFileSync(journal, 'utf8'), before, 'the journal was not appended to');
    assert.deepEqual(fs.readdirSync(storeDir), [path.basename(journal)], 'no new run was journaled');
  });

  it('refuses to start, steer or send events to runs on a server, or to pause or resume its schedules, sending it no request that changes anything', async () => {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/tasks') return res.end(JSON.stringify({ tasks: [{ name: 'hello', file: 'hello.task.yaml' }], rejected: [] }));
      if (req.url?.startsWith('/v1/runs') && req.method === 'GET') return res.end(JSON.stringify({ runs: [] }));
      const run = { id: 'r-1', task: 'hello', status: 'running' };
      res.statusCode = req.method === 'POST' ? 201 : 404;
      res.end(JSON.stringify({ run, applied: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    // In Restricted Mode only the user's own setting names a server.
    const config = vscode.workspace.getConfiguration('stepwise');
    await config.update('server.url', url, vscode.ConfigurationTarget.Global);
    try {
      await waitFor('the Runs view to connect to the server', () => requests.some((r) => r.startsWith('GET ')));
      const run = { runId: 'r-1', origin: url, status: 'running', run: { id: 'r-1', task: 'hello', status: 'running' } } as unknown as ServerRunNode;
      assert.equal(await vscode.commands.executeCommand('stepwise.server.runTask', workspaceFile('hello.task.yaml'), { input: {} }), undefined);
      for (const action of ['pause', 'resume', 'cancel']) assert.equal(await vscode.commands.executeCommand(`stepwise.server.${action}`, run), false, action);
      assert.equal(await vscode.commands.executeCommand('stepwise.server.sendEvent', run, 'approve', {}), false);
      const schedule = { kind: 'serverSchedule', origin: url, schedule: { id: 'hello:0', task: 'hello', paused: false } };
      assert.equal(await vscode.commands.executeCommand('stepwise.server.pauseSchedule', schedule), false);
      assert.equal(await vscode.commands.executeCommand('stepwise.server.resumeSchedule', { ...schedule, schedule: { ...schedule.schedule, paused: true } }), false);
      assert.deepEqual(
        requests.filter((r) => !r.startsWith('GET ')),
        [],
        'only reads reached the server',
      );
    } finally {
      await config.update('server.url', undefined, vscode.ConfigurationTarget.Global);
      server.close();
    }
  });
});
