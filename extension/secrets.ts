// Secrets for local runs and debugging kept in VS Code's SecretStorage (the OS keychain), set with
// `Stepwise: Set Secret…`: runs and debug sessions see them as `secrets.NAME`, masked like every
// secret. STEPWISE_SECRET_* variables of VS Code's own process override a stored value.
import * as vscode from 'vscode';
import { SECRET_PREFIX } from '../engine/secrets/env';

// One entry holding every name, since SecretStorage cannot list its keys.
const KEY = 'stepwise.secrets';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class StoredSecrets implements vscode.Disposable {
  private values: Record<string, string> = {};
  private readonly disposables: vscode.Disposable[] = [];
  /** Settles once the stored values have been read. */
  readonly ready: Promise<void>;

  constructor(private readonly storage: vscode.SecretStorage) {
    this.ready = this.reload();
    this.disposables.push(
      storage.onDidChange((e) => e.key === KEY && void this.reload()),
      vscode.commands.registerCommand('stepwise.setSecret', (name?: string, value?: string) => this.set(name, value)),
      vscode.commands.registerCommand('stepwise.deleteSecret', (name?: string) => this.delete(name)),
    );
  }

  /** The names stored (never the values). */
  names(): string[] {
    return Object.keys(this.values).sort();
  }

  /** The environment a run or a debug session reads its secrets from: the stored ones under the process's. */
  env(): Record<string, string | undefined> {
    const stored = Object.fromEntries(Object.entries(this.values).map(([k, v]) => [SECRET_PREFIX + k, v]));
    return { ...stored, ...process.env };
  }

  private async reload(): Promise<void> {
    try {
      const parsed = JSON.parse((await this.storage.get(KEY)) ?? '{}') as unknown;
      this.values = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) : {};
    } catch {
      this.values = {};
    }
  }

  private async write(values: Record<string, string>): Promise<void> {
    await this.storage.store(KEY, JSON.stringify(values));
    this.values = values;
  }

  /** Asks for a name and a value (hidden) unless given; returns the name stored. */
  async set(name?: string, value?: string): Promise<string | undefined> {
    await this.ready;
    const chosen =
      name ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('Stepwise: Set Secret'),
        prompt: vscode.l10n.t('The name a task reads as secrets.NAME'),
        placeHolder: vscode.l10n.t('API_TOKEN'),
        validateInput: (v) => (NAME.test(v) ? undefined : 'Letters, digits and _, not starting with a digit.'),
      }));
    if (!chosen) return undefined;
    if (!NAME.test(chosen)) {
      void vscode.window.showErrorMessage(vscode.l10n.t("'{0}' cannot be a secret's name: use letters, digits and _, not starting with a digit.", chosen));
      return undefined;
    }
    const secret = value ?? (await vscode.window.showInputBox({ title: vscode.l10n.t('Stepwise: Set Secret {0}', chosen), prompt: vscode.l10n.t("The value of secrets.{0}, kept in VS Code's secret storage", chosen), password: true, ignoreFocusOut: true }));
    if (secret === undefined) return undefined;
    await this.write({ ...this.values, [chosen]: secret });
    void vscode.window.setStatusBarMessage(`Stepwise: secret ${chosen} stored`, 3000);
    return chosen;
  }

  async delete(name?: string): Promise<string | undefined> {
    await this.ready;
    if (!this.names().length && name === undefined) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Stepwise has no stored secrets. Set one with "Stepwise: Set Secret…".'));
      return undefined;
    }
    const chosen = name ?? (await vscode.window.showQuickPick(this.names(), { title: vscode.l10n.t('Stepwise: Delete Secret'), placeHolder: vscode.l10n.t('The secret to delete') }));
    if (!chosen || !(chosen in this.values)) return undefined;
    const { [chosen]: _removed, ...rest } = this.values;
    await this.write(rest);
    return chosen;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
