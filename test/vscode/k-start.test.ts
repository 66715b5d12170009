// Getting started in the real workbench: `Stepwise: New Task…` creates a task from each template
// (with its mocks file), opens it, and it lints clean; it never overwrites a file, asks again
// with a free name when driven through its quick pick and input box, and makes an untitled
// document when asked to. The Getting Started walkthrough and the Runs view's empty state point
// at media that exist and at commands that are registered.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TEMPLATES } from '../../extension/templates/catalog';
import { api, closeAll, EXTENSION_ID, stepwiseDiagnostics, waitFor, workspaceDir, writeFile } from './helpers';

const created: string[] = [];

function newTask(options: Record<string, unknown> | vscode.Uri): Thenable<vscode.Uri | undefined> {
  return vscode.commands.executeCommand<vscode.Uri | undefined>('stepwise.newTask', options);
}

/** Lints the document the way the extension does and returns the Problems panel's entries for it. */
async function lintClean(uri: vscode.Uri): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri));
  const count = await vscode.commands.executeCommand<number | undefined>('stepwise.lintDocument', doc.uri);
  assert.equal(count, 0, `${uri.toString()} lints clean`);
  assert.deepEqual(stepwiseDiagnostics(uri).map((d) => d.message), [], `no problems shown for ${uri.toString()}`);
}

/**
 * Accepts what is selected in whatever quick input shows (the template pick, then the suggested
 * name) until the command resolves: what a person pressing Enter twice does.
 */
async function acceptingQuickInputs<T>(command: Thenable<T>): Promise<T> {
  const outcome: { done: boolean; value?: T } = { done: false };
  const running = Promise.resolve(command).then((value) => Object.assign(outcome, { done: true, value }));
  await waitFor('the command to finish through its quick inputs', async () => {
    if (outcome.done) return true;
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await new Promise((r) => setTimeout(r, 250));
    return outcome.done;
  }, 60_000);
  await running;
  return outcome.value as T;
}

/** The `command:` links of a markdown text, without their arguments. */
function commandLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(command:([\w.-]+)/g)].map((m) => m[1]);
}

