// What the canvas says in words: the card of a task with no states, and the toast of an edit's result.
import { VSCodeButton } from '@vscode/webview-ui-toolkit/react';
import { Icons } from './icons';
import type { Toast } from './useHostDocument';

export function EmptyTask({ name, readOnly, addState }: { name?: string; readOnly: boolean; addState(): void }) {
  return (
    <div className="sw-empty">
      <div className="sw-empty-card">
        <h2>{name ? `${name} has no states yet` : 'This task has no states yet'}</h2>
        <p>A task is a state machine: each state runs its instructions (HTTP calls, commands, logs), then a transition leads to the next state, and a final state ends the run.</p>
        <p>Add the first state, then drag from a state's handle to another to connect them, or onto the canvas for a new one. The graph writes the YAML for you.</p>
        <VSCodeButton onClick={addState} disabled={readOnly}>
          Add the first state
        </VSCodeButton>
      </div>
    </div>
  );
}

export function ToastView({ toast, dismiss }: { toast: Toast; dismiss(): void }) {
  return (
    <div className={`sw-toast sw-toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
      {toast.kind === 'error' ? Icons.error({ size: 16 }) : toast.kind === 'warning' ? Icons.warning({ size: 16 }) : Icons.info({ size: 16 })}
      <span>{toast.message}</span>
      <VSCodeButton appearance="icon" aria-label="Dismiss" onClick={dismiss}>
        {Icons.close({ size: 14 })}
      </VSCodeButton>
    </div>
  );
}
