// Bad input never reaches the user as an exception: a file that is not YAML, a half-typed file,
// and a 5,000-state file (linted off the extension host's thread).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, open, positionOf, stepwiseDiagnostics, waitFor, writeFile } from './helpers';

/** The longest the extension host's event loop stalled while `work` ran, in ms. */
async function maxStall<T>(work: Promise<T>): Promise<{ value: T; stall: number }> {
  let stall = 0;
  let running = true;
  const probe = (async () => {
    while (running) {
      const t = Date.now();
      await new Promise((r) => setTimeout(r, 20));
      stall = Math.max(stall, Date.now() - t - 20);
    }
  })();
  const value = await work;
  running = false;
  await probe;
  return { value, stall };
}

describe('bad input', () => {
  before(async () => {
    await api();
  });
  afterEach(async () => {
    await closeAll();
  });

  it('a file that is not YAML gets diagnostics that say what and where', async () => {
    const uri = writeFile('notyaml.task.yaml', '<html>\n  <body>: this is { not: [ yaml\n</html>\n');
    await open(uri);
    const diags = await waitFor('diagnostics', () => {
      const d = stepwiseDiagnostics(uri);
      return d.length > 0 && d;
    });
    assert.ok(diags.some((d) => codeOf(d) === 'yaml-syntax'), diags.map(codeOf).join());
    for (const d of diags) {
      assert.ok(d.range.start.line <= 3 && d.message.length > 10, `${codeOf(d)} at line ${d.range.start.line + 1}: ${d.message}`);
    }
    // The language features answer with nothing rather than an error.
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    assert.deepEqual(symbols ?? [], []);
    await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, new vscode.Position(1, 4));
    await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', uri, new vscode.Position(1, 4));
  });

  it('a half-typed file still completes, outlines and lints', async () => {
    const uri = writeFile('half.task.yaml', 'version: 1\nname: half\nstart: first\nstates:\n  first:\n    on:\n      - to: \n  second:\n    final: true\n');
    const editor = await open(uri);
    const diags = await waitFor('diagnostics', () => {
      const d = stepwiseDiagnostics(uri);
      return d.length > 0 && d;
    });
    assert.ok(diags.length > 0);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, positionOf(editor.document, '- to: ', 6));
    const names = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(names.includes('first') && names.includes('second'), names.join());
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    assert.deepEqual(symbols.map((s) => s.name), ['first', 'second']);
  });

  it('a 5,000-state file lints in a worker: the extension host keeps answering', async function () {
    this.timeout(120_000);
    let big = 'version: 1\nname: big\nstart: s0\nstates:\n';
    for (let i = 0; i < 5000; i++) big += `  s${i}:\n    do:\n      - log: "step ${i}"\n    next: ${i < 4999 ? `s${i + 1}` : 'done'}\n`;
    big += '  done:\n    final: true\n  orphan:\n    next: done\n';
    const uri = writeFile('big.task.yaml', big);
    const editor = await open(uri);
    const started = Date.now();
    const { value: lint, stall } = await maxStall((await api()).diagnostics.lint(editor.document));
    const took = Date.now() - started;
    assert.ok(lint, 'the lint finished');
    console.log(`    5,000 states (${Math.round(big.length / 1024)} KB): linted in ${lint.ms} ms (${took} ms with the transfer), longest extension-host stall ${stall} ms`);
    // Linted on the host's own thread, the lint would stall it for its whole duration (lint.ms,
    // measured in the worker); what is left is receiving the model (about 8 MB of ranges) from
    // the worker and building the outline, which must cost clearly less.
    assert.ok(stall < lint.ms * 0.8, `the extension host stalled ${stall} ms; the lint itself took ${lint.ms} ms in the worker`);
    const diags = await waitFor('the unreachable state reported', () => stepwiseDiagnostics(uri).find((d) => codeOf(d) === 'unreachable-state'));
    assert.equal(diags.range.start.line, 5000 * 4 + 6);
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    assert.equal(symbols.length, 5002);
    const defs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', uri, positionOf(editor.document, 'next: s4000', 7));
    assert.equal(defs[0].range.start.line, 4 + 4000 * 4);
  });
});
