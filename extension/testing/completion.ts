// Completion of state names in the `path`, `visits` and `never` lists of a test file: the states of
// the task file the test names.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readTaskText } from '../debug';
import { lint, testing } from '../lazy';
import { TEST_SELECTOR } from './files';

const STATE_LIST = /^\s*(?:path|visits|never):\s*(?:#.*)?$/;
const FLOW_LIST = /^\s*(?:-\s+)?(?:path|visits|never):\s*\[[^\]#]*$/;

/** True when the cursor is in a state list: `path: [a, |` or an item line `- |` under `visits:`. */
export function inStateList(lines: readonly string[], line: number, column: number): boolean {
  const before = lines[line].slice(0, column);
  if (FLOW_LIST.test(before)) return true;
  const item = /^(\s*)-\s*[\w.-]*$/.exec(before);
  if (!item) return false;
  const indent = item[1].length;
  for (let i = line - 1; i >= 0; i--) {
    const text = lines[i];
    if (!text.trim() || text.trim().startsWith('#')) continue;
    const own = /^\s*/.exec(text)![0].length;
    if (own === indent && /^\s*-/.test(text)) continue;
    return own <= indent && STATE_LIST.test(text);
  }
  return false;
}

export function registerTestCompletion(): vscode.Disposable {
  return vscode.languages.registerCompletionItemProvider(
    TEST_SELECTOR,
    {
      provideCompletionItems(doc, position) {
        const lines = doc.getText().split(/\r?\n/);
        if (!inStateList(lines, position.line, position.character)) return undefined;
        const task = testing().parseTestFile(doc.getText(), doc.uri.fsPath).model.task;
        if (!task) return undefined;
        let text: string;
        try {
          text = readTaskText(path.resolve(path.dirname(doc.uri.fsPath), task.value));
        } catch {
          return undefined;
        }
        return lint()
          .lintText(text)
          .model.states.map((s) => {
            const item = new vscode.CompletionItem(s.name, vscode.CompletionItemKind.EnumMember);
            item.detail = s.final ? 'final state' : 'state';
            return item;
          });
      },
    },
    '[',
    ',',
    ' ',
    '-',
  );
}
