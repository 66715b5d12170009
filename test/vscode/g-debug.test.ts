// The debugger in the real workbench: VS Code starts the `stepwise` debug type (the adapter runs
// inline in the extension host), breakpoints set through `vscode.debug` stop the run, the session
// answers stack traces, scopes and variables, steps, and the run ends. A tracker registered here
// sees every message the adapter sends, as VS Code receives them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DebugStateEvent } from '../../extension/debug';
import { api, closeAll, open, setSetting, waitFor, workspaceFile, writeFile } from './helpers';

const GREETER = `version: 1
name: debug-greeter
input:
  who: { type: string, required: true }
start: greet
states:
  greet:
    do:
      - log: "Hello, {{ input.who }}"
    next: done
  done:
    final: true
`;

interface Message {
  type: string;
  event?: string;
  command?: string;
  arguments?: any;
  body?: any;
}

/** What the adapter of each session sent, by session id. */
const sent = new Map<string, Message[]>();
/** What VS Code asked the adapter of each session, by session id. */
const asked = new Map<string, Message[]>();

/** One debug session and the messages its adapter sent, read in order. */
class Debugging {
  private cursor = 0;
  readonly ended: Promise<void>;

  constructor(readonly session: vscode.DebugSession) {
    this.ended = new Promise((resolve) => {
      const sub = vscode.debug.onDidTerminateDebugSession((s) => {
        if (s.id !== session.id) return;
        sub.dispose();
        resolve();
      });
    });
  }

  get messages(): Message[] {
    return sent.get(this.session.id) ?? [];
  }

  /** The next event of this name after the ones already read. */
  async next(event: string): Promise<Message> {
    const found = await waitFor(`a '${event}' event from ${this.session.name}`, () => {
      const i = this.messages.findIndex((m, j) => j >= this.cursor && m.type === 'event' && m.event === event);
      return i >= 0 ? i : undefined;
    });
    this.cursor = found + 1;
    return this.messages[found];
  }

  stopped(): Promise<Message> {
    return this.next('stopped');
  }

  async frames(): Promise<Array<{ id: number; name: string; line: number; source?: { path?: string } }>> {
    return (await this.session.customRequest('stackTrace', { threadId: 1 })).stackFrames;
  }

  async top() {
    return (await this.frames())[0];
  }

  async scopes(frameId?: number): Promise<Array<{ name: string; variablesReference: number }>> {
    const id = frameId ?? (await this.top()).id;
    return (await this.session.customRequest('scopes', { frameId: id })).scopes;
  }

  /** A scope's variables as name → the value shown. */
  async scope(name: string): Promise<Record<string, string>> {
    const scope = (await this.scopes()).find((s) => s.name === name);
    assert.ok(scope, `scope ${name}`);
    const vars: Array<{ name: string; value: string }> = (await this.session.customRequest('variables', { variablesReference: scope.variablesReference })).variables;
    return Object.fromEntries(vars.map((v) => [v.name, v.value]));
  }

  output(category = 'stdout'): string {
    return this.messages
      .filter((m) => m.type === 'event' && m.event === 'output' && m.body?.category === category)
      .map((m) => m.body.output)
      .join('');
  }

  async exitCode(): Promise<number> {
    return (await this.next('exited')).body.exitCode;
  }
}

/** Starts a debug session the way `start` does (F5, a command, startDebugging) and returns it. */
async function debugging(start: () => Thenable<unknown>): Promise<Debugging> {
  const started = new Promise<vscode.DebugSession>((resolve) => {
    const sub = vscode.debug.onDidStartDebugSession((s) => {
      if (s.type !== 'stepwise') return;
      sub.dispose();
      resolve(s);
    });
  });
  const ok = await start();
  assert.notEqual(ok, false, 'the debug session started');
  return new Debugging(await started);
}

function launch(uri: vscode.Uri, extra: Record<string, unknown> = {}) {
  return () => vscode.debug.startDebugging(vscode.workspace.workspaceFolders![0], { type: 'stepwise', request: 'launch', name: `Debug ${uri.path.split('/').pop()}`, program: uri.fsPath, ...extra });
}

