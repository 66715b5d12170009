// Values computed from a secret in the debugger, over a real DAP transport: the variables, the
// console's evaluate (and hover), logpoints and output never show them in clear, while the run
// still sends them in clear.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { derivedTask, expectedHeaders, headerServer, leaks, SECRET, type HeaderServer } from '../helpers/secret-tasks';
import { lineOf, suite, tempDir, type Dap } from './helpers';

const { before, after } = require('node:test') as typeof import('node:test');

let server: HeaderServer;
let file: string;
before(async () => {
  server = await headerServer();
  file = path.join(tempDir('stepwise-debug-secrets-'), 'derived.task.yaml');
  fs.writeFileSync(file, derivedTask(server.url));
});
after(async () => {
  await server.close();
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});

/** Every variable under a reference, as `name = value` lines, children included. */
async function allVariables(dap: Dap, ref: number, depth = 0): Promise<string[]> {
  const vars = (await dap.dc.variablesRequest({ variablesReference: ref })).body.variables;
  const out: string[] = [];
  for (const v of vars) {
    out.push(`${v.name} = ${v.value}`);
    if (v.variablesReference > 0 && depth < 4) out.push(...(await allVariables(dap, v.variablesReference, depth + 1)));
  }
  return out;
}

suite('values computed from secrets', (test) => {
  test('never show in variables, evaluate, hover, logpoints or output', async (dap) => {
    const callLine = lineOf(file, 'call:');
    await dap.launch(
      { program: file, clock: 'virtual', secrets: { token: SECRET } },
      { breakpoints: { [file]: [callLine, { line: lineOf(file, 'done:'), logMessage: 'at done: {data.upper} {$lowercase(data.joined)}' }] } },
    );
    await dap.stopped();
    const frame = (await dap.top()).id;
    const scopes = (await dap.dc.scopesRequest({ frameId: frame })).body.scopes;
    const shown: string[] = [];
    for (const s of scopes) shown.push(...(await allVariables(dap, s.variablesReference)));
    assert.ok(shown.some((l) => l.startsWith('upper = ')), shown.join('\n'));
    assert.deepEqual(leaks(shown.join('\n')), [], shown.join('\n'));
    assert.equal((await dap.variable('Data', ['derived', 'b64'])).value, '"••••••"');

    const expressions = ['$uppercase(secrets.token)', 'data.upper', '$lowercase(data.upper)', 'data', 'data.derived', '$string(data)', "$join($split(secrets.token, '-'), '+')"];
    for (const e of expressions) {
      const r = await dap.evaluate(e);
      const text = [r.result, ...(r.variablesReference > 0 ? await allVariables(dap, r.variablesReference) : [])].join('\n');
      assert.deepEqual(leaks(text), [], `${e}: ${text}`);
    }
    assert.equal((await dap.evaluate('$uppercase(secrets.token)')).result, '"••••••"');
    assert.equal((await dap.evaluate('upper', 'hover')).result, '"••••••"');
    // What does not come from a secret still shows.
    assert.equal((await dap.evaluate('$count($keys(data))')).result, '5');

    await dap.dc.continueRequest({ threadId: 1 });
    assert.equal((await dap.next<DebugProtocol.ExitedEvent>('exited')).body.exitCode, 0);
    await dap.waitOutput('at done:');
    assert.deepEqual(leaks(dap.outputText()), [], dap.outputText());
    assert.match(dap.outputText(), /at done: •+ •+/);
    assert.deepEqual(leaks(JSON.stringify(await dap.journal())), []);
    const headers = server.received.at(-1)!;
    for (const [k, v] of Object.entries(expectedHeaders())) assert.equal(headers[k], v, k);
  });

  test('set value refuses an expression computed from a secret', async (dap) => {
    await dap.launch({ program: file, clock: 'virtual', secrets: { token: SECRET } }, { breakpoints: { [file]: [lineOf(file, 'call:')] } });
    await dap.stopped();
    const scopes = (await dap.dc.scopesRequest({ frameId: (await dap.top()).id })).body.scopes;
    const dataRef = scopes.find((s) => s.name === 'Data')!.variablesReference;
    await assert.rejects(dap.dc.setVariableRequest({ variablesReference: dataRef, name: 'copy', value: '$uppercase(secrets.token)' }), /computed from a secret/);
    await dap.dc.setVariableRequest({ variablesReference: dataRef, name: 'note', value: '"plain " & $string($count($keys(data)))' });
    assert.equal((await dap.evaluate('data.note')).result, '"plain 5"');
  });
});
