// The server settings: `stepwise.server.url` (empty = no server) and the token kept in VS Code's
// SecretStorage, one per server origin, so a token is only ever sent to the server it was set for.
// The URL is a restricted setting: in an untrusted workspace only the user's own value counts, so a
// workspace cannot point a token at a server of its choosing.
import * as vscode from 'vscode';
import { serverUrlSetting } from '../config';
import { parseServerUrl } from './client';

export const URL_SETTING = 'stepwise.server.url';
const TOKEN_KEY = 'stepwise.server.token:';

export type ServerSetting = { kind: 'off' } | { kind: 'invalid'; text: string; problem: string } | { kind: 'on'; url: URL };

export function serverSetting(): ServerSetting {
  const text = serverUrlSetting();
  if (!text) return { kind: 'off' };
  try {
    return { kind: 'on', url: parseServerUrl(text) };
  } catch (err) {
    return { kind: 'invalid', text, problem: err instanceof Error ? err.message : String(err) };
  }
}

export class ServerTokens {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** Fires with the origin whose token changed. */
  onDidChange(listener: (origin: string) => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => e.key.startsWith(TOKEN_KEY) && listener(e.key.slice(TOKEN_KEY.length)));
  }

  async get(origin: string): Promise<string | undefined> {
    return (await this.secrets.get(TOKEN_KEY + origin)) || undefined;
  }

  set(origin: string, token: string): Thenable<void> {
    return this.secrets.store(TOKEN_KEY + origin, token);
  }

  clear(origin: string): Thenable<void> {
    return this.secrets.delete(TOKEN_KEY + origin);
  }
}
