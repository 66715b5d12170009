// Replaying a server's run over a real DAP transport: `"replay": RUN_ID` with `"server": URL`
// fetches the run's journal and its pinned task text through the REST API of a real
// `stepwise serve` (with a token), stops on entry and steps through the recorded run without
// running anything (a side-effect file stays as it was), even after the task file was edited.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { serve, type ServeProcess } from '../postgres/procs';
import { call, until } from '../server/client';
import { suite, tempDir } from './helpers';

const NODE = process.execPath.replace(/\\/g, '/');
const TOKEN = 'replay-server-token-9c2';
const auth = { authorization: `Bearer ${TOKEN}` };

let server: ServeProcess;
let dir = '';
let side = '';
let runId = '';

const task = (work: string) => `version: 1
name: served
start: prep
states:
  prep:
    do: [ { exec: { command: "${NODE}", args: [ "-e", "require('fs').appendFileSync(process.argv[1], 'prep\\\\n'); console.log(JSON.stringify({ n: 7 }))", "${side}" ] }, as: prep } ]
    next: ${work}
  ${work}:
    do: [ { set: { doubled: "={{ data.prep.stdout }}" } } ]
    next: done
  done: { final: true }
`;

before(async () => {
  dir = tempDir('stepwise-replay-server-');
  side = path.join(dir, 'side.txt').replace(/\\/g, '/');
  fs.writeFileSync(path.join(dir, 'served.task.yaml'), task('work'));
  server = await serve(['--store', path.join(dir, 'runs'), '--tasks', dir, '--port', '0'], { STEPWISE_TOKEN: TOKEN });
  const started = await call(server.url!, 'POST', '/v1/runs', { task: 'served' }, auth);
  assert.equal(started.status, 201, JSON.stringify(started.json));
  runId = started.json.run.id;
  await until('the run to succeed', async () => (await call(server.url!, 'GET', `/v1/runs/${runId}`, undefined, auth)).json.run.status === 'succeeded');
  assert.equal(fs.readFileSync(side, 'utf8'), 'prep\n');
  // The file changes after the run: the replay shows the version the run was recorded with.
  fs.writeFileSync(path.join(dir, 'served.task.yaml'), task('renamed'));
});
after(() => server?.kill());

suite('replaying a server run by URL', (test) => {
  test('fetches the journal and the pinned text with the token, stops on entry and steps without running anything', async (dap) => {
    await dap.launch({ replay: runId, server: server.url, token: TOKEN });
    assert.equal((await dap.stopped()).body.reason, 'entry');
    assert.equal((await dap.top()).name, 'prep (entering)');
    await dap.dc.nextRequest({ threadId: 1 });
    await dap.stopped();
    assert.equal((await dap.top()).name, 'work (entering)', 'the recorded version: its state is work, not renamed');
    assert.equal((await dap.scope('Data')).prep, '{exitCode: 0, stdout: "{\\"n\\":7}\\n", stderr: ""}');
    const live = await dap.dc.customRequest('continueLive').catch((e: Error) => e);
    assert.match(String((live as Error).message), /run of the server .*Retry from Here/);
    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 0);
    assert.equal(fs.readFileSync(side, 'utf8'), 'prep\n', 'nothing was run again');
    assert.match(dap.outputText('important'), /has changed since run/);
  });

  test('a wrong token is refused with a message that says what to set', async (dap) => {
    const refused = await dap.launch({ replay: runId, server: server.url, token: 'not-the-token' }).catch((e: Error) => e);
    assert.ok(refused instanceof Error);
    assert.match(refused.message, /refused.*token/i);
  });

  test('an unknown run is refused clearly', async (dap) => {
    const unknown = await dap.launch({ replay: 'no-such-run', server: server.url, token: TOKEN }).catch((e: Error) => e);
    assert.match(String((unknown as Error).message), /Cannot replay run 'no-such-run': No run 'no-such-run'\. List runs with GET \/v1\/runs/);
  });

  test("'server' must be an http(s) URL", async (dap) => {
    const bad = await dap.launch({ replay: runId, server: 'ftp://example.com' }).catch((e: Error) => e);
    assert.match(String((bad as Error).message), /'server' must be the http:\/\/ or https:\/\/ URL/);
  });
});
