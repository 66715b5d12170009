// `Stepwise: New Task…`: a template (a sample that runs offline, or an empty task), then where to
// save it (the workspace folder, a folder of the explorer, or any folder chosen; with no folder
// open, an untitled document), then the file opened in the text editor. An existing file is never
// overwritten: the name is asked again, or (when given as an argument) refused with a message.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { clockKind, mocksFileSetting, runOfflineInWorkspace } from './config';
import { baseOf, defaultBase, emptyTask, fileNameProblem, freeBase, instantiate, mocksFileName, taskFileName, TEMPLATES, templateById, type TaskTemplate } from './templates/catalog';

/** The command's arguments, for the walkthrough, other extensions and tests; all optional. */
export interface NewTaskOptions {
  /** A template id (see extension/templates/catalog.ts); omitted: a quick pick. */
  template?: string;
  /** The folder to create the file in; omitted: the workspace folder. */
  folder?: vscode.Uri | string;
  /** The file name; given, nothing is asked, and an existing file makes the command refuse. */
  name?: string;
  /** An untitled document instead of a file (what happens when no folder is open). */
  untitled?: boolean;
  /** Open the new file in the graph editor beside its text. */
  openGraph?: boolean;
}

interface Target {
  folder: vscode.Uri;
  base: string;
}

export function registerNewTask(extensionUri: vscode.Uri): vscode.Disposable {
  return vscode.commands.registerCommand('stepwise.newTask', (arg?: vscode.Uri | NewTaskOptions) =>
    newTask(extensionUri, arg instanceof vscode.Uri ? { folder: arg } : (arg ?? {})),
  );
}

/** Runs the command; resolves with the new task file's URI, or undefined when nothing was created. */
export async function newTask(extensionUri: vscode.Uri, options: NewTaskOptions): Promise<vscode.Uri | undefined> {
  const picked: { template?: TaskTemplate; picker?: vscode.QuickPick<vscode.QuickPickItem> } | undefined =
    options.template !== undefined ? { template: templateNamed(options.template) } : await pickTemplate();
  try {
    return picked?.template ? await create(extensionUri, picked.template, options) : undefined;
  } finally {
    picked?.picker?.dispose();
  }
}

async function create(extensionUri: vscode.Uri, template: TaskTemplate, options: NewTaskOptions): Promise<vscode.Uri | undefined> {
  const folder = options.untitled ? undefined : await folderFor(options.folder);
  if (folder === 'cancelled') return undefined;
  let task: string;
  let mocks: string | undefined;
  try {
    [task, mocks] = await Promise.all([readTemplate(extensionUri, template.sample), readTemplate(extensionUri, template.mocks)]);
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t("The template '{0}' could not be read from the extension ({1}). Reinstalling the Stepwise extension restores it.", template.label, message(err)));
    return undefined;
  }
  const render = (base: string) => (template.sample ? instantiate(task, template, base) : emptyTask(base));

  if (!folder) return createUntitled(template, render, template.mocks ? mocks : undefined, options);

  const target = options.name !== undefined ? await givenTarget(folder, options.name, template) : await askTarget(folder, template);
  if (!target) return undefined;
  const file = vscode.Uri.joinPath(target.folder, taskFileName(target.base));
  const mocksFile = template.mocks ? vscode.Uri.joinPath(target.folder, mocksFileName(target.base)) : undefined;
  // Asked and checked before; checked once more now, as another program may have written meanwhile.
  const taken = (await Promise.all([file, mocksFile].map((u) => u && exists(u)))).some(Boolean);
  if (taken) {
    void vscode.window.showErrorMessage(vscode.l10n.t('{0} Nothing was created.', takenMessage(target, template)));
    return undefined;
  }
  try {
    await vscode.workspace.fs.createDirectory(target.folder);
    await vscode.workspace.fs.writeFile(file, Buffer.from(render(target.base), 'utf8'));
    if (mocksFile && mocks !== undefined) await vscode.workspace.fs.writeFile(mocksFile, Buffer.from(instantiate(mocks, template, target.base), 'utf8'));
  } catch (err) {
    void vscode.window.showErrorMessage(vscode.l10n.t('Could not create {0}: {1}', file.fsPath, message(err)));
    return undefined;
  }
  await vscode.window.showTextDocument(file, { preview: false });
  if (options.openGraph ?? template.opensGraph) await vscode.commands.executeCommand('stepwise.openGraph', file);
  else void offerNextSteps(file, template);
  return file;
}

function templateNamed(id: string): TaskTemplate | undefined {
  const template = templateById(id);
  if (!template) void vscode.window.showErrorMessage(vscode.l10n.t("There is no task template '{0}'. The templates are: {1}.", id, TEMPLATES.map((t) => t.id).join(', ')));
  return template;
}

