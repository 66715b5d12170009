// The inspector: @vscode/webview-ui-toolkit controls for the selected state (name, description,
// timeout, start, final and status, instructions, transitions, catch entries) or transition. Each
// control commits on change (Enter or leaving the field): one edit, one undo step.
import { useRef, useState, type ReactNode } from 'react';
import { VSCodeButton, VSCodeCheckbox, VSCodeDropdown, VSCodeOption, VSCodeTextArea, VSCodeTextField } from '@vscode/webview-ui-toolkit/react';
import type { InstructionOutline, StateOutline, TaskOutline, TransitionOutline } from '../protocol';
import type { EditOperation, FieldPath, InstructionSpec, TransitionCondition } from '../../engine/edit/types';
import { instructionSummary, kindOf } from '../graph/model';
import { Icons, KIND_LABELS, kindIcon } from './icons';

export type Propose = (op: EditOperation, label?: string) => void;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEvent = any;

/**
 * The toolkit's controls fire `change` when their value is set from a prop too (after a new
 * document arrives): the handlers compare with the latest prop, kept in a ref during render.
 */
function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}

const valueOf = (e: AnyEvent): string => String((e?.target as { value?: unknown } | null)?.value ?? '');
const checkedOf = (e: AnyEvent): boolean => !!(e?.target as { checked?: boolean } | null)?.checked;

export const KINDS = ['http', 'exec', 'set', 'log', 'emit', 'sleep', 'call'] as const;

export function defaultInstruction(kind: string): InstructionSpec {
  switch (kind) {
    case 'http':
      return { kind, args: { method: 'GET', url: 'https://example.com' } };
    case 'exec':
      return { kind, args: { command: 'echo', args: ['hello'] } };
    case 'set':
      return { kind, args: { key: 'value' } };
    case 'log':
      return { kind, args: 'message' };
    case 'emit':
      return { kind, args: { event: 'event-name' } };
    case 'sleep':
      return { kind, args: '10s' };
    case 'call':
      return { kind, args: { task: './other.task.yaml' } };
    default:
      return { kind, args: {} };
  }
}

