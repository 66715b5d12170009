// Runs on the graph, in the real workbench: "Show on Graph" on a run of the Runs view opens its
// task's graph with the run's path, read here from the webview's DOM as a person (or an
// assistive tool) sees it: each node's data-visits, the taken transitions, the failing state, and
// the selected state's data and results in the inspector. A run that has not ended updates live.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunNode } from '../../extension/runsView';
import type { RunOutcome } from '../../extension/runs';
import type { ShownOnGraph } from '../../extension/showRun';
import { api, closeAll, waitFor, workspaceDir, writeFile } from './helpers';
import { edgeSelector, nodeSelector, WebviewDom } from './webview';

const LOOP_FILE = 'graph-runs.task.yaml';
const LOOP = `version: 1
name: graph-runs
start: init
states:
  init:
    do:
      - set: { n: 0 }
    next: step
  step:
    do:
      - set: { n: "={{ data.n + 1 }}" }
    on:
      - to: step
        when: "data.n < 3"
      - to: boom
  boom:
    do:
      - log: "{{ $error('boom') }}"
    catch:
      - to: broken
  broken:
    do:
      - log: "{{ $error('again') }}"
    next: done
  done:
    final: true
`;

const WAIT_FILE = 'graph-runs-live.task.yaml';
const WAIT = `version: 1
name: graph-runs-live
start: wait
states:
  wait:
    on:
      - to: done
        event: go
  done:
    final: true
`;

async function runNode(runId: string, status?: string): Promise<RunNode> {
  const view = (await api()).runsView;
  return waitFor(`run ${runId} in the Runs view`, async () => (await view.getChildren()).find((n) => n.runId === runId && (!status || n.status === status)));
}

const visits = (state: string) => `document.querySelector(${JSON.stringify(`${nodeSelector(state)} .sw-node`)})?.getAttribute('data-visits')`;

