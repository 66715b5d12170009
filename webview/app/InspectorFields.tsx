// The inspector's controls: text fields (TextInput: a draft while editing, one commit), dropdowns
// and checkboxes (@vscode/webview-ui-toolkit, one edit on change), and the fields of an instruction
// or a transition. Each commit is one edit, one undo step.
import { useRef, useState, type ReactNode } from 'react';
import { VSCodeButton, VSCodeCheckbox, VSCodeDropdown, VSCodeOption } from '@vscode/webview-ui-toolkit/react';
import type { InstructionOutline, TransitionOutline } from '../protocol';
import type { EditOperation, FieldPath, TransitionCondition } from '../../engine/edit/types';
import type { FieldCommit } from '../designer/step';
import { instructionSummary, kindOf } from '../../engine/graph/model';
import { Icons, kindIcon } from './icons';
import { FanoutFields } from './FanoutFields';
import { kindOptions, newInstruction, offeredKind, unknownKindHint, useKinds } from './kinds';
import { PluginFields } from './PluginFields';
import { TextInput } from './TextInput';

export type Propose = (op: EditOperation, label?: string) => void;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEvent = any;

/**
 * The toolkit's controls fire `change` when their value is set from a prop too (after a new
 * document arrives): the handlers compare with the latest prop, kept in a ref during render.
 */
function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}

export const valueOf = (e: AnyEvent): string => String((e?.target as { value?: unknown } | null)?.value ?? '');
const checkedOf = (e: AnyEvent): boolean => !!(e?.target as { checked?: boolean } | null)?.checked;

