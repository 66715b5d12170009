// Secrets kept in VS Code's secret storage (Stepwise: Set Secret…): a local run and a debug session
// read them as secrets.NAME; the call gets the value; the journal and the debugger show the mask.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../extension/runs';
import { api, closeAll, waitFor, workspaceDir, writeFile } from './helpers';

const VALUE = 'kept-in-keychain-42';

function task(url: string): string {
  return `version: 1
name: keychain
start: call
states:
  call:
    do:
      - http:
          url: "${url}"
          headers: { authorization: "Bearer {{ secrets.KEYCHAIN_API }}" }
      - set: { derived: "={{ $uppercase(secrets.KEYCHAIN_API) }}" }
    next: done
  done: { final: true }
`;
}

describe('secrets from VS Code secret storage', () => {
  const auth: string[] = [];
  let server: http.Server;
  let uri: vscode.Uri;
  before(async () => {
    await api();
    server = http.createServer((req, res) => {
      auth.push(String(req.headers.authorization ?? ''));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    uri = writeFile('keychain.task.yaml', task(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
  });
  after(async () => {
    await vscode.commands.executeCommand('stepwise.deleteSecret', 'KEYCHAIN_API');
    server.close();
    await closeAll();
  });

  it('Set Secret stores a value a local run sends, and the journal never holds', async () => {
    assert.equal(await vscode.commands.executeCommand('stepwise.setSecret', 'KEYCHAIN_API', VALUE), 'KEYCHAIN_API');
    const outcome = await vscode.commands.executeCommand<RunOutcome>('stepwise.runTask', uri);
    assert.equal(outcome?.status, 'succeeded');
    assert.equal(auth.at(-1), `Bearer ${VALUE}`);
    const journal = fs.readFileSync(path.join(workspaceDir(), '.stepwise', 'runs', `${outcome.runId}.jsonl`), 'utf8');
    assert.ok(!journal.includes(VALUE) && !journal.includes(VALUE.toUpperCase()), 'no secret, nor a value computed from it, in the journal');
    assert.match(journal, /"derived":"••••••"/);
  });

  it('a debug session reads the stored secret and shows it masked', async () => {
    const calls = auth.length;
    const started = new Promise<vscode.DebugSession>((resolve) => {
      const sub = vscode.debug.onDidStartDebugSession((s) => {
        if (s.type !== 'stepwise') return;
        sub.dispose();
        resolve(s);
      });
    });
    assert.ok(await vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], { type: 'stepwise', request: 'launch', name: 'keychain', program: uri.fsPath, stopOnEntry: true }));
    const session = await started;
    const shown = await waitFor('the session to stop and evaluate', async () => {
      try {
        const r = await session.customRequest('evaluate', { expression: 'secrets.KEYCHAIN_API', context: 'watch' });
        return r?.result as string;
      } catch {
        return undefined;
      }
    });
    assert.ok(!shown.includes(VALUE), `the debugger shows ${shown}`);
    assert.match(shown, /••••••/);
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.id !== session.id) return;
        sub.dispose();
        resolve();
      });
    });
    await session.customRequest('continue', { threadId: 1 });
    await ended;
    assert.equal(auth.length, calls + 1);
    assert.equal(auth.at(-1), `Bearer ${VALUE}`, 'the debugged run sent the stored value');
  });

  it('Delete Secret removes it from the runs that follow', async () => {
    assert.equal(await vscode.commands.executeCommand('stepwise.deleteSecret', 'KEYCHAIN_API'), 'KEYCHAIN_API');
    const calls = auth.length;
    await vscode.commands.executeCommand<RunOutcome>('stepwise.runTask', uri);
    assert.equal(auth.length, calls + 1);
    assert.match(auth.at(-1)!, /^Bearer\s*$/, 'no value any more');
  });
});
