// The connection to the configured server: a client and a live mirror of its runs, rebuilt when
// the URL setting, its token or the workspace's trust changes. Logs connects and disconnects to
// the Stepwise output channel (never the token).
import * as vscode from 'vscode';
import { ServerClient } from './client';
import { ServerRunsMirror, type ConnectionState } from './mirror';
import { serverSetting, ServerTokens, URL_SETTING, type ServerSetting } from './settings';

export const CONFIGURED_CONTEXT = 'stepwise.serverConfigured';

export class ServerConnection implements vscode.Disposable {
  private current: { setting: ServerSetting; token?: string; mirror?: ServerRunsMirror; off: Array<() => void> } = { setting: { kind: 'off' }, off: [] };
  private readonly changed = new vscode.EventEmitter<string[] | undefined>();
  /** Fires with the ids of server runs that changed, or undefined when the whole server part may have. */
  readonly onDidChange = this.changed.event;
  private readonly journal = new vscode.EventEmitter<{ runId: string; seq: number; scheduled: boolean }>();
  /** Fires for each journal entry a server run gets; `scheduled` for the start of a run a schedule started. */
  readonly onDidJournal = this.journal.event;
  private readonly disposables: vscode.Disposable[] = [];
  private restarting: Promise<void> = Promise.resolve();
  private lastLogged: ConnectionState['kind'] | undefined;

  constructor(
    readonly tokens: ServerTokens,
    private readonly log: (line: string) => void,
  ) {
    this.disposables.push(
      this.changed,
      this.journal,
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(URL_SETTING) && void this.restart()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()),
      tokens.onDidChange((origin) => this.url?.origin === origin && void this.restart()),
    );
    void this.restart();
  }

  get setting(): ServerSetting {
    return this.current.setting;
  }

  get url(): URL | undefined {
    return this.current.setting.kind === 'on' ? this.current.setting.url : undefined;
  }

  get mirror(): ServerRunsMirror | undefined {
    return this.current.mirror;
  }

  get client(): ServerClient | undefined {
    return this.current.mirror?.client;
  }

  /** Settles once the newest settings and token are in use. */
  ready(): Promise<void> {
    return this.restarting;
  }

  /** Reads the setting and the token again and reconnects. */
  restart(): Promise<void> {
    this.restarting = this.restarting.then(() => this.connect()).catch((err) => this.log(`server: ${err instanceof Error ? err.message : String(err)}`));
    return this.restarting;
  }

  private async connect(): Promise<void> {
    const setting = serverSetting();
    const token = setting.kind === 'on' ? await this.tokens.get(setting.url.origin) : undefined;
    if (sameSetting(setting, this.current.setting) && token === this.current.token) return;
    this.teardown();
    const mirror = setting.kind === 'on' ? new ServerRunsMirror(new ServerClient({ url: setting.url.href, token })) : undefined;
    const off: Array<() => void> = [];
    if (mirror) {
      const m = mirror;
      off.push(
        m.onDidChange((ids) => this.changed.fire(ids)),
        m.onDidChangeState((s) => {
          this.logState(m, s);
          this.changed.fire(undefined);
        }),
        m.onJournal((e) => this.journal.fire({ runId: e.runId, seq: e.seq, scheduled: e.type === 'run-started' && e.trigger !== undefined })),
      );
    }
    this.current = { setting, token, mirror, off };
    this.lastLogged = undefined;
    void vscode.commands.executeCommand('setContext', CONFIGURED_CONTEXT, setting.kind === 'on');
    if (setting.kind === 'invalid') this.log(`server: the setting ${URL_SETTING} is not usable: ${setting.problem}`);
    mirror?.start();
    this.changed.fire(undefined);
  }

  /** One line per change of connection, not one per retry. */
  private logState(m: ServerRunsMirror, s: ConnectionState): void {
    if (s.kind === 'connecting' || s.kind === this.lastLogged) return;
    this.lastLogged = s.kind;
    const who = `server ${m.client.label}`;
    if (s.kind === 'connected') this.log(`${who}: connected, watching its runs`);
    else if (s.kind === 'disconnected') this.log(`${who}: disconnected (${s.error}); retrying with backoff`);
    else if (s.kind === 'unauthorized') this.log(`${who}: ${s.error}`);
  }

  retryNow(): void {
    this.current.mirror?.retryNow();
  }

  private teardown(): void {
    this.current.token = undefined;
    for (const off of this.current.off) off();
    this.current.mirror?.stop();
  }

  dispose(): void {
    this.teardown();
    for (const d of this.disposables) d.dispose();
  }
}

function sameSetting(a: ServerSetting, b: ServerSetting): boolean {
  if (a.kind === 'on' && b.kind === 'on') return a.url.href === b.url.href;
  if (a.kind === 'invalid' && b.kind === 'invalid') return a.text === b.text;
  return a.kind === b.kind;
}
