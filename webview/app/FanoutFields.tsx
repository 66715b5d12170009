// The inspector's fields of a `parallel` (its branches: add, remove, rename, a called task's file)
// and of a `map` (items, concurrency, tolerate, the called task of its item instruction). Each
// commit is one edit operation of engine/edit (fanout.ts), one undo step.
import { VSCodeButton } from '@vscode/webview-ui-toolkit/react';
import type { FanoutOutline, InstructionOutline } from '../protocol';
import type { EditOperation } from '../../engine/edit/types';
import { instructionSummary } from '../../engine/graph/model';
import { Icons, kindIcon } from './icons';
import { Field, type Propose } from './InspectorFields';

const branchCheck = (taken: readonly string[], own: string) => (v: string) => {
  const name = v.trim();
  if (!name) return 'A branch needs a name.';
  if (/[\r\n\t]/.test(name)) return 'No line breaks in a branch name.';
  return name !== own && taken.includes(name) ? `There is already a branch '${name}'.` : undefined;
};

const whole = (min: number) => (v: string) => (v === '' || (/^\d+$/.test(v.trim()) && Number(v) >= min) ? undefined : `A whole number, ${min} or more (empty: ${min === 1 ? 'all at once' : 'none tolerated'}).`);

/** `items` as typed: a JSON list, else an expression (`={{ … }}` added when it is bare). */
function itemsValue(v: string): string | unknown[] {
  const t = v.trim();
  if (t.startsWith('[')) return JSON.parse(t) as unknown[];
  return t.startsWith('=') ? t : `={{ ${t} }}`;
}

const itemsCheck = (v: string) => {
  const t = v.trim();
  if (!t) return "A map needs its items: an expression such as '={{ input.regions }}', or a JSON list.";
  if (!t.startsWith('[')) return undefined;
  try {
    return Array.isArray(JSON.parse(t)) ? undefined : 'A JSON list: ["a", "b"].';
  } catch (err) {
    return `Not JSON: ${(err as Error).message}`;
  }
};

function taskOf(args: unknown): string {
  const t = args && typeof args === 'object' ? (args as { task?: unknown }).task : undefined;
  return typeof t === 'string' ? t : '';
}

export function FanoutFields({ state, ins, fanout, propose, readOnly }: { state: string; ins: InstructionOutline; fanout: FanoutOutline; propose: Propose; readOnly: boolean }) {
  const index = ins.index;
  const f = (key: string) => ({ field: `do:${index}:${key}`, state, what: 'Edit instruction' });
  if (fanout.kind === 'map') {
    const op = (option: 'items' | 'concurrency' | 'tolerate', value: string | number | unknown[] | undefined) => (s: string): EditOperation => ({ type: 'setMapOption', state: s, index, option, value });
    const items = fanout.items;
    return (
      <div className="sw-fanout-fields">
        <Field {...f('items')} label="Items (an expression or a JSON list)" code value={Array.isArray(items) ? JSON.stringify(items) : typeof items === 'string' ? items : ''} placeholder="={{ input.regions }}" parse={itemsCheck} make={(v, s) => op('items', itemsValue(v))(s)} />
        <div className="sw-field-row">
          <Field {...f('concurrency')} label="At once" value={fanout.concurrency === undefined ? '' : String(fanout.concurrency)} placeholder="all" parse={whole(1)} make={(v, s) => op('concurrency', v.trim() ? Number(v) : undefined)(s)} />
          <Field {...f('tolerate')} label="Failures tolerated" value={fanout.tolerate === undefined ? '' : String(fanout.tolerate)} placeholder="0" parse={whole(0)} make={(v, s) => op('tolerate', v.trim() ? Number(v) : undefined)(s)} />
        </div>
        {fanout.do?.kind === 'call' ? (
          <Field {...f('map-task')} label="Each item calls" code value={taskOf(fanout.do.args)} make={(v, s) => ({ type: 'updateInstruction', state: s, index, path: ['map', 'do', 'call', 'task'], value: v.trim() })} parse={(v) => (v.trim() ? undefined : 'A task file, such as ./deploy-region.task.yaml.')} />
        ) : (
          <div className="sw-hint">{fanout.do ? `Each item runs: ${fanout.do.kind} ${instructionSummary(fanout.do.kind, fanout.do.args)}` : "The map has no 'do' yet: add it in the text."}</div>
        )}
      </div>
    );
  }
  const names = fanout.branches.map((b) => b.name);
  return (
    <div className="sw-fanout-fields">
      <ul className="sw-list sw-branches" aria-label="Branches">
        {fanout.branches.map((b) => (
          <li key={b.name} className="sw-branch" data-branch={b.name}>
            <div className="sw-branch-head">
              {kindIcon(b.ins.kind, { size: 14 })}
              <span className="sw-branch-name">{b.name}</span>
              <span className="sw-item-summary">{b.ins.kind === 'call' ? 'calls a task' : `${b.ins.kind} ${instructionSummary(b.ins.kind, b.ins.args)}`}</span>
              {!readOnly ? (
                <VSCodeButton appearance="icon" aria-label={`Remove branch ${b.name}`} title={`Remove branch ${b.name}`} disabled={names.length < 2} onClick={() => propose({ type: 'removeBranch', state, index, branch: b.name }, 'Remove branch')}>
                  {Icons.trash({ size: 14 })}
                </VSCodeButton>
              ) : null}
            </div>
            <Field {...f(`branch:${b.name}`)} label="Branch" value={b.name} parse={branchCheck(names, b.name)} make={(v, s) => (v.trim() === b.name ? undefined : { type: 'renameBranch', state: s, index, branch: b.name, newName: v.trim() })} />
            {b.ins.kind === 'call' ? <Field {...f(`branch-task:${b.name}`)} label="Calls" code value={taskOf(b.ins.args)} parse={(v) => (v.trim() ? undefined : 'A task file, such as ./build.task.yaml.')} make={(v, s) => ({ type: 'updateInstruction', state: s, index, path: ['parallel', b.name, 'call', 'task'], value: v.trim() })} /> : null}
          </li>
        ))}
      </ul>
      {!readOnly ? (
        <div className="sw-add-row">
          <VSCodeButton appearance="secondary" onClick={() => propose({ type: 'addBranch', state, index, instruction: { kind: 'call', args: { task: './other.task.yaml' } } }, 'Add branch')}>
            Add branch
          </VSCodeButton>
        </div>
      ) : null}
    </div>
  );
}
