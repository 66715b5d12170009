// A CodeLens above each `schedule:` entry of a task file with its next ticks, so that a cron
// expression can be read as dates before a server runs it. Refreshed as the file is edited and
// every minute, as ticks pass.
import * as vscode from 'vscode';
import { TASK_SELECTOR } from './config';
import { nextTicksLabel } from './core/schedules';
import type { TaskModels } from './models';

class ScheduleLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly timer = setInterval(() => this.changed.fire(), 60_000);

  constructor(private readonly models: TaskModels) {}

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    let schedule;
    try {
      const lint = await this.models.get(doc);
      if (lint.version !== doc.version) return [];
      schedule = lint.result.model.schedule ?? [];
    } catch {
      return [];
    }
    const now = Date.now();
    return schedule.map((m) => {
      const at = doc.positionAt(m.range.start.offset);
      return new vscode.CodeLens(new vscode.Range(at, at), { title: vscode.l10n.t('$(clock) {0}', nextTicksLabel(m, now)), command: '', tooltip: vscode.l10n.t('The next ticks at which stepwise serve starts a run') });
    });
  }

  dispose(): void {
    clearInterval(this.timer);
    this.changed.dispose();
  }
}

export function registerScheduleLens(models: TaskModels): vscode.Disposable[] {
  const lens = new ScheduleLens(models);
  return [lens, vscode.languages.registerCodeLensProvider(TASK_SELECTOR, lens)];
}
