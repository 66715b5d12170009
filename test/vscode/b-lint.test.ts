// Lint in the Problems panel: on save by default, on type when set, off; codes linked to their
// docs pages; quick fixes from the linter's fixes; diagnostics gone with the file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { api, closeAll, codeOf, open, setSetting, sleep, stepwiseDiagnostics, waitFor, writeFile } from './helpers';

const CLEAN = `version: 1
name: lintme
start: fetch
states:
  fetch:
    do:
      - log: "fetching"
    next: check
  check:
    on:
      - to: process
        when: "data.ok = true"
      - to: done
  process:
    next: done
  done:
    final: true
`;

describe('lint', () => {
  before(async () => {
    await api();
  });
  afterEach(async () => {
    await setSetting('lint.run', undefined);
    await closeAll();
  });

  it('lints on save (not while typing) with codes, ranges and links to the rule docs', async () => {
    const uri = writeFile('lintme.task.yaml', CLEAN);
    const editor = await open(uri);
    // A clean file is linted on open: nothing to report.
    await (await api()).diagnostics.lint(editor.document);
    assert.deepEqual(stepwiseDiagnostics(uri), []);

    // A typo in a target and a bad duration, typed but not saved: nothing yet (lint on save).
    await editor.edit((b) => {
      const doc = editor.document;
      const to = doc.getText().indexOf('to: process') + 'to: '.length;
      b.replace(new vscode.Range(doc.positionAt(to), doc.positionAt(to + 'process'.length)), 'proces');
      const fetch = doc.getText().indexOf('  fetch:\n') + '  fetch:\n'.length;
      b.insert(doc.positionAt(fetch), '    timeout: 5 minutes\n');
    });
    await sleep(800);
    assert.deepEqual(stepwiseDiagnostics(uri), [], 'no diagnostics before the save');

    await editor.document.save();
    const diags = await waitFor('diagnostics after save', () => {
      const d = stepwiseDiagnostics(uri);
      return d.length >= 2 && d;
    });
    const target = diags.find((d) => codeOf(d) === 'unknown-target');
    assert.ok(target, `an unknown-target diagnostic among ${diags.map(codeOf).join(', ')}`);
    assert.equal(target.severity, vscode.DiagnosticSeverity.Error);
    assert.match(target.message, /'proces'.*'process'/);
    // `      - to: proces` is line 11 (0-based) after the inserted timeout line; the name starts at column 12.
    assert.deepEqual([target.range.start.line, target.range.start.character, target.range.end.line, target.range.end.character], [11, 12, 11, 18]);
    const duration = diags.find((d) => codeOf(d) === 'invalid-duration');
    assert.ok(duration);
    assert.deepEqual([duration.range.start.line, duration.range.start.character, duration.range.end.character], [5, 13, 22]);

    // The code links to the rule's page in docs/rules/, which exists.
    const code = target.code as { value: string; target: vscode.Uri };
    assert.equal(typeof code, 'object');
    assert.match(code.target.path, /\/docs\/rules\/unknown-target\.md$/);
    assert.ok(fs.existsSync(code.target.fsPath), `${code.target.fsPath} exists`);
  });

  it('offers the linter fix as a quick fix, and applying it clears that diagnostic only', async () => {
    const uri = writeFile('quickfix.task.yaml', CLEAN.replace('to: process', 'to: proces').replace('  fetch:\n', '  fetch:\n    timeout: 5 minutes\n'));
    const editor = await open(uri);
    const target = await waitFor('an unknown-target diagnostic', () => stepwiseDiagnostics(uri).find((d) => codeOf(d) === 'unknown-target'));
    // The typo also leaves 'process' unreachable; both go with the fix.
    assert.deepEqual(stepwiseDiagnostics(uri).map(codeOf).sort(), ['invalid-duration', 'unknown-target', 'unreachable-state']);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, target.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === "Change to 'process'");
    assert.ok(fix, `a quick fix "Change to 'process'" among: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(fix.edit);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    assert.match(editor.document.getText(), /- to: process\n/);
    await waitFor('the fixed diagnostics to go, the other one to stay', () => stepwiseDiagnostics(uri).map(codeOf).join() === 'invalid-duration');
  });

  it("offers each of a diagnostic's fixes, the first one preferred", async () => {
    const uri = writeFile('fixes.task.yaml', CLEAN.replace('  process:\n    next: done\n', '  process:\n    do:\n      - log: x\n'));
    const editor = await open(uri);
    const stuck = await waitFor('a no-way-out diagnostic', () => stepwiseDiagnostics(uri).find((d) => codeOf(d) === 'no-way-out'));
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, stuck.range, vscode.CodeActionKind.QuickFix.value);
    const final = actions.find((a) => a.title === "Mark it final ('final: true')");
    const next = actions.find((a) => a.title === "Add 'next: done'");
    assert.ok(final && next, `both fixes among: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(final.isPreferred, true);
    assert.equal(next.isPreferred, false);
    assert.ok(next.edit && (await vscode.workspace.applyEdit(next.edit)));
    if (next.command) await vscode.commands.executeCommand(next.command.command, ...(next.command.arguments ?? []));
    assert.match(editor.document.getText(), /      - log: x\n    next: done\n/);
    await waitFor('no diagnostics left', () => stepwiseDiagnostics(uri).length === 0);
  });

  it('lints while typing when stepwise.lint.run is onType, and clears everything when off', async () => {
    await setSetting('lint.run', 'onType');
    const uri = writeFile('ontype.task.yaml', CLEAN);
    const editor = await open(uri);
    await sleep(300);
    assert.deepEqual(stepwiseDiagnostics(uri), []);
    await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().indexOf('  done:')), '  orphan:\n    next: done\n'));
    const diags = await waitFor('an on-type diagnostic without saving', () => {
      const d = stepwiseDiagnostics(uri);
      return d.length > 0 && d;
    });
    assert.equal(editor.document.isDirty, true);
    assert.deepEqual(diags.map(codeOf), ['unreachable-state']);
    assert.ok(diags[0].tags?.includes(vscode.DiagnosticTag.Unnecessary), 'an unreachable state is shown faded');

    await setSetting('lint.run', 'off');
    await waitFor('diagnostics cleared when lint is off', () => stepwiseDiagnostics(uri).length === 0);
    await editor.document.save();
    await sleep(500);
    assert.deepEqual(stepwiseDiagnostics(uri), [], 'no lint on save when off');
  });

  it('clears diagnostics when the file is deleted', async () => {
    const uri = writeFile('deleted.task.yaml', CLEAN.replace('to: done\n  process', 'to: nowhere\n  process'));
    await open(uri);
    await waitFor('a diagnostic', () => stepwiseDiagnostics(uri).length > 0);
    await closeAll();
    await vscode.workspace.fs.delete(uri);
    await waitFor('diagnostics gone with the file', () => stepwiseDiagnostics(uri).length === 0);
  });

  it('clears diagnostics when the file is deleted by another program', async () => {
    const uri = writeFile('rm.task.yaml', CLEAN.replace('to: done\n  process', 'to: nowhere\n  process'));
    await open(uri);
    await waitFor('a diagnostic', () => stepwiseDiagnostics(uri).length > 0);
    await closeAll();
    fs.rmSync(uri.fsPath);
    await waitFor('diagnostics gone with the file', () => stepwiseDiagnostics(uri).length === 0);
  });
});