/**
 * The template quick pick. It stays open (busy) after the choice until the next question replaces
 * it: a quick input shown while another is open keeps the keyboard focus, one shown after the
 * first has closed does not when the command came from a webview (the walkthrough's button).
 */
async function pickTemplate(): Promise<{ template: TaskTemplate; picker: vscode.QuickPick<vscode.QuickPickItem> } | undefined> {
  type Item = vscode.QuickPickItem & { template?: TaskTemplate };
  const items: Item[] = [
    ...TEMPLATES.filter((t) => t.sample).map((t) => ({ label: t.label, description: t.description, detail: t.mocks ? `With ${t.id}.mocks.yaml, which answers its HTTP calls offline` : undefined, template: t })),
    { label: 'Start from scratch', kind: vscode.QuickPickItemKind.Separator },
    ...TEMPLATES.filter((t) => !t.sample).map((t) => ({ label: t.label, description: t.description, template: t })),
  ];
  const picker = vscode.window.createQuickPick<Item>();
  picker.title = 'New Task: start from which template?';
  picker.placeholder = 'Every sample runs offline';
  picker.matchOnDescription = true;
  picker.items = items;
  return new Promise((resolve) => {
    picker.onDidAccept(() => {
      const template = picker.selectedItems[0]?.template;
      if (!template) return;
      picker.busy = true;
      picker.enabled = false;
      resolve({ template, picker });
    });
    picker.onDidHide(() => {
      resolve(undefined);
      picker.dispose();
    });
    picker.show();
  });
}

/** Where the file goes: the given folder, else the (picked) workspace folder; undefined: no folder is open. */
async function folderFor(given: vscode.Uri | string | undefined): Promise<vscode.Uri | 'cancelled' | undefined> {
  if (given !== undefined) return typeof given === 'string' ? vscode.Uri.file(given) : given;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return undefined;
  if (folders.length === 1) return folders[0].uri;
  const active = vscode.window.activeTextEditor?.document.uri;
  const home = active && vscode.workspace.getWorkspaceFolder(active);
  if (home) return home.uri;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: vscode.l10n.t('New Task: in which workspace folder?') });
  return picked?.uri ?? 'cancelled';
}

async function givenTarget(folder: vscode.Uri, name: string, template: TaskTemplate): Promise<Target | undefined> {
  const problem = fileNameProblem(name) ?? (await takenProblem(folder, baseOf(taskFileName(name)), template));
  if (problem) {
    void vscode.window.showErrorMessage(vscode.l10n.t('New Task: {0} Nothing was created.', problem));
    return undefined;
  }
  return { folder, base: baseOf(taskFileName(name)) };
}

/** An input box for the file name, with a button to choose another folder; never accepts a taken name. */
async function askTarget(initialFolder: vscode.Uri, template: TaskTemplate): Promise<Target | undefined> {
  let folder = initialFolder;
  const suggest = () => taskFileName(freeBase(defaultBase(template), (b) => isTaken(names, b, template)));
  let names = await namesIn(folder);
  let suggested = suggest();
  const input = vscode.window.createInputBox();
  const chooseFolder: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('folder-opened'), tooltip: vscode.l10n.t('Save in another folder…') };
  const describe = () => {
    input.title = `New Task (${template.label}) in ${shown(folder)}`;
  };
  describe();
  input.prompt = template.mocks ? `The task file's name; its mocks file takes the same name (${mocksFileName('name')}).` : "The task file's name.";
  input.value = suggested;
  input.valueSelection = [0, baseOf(input.value).length];
  input.buttons = [chooseFolder];
  input.ignoreFocusOut = true;
  let checking = 0;
  // The folder dialog can itself be a quick input (VS Code's simple file dialog) that hides this one.
  let choosing = false;
  const validate = async (value: string): Promise<string | undefined> => {
    const ticket = ++checking;
    const problem = fileNameProblem(value) ?? (await takenProblem(folder, baseOf(taskFileName(value)), template));
    if (ticket === checking) input.validationMessage = problem;
    return problem;
  };
  try {
    return await new Promise<Target | undefined>((resolve) => {
      input.onDidChangeValue((v) => void validate(v));
      input.onDidTriggerButton(async () => {
        choosing = true;
        let picked: vscode.Uri[] | undefined;
        try {
          picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: folder, openLabel: 'Save the Task Here' });
        } finally {
          choosing = false;
        }
        if (picked?.[0]) {
          folder = picked[0];
          describe();
          // A name the person did not change follows the folder: the first free one there.
          names = await namesIn(folder);
          if (input.value === suggested) {
            suggested = suggest();
            input.value = suggested;
            input.valueSelection = [0, baseOf(suggested).length];
          }
          await validate(input.value);
        }
        input.show();
      });
      input.onDidAccept(async () => {
        input.busy = true;
        const problem = await validate(input.value);
        input.busy = false;
        if (problem) return;
        resolve({ folder, base: baseOf(taskFileName(input.value)) });
        input.hide();
      });
      input.onDidHide(() => {
        if (!choosing) resolve(undefined);
      });
      input.show();
    });
  } finally {
    input.dispose();
  }
}

