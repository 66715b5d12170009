// The CodeLens above schedule entries, through VS Code's own CodeLens command.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, closeAll, open, waitFor, writeFile } from './helpers';

const SCHEDULED = `version: 1
name: scheduled
schedule:
  - cron: "0 3 * * 1-5"
    timezone: Europe/Berlin
  - every: 15m
start: done
states:
  done:
    final: true
`;

describe('schedule code lenses', () => {
  before(async () => {
    await api();
  });
  after(async () => {
    await closeAll();
  });

  it('shows the next ticks above each schedule entry', async () => {
    const uri = writeFile('scheduled.task.yaml', SCHEDULED);
    await open(uri);
    const lenses = await waitFor('schedule lenses', async () => {
      const all = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      const ticks = all.filter((l) => l.command?.title.includes('next:'));
      return ticks.length === 2 ? ticks : undefined;
    });
    assert.deepEqual(lenses.map((l) => l.range.start.line), [3, 5]);
    assert.match(lenses[0].command!.title, /^\$\(clock\) next: (Mon|Tue|Wed|Thu|Fri) \d+ \w+ 03:00, .* Europe\/Berlin$/);
    assert.match(lenses[1].command!.title, /^\$\(clock\) next: \w+ \d+ \w+ \d\d:(00|15|30|45), .* UTC$/);
  });
});
