// The two questions of "Send Event…" (to a debug session, a local run or a server run): the event's
// name and its JSON data. Either may come as a command argument instead.
import * as vscode from 'vscode';

export interface EventToSend {
  name: string;
  data: unknown;
}

/** Undefined when the user cancels. */
export async function askEvent(target: string, name?: string, data?: unknown): Promise<EventToSend | undefined> {
  const event =
    name ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Send an event to {0}', target),
      prompt: vscode.l10n.t('The event name, as the task waits for it in `event:`'),
      ignoreFocusOut: true,
      validateInput: (t) => (t.trim() ? undefined : 'An event needs a name.'),
    }));
  if (!event?.trim()) return undefined;
  if (data !== undefined) return { name: event.trim(), data };
  const text = await vscode.window.showInputBox({
    title: vscode.l10n.t("Data of event '{0}'", event.trim()),
    prompt: vscode.l10n.t('JSON (the transition sees it as event.data); empty for none'),
    value: '{}',
    ignoreFocusOut: true,
    validateInput: jsonProblem,
  });
  if (text === undefined) return undefined;
  return { name: event.trim(), data: text.trim() === '' ? null : JSON.parse(text) };
}

/** Why a text is not JSON (with where), or undefined when it is. Empty means null. */
export function jsonProblem(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch (err) {
    return `Not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
}
