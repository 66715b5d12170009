// The inspector's fields of a plugin instruction, from its arguments' JSON Schema: a dropdown for
// an enum, a checkbox for a boolean, a text field for a string or a number, JSON for anything else.
// Each commit is one `updateInstruction` of the argument (engine/edit), one undo step; a field
// left empty removes its argument. A template (`{{ }}`) is kept as text in any field.
import type { ReactNode } from 'react';
import type { EditOperation, FieldPath } from '../../engine/edit/types';
import type { JsonSchema } from '../../engine/plugins/json-schema';
import type { InstructionOutline, OfferedKind } from '../protocol';
import { Check, Field, jsonCheck, jsonText, jsonValue, Select, type Propose } from './InspectorFields';

type PropertySchema = JsonSchema & { type?: unknown; enum?: unknown[]; default?: unknown; description?: string };

const isTemplate = (v: string) => v.includes('{{');

function typeOf(p: PropertySchema): string | undefined {
  if (typeof p.type === 'string') return p.type;
  return Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : undefined;
}

function numberCheck(integer: boolean) {
  return (v: string) => {
    if (v.trim() === '' || isTemplate(v)) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) return 'A number (or a {{ template }}).';
    return integer && !Number.isInteger(n) ? 'A whole number (or a {{ template }}).' : undefined;
  };
}

export function PluginFields({ state, ins, kind, propose, readOnly }: { state: string; ins: InstructionOutline; kind: OfferedKind; propose: Propose; readOnly: boolean }) {
  const schema = (kind.args ?? {}) as { properties?: Record<string, PropertySchema>; required?: unknown };
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const args = (ins.args && typeof ins.args === 'object' && !Array.isArray(ins.args) ? ins.args : {}) as Record<string, unknown>;
  const path = (name: string): FieldPath => [ins.kind, name];
  const op = (name: string, value: unknown) => (s: string): EditOperation => ({ type: 'updateInstruction', state: s, index: ins.index, path: path(name), value });
  const f = (name: string) => ({ field: `do:${ins.index}:arg:${name}`, state, what: 'Edit instruction' });
  const fields: ReactNode[] = [];
  if (!schema.properties) {
    // Arguments that are not a mapping of named ones (a string, a list): edited as one JSON value.
    fields.push(<Field key="args" {...f('json')} label="Arguments (JSON)" multiline code value={jsonText(ins.args)} parse={jsonCheck} make={(v, s) => ({ type: 'updateInstruction', state: s, index: ins.index, path: [ins.kind], value: jsonValue(v) ?? null })} />);
  }
  for (const [name, p] of Object.entries(schema.properties ?? {})) {
    const value = args[name];
    const placeholder = [p.description, p.default !== undefined ? `default ${JSON.stringify(p.default)}` : '', required.has(name) ? 'required' : ''].filter(Boolean).join(' · ');
    const type = typeOf(p);
    if (Array.isArray(p.enum) && (value === undefined || p.enum.some((e) => e === value))) {
      const unset = required.has(name) ? '(choose one)' : p.default !== undefined ? `(default: ${String(p.default)})` : '(none)';
      fields.push(
        <Select
          key={name}
          label={name}
          value={value === undefined ? '' : String(value)}
          options={[['', unset], ...p.enum.map((e): [string, string] => [String(e), String(e)])]}
          disabled={readOnly}
          onCommit={(v) => propose(op(name, v === '' ? undefined : p.enum!.find((e) => String(e) === v))(state), 'Edit instruction')}
        />,
      );
    } else if (type === 'boolean' && (value === undefined || typeof value === 'boolean')) {
      fields.push(
        <Check key={name} checked={value === undefined ? p.default === true : value} disabled={readOnly} onToggle={(on) => propose(op(name, on)(state), 'Edit instruction')}>
          {name}
        </Check>,
      );
    } else if ((type === 'string' || type === 'number' || type === 'integer') && (value === undefined || typeof value !== 'object')) {
      const number = type !== 'string';
      fields.push(
        <Field
          key={name}
          {...f(name)}
          label={name}
          value={value === undefined ? '' : String(value)}
          placeholder={placeholder}
          code={!number}
          parse={number ? numberCheck(type === 'integer') : undefined}
          make={(v, s) => op(name, v === '' ? undefined : number && !isTemplate(v) ? Number(v) : v)(s)}
        />,
      );
    } else {
      fields.push(<Field key={name} {...f(name)} label={`${name} (JSON)`} multiline code value={jsonText(value)} placeholder={placeholder} parse={jsonCheck} make={(v, s) => op(name, jsonValue(v))(s)} />);
    }
  }
  // A fragment: the fields are spaced as the instruction's other fields are.
  return (
    <>
      <div className="sw-hint">
        {kind.description ? `${kind.description} ` : ''}(plugin {kind.plugin})
      </div>
      {fields}
    </>
  );
}