/** The 0-based line of the first line of a document that starts (trimmed) with `text`. */
function lineOf(doc: vscode.TextDocument, text: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.trim().startsWith(text)) return i;
  throw new Error(`no line '${text}' in ${doc.uri.fsPath}`);
}

function breakAt(uri: vscode.Uri, line: number): vscode.SourceBreakpoint {
  const bp = new vscode.SourceBreakpoint(new vscode.Location(uri, new vscode.Position(line, 0)));
  vscode.debug.addBreakpoints([bp]);
  return bp;
}

describe('debug', () => {
  let tracker: vscode.Disposable;
  before(async () => {
    await api();
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('stepwise', {
      createDebugAdapterTracker(session) {
        const list: Message[] = [];
        const requests: Message[] = [];
        sent.set(session.id, list);
        asked.set(session.id, requests);
        return { onDidSendMessage: (m: Message) => list.push(m), onWillReceiveMessage: (m: Message) => requests.push(m) };
      },
    });
  });
  afterEach(async () => {
    vscode.debug.removeBreakpoints(vscode.debug.breakpoints);
    if (vscode.debug.activeDebugSession) await vscode.debug.stopDebugging();
  });
  after(async () => {
    tracker.dispose();
    await setSetting('mocksFile', undefined);
    await setSetting('clock', undefined);
    await closeAll();
  });

  it('contributes the stepwise debug type: YAML breakpoints, launch attributes, snippets', () => {
    const pkg = vscode.extensions.getExtension('stepwise.stepwise')!.packageJSON;
    const dbg = pkg.contributes.debuggers.find((d: { type: string }) => d.type === 'stepwise');
    assert.deepEqual(pkg.contributes.breakpoints, [{ language: 'yaml' }], 'breakpoints can be set in YAML files');
    const attrs = Object.keys(dbg.configurationAttributes.launch.properties);
    for (const a of ['program', 'input', 'mocks', 'clock', 'stopOnEntry', 'store', 'cwd', 'secrets', 'reuseResults', 'noDebug']) assert.ok(attrs.includes(a), a);
    assert.ok(dbg.initialConfigurations.length && dbg.configurationSnippets.length);
    assert.ok(pkg.activationEvents.includes('onDebugResolve:stepwise'));
  });

  it('stops at a breakpoint on a state, shows its scopes, steps to the next state and runs to the end', async () => {
    const uri = workspaceFile('hello.task.yaml');
    const doc = (await open(uri)).document;
    const greet = lineOf(doc, 'greet:');
    const done = lineOf(doc, 'done:');
    breakAt(uri, greet);
    const states: DebugStateEvent[] = [];
    const sub = (await api()).debug.onDidChangeState((e) => states.push(e));
    try {
      const d = await debugging(launch(uri));

      const stop = await d.stopped();
      assert.equal(stop.body.reason, 'breakpoint');
      const top = await d.top();
      assert.equal(top.line, greet + 1, 'the top frame is the state key line (1-based)');
      // The adapter names the file by path; in a remote window (code-server) VS Code hands it back as a URI.
      const file = top.source?.path ?? '';
      assert.equal(file.includes('://') ? vscode.Uri.parse(file).fsPath : file, uri.fsPath);
      assert.deepEqual((await d.scopes()).map((s) => s.name), ['Data', 'Input', 'Result', 'Event', 'Run', 'Secrets']);
      assert.equal((await d.scope('Data')).greetings, '0');
      assert.match((await d.scope('Input')).name, /world/);
      // VS Code shows the stop: the session's stack item is the stopped frame.
      await waitFor('VS Code to focus the stopped frame', () => vscode.debug.activeStackItem instanceof vscode.DebugStackFrame && vscode.debug.activeStackItem.session.id === d.session.id);
      // The graph editor's feed: the state entered, with the run stopped.
      await waitFor('a stepwise/state event at greet', () => states.some((e) => e.session.id === d.session.id && e.position.state === 'greet' && e.position.stopped));

      await d.session.customRequest('next', { threadId: 1 });
      await d.stopped();
      assert.equal((await d.top()).line, done + 1, 'next: the next state');
      const data = await d.scope('Data');
      assert.equal(data.greetings, '1');
      assert.match(data.greeting, /Hello, world!/);

      await d.session.customRequest('continue', { threadId: 1 });
      assert.equal(await d.exitCode(), 0, 'the run succeeded');
      await d.ended;
      assert.match(d.output(), /Hello, world!/);
      assert.ok(states.some((e) => e.session.id === d.session.id && e.position.status === 'succeeded'), 'the last state event says the run succeeded');
    } finally {
      sub.dispose();
    }
  });

  it('F5 on an open task file without a launch.json debugs it; a breakpoint on an instruction stops before it', async () => {
    const uri = workspaceFile('hello.task.yaml');
    const doc = (await open(uri)).document;
    const log = lineOf(doc, '- log:');
    breakAt(uri, log);
    const d = await debugging(() => vscode.commands.executeCommand('workbench.action.debug.start'));
    assert.equal(d.session.configuration.program, uri.fsPath, 'program: the active editor');
    await d.stopped();
    const top = await d.top();
    assert.equal(top.line, log + 1);
    assert.match(top.name, /log/);
    assert.equal(d.output(), '', 'the log has not run yet');
    await d.session.customRequest('continue', { threadId: 1 });
    assert.equal(await d.exitCode(), 0);
    await d.ended;
    assert.match(d.output(), /Hello, world!/);
  });

  it('Skip Wait fires the timer a stopped run waits on (virtual clock)', async () => {
    const uri = workspaceFile('approval.task.yaml');
    const doc = (await open(uri)).document;
    breakAt(uri, lineOf(doc, 'wait:'));
    const d = await debugging(launch(uri, { clock: 'virtual', mocks: '' }));
    await d.stopped();
    await d.session.customRequest('stepIn', { threadId: 1 });
    const waiting = await d.stopped();
    assert.match(waiting.body.description, /^Waiting: after 24h → expired/);
    const skipped = await vscode.commands.executeCommand<{ skipped: string }>('stepwise.debug.skipWait');
    assert.match(skipped?.skipped ?? '', /after 24h → expired/);
    await d.stopped();
    assert.equal((await d.top()).line, lineOf(doc, '- to: expired') + 1);
    await d.session.customRequest('continue', { threadId: 1 });
    assert.equal(await d.exitCode(), 1, 'expired ends the run cancelled');
    await d.ended;
  });

  it('Send Event delivers an event with JSON data to the waiting run', async () => {
    const uri = workspaceFile('approval.task.yaml');
    const doc = (await open(uri)).document;
    breakAt(uri, lineOf(doc, 'wait:'));
    const d = await debugging(launch(uri, { clock: 'virtual', mocks: '' }));
    await d.stopped();
    await d.session.customRequest('stepIn', { threadId: 1 });
    await d.stopped();
    const sentEvent = await vscode.commands.executeCommand<{ seq: number }>('stepwise.debug.sendEvent', 'approved', { by: 'carol' });
    assert.ok(sentEvent && sentEvent.seq > 0);
    await d.stopped();
    assert.equal((await d.top()).line, lineOf(doc, '- to: approved') + 1);
    assert.deepEqual(await d.scope('Event'), { name: '"approved"', data: '{by: "carol"}' });
    await d.session.customRequest('continue', { threadId: 1 });
    assert.equal(await d.exitCode(), 0);
    await d.ended;
    assert.match(d.output(), /approved by carol/);
  });

  it('the Debug lens command debugs with the mocks file and clock of the settings, as Run does', async () => {
    await setSetting('mocksFile', '${taskDir}/${taskName}.mocks.yaml');
    await setSetting('clock', 'virtual');
    const uri = workspaceFile('deploy.task.yaml');
    const doc = (await open(uri)).document;
    breakAt(uri, lineOf(doc, 'compare:'));
    const d = await debugging(() => vscode.commands.executeCommand('stepwise.debugTask', uri));
    assert.equal(d.session.configuration.clock, 'virtual');
    assert.equal(d.session.configuration.mocks, workspaceFile('deploy.mocks.yaml').fsPath);
    await d.stopped();
    const data = await d.scope('Data');
    assert.ok(data.actual, 'the mocked poll result is in data.actual');
    await d.session.customRequest('continue', { threadId: 1 });
    assert.equal(await d.exitCode(), 0, 'the mocked deploy succeeds');
    await d.ended;
  });

  it('a required input given in the configuration is not asked for', async () => {
    const uri = writeFile('debug-greeter.task.yaml', GREETER);
    const d = await debugging(launch(uri, { input: { who: 'Ada' } }));
    assert.equal(await d.exitCode(), 0);
    await d.ended;
    assert.match(d.output(), /Hello, Ada/);
  });

  it('fan-out branches are threads in the Call Stack: VS Code lists them, focuses the one stopped and steps it alone', async () => {
    const release = workspaceFile('release.task.yaml');
    const buildImage = workspaceFile('build-image.task.yaml');
    const pushImage = lineOf((await open(buildImage)).document, 'push-image:');
    breakAt(buildImage, pushImage);
    await open(release);
    const d = await debugging(launch(release, { clock: 'virtual', mocks: workspaceFile('release.mocks.yaml').fsPath }));
    const stop = await d.stopped();
    assert.equal(stop.body.allThreadsStopped, true);
    const threads: Array<{ id: number; name: string }> = (await vscode.debug.activeDebugSession!.customRequest('threads')).threads;
    const byName = new Map(threads.map((t) => [t.name, t.id]));
    for (const name of ['build › web', 'build › api', 'build › docs']) assert.ok(byName.has(name), `thread ${name} among ${[...byName.keys()].join(', ')}`);
    const web = byName.get('build › web')!;
    assert.equal(stop.body.threadId, web);

    // The Call Stack asked for the threads itself and got the branches, and it focuses the stopped
    // branch's top frame (the called task's state).
    await waitFor('VS Code to ask for the threads', () =>
      d.messages.some((m) => m.type === 'response' && m.command === 'threads' && m.body?.threads?.some((t: { name: string }) => t.name === 'build › api')),
    );
    const focused = await waitFor('VS Code to focus the stopped branch', () => {
      const item = vscode.debug.activeStackItem;
      return item instanceof vscode.DebugStackFrame && item.session.id === d.session.id && item.threadId === web ? item : undefined;
    });
    const webFrames = (await d.session.customRequest('stackTrace', { threadId: web })).stackFrames;
    assert.equal(focused.frameId, webFrames[0].id);
    assert.deepEqual(webFrames.map((f: { name: string }) => f.name), ['build-image · push-image (entering)', 'build › web', 'build']);
    const api = byName.get('build › api')!;
    const apiBefore = (await d.session.customRequest('stackTrace', { threadId: api })).stackFrames.map((f: { name: string }) => f.name);

    // Step Over from the UI steps the focused thread; the other branch stays where it stopped.
    await vscode.commands.executeCommand('workbench.action.debug.stepOver');
    const stepped = await d.stopped();
    assert.equal(stepped.body.threadId, web);
    assert.ok(asked.get(d.session.id)!.some((m) => m.command === 'next' && m.arguments?.threadId === web), 'VS Code sent next for the branch thread');
    assert.equal((await d.session.customRequest('stackTrace', { threadId: web })).stackFrames[0].name, 'build-image · built (entering)');
    assert.deepEqual((await d.session.customRequest('stackTrace', { threadId: api })).stackFrames.map((f: { name: string }) => f.name), apiBefore);
  });

  it('Skip Wait without a stepwise session says so and does nothing', async () => {
    assert.equal(await vscode.commands.executeCommand('stepwise.debug.skipWait'), undefined);
  });
});
