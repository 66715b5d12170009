// Fan-out on the graph in the real workbench: release.task.yaml's parallel drawn as a lane per
// branch and its map as one lane under `× input.regions, 2 at once`, read from the webview's DOM;
// a run shown from the Runs view paints each lane's status; a click on a lane that calls a task
// opens that task's graph.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunOutcome } from '../../extension/runs';
import { api, closeAll, setSetting, waitFor, workspaceFile } from './helpers';
import { nodeSelector, WebviewDom } from './webview';

const lanes = (state: string) => `${nodeSelector(state)} .sw-fanout .sw-lane[data-lane]`;
const laneAttr = (state: string, attr: string) => `[...document.querySelectorAll(${JSON.stringify(lanes(state))})].map((l) => l.getAttribute(${JSON.stringify(attr)}))`;

function graphTabOf(uri: vscode.Uri): boolean {
  return vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === 'stepwise.graph' && t.input.uri.toString() === uri.toString()));
}

describe('fan-out lanes on the graph (webview DOM)', () => {
  before(async () => {
    await api();
    await closeAll();
  });
  after(async () => {
    await setSetting('mocksFile', undefined);
    await setSetting('clock', undefined);
    await closeAll();
  });

  it("draws release.task.yaml's branches as named lanes and its map with its items and concurrency", async () => {
    await vscode.commands.executeCommand('stepwise.openGraph', workspaceFile('release.task.yaml'));
    const dom = new WebviewDom('release.task.yaml');
    await dom.waitFor('the lanes of build', `document.querySelectorAll(${JSON.stringify(lanes('build'))}).length === 3`);
    assert.deepEqual(await dom.evaluate(laneAttr('build', 'data-lane')), ['web', 'api', 'docs']);
    assert.deepEqual(await dom.evaluate(laneAttr('build', 'data-task')), ['./build-image.task.yaml', './build-image.task.yaml', './build-image.task.yaml']);
    assert.equal(await dom.evaluate(`document.querySelector(${JSON.stringify(`${nodeSelector('deploy')} .sw-kind-map .sw-row-summary`)}).textContent`), '× input.regions, 2 at once');
    assert.equal(await dom.evaluate(`document.querySelector(${JSON.stringify(`${nodeSelector('deploy')} .sw-fanout[data-fanout="map"] .sw-lane`)}).getAttribute('data-task')`), './deploy-region.task.yaml');
  });

  it("a run shown on the graph paints each branch's and item's status", async () => {
    await setSetting('mocksFile', '${taskDir}/${taskName}.mocks.yaml');
    await setSetting('clock', 'virtual');
    const outcome = (await vscode.commands.executeCommand('stepwise.runTask', workspaceFile('release.task.yaml'), { noPrompt: true })) as RunOutcome;
    assert.equal(outcome.status, 'succeeded');
    const view = (await api()).runsView;
    const node = await waitFor('the release run in the Runs view', async () => (await view.getChildren()).find((n) => n.runId === outcome.runId && n.status === 'succeeded'));
    await vscode.commands.executeCommand('stepwise.runs.showOnGraph', node);
    const dom = new WebviewDom('release.task.yaml');
    await dom.waitFor('the branches to show their status', `${laneAttr('build', 'data-status')}.join() === 'succeeded,succeeded,succeeded'`);
    assert.deepEqual(await dom.evaluate(`[...document.querySelectorAll(${JSON.stringify(`${nodeSelector('deploy')} .sw-item-dot`)})].map((d) => d.getAttribute('data-status'))`), ['succeeded', 'succeeded', 'succeeded']);
  });

  it('a click on a lane that calls a task opens that task’s graph', async () => {
    const dom = new WebviewDom('release.task.yaml');
    await dom.click(`${lanes('build')}[data-lane="api"]`);
    const called = workspaceFile('build-image.task.yaml');
    await waitFor('the graph of build-image.task.yaml', () => graphTabOf(called));
    await new WebviewDom('build-image.task.yaml').waitFor('its states', `document.querySelectorAll('.react-flow__node').length > 1`);
  });
});