describe('new task and getting started', () => {
  before(async () => {
    await api();
  });

  afterEach(async () => {
    // Untitled documents would ask to be saved on close: revert them first.
    for (const doc of vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'untitled')) {
      await vscode.window.showTextDocument(doc);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await closeAll();
  });

  after(() => {
    for (const f of created) fs.rmSync(f, { recursive: true, force: true });
  });

  it('creates a task from each template, with its mocks file, opens it, and it lints clean', async () => {
    const folder = path.join(workspaceDir(), 'k-templates');
    created.push(folder);
    for (const template of TEMPLATES) {
      const uri = await newTask({ template: template.id, folder: vscode.Uri.file(folder), name: `my-${template.id}` });
      assert.ok(uri, `template ${template.id} created a file`);
      assert.equal(uri.fsPath, path.join(folder, `my-${template.id}.task.yaml`));
      assert.ok(vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri.toString()), `my-${template.id}.task.yaml is open in the text editor`);
      const graphOpen = () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === 'stepwise.graph' && t.input.uri.toString() === uri.toString()));
      if (template.opensGraph) await waitFor(`my-${template.id}.task.yaml open in the graph editor too`, graphOpen);
      else assert.equal(graphOpen(), false, `my-${template.id}.task.yaml opens as text only`);
      const text = fs.readFileSync(uri.fsPath, 'utf8');
      assert.match(text, new RegExp(`^name: my-${template.id}$`, 'm'), 'the task is named after its file');
      assert.doesNotMatch(text, /samples\//, 'no path points back into the samples folder');
      const mocks = path.join(folder, `my-${template.id}.mocks.yaml`);
      assert.equal(fs.existsSync(mocks), Boolean(template.mocks), `a mocks file exactly for the templates that call the network (${template.id})`);
      if (template.mocks) assert.match(fs.readFileSync(mocks, 'utf8'), new RegExp(`my-${template.id}\\.task\\.yaml`));
      await lintClean(uri);
    }
  });

  it('runs a created task offline once its mocks file is in use', async () => {
    const uri = await newTask({ template: 'health', name: 'k-health' });
    assert.ok(uri);
    created.push(uri.fsPath, uri.fsPath.replace('.task.yaml', '.mocks.yaml'));
    const config = vscode.workspace.getConfiguration('stepwise');
    await config.update('mocksFile', '${taskDir}/${taskName}.mocks.yaml', vscode.ConfigurationTarget.Workspace);
    await config.update('clock', 'virtual', vscode.ConfigurationTarget.Workspace);
    try {
      const outcome = await vscode.commands.executeCommand<{ status: string } | undefined>('stepwise.runTask', uri);
      assert.equal(outcome?.status, 'succeeded');
    } finally {
      await config.update('mocksFile', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('clock', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('refuses to overwrite a task file, or a mocks file the template would write', async () => {
    const hello = path.join(workspaceDir(), 'hello.task.yaml');
    const before = fs.readFileSync(hello, 'utf8');
    assert.equal(await newTask({ template: 'empty', name: 'hello.task.yaml' }), undefined, 'nothing is created over hello.task.yaml');
    assert.equal(fs.readFileSync(hello, 'utf8'), before, 'hello.task.yaml is untouched');
    // A name differing only in case is the same file on macOS and Windows.
    assert.equal(await newTask({ template: 'empty', name: 'HELLO' }), undefined);
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'HELLO.task.yaml')), false);

    const mocks = writeFile('k-taken.mocks.yaml', 'mocks: []\n');
    created.push(mocks.fsPath);
    assert.equal(await newTask({ template: 'deploy', name: 'k-taken' }), undefined, 'the mocks file k-taken.mocks.yaml exists');
    assert.equal(fs.readFileSync(mocks.fsPath, 'utf8'), 'mocks: []\n');
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'k-taken.task.yaml')), false, 'no half of the pair is written');

    assert.equal(await newTask({ template: 'no-such-template', name: 'k-none' }), undefined);
    assert.equal(await newTask({ template: 'hello', name: 'sub/k-none' }), undefined, 'a name with a folder is refused');
    assert.equal(fs.existsSync(path.join(workspaceDir(), 'sub')), false);
  });

  it('through its quick pick and input box, offers a free name beside an existing file', async () => {
    // The workspace holds hello.task.yaml (a copy of samples/): Hello, the first template, must become hello-2.
    assert.ok(fs.existsSync(path.join(workspaceDir(), 'hello.task.yaml')));
    const expected = path.join(workspaceDir(), 'hello-2.task.yaml');
    created.push(expected);
    const uri = await acceptingQuickInputs(vscode.commands.executeCommand<vscode.Uri | undefined>('stepwise.newTask'));
    assert.ok(uri, 'a file was created');
    assert.equal(uri.fsPath, expected);
    assert.match(fs.readFileSync(expected, 'utf8'), /^name: hello-2$/m);
    await lintClean(uri);
  });

  it('from the Explorer menu of a folder, creates the task in that folder', async () => {
    const folder = path.join(workspaceDir(), 'k-explorer');
    fs.mkdirSync(folder, { recursive: true });
    created.push(folder);
    // The Explorer passes the folder's URI (and the selection) as the arguments.
    const uri = await acceptingQuickInputs(vscode.commands.executeCommand<vscode.Uri | undefined>('stepwise.newTask', vscode.Uri.file(folder), [vscode.Uri.file(folder)]));
    assert.ok(uri, 'a file was created');
    assert.equal(uri.fsPath, path.join(folder, 'hello.task.yaml'), 'the free default name, in the folder clicked');
    await lintClean(uri);
  });

  it('creates an untitled document on request (what happens with no folder open)', async () => {
    const uri = await newTask({ template: 'hello', untitled: true });
    assert.ok(uri);
    assert.equal(uri.scheme, 'untitled');
    assert.match(uri.path, /\/hello(-\d+)?\.task\.yaml$/);
    const doc = vscode.window.activeTextEditor?.document;
    assert.equal(doc?.uri.toString(), uri.toString());
    assert.match(doc!.getText(), /^states:$/m);
    await lintClean(uri);
  });

  it('contributes a walkthrough whose steps show existing media and link registered commands', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributes = ext.packageJSON.contributes;
    const walkthroughs = contributes.walkthroughs as { id: string; steps: { id: string; description: string; media: Record<string, string>; completionEvents?: string[] }[] }[];
    assert.equal(walkthroughs.length, 1);
    const steps = walkthroughs[0].steps;
    assert.deepEqual(steps.map((s) => s.id), ['newTask', 'openGraph', 'runTask', 'debugTask', 'problems', 'testTask']);
    const commands = new Set(await vscode.commands.getCommands(false));
    for (const step of steps) {
      const media = step.media.markdown ?? step.media.image;
      assert.ok(media, `step ${step.id} has media`);
      assert.ok(fs.existsSync(path.join(ext.extensionPath, media)), `${media} (step ${step.id}) exists`);
      if (step.media.image) assert.ok(step.media.altText, `step ${step.id}'s image has alt text`);
      const links = commandLinks(step.description);
      assert.ok(links.length > 0, `step ${step.id} has a button`);
      for (const id of links) assert.ok(commands.has(id), `command ${id} (step ${step.id}) is registered`);
      assert.ok(step.completionEvents?.length, `step ${step.id} can be completed`);
      for (const event of step.completionEvents ?? []) {
        if (event.startsWith('onCommand:')) assert.ok(commands.has(event.slice('onCommand:'.length)), `${event} (step ${step.id}) names a registered command`);
      }
    }
    const welcome = (contributes.viewsWelcome as { view: string; contents: string }[]).find((v) => v.view === 'stepwise.runs');
    assert.ok(welcome, 'the Runs view has an empty state');
    assert.ok(commandLinks(welcome.contents).includes('stepwise.newTask'), 'the Runs view offers New Task');
    assert.match(welcome.contents, /openWalkthrough\?[^)]*stepwise\.stepwise%23gettingStarted/, 'the Runs view links the walkthrough');
    for (const id of commandLinks(welcome.contents)) assert.ok(commands.has(id), `command ${id} (Runs view) is registered`);
    for (const t of TEMPLATES) for (const f of [t.sample, t.mocks]) if (f) assert.ok(fs.existsSync(path.join(ext.extensionPath, f)), `template file ${f} ships with the extension`);
    const explorer = contributes.menus['explorer/context'] as { command: string; when: string }[];
    assert.ok(explorer.some((m) => m.command === 'stepwise.newTask' && m.when === 'explorerResourceIsFolder'), 'New Task is on the Explorer menu of folders');
  });

  it('opens the walkthrough by its id', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#gettingStarted`, false);
    // The walkthrough opens in the Welcome editor (the journey looks at it and takes its picture).
    await waitFor('the Welcome editor with the walkthrough', () => /Welcome|Walkthrough/.test(vscode.window.tabGroups.activeTabGroup.activeTab?.label ?? ''));
  });
});