async function createUntitled(template: TaskTemplate, render: (base: string) => string, mocks: string | undefined, options: NewTaskOptions): Promise<vscode.Uri | undefined> {
  // Untitled documents with a path: VS Code offers that name (in the home folder) on the first save.
  const home = os.homedir();
  const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.toString()));
  const untitled = (name: string) => vscode.Uri.file(path.join(home, name)).with({ scheme: 'untitled' });
  const base = options.name !== undefined && !fileNameProblem(options.name) ? baseOf(taskFileName(options.name)) : defaultBase(template);
  const free = freeBase(base, (b) => open.has(untitled(taskFileName(b)).toString()) || open.has(untitled(mocksFileName(b)).toString()));
  const file = untitled(taskFileName(free));
  if (mocks !== undefined) {
    const mocksDoc = await vscode.workspace.openTextDocument(untitled(mocksFileName(free)));
    await fill(mocksDoc, instantiate(mocks, template, free));
  }
  const doc = await vscode.workspace.openTextDocument(file);
  await fill(doc, render(free));
  await vscode.window.showTextDocument(doc, { preview: false });
  if (options.openGraph ?? template.opensGraph) await vscode.commands.executeCommand('stepwise.openGraph', file);
  return file;
}

async function fill(doc: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, new vscode.Position(0, 0), text);
  await vscode.workspace.applyEdit(edit);
}

/** After the file is open: the graph, and for a template that needs them, the offline run settings. */
async function offerNextSteps(file: vscode.Uri, template: TaskTemplate): Promise<void> {
  const graph = 'Open as Graph';
  const offline = 'Run Offline';
  const needsMocks = template.mocks !== undefined && !mocksFileSetting(file);
  const needsClock = Boolean(template.virtualClock) && clockKind(file) !== 'virtual';
  const name = path.basename(file.fsPath);
  const why = [needsMocks && `its HTTP calls are answered by ${mocksFileName(baseOf(name))}`, needsClock && 'its waits of minutes or hours take milliseconds on the virtual clock'].filter(Boolean).join('; ');
  const text = why ? vscode.l10n.t("Created {0}. To run it offline, set this workspace's stepwise.mocksFile and stepwise.clock: {1}.", name, why) : vscode.l10n.t('Created {0}.', name);
  const choice = await vscode.window.showInformationMessage(text, ...(why ? [offline, graph] : [graph]));
  if (choice === graph) await vscode.commands.executeCommand('stepwise.openGraph', file);
  if (choice === offline) {
    await runOfflineInWorkspace(file, { mocks: needsMocks, clock: needsClock });
  }
}

async function readTemplate(extensionUri: vscode.Uri, relative: string | undefined): Promise<string> {
  if (!relative) return '';
  return Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, relative))).toString('utf8');
}

/** The folder's entries, lower-cased: a name differing only in case is taken on macOS and Windows. */
async function namesIn(folder: vscode.Uri): Promise<Set<string>> {
  try {
    return new Set((await vscode.workspace.fs.readDirectory(folder)).map(([n]) => n.toLowerCase()));
  } catch {
    return new Set();
  }
}

function isTaken(names: Set<string>, base: string, template: TaskTemplate): boolean {
  const wanted = [`${base}.task.yaml`, `${base}.task.yml`, ...(template.mocks ? [mocksFileName(base)] : [])];
  return wanted.some((n) => names.has(n.toLowerCase()));
}

async function takenProblem(folder: vscode.Uri, base: string, template: TaskTemplate): Promise<string | undefined> {
  return isTaken(await namesIn(folder), base, template) ? takenMessage({ folder, base }, template) : undefined;
}

function takenMessage(target: Target, template: TaskTemplate): string {
  const where = shown(target.folder);
  const files = template.mocks ? `${taskFileName(target.base)} or ${mocksFileName(target.base)}` : taskFileName(target.base);
  return `${files} already exists in ${where}: choose another name.`;
}

/** A folder as a person reads it: a workspace folder by its name, others relative to one, or in full. */
function shown(folder: vscode.Uri): string {
  const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === folder.toString());
  return root ? root.name : vscode.workspace.asRelativePath(folder, true);
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
