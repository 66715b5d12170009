// The server's schedules in the Runs view, in a real VS Code against a real `stepwise serve`
// whose task folder holds a task scheduled far in the future: the Schedules node lists it, and
// Pause / Resume Schedule change it on the server and in the view.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ServerScheduleNode, ServerSchedulesNode } from '../../extension/server/schedules';
import type { ServerTreeNode } from '../../extension/server/tree';
import { api, setSetting, waitFor } from './helpers';
import { freePort, LONG, serve, type Served } from './serve';

const TOKEN = 'j-schedules-token-71c3';

const YEARLY = `version: 1
name: yearly
description: A report once a year, at 03:00 Berlin time on the first of January
schedule:
  - cron: "0 3 1 1 *"
    timezone: Europe/Berlin
start: done
states:
  done:
    final: true
`;

// The extension runs from its bundle: nodes are told apart by their `kind`, not with instanceof.
async function scheduleNode(id: string, description?: RegExp): Promise<ServerScheduleNode> {
  const tree = (await api()).runsTree;
  return waitFor(
    `schedule ${id} under the server's Schedules node${description ? ` described ${description}` : ''}`,
    async () => {
      const group = (await tree.getChildren()).find((n) => (n as ServerTreeNode).kind === 'server');
      if (!group) return undefined;
      const schedules = (await tree.getChildren(group)).find((n): n is ServerSchedulesNode => (n as ServerTreeNode).kind === 'serverSchedules');
      if (!schedules) return undefined;
      const node = (await tree.getChildren(schedules)).find((n): n is ServerScheduleNode => (n as ServerTreeNode).kind === 'serverSchedule' && (n as ServerScheduleNode).schedule.id === id);
      return node && (!description || description.test(String(tree.getTreeItem(node).description))) ? node : undefined;
    },
    LONG,
  );
}

describe('server schedules in the Runs view', function () {
  this.timeout(4 * LONG);
  let server: Served;
  const store = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-j-schedules-store-'));
  const tasks = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-j-schedules-tasks-'));

  before(async function () {
    if (!vscode.workspace.isTrusted) this.skip();
    this.timeout(2 * LONG);
    fs.writeFileSync(path.join(tasks, 'yearly.task.yaml'), YEARLY);
    server = await serve(['--store', store, '--tasks', tasks, '--port', String(await freePort())], TOKEN);
    await setSetting('server.url', server.url);
    const connection = (await api()).server;
    await waitFor('the extension to take the server URL', () => connection.url?.origin === new URL(server.url).origin, LONG);
    assert.equal(await vscode.commands.executeCommand('stepwise.server.setToken', TOKEN), true);
  });

  after(async () => {
    await vscode.commands.executeCommand('stepwise.server.clearToken');
    await setSetting('server.url', undefined);
    await server?.stop();
  });

  it('lists the schedule with its cron, its next tick in local time, timezone and overlap', async () => {
    const node = await scheduleNode('yearly:0');
    const item = (await api()).runsTree.getTreeItem(node);
    assert.equal(item.label, 'yearly: 0 3 1 1 *');
    assert.equal(item.contextValue, 'stepwiseSchedule:active');
    // 03:00 in Berlin on 1 January is 02:00 UTC (winter time).
    assert.match(String(node.schedule.nextTick), /^\d{4}-01-01T02:00:00\.000Z$/);
    const next = new Date(node.schedule.nextTick!);
    const local = (n: number) => String(n).padStart(2, '0');
    assert.equal(item.description, `next ${next.getFullYear()}-${local(next.getMonth() + 1)}-${local(next.getDate())} ${local(next.getHours())}:${local(next.getMinutes())}:00`);
    const tip = (item.tooltip as vscode.MarkdownString).value;
    assert.match(tip, /timezone: Europe\/Berlin/);
    assert.match(tip, /overlap: \w+/);
    assert.match(tip, /last run: none yet/);
  });

  it('Pause Schedule pauses it on the server and the view says paused; Resume Schedule undoes it', async () => {
    const client = (await api()).server.client!;
    assert.equal(await vscode.commands.executeCommand('stepwise.server.pauseSchedule', await scheduleNode('yearly:0')), true);
    const onServer = (await client.schedules()).find((s) => s.id === 'yearly:0');
    assert.equal(onServer?.paused, true);
    assert.equal(onServer?.nextTick, null);
    const paused = await scheduleNode('yearly:0', /^paused$/);
    assert.equal((await api()).runsTree.getTreeItem(paused).contextValue, 'stepwiseSchedule:paused');

    assert.equal(await vscode.commands.executeCommand('stepwise.server.resumeSchedule', paused), true);
    assert.equal((await client.schedules()).find((s) => s.id === 'yearly:0')?.paused, false);
    const resumed = await scheduleNode('yearly:0', /^next \d{4}-\d\d-\d\d \d\d:\d\d:00$/);
    assert.equal((await api()).runsTree.getTreeItem(resumed).contextValue, 'stepwiseSchedule:active');
  });
});