describe('runs on the graph (webview DOM)', () => {
  before(async () => {
    await api();
    await closeAll();
  });
  after(closeAll);

  it('Show on Graph marks a finished run: visits per node, the path taken, the failing state, data and results', async () => {
    const uri = writeFile(LOOP_FILE, LOOP);
    const outcome = (await vscode.commands.executeCommand('stepwise.runTask', uri, { noPrompt: true })) as RunOutcome;
    assert.equal(outcome.status, 'failed');
    const node = await runNode(outcome.runId, 'failed');
    const shown = (await vscode.commands.executeCommand('stepwise.runs.showOnGraph', node)) as ShownOnGraph;
    assert.equal(shown.file, path.join(workspaceDir(), LOOP_FILE));
    // With no editor open, the graph takes the editor area's place: no empty group beside it.
    assert.deepEqual(vscode.window.tabGroups.all.filter((g) => g.tabs.length === 0).map((g) => g.viewColumn), [], 'empty editor groups');

    const dom = new WebviewDom(LOOP_FILE);
    await dom.waitFor('the graph with the run', `document.querySelectorAll('.react-flow__node').length === 5 && document.querySelector('.sw-run-banner')?.getAttribute('data-run') === ${JSON.stringify(outcome.runId)}`);
    const expected: Record<string, string> = { init: '1', step: '3', boom: '1', broken: '1', done: '0' };
    for (const [state, n] of Object.entries(expected)) assert.equal(await dom.evaluate(visits(state)), n, `${state} entered ${n} times`);
    // The path the journal took: step's loop and its way out, boom's catch; not broken -> done.
    assert.ok((await dom.classes(edgeSelector('step', 0))).includes('sw-edge-taken'), 'step -> step taken');
    assert.ok((await dom.classes(edgeSelector('step', 1))).includes('sw-edge-taken'), 'step -> boom taken');
    assert.ok((await dom.classes(edgeSelector('boom', 0, 'catch'))).includes('sw-edge-taken'), 'boom catch -> broken taken');
    assert.ok(!(await dom.classes(edgeSelector('broken', 0))).includes('sw-edge-taken'), 'broken -> done not taken');
    assert.deepEqual(await dom.evaluate(`[...document.querySelectorAll('.sw-node.sw-failed')].map((n) => n.getAttribute('data-state'))`), ['broken']);
    assert.match(await dom.evaluate<string>(`document.querySelector('.sw-run-banner').textContent`), /failed/);

    // The inspector of a selected state: the data it found on its last visit, and its result.
    await dom.click(`${nodeSelector('step')} .sw-node-name`);
    const inspector = await dom.waitFor<string>('the run section of step', `document.querySelector('.sw-inspector')?.textContent.includes('This run') && document.querySelector('.sw-inspector').textContent`);
    assert.match(inspector, /3 times/);
    assert.match(inspector, /"n": 2/, 'the data the last visit found');
    assert.match(inspector, /set #1 result\s*\{\s*"n": 3\s*\}/);
    // broken is below the canvas's visible part, and the canvas never scrolls: a person finds it.
    await dom.find('broken');
    await dom.click(`${nodeSelector('broken')} .sw-node-name`);
    await dom.waitFor('the error of broken', `/log #1 failed\\s*.*again/.test(document.querySelector('.sw-inspector')?.textContent ?? '')`);
  });

  it('a run that has not ended updates live', async () => {
    const uri = writeFile(WAIT_FILE, WAIT);
    const running = vscode.commands.executeCommand('stepwise.runTask', uri, { noPrompt: true }) as Thenable<RunOutcome>;
    const a = await api();
    const node = await waitFor('the waiting run', async () => (await a.runsView.getChildren()).find((n) => n.state.task === 'graph-runs-live' && n.status === 'running' && n.state.state === 'wait'));
    await vscode.commands.executeCommand('stepwise.runs.showOnGraph', node);
    const dom = new WebviewDom(WAIT_FILE);
    await dom.waitFor('wait to be current', `document.querySelector(${JSON.stringify(`${nodeSelector('wait')} .sw-node`)})?.classList.contains('sw-current')`);
    assert.equal(await dom.evaluate(visits('done')), '0');
    await a.runs.send(node.storeDir, node.runId, 'go', {});
    assert.equal((await running).status, 'succeeded');
    await dom.waitFor('done to be entered on the graph', `${visits('done')} === '1'`);
    assert.ok((await dom.classes(edgeSelector('wait', 0))).includes('sw-edge-taken'));
    await dom.waitFor('the current mark to go', `document.querySelectorAll('.sw-node.sw-current').length === 0`);
    assert.match(await dom.evaluate<string>(`document.querySelector('.sw-run-banner').textContent`), /succeeded/);
  });

  it('Export Graph… from the toolbar writes an SVG and a PNG next to the task file, with the shown run', async () => {
    const uri = writeFile(LOOP_FILE, LOOP);
    const svgFile = path.join(workspaceDir(), 'graph-runs.svg');
    const pngFile = path.join(workspaceDir(), 'graph-runs.png');
    for (const f of [svgFile, pngFile]) fs.rmSync(f, { force: true });
    const outcome = (await vscode.commands.executeCommand('stepwise.runTask', uri, { noPrompt: true })) as RunOutcome;
    await vscode.commands.executeCommand('stepwise.runs.showOnGraph', await runNode(outcome.runId, 'failed'));
    const dom = new WebviewDom(LOOP_FILE);
    await dom.waitFor('the run on the graph', `document.querySelector('.sw-run-banner')?.getAttribute('data-run') === ${JSON.stringify(outcome.runId)} && document.querySelector('main.sw-canvas[data-busy="false"]')`);
    // The toolbar's button, then the save dialog's default (beside the task file), accepted with Enter.
    await dom.click('[aria-label="Export the graph as SVG and PNG"]');
    // The dialog takes the keyboard focus from the graph: then Enter accepts its default.
    await dom.waitFor('the save dialog to open', '!document.hasFocus()');
    await dom.press('Enter');
    await waitFor('both files', () => fs.existsSync(svgFile) && fs.existsSync(pngFile));
    const svg = await waitFor('the SVG written', () => {
      const text = fs.readFileSync(svgFile, 'utf8');
      return text.trimEnd().endsWith('</svg>') && text;
    });
    for (const state of ['init', 'step', 'boom', 'broken', 'done']) assert.ok(svg.includes(`>${state}</text>`), `${state} is named in the SVG`);
    // The run's marks: the visits, and the failing state.
    assert.match(svg, /data-state="step" data-visits="3"/);
    assert.match(svg, /class="node visited failed" data-state="broken"/);
    const png = fs.readFileSync(pngFile);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.ok(png.length > 5000, 'the PNG holds a picture');
  });
});
