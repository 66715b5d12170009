// The graph of a task whose workspace has plugins (trusted window), on a copy of samples/plugins:
// the host sends the plugin's kind with its arguments' schema, the palette shows it in its Plugins
// group, and a change of the config sends the new set (the kind gone, then back).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KindOffer } from '../../webview/protocol';
import { api, closeAll, workspaceDir, workspaceFile, writeFile } from './helpers';
import { WebviewDom } from './webview';

const DIR = 'plugin-graph';
const TASK = 'release-notes.task.yaml';

/** Resolves with the next `kinds` message posted to a graph of `uri` that `pred` accepts. */
async function kindsPosted(uri: vscode.Uri, pred: (offer: KindOffer) => boolean): Promise<KindOffer> {
  const { graph } = await api();
  return new Promise((resolve) => {
    const sub = graph.onDidPost(({ uri: u, message }) => {
      if (u.toString() === uri.toString() && message.type === 'kinds' && pred(message.offer)) {
        sub.dispose();
        resolve(message.offer);
      }
    });
  });
}

describe('graph palette with workspace plugins', () => {
  const dom = new WebviewDom(TASK);
  const uri = workspaceFile(path.join(DIR, TASK));
  const config = path.join(DIR, 'stepwise.config.json');

  before(async () => {
    await api();
    await closeAll();
    for (const name of ['stepwise.config.json', 'checksum.mjs', TASK]) writeFile(path.join(DIR, name), fs.readFileSync(path.join(workspaceDir(), 'plugins', name), 'utf8'));
  });
  after(closeAll);

  it("opens the plugin sample's task in the graph: the host sends the checksum kind, the palette shows it under Plugins", async () => {
    const posted = kindsPosted(uri, (o) => o.kinds.some((k) => k.kind === 'checksum'));
    await vscode.commands.executeCommand('stepwise.openGraph', uri);
    const offer = await posted;
    const checksum = offer.kinds.find((k) => k.kind === 'checksum');
    assert.equal(checksum?.group, 'plugins');
    assert.equal(checksum?.plugin, 'checksum');
    assert.deepEqual((checksum?.args as { required?: string[] }).required, ['text']);
    assert.equal(offer.unavailable, undefined);
    assert.ok(['sql', 'smtp', 'publish', 'consume', 'grpc'].every((k) => offer.kinds.some((x) => x.kind === k && x.group === 'integrations')), 'the integration kinds are offered');
    const title = await dom.waitFor<string>('the checksum kind in the Plugins group of the palette', `document.querySelector('.sw-palette [role="group"][aria-label="Plugins"] .sw-palette-item[data-item="checksum"]')?.title`);
    assert.match(title, /The digest of a text/);
  });

  it('sends the new set when the config changes: without the plugin the kind is gone, with it back', async () => {
    const original = fs.readFileSync(workspaceFile(config).fsPath, 'utf8');
    const gone = kindsPosted(uri, (o) => !o.kinds.some((k) => k.kind === 'checksum'));
    writeFile(config, '{ "plugins": [] }\n');
    await gone;
    await dom.waitFor('no Plugins group in the palette', `!document.querySelector('.sw-palette [role="group"][aria-label="Plugins"]') && !!document.querySelector('.sw-palette')`);
    const back = kindsPosted(uri, (o) => o.kinds.some((k) => k.kind === 'checksum'));
    writeFile(config, original);
    await back;
    await dom.waitFor('the checksum kind back in the palette', `!!document.querySelector('.sw-palette-item[data-item="checksum"]')`);
  });
});