export const CONDITION_KINDS = ['else', 'when', 'after', 'event', 'poll'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

export function defaultCondition(kind: ConditionKind, t?: TransitionOutline): TransitionCondition {
  switch (kind) {
    case 'when':
      return { when: t?.when ?? 'true' };
    case 'after':
      return { after: t?.after ?? '5m' };
    case 'event':
      return { event: t?.event ?? 'approved' };
    case 'poll':
      return { poll: { every: t?.poll?.every ?? '10s', until: t?.poll?.until ?? 'result.status = 200', do: t?.poll?.do ? undefined : { kind: 'http', args: { url: 'https://example.com/status' } } } };
    default:
      return {};
  }
}

function Section({ title, count, children, actions }: { title: string; count?: number; children: ReactNode; actions?: ReactNode }) {
  const [open, setOpen] = useState(true);
  const id = `sw-section-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section className="sw-section" aria-labelledby={id}>
      <div className="sw-section-header">
        <button type="button" className="sw-section-toggle" aria-expanded={open} onClick={() => setOpen(!open)} id={id}>
          {open ? Icons.chevronDown({ size: 14 }) : Icons.chevronRight({ size: 14 })}
          <span>{title}</span>
          {count !== undefined ? <span className="sw-section-count">{count}</span> : null}
        </button>
        <span className="sw-section-actions">{actions}</span>
      </div>
      {open ? <div className="sw-section-body">{children}</div> : null}
    </section>
  );
}

/** A checkbox that reports only the user's changes (see useLatest). */
function Check({ checked, disabled, onToggle, children }: { checked: boolean; disabled?: boolean; onToggle: (checked: boolean) => void; children: ReactNode }) {
  const latest = useLatest(checked);
  return (
    <VSCodeCheckbox checked={checked} disabled={disabled} onChange={(e: AnyEvent) => checkedOf(e) !== latest.current && onToggle(checkedOf(e))}>
      {children}
    </VSCodeCheckbox>
  );
}

function IconButton({ label, onClick, icon, disabled }: { label: string; onClick: () => void; icon: ReactNode; disabled?: boolean }) {
  return (
    <VSCodeButton appearance="icon" aria-label={label} title={label} disabled={disabled} onClick={onClick}>
      {icon}
    </VSCodeButton>
  );
}

/** A text field that commits on change; `parse` may refuse the text (the message is shown). */
function Field({ label, value, onCommit, placeholder, multiline, parse, code, readOnly }: { label: string; value: string; onCommit: (v: string) => void; placeholder?: string; multiline?: boolean; parse?: (v: string) => string | undefined; code?: boolean; readOnly?: boolean }) {
  const [error, setError] = useState<string>();
  const latest = useLatest(value);
  const commit = (e: AnyEvent) => {
    const v = valueOf(e);
    if (v === latest.current) return;
    const problem = parse?.(v);
    setError(problem);
    if (!problem) onCommit(v);
  };
  const common = { value, placeholder, onChange: commit, 'aria-label': label, readOnly, className: code ? 'sw-code-field' : undefined };
  return (
    <div className="sw-field">
      {multiline ? (
        <VSCodeTextArea {...common} rows={value.split('\n').length > 2 ? Math.min(8, value.split('\n').length) : 2} resize="vertical">
          {label}
        </VSCodeTextArea>
      ) : (
        <VSCodeTextField {...common}>{label}</VSCodeTextField>
      )}
      {error ? (
        <div className="sw-field-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

function Select({ label, value, options, onCommit, disabled }: { label: string; value: string; options: ReadonlyArray<string | [string, string]>; onCommit: (v: string) => void; disabled?: boolean }) {
  const latest = useLatest(value);
  return (
    <div className="sw-field">
      <label className="sw-label">
        {label}
        <VSCodeDropdown value={value} aria-label={label} disabled={disabled} onChange={(e: AnyEvent) => valueOf(e) !== latest.current && onCommit(valueOf(e))}>
          {options.map((o) => {
            const [v, text] = typeof o === 'string' ? [o, o] : o;
            return (
              <VSCodeOption key={v} value={v} selected={v === value}>
                {text}
              </VSCodeOption>
            );
          })}
        </VSCodeDropdown>
      </label>
    </div>
  );
}

const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const durationCheck = (v: string) => (v === '' || DURATION.test(v.trim()) ? undefined : 'A duration: 500ms, 10s, 5m, 2h, 1d or a combination such as 1h30m.');
const jsonCheck = (v: string) => {
  if (!v.trim()) return undefined;
  try {
    JSON.parse(v);
    return undefined;
  } catch (err) {
    return `Not JSON: ${(err as Error).message}`;
  }
};
const jsonText = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));
const jsonValue = (v: string) => (v.trim() ? JSON.parse(v) : undefined);

function InstructionFields({ state, ins, propose, readOnly }: { state: string; ins: InstructionOutline; propose: Propose; readOnly: boolean }) {
  const set = (path: FieldPath, value: unknown) => propose({ type: 'updateInstruction', state, index: ins.index, path, value }, 'Edit instruction');
  const args = (ins.args && typeof ins.args === 'object' ? ins.args : {}) as Record<string, unknown>;
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const k = ins.kind;
  const fields: ReactNode[] = [];
  const text = (key: string, label: string, opts: { placeholder?: string; parse?: (v: string) => string | undefined; code?: boolean } = {}) =>
    fields.push(<Field key={key} label={label} value={str(args[key])} readOnly={readOnly} {...opts} onCommit={(v) => set([k, key], v === '' ? undefined : v)} />);
  const json = (key: string, label: string) =>
    fields.push(<Field key={key} label={label} multiline code value={jsonText(args[key])} parse={jsonCheck} readOnly={readOnly} onCommit={(v) => set([k, key], jsonValue(v))} />);
  switch (k) {
    case 'http':
      fields.push(<Select key="method" label="Method" value={str(args.method || 'GET').toUpperCase()} options={['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']} disabled={readOnly} onCommit={(v) => set([k, 'method'], v)} />);
      text('url', 'URL', { placeholder: 'https://…', code: true });
      json('headers', 'Headers (JSON)');
      json('body', 'Body (JSON)');
      text('timeout', 'Request timeout', { placeholder: 'e.g. 10s', parse: durationCheck });
      break;
    case 'exec':
      text('command', 'Command', { code: true });
      fields.push(
        <Field key="args" label="Arguments (one a line)" multiline code readOnly={readOnly} value={Array.isArray(args.args) ? args.args.map(str).join('\n') : ''} onCommit={(v) => set([k, 'args'], v.trim() ? v.split('\n').filter((l) => l !== '') : undefined)} />,
      );
      text('cwd', 'Working directory', { placeholder: 'relative to the task file' });
      fields.push(
        <Check key="shell" checked={args.shell === true} disabled={readOnly} onToggle={(on) => set([k, 'shell'], on ? true : undefined)}>
          Run through a shell
        </Check>,
      );
      break;
    case 'log':
      fields.push(<Field key="msg" label="Message" readOnly={readOnly} value={typeof ins.args === 'string' ? ins.args : jsonText(ins.args)} onCommit={(v) => set([k], v)} />);
      break;
    case 'sleep':
      fields.push(<Field key="dur" label="Duration" readOnly={readOnly} value={str(ins.args)} parse={durationCheck} onCommit={(v) => set([k], v)} />);
      break;
    case 'set':
      fields.push(<Field key="set" label="Values (JSON object)" multiline code readOnly={readOnly} value={jsonText(ins.args)} parse={(v) => jsonCheck(v) ?? (v.trim().startsWith('{') ? undefined : 'A JSON object: { "name": value }')} onCommit={(v) => set([k], jsonValue(v) ?? {})} />);
      break;
    case 'emit':
      text('event', 'Event');
      json('data', 'Data (JSON)');
      break;
    case 'call':
      text('task', 'Task file', { placeholder: './other.task.yaml', code: true });
      json('input', 'Input (JSON)');
      break;
    default:
      fields.push(<Field key="args" label="Arguments (JSON)" multiline code readOnly={readOnly} value={jsonText(ins.args)} parse={jsonCheck} onCommit={(v) => set([k], jsonValue(v) ?? null)} />);
  }
  return (
    <div className="sw-instruction-fields">
      {fields}
      <Field label="Store the result as" value={ins.as ?? ''} placeholder="data.<name>" readOnly={readOnly} onCommit={(v) => set(['as'], v || undefined)} />
      <Field label="Timeout" value={ins.timeout ?? ''} placeholder="e.g. 30s" parse={durationCheck} readOnly={readOnly} onCommit={(v) => set(['timeout'], v || undefined)} />
      <div className="sw-field-row">
        <Field
          label="Attempts"
          value={ins.retry ? String(ins.retry.attempts) : ''}
          placeholder="1"
          readOnly={readOnly}
          parse={(v) => (v === '' || /^[1-9]\d*$/.test(v) ? undefined : 'A whole number, 1 or more.')}
          onCommit={(v) => set(v ? ['retry', 'attempts'] : ['retry'], v ? Number(v) : undefined)}
        />
        <Field label="Retry delay" value={ins.retry?.delay ?? ''} placeholder="1s" parse={durationCheck} readOnly={readOnly} onCommit={(v) => set(['retry', 'delay'], v || undefined)} />
        <Field label="Backoff" value={ins.retry?.backoff !== undefined ? String(ins.retry.backoff) : ''} placeholder="2" readOnly={readOnly} parse={(v) => (v === '' || Number(v) >= 1 ? undefined : 'A number, 1 or more.')} onCommit={(v) => set(['retry', 'backoff'], v ? Number(v) : undefined)} />
      </div>
    </div>
  );
}

function InstructionItem({ state, ins, count, propose, readOnly }: { state: string; ins: InstructionOutline; count: number; propose: Propose; readOnly: boolean }) {
  const [open, setOpen] = useState(false);
  const n = ins.index + 1;
  return (
    <li className="sw-item">
      <div className="sw-item-header">
        <button type="button" className="sw-item-toggle" aria-expanded={open} aria-label={`Instruction ${n}: ${ins.kind} ${instructionSummary(ins.kind, ins.args)}`} onClick={() => setOpen(!open)}>
          {open ? Icons.chevronDown({ size: 14 }) : Icons.chevronRight({ size: 14 })}
          <span className={`sw-kind-icon sw-kind-${ins.kind}`}>{kindIcon(ins.kind, { size: 14 })}</span>
          <span className="sw-item-kind">{ins.kind}</span>
          <span className="sw-item-summary">{instructionSummary(ins.kind, ins.args)}</span>
        </button>
        {!readOnly ? (
          <span className="sw-item-actions">
            <IconButton label={`Move instruction ${n} up`} icon={Icons.up({ size: 14 })} disabled={ins.index === 0} onClick={() => propose({ type: 'moveInstruction', state, index: ins.index, toIndex: ins.index - 1 }, 'Move instruction')} />
            <IconButton label={`Move instruction ${n} down`} icon={Icons.down({ size: 14 })} disabled={ins.index >= count - 1} onClick={() => propose({ type: 'moveInstruction', state, index: ins.index, toIndex: ins.index + 1 }, 'Move instruction')} />
            <IconButton label={`Remove instruction ${n}`} icon={Icons.trash({ size: 14 })} onClick={() => propose({ type: 'removeInstruction', state, index: ins.index }, 'Remove instruction')} />
          </span>
        ) : null}
      </div>
      {open ? (
        <div className="sw-item-body">
          <Select
            label="Kind"
            value={ins.kind}
            disabled={readOnly}
            options={[...(KINDS as readonly string[]).includes(ins.kind) ? [] : [ins.kind], ...KINDS].map((k) => [k, KIND_LABELS[k] ? `${k} — ${KIND_LABELS[k]}` : k] as [string, string])}
            onCommit={(kind) => propose({ type: 'setInstructionKind', state, index: ins.index, kind, args: defaultInstruction(kind).args }, 'Change instruction kind')}
          />
          <InstructionFields state={state} ins={ins} propose={propose} readOnly={readOnly} />
        </div>
      ) : null}
    </li>
  );
}

function conditionKind(t: TransitionOutline): ConditionKind {
  const k = kindOf(t);
  return k === 'next' || k === 'catch' ? 'else' : k;
}

export function TransitionFields({ state, t, list, states, propose, readOnly }: { state: string; t: TransitionOutline | { index: number; to?: string; error?: string }; list: 'on' | 'catch'; states: string[]; propose: Propose; readOnly: boolean }) {
  const ref = { state, index: t.index, list };
  const targets = t.to && !states.includes(t.to) ? [t.to, ...states] : states;
  const fields: ReactNode[] = [
    <Select key="to" label="Go to" value={t.to ?? ''} options={targets} disabled={readOnly} onCommit={(to) => propose({ type: 'retargetTransition', ...ref, to }, 'Change target')} />,
  ];
  if (list === 'catch') {
    const error = (t as { error?: string }).error ?? 'any';
    fields.push(
      <Select
        key="error"
        label="Catch failures of kind"
        value={error}
        disabled={readOnly}
        options={[
          ['any', 'any failure'],
          ['http', 'http'],
          ['exec', 'exec'],
          ['timeout', 'timeout'],
          ['expression', 'expression'],
        ]}
        onCommit={(v) => propose({ type: 'updateTransition', ...ref, path: ['error'], value: v === 'any' ? undefined : v }, 'Change catch')}
      />,
    );
    return <div className="sw-transition-fields">{fields}</div>;
  }
  const tm = t as TransitionOutline;
  const kind = conditionKind(tm);
  const upd = (path: FieldPath, value: string) => propose({ type: 'updateTransition', ...ref, path, value: value === '' ? undefined : value }, 'Edit condition');
  fields.push(
    <Select
      key="kind"
      label="Taken"
      value={kind}
      disabled={readOnly}
      options={[
        ['else', 'otherwise (else)'],
        ['when', 'when an expression holds'],
        ['after', 'after a time'],
        ['event', 'on an event'],
        ['poll', 'when a poll succeeds'],
      ]}
      onCommit={(v) => propose({ type: 'setTransitionCondition', ...ref, condition: defaultCondition(v as ConditionKind, tm) }, 'Change condition')}
    />,
  );
  if (kind === 'event') fields.push(<Field key="event" label="Event" value={tm.event ?? ''} readOnly={readOnly} parse={(v) => (v ? undefined : 'An event needs a name.')} onCommit={(v) => upd(['event'], v)} />);
  if (kind === 'when' || kind === 'event') fields.push(<Field key="when" label={kind === 'event' ? 'And when (optional)' : 'When'} code value={tm.when ?? ''} placeholder="a JSONata expression" readOnly={readOnly} onCommit={(v) => upd(['when'], v)} />);
  if (kind === 'after') fields.push(<Field key="after" label="After" value={tm.after ?? ''} parse={(v) => (v ? durationCheck(v) : 'A timer needs a duration.')} readOnly={readOnly} onCommit={(v) => upd(['after'], v)} />);
  if (kind === 'poll') {
    fields.push(<Field key="every" label="Poll every" value={tm.poll?.every ?? ''} parse={durationCheck} readOnly={readOnly} onCommit={(v) => upd(['poll', 'every'], v)} />);
    fields.push(<Field key="until" label="Until" code value={tm.poll?.until ?? ''} placeholder="e.g. result.body.phase = 'Live'" readOnly={readOnly} onCommit={(v) => upd(['poll', 'until'], v)} />);
    const pd = tm.poll?.do;
    if (pd?.kind === 'http') {
      const url = String((pd.args as Record<string, unknown> | undefined)?.url ?? '');
      fields.push(<Field key="url" label="Poll URL" code value={url} readOnly={readOnly} onCommit={(v) => upd(['poll', 'do', 'http', 'url'], v)} />);
    } else if (pd) fields.push(<div key="pd" className="sw-hint">Polls with a {pd.kind} instruction (edit it in the text).</div>);
  }
  return <div className="sw-transition-fields">{fields}</div>;
}

function TransitionItem({ state, t, list, count, states, propose, readOnly }: { state: string; t: TransitionOutline | { index: number; to?: string; error?: string }; list: 'on' | 'catch'; count: number; states: string[]; propose: Propose; readOnly: boolean }) {
  const [open, setOpen] = useState(false);
  const n = t.index + 1;
  const ref = { state, index: t.index, list };
  const what = list === 'catch' ? 'catch entry' : 'transition';
  const title =
    list === 'catch'
      ? `catch ${(t as { error?: string }).error ?? 'any'}`
      : (() => {
          const k = kindOf(t as TransitionOutline);
          const tm = t as TransitionOutline;
          return k === 'when' ? `when ${tm.when}` : k === 'after' ? `after ${tm.after}` : k === 'poll' ? `poll every ${tm.poll?.every ?? '?'}` : k === 'event' ? `event ${tm.event}` : 'else';
        })();
  return (
    <li className="sw-item">
      <div className="sw-item-header">
        <button type="button" className="sw-item-toggle" aria-expanded={open} aria-label={`${what} ${n} to ${t.to ?? '?'}: ${title}`} onClick={() => setOpen(!open)}>
          {open ? Icons.chevronDown({ size: 14 }) : Icons.chevronRight({ size: 14 })}
          <span className="sw-item-kind">→ {t.to ?? '?'}</span>
          <span className="sw-item-summary">{title}</span>
        </button>
        {!readOnly ? (
          <span className="sw-item-actions">
            {count > 1 ? (
              <>
                <IconButton label={`Move ${what} ${n} up`} icon={Icons.up({ size: 14 })} disabled={t.index === 0} onClick={() => propose({ type: 'reorderTransition', ...ref, toIndex: t.index - 1 }, 'Reorder')} />
                <IconButton label={`Move ${what} ${n} down`} icon={Icons.down({ size: 14 })} disabled={t.index >= count - 1} onClick={() => propose({ type: 'reorderTransition', ...ref, toIndex: t.index + 1 }, 'Reorder')} />
              </>
            ) : null}
            <IconButton label={`Delete ${what} ${n}`} icon={Icons.trash({ size: 14 })} onClick={() => propose({ type: 'deleteTransition', ...ref }, 'Delete transition')} />
          </span>
        ) : null}
      </div>
      {open ? (
        <div className="sw-item-body">
          <TransitionFields state={state} t={t} list={list} states={states} propose={propose} readOnly={readOnly} />
        </div>
      ) : null}
    </li>
  );
}

export function StateInspector({ model, state, propose, readOnly }: { model: TaskOutline; state: StateOutline; propose: Propose; readOnly: boolean }) {
  const [kind, setKind] = useState<string>('http');
  const names = model.states.map((s) => s.name);
  const isStart = model.start === state.name;
  const other = names.find((n) => n !== state.name) ?? state.name;
  return (
    <div className="sw-inspector-body" key={state.name}>
      <h2 className="sw-inspector-title">
        {state.final ? Icons.succeeded({ size: 16 }) : Icons.start({ size: 12 })}
        <span>{state.name}</span>
      </h2>
      <Section title="State">
        <Field label="Name" value={state.name} readOnly={readOnly} parse={(v) => (!v.trim() ? 'A state needs a name.' : v !== state.name && names.includes(v.trim()) ? `There is already a state '${v.trim()}'.` : undefined)} onCommit={(v) => propose({ type: 'renameState', state: state.name, newName: v.trim() }, 'Rename state')} />
        <Field label="Description" multiline value={state.description ?? ''} readOnly={readOnly} onCommit={(v) => propose({ type: 'setDescription', state: state.name, description: v }, 'Edit description')} />
        <Field label="Timeout" value={state.timeout ?? ''} placeholder="none (e.g. 5m)" parse={durationCheck} readOnly={readOnly} onCommit={(v) => propose({ type: 'setTimeout', state: state.name, timeout: v }, 'Edit timeout')} />
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
              {KINDS.map((k) => (
                <VSCodeOption key={k} value={k} selected={k === kind}>
                  {k}
                </VSCodeOption>
              ))}
            </VSCodeDropdown>
            <VSCodeButton appearance="secondary" onClick={() => propose({ type: 'addInstruction', state: state.name, instruction: defaultInstruction(kind) }, 'Add instruction')}>
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