export const CONDITION_KINDS = ['else', 'when', 'after', 'event', 'consume', 'poll'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

export function defaultCondition(kind: ConditionKind, t?: TransitionOutline): TransitionCondition {
  switch (kind) {
    case 'when':
      return { when: t?.when ?? 'true' };
    case 'after':
      return { after: t?.after ?? '5m' };
    case 'event':
      return { event: t?.event ?? 'approved' };
    case 'consume':
      return { consume: { connection: '{{ secrets.NATS_URL }}', subject: t?.consume?.subject ?? 'orders.created' } };
    case 'poll':
      return { poll: { every: t?.poll?.every ?? '10s', until: t?.poll?.until ?? 'result.status = 200', do: t?.poll?.do ? undefined : { kind: 'http', args: { url: 'https://example.com/status' } } } };
    default:
      return {};
  }
}

export function Section({ title, count, children, actions }: { title: string; count?: number; children: ReactNode; actions?: ReactNode }) {
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
export function Check({ checked, disabled, onToggle, children }: { checked: boolean; disabled?: boolean; onToggle: (checked: boolean) => void; children: ReactNode }) {
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

/**
 * A text field of a state (or of one of its instructions or transitions): `make` turns the typed
 * value into the edit of the state under its current name; `parse` may refuse the text.
 */
export function Field({ field, state, label, value, make, what, placeholder, multiline, parse, code }: { field: string; state: string; label: string; value: string; make: (v: string, state: string) => EditOperation | undefined; what: string; placeholder?: string; multiline?: boolean; parse?: (v: string, state: string, names: ReadonlySet<string>) => string | undefined; code?: boolean }) {
  const commit: FieldCommit = (v, element, elements) => {
    const problem = parse?.(v, element.id, elements.states);
    if (problem) return { error: problem };
    const operation = make(v, element.id);
    return operation ? { operation, label: what } : undefined;
  };
  return <TextInput field={field} element={{ kind: 'state', id: state }} label={label} value={value} commit={commit} placeholder={placeholder} multiline={multiline} code={code} />;
}

export function Select({ label, value, options, onCommit, disabled }: { label: string; value: string; options: ReadonlyArray<string | [string, string]>; onCommit: (v: string) => void; disabled?: boolean }) {
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
export const durationCheck = (v: string) => (v === '' || DURATION.test(v.trim()) ? undefined : 'A duration: 500ms, 10s, 5m, 2h, 1d or a combination such as 1h30m.');
export const jsonCheck = (v: string) => {
  if (!v.trim()) return undefined;
  try {
    JSON.parse(v);
    return undefined;
  } catch (err) {
    return `Not JSON: ${(err as Error).message}`;
  }
};
export const jsonText = (v: unknown) => (v === undefined ? '' : JSON.stringify(v, null, 2));
export const jsonValue = (v: string) => (v.trim() ? JSON.parse(v) : undefined);

function InstructionFields({ state, ins, propose, readOnly }: { state: string; ins: InstructionOutline; propose: Propose; readOnly: boolean }) {
  const offer = useKinds();
  const set = (path: FieldPath, value: unknown) => propose({ type: 'updateInstruction', state, index: ins.index, path, value }, 'Edit instruction');
  const op = (path: FieldPath, value: unknown) => (s: string): EditOperation => ({ type: 'updateInstruction', state: s, index: ins.index, path, value });
  const f = (key: string) => ({ field: `do:${ins.index}:${key}`, state, what: 'Edit instruction' });
  const args = (ins.args && typeof ins.args === 'object' ? ins.args : {}) as Record<string, unknown>;
  const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  const k = ins.kind;
  const fields: ReactNode[] = [];
  const text = (key: string, label: string, opts: { placeholder?: string; parse?: (v: string) => string | undefined; code?: boolean } = {}) =>
    fields.push(<Field key={key} {...f(key)} label={label} value={str(args[key])} {...opts} make={(v, s) => op([k, key], v === '' ? undefined : v)(s)} />);
  const json = (key: string, label: string) =>
    fields.push(<Field key={key} {...f(key)} label={label} multiline code value={jsonText(args[key])} parse={jsonCheck} make={(v, s) => op([k, key], jsonValue(v))(s)} />);
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
        <Field key="args" {...f('args')} label="Arguments (one a line)" multiline code value={Array.isArray(args.args) ? args.args.map(str).join('\n') : ''} make={(v, s) => op([k, 'args'], v.trim() ? v.split('\n').filter((l) => l !== '') : undefined)(s)} />,
      );
      text('cwd', 'Working directory', { placeholder: 'relative to the task file' });
      fields.push(
        <Check key="shell" checked={args.shell === true} disabled={readOnly} onToggle={(on) => set([k, 'shell'], on ? true : undefined)}>
          Run through a shell
        </Check>,
      );
      break;
    case 'log':
      fields.push(<Field key="msg" {...f('msg')} label="Message" value={typeof ins.args === 'string' ? ins.args : jsonText(ins.args)} make={(v, s) => op([k], v)(s)} />);
      break;
    case 'sleep':
      fields.push(<Field key="dur" {...f('dur')} label="Duration" value={str(ins.args)} parse={durationCheck} make={(v, s) => op([k], v)(s)} />);
      break;
    case 'set':
      fields.push(<Field key="set" {...f('set')} label="Values (JSON object)" multiline code value={jsonText(ins.args)} parse={(v) => jsonCheck(v) ?? (v.trim().startsWith('{') ? undefined : 'A JSON object: { "name": value }')} make={(v, s) => op([k], jsonValue(v) ?? {})(s)} />);
      break;
    case 'emit':
      text('event', 'Event');
      json('data', 'Data (JSON)');
      break;
    case 'call':
      text('task', 'Task file', { placeholder: './other.task.yaml', code: true });
      json('input', 'Input (JSON)');
      break;
    case 'parallel':
    case 'map':
      if (ins.fanout) fields.push(<FanoutFields key="fanout" state={state} ins={ins} fanout={ins.fanout} propose={propose} readOnly={readOnly} />);
      break;
    default: {
      const offered = offeredKind(k, offer);
      if (offered?.args) fields.push(<PluginFields key="plugin" state={state} ins={ins} kind={offered} propose={propose} readOnly={readOnly} />);
      else if (offered) fields.push(<Field key="args" {...f('json')} label="Arguments (JSON)" multiline code value={jsonText(ins.args)} parse={jsonCheck} make={(v, s) => op([k], jsonValue(v) ?? null)(s)} />);
      else {
        // Nothing here knows what this kind takes: shown as written, edited in the text only.
        fields.push(
          <div key="unknown" className="sw-hint sw-kind-unavailable">
            {unknownKindHint(k, offer)}
          </div>,
          <pre key="args" className="sw-args-readonly" aria-label="Arguments as written">
            {jsonText(ins.args)}
          </pre>,
        );
      }
    }
  }
  return (
    <div className="sw-instruction-fields">
      {fields}
      <Field {...f('as')} label="Store the result as" value={ins.as ?? ''} placeholder="data.<name>" make={(v, s) => op(['as'], v || undefined)(s)} />
      <Field {...f('timeout')} label="Timeout" value={ins.timeout ?? ''} placeholder="e.g. 30s" parse={durationCheck} make={(v, s) => op(['timeout'], v || undefined)(s)} />
      <div className="sw-field-row">
        <Field
          {...f('attempts')}
          label="Attempts"
          value={ins.retry ? String(ins.retry.attempts) : ''}
          placeholder="1"
          parse={(v) => (v === '' || /^[1-9]\d*$/.test(v) ? undefined : 'A whole number, 1 or more.')}
          make={(v, s) => op(v ? ['retry', 'attempts'] : ['retry'], v ? Number(v) : undefined)(s)}
        />
        <Field {...f('delay')} label="Retry delay" value={ins.retry?.delay ?? ''} placeholder="1s" parse={durationCheck} make={(v, s) => op(['retry', 'delay'], v || undefined)(s)} />
        <Field {...f('backoff')} label="Backoff" value={ins.retry?.backoff !== undefined ? String(ins.retry.backoff) : ''} placeholder="2" parse={(v) => (v === '' || Number(v) >= 1 ? undefined : 'A number, 1 or more.')} make={(v, s) => op(['retry', 'backoff'], v ? Number(v) : undefined)(s)} />
      </div>
    </div>
  );
}

export function InstructionItem({ state, ins, count, propose, readOnly }: { state: string; ins: InstructionOutline; count: number; propose: Propose; readOnly: boolean }) {
  const [open, setOpen] = useState(false);
  const offer = useKinds();
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
            options={kindOptions(ins.kind, offer)}
            onCommit={(kind) => propose({ type: 'setInstructionKind', state, index: ins.index, kind, args: newInstruction(kind, offer).args }, 'Change instruction kind')}
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
  const upd = (path: FieldPath) => (value: string, s: string): EditOperation => ({ type: 'updateTransition', ...ref, state: s, path, value: value === '' ? undefined : value });
  const f = (key: string) => ({ field: `${list}:${t.index}:${key}`, state, what: 'Edit condition' });
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
        ['consume', 'on a message (consume)'],
        ['poll', 'when a poll succeeds'],
      ]}
      onCommit={(v) => propose({ type: 'setTransitionCondition', ...ref, condition: defaultCondition(v as ConditionKind, tm) }, 'Change condition')}
    />,
  );
  if (kind === 'event') fields.push(<Field key="event" {...f('event')} label="Event" value={tm.event ?? ''} parse={(v) => (v ? undefined : 'An event needs a name.')} make={upd(['event'])} />);
  if (kind === 'consume') fields.push(<Field key="subject" {...f('subject')} label="Subject" value={tm.consume?.subject ?? ''} parse={(v) => (v ? undefined : 'A consume needs a subject, such as orders.created.')} make={upd(['consume', 'subject'])} />);
  if (kind === 'when' || kind === 'event' || kind === 'consume') fields.push(<Field key="when" {...f('when')} label={kind === 'when' ? 'When' : 'And when (optional)'} code value={tm.when ?? ''} placeholder="a JSONata expression" make={upd(['when'])} />);
  if (kind === 'after') fields.push(<Field key="after" {...f('after')} label="After" value={tm.after ?? ''} parse={(v) => (v ? durationCheck(v) : 'A timer needs a duration.')} make={upd(['after'])} />);
  if (kind === 'poll') {
    fields.push(<Field key="every" {...f('every')} label="Poll every" value={tm.poll?.every ?? ''} parse={durationCheck} make={upd(['poll', 'every'])} />);
    fields.push(<Field key="until" {...f('until')} label="Until" code value={tm.poll?.until ?? ''} placeholder="e.g. result.body.phase = 'Live'" make={upd(['poll', 'until'])} />);
    const pd = tm.poll?.do;
    if (pd?.kind === 'http') {
      const url = String((pd.args as Record<string, unknown> | undefined)?.url ?? '');
      fields.push(<Field key="url" {...f('url')} label="Poll URL" code value={url} make={upd(['poll', 'do', 'http', 'url'])} />);
    } else if (pd) fields.push(<div key="pd" className="sw-hint">Polls with a {pd.kind} instruction (edit it in the text).</div>);
  }
  return <div className="sw-transition-fields">{fields}</div>;
}

export function TransitionItem({ state, t, list, count, states, propose, readOnly }: { state: string; t: TransitionOutline | { index: number; to?: string; error?: string }; list: 'on' | 'catch'; count: number; states: string[]; propose: Propose; readOnly: boolean }) {
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
          return k === 'when' ? `when ${tm.when}` : k === 'after' ? `after ${tm.after}` : k === 'poll' ? `poll every ${tm.poll?.every ?? '?'}` : k === 'event' ? `event ${tm.event}` : k === 'consume' ? `consume ${tm.consume?.subject ?? '?'}` : 'else';
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
