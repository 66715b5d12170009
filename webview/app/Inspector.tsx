// The inspector: the selected state (name, description, timeout, start, final and status,
// instructions, transitions, catch entries), the selected transition, or the task.
import { useState } from 'react';
import { VSCodeButton, VSCodeDropdown, VSCodeOption } from '@vscode/webview-ui-toolkit/react';
import type { DebugView, StateOutline, TaskOutline } from '../protocol';
import { StateRunSection } from './RunPanel';
import { nameCheck } from '../designer/step';
import { Icons } from './icons';
import { newInstruction, useKinds } from './kinds';
import { Check, durationCheck, Field, InstructionItem, Section, Select, TransitionFields, TransitionItem, valueOf, type AnyEvent, type Propose } from './InspectorFields';

export function StateInspector({ model, state, propose, readOnly, debug }: { model: TaskOutline; state: StateOutline; propose: Propose; readOnly: boolean; debug?: DebugView }) {
  const [kind, setKind] = useState<string>('log');
  const offer = useKinds();
  const names = model.states.map((s) => s.name);
  const isStart = model.start === state.name;
  const other = names.find((n) => n !== state.name) ?? state.name;
  return (
    <div className="sw-inspector-body" key={state.name}>
      <h2 className="sw-inspector-title">
        {state.final ? Icons.succeeded({ size: 16 }) : Icons.start({ size: 12 })}
        <span>{state.name}</span>
      </h2>
      {debug ? <StateRunSection debug={debug} state={state.name} /> : null}
      <Section title="State">
        <Field field="name" state={state.name} label="Name" value={state.name} what="Rename state" parse={nameCheck} make={(v, s) => (v.trim() === s ? undefined : { type: 'renameState', state: s, newName: v.trim() })} />
        <Field field="description" state={state.name} label="Description" multiline value={state.description ?? ''} what="Edit description" make={(v, s) => ({ type: 'setDescription', state: s, description: v })} />
        <Field field="timeout" state={state.name} label="Timeout" value={state.timeout ?? ''} placeholder="none (e.g. 5m)" parse={durationCheck} what="Edit timeout" make={(v, s) => ({ type: 'setTimeout', state: s, timeout: v })} />
        <div className="sw-checks">
          <Check checked={isStart} disabled={readOnly || isStart} onToggle={(on) => on && propose({ type: 'setStart', state: state.name }, 'Set start')}>
            Start state
          </Check>
          <Check checked={state.final} disabled={readOnly} onToggle={(on) => propose({ type: 'setFinal', state: state.name, final: on }, 'Toggle final')}>
            Final state
          </Check>
        </div>
        {state.final ? (
          <Select
            label="Ends the run as"
            value={state.status ?? 'succeeded'}
            options={['succeeded', 'failed', 'cancelled']}
            disabled={readOnly}
            onCommit={(status) => propose({ type: 'setFinal', state: state.name, final: true, status: status as 'succeeded' }, 'Set status')}
          />
        ) : null}
      </Section>
      <Section title="Instructions" count={state.do.length}>
        {state.do.length ? (
          <ul className="sw-list">
            {state.do.map((ins) => (
              <InstructionItem key={`${ins.index}:${ins.kind}`} state={state.name} ins={ins} count={state.do.length} propose={propose} readOnly={readOnly} />
            ))}
          </ul>
        ) : (
          <div className="sw-hint">No instructions: the state only waits for its transitions.</div>
        )}
        {!readOnly ? (
          <div className="sw-add-row">
            <VSCodeDropdown value={kind} aria-label="Kind of instruction to add" onChange={(e: AnyEvent) => setKind(valueOf(e))}>
              {offer.kinds.map(({ kind: k }) => (
                <VSCodeOption key={k} value={k} selected={k === kind}>
                  {k}
                </VSCodeOption>
              ))}
            </VSCodeDropdown>
            <VSCodeButton appearance="secondary" onClick={() => propose({ type: 'addInstruction', state: state.name, instruction: newInstruction(kind, offer) }, 'Add instruction')}>
              Add instruction
            </VSCodeButton>
          </div>
        ) : null}
      </Section>
      {!state.final || state.on.length ? (
        <Section title="Transitions" count={state.on.length}>
          {state.on.length ? (
            <ul className="sw-list">
              {state.on.map((t) => (
                <TransitionItem key={`on:${t.index}`} state={state.name} t={t} list="on" count={state.on.length} states={names} propose={propose} readOnly={readOnly} />
              ))}
            </ul>
          ) : (
            <div className="sw-hint">No way out yet: drag from the bottom handle of the node to another state, or add one here.</div>
          )}
          {!readOnly ? (
            <div className="sw-add-row">
              <VSCodeButton appearance="secondary" onClick={() => propose({ type: 'addTransition', state: state.name, to: other }, 'Add transition')}>
                Add transition
              </VSCodeButton>
            </div>
          ) : null}
        </Section>
      ) : null}
      {!state.final || state.catch.length ? (
        <Section title="On failure (catch)" count={state.catch.length}>
          {state.catch.length ? (
            <ul className="sw-list">
              {state.catch.map((c) => (
                <TransitionItem key={`catch:${c.index}`} state={state.name} t={c} list="catch" count={state.catch.length} states={names} propose={propose} readOnly={readOnly} />
              ))}
            </ul>
          ) : (
            <div className="sw-hint">A failing instruction fails the run.</div>
          )}
          {!readOnly ? (
            <div className="sw-add-row">
              <VSCodeButton appearance="secondary" onClick={() => propose({ type: 'addTransition', state: state.name, to: names.find((n) => /fail/i.test(n)) ?? other, list: 'catch' }, 'Add catch')}>
                Add catch
              </VSCodeButton>
            </div>
          ) : null}
        </Section>
      ) : null}
    </div>
  );
}

export function TransitionInspector({ model, state, list, index, propose, readOnly }: { model: TaskOutline; state: StateOutline; list: 'on' | 'catch'; index: number; propose: Propose; readOnly: boolean }) {
  const t = list === 'catch' ? state.catch.find((c) => c.index === index) : state.on.find((x) => x.index === index);
  if (!t) return null;
  const names = model.states.map((s) => s.name);
  return (
    <div className="sw-inspector-body" key={`${state.name}:${list}:${index}`}>
      <h2 className="sw-inspector-title">
        <span>
          {state.name} → {t.to ?? '?'}
        </span>
      </h2>
      <Section title={list === 'catch' ? 'Catch entry' : 'Transition'}>
        <TransitionFields state={state.name} t={t} list={list} states={names} propose={propose} readOnly={readOnly} />
        {!readOnly ? (
          <div className="sw-add-row">
            <VSCodeButton appearance="secondary" onClick={() => propose({ type: 'deleteTransition', state: state.name, index, list }, 'Delete transition')}>
              Delete {list === 'catch' ? 'catch entry' : 'transition'}
            </VSCodeButton>
          </div>
        ) : null}
      </Section>
    </div>
  );
}

export function TaskInspector({ model, fileName }: { model: TaskOutline; fileName: string }) {
  const finals = model.states.filter((s) => s.final).length;
  return (
    <div className="sw-inspector-body">
      <h2 className="sw-inspector-title">
        <span>{model.name ?? fileName}</span>
      </h2>
      {model.description ? <p className="sw-task-desc">{model.description}</p> : null}
      <dl className="sw-facts">
        <dt>States</dt>
        <dd>{model.states.length}</dd>
        <dt>Start</dt>
        <dd>{model.start ?? '—'}</dd>
        <dt>Final states</dt>
        <dd>{finals}</dd>
        {model.timeout ? (
          <>
            <dt>Run timeout</dt>
            <dd>{model.timeout}</dd>
          </>
        ) : null}
      </dl>
      <div className="sw-hint">
        Select a state or a transition to edit it. Double-click the canvas to add a state; drag from a state's bottom handle to connect it.
        <br />
        <kbd>F2</kbd> rename · <kbd>Del</kbd> delete · <kbd>Ctrl+D</kbd> duplicate · arrows move the selection · <kbd>Enter</kbd> show in text
      </div>
    </div>
  );
}
