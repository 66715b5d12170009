// A text field of the designer: a controlled native input whose text, while it is being edited,
// is the reducer's draft (webview/designer/step.ts), so no keystroke is lost to a new document
// arriving mid-typing. Enter (or leaving the field) commits once; Escape restores the value. The
// field owns its keys: none of them reaches the canvas or VS Code's own shortcuts.
import { createContext, useContext, useEffect, useId, useRef, type KeyboardEvent } from 'react';
import type { Element, FieldCommit, FieldEdit, UiEvent } from '../designer/step';

export interface FieldContext {
  /** The field edit in progress, if any. */
  pending: FieldEdit | null;
  /** Renames not yet in the document (old name -> new), see DesignerState.aliases. */
  aliases: ReadonlyMap<string, string>;
  dispatch(event: UiEvent): void;
  readOnly: boolean;
}

export const FieldsContext = createContext<FieldContext>({ pending: null, aliases: new Map(), dispatch() {}, readOnly: true });

function isEditOf(edit: FieldEdit | null, field: string, element: Element, aliases: ReadonlyMap<string, string>): edit is FieldEdit {
  if (!edit || edit.field !== field || edit.element.kind !== element.kind) return false;
  return edit.element.id === element.id || (element.kind === 'state' && aliases.get(element.id) === edit.element.id);
}

export interface TextInputProps {
  /** Which control this is (unique on the page for the element). */
  field: string;
  element: Element;
  label: string;
  /** The value in the document. */
  value: string;
  commit: FieldCommit;
  multiline?: boolean;
  placeholder?: string;
  code?: boolean;
  className?: string;
  /** Shown above the input (the inspector's fields); the node's rename field has none. */
  visibleLabel?: boolean;
  autoFocus?: boolean;
}

export function TextInput({ field, element, label, value, commit, multiline, placeholder, code, className, visibleLabel = true, autoFocus }: TextInputProps) {
  const { pending, aliases, dispatch, readOnly } = useContext(FieldsContext);
  const mine = isEditOf(pending, field, element, aliases) ? pending : null;
  const shown = mine ? mine.draft : value;
  const id = useId();
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  useEffect(() => {
    if (!autoFocus) return;
    ref.current?.focus();
    ref.current?.select();
  }, [autoFocus]);
  const onKeyDown = (e: KeyboardEvent) => {
    e.stopPropagation();
    if (e.key === 'Escape') {
      e.preventDefault();
      dispatch({ type: 'fieldCancel', field });
    } else if (e.key === 'Enter' && (!multiline || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      dispatch({ type: 'fieldCommit', field });
    }
  };
  const common = {
    ref,
    id,
    value: shown,
    placeholder,
    readOnly,
    spellCheck: false,
    'aria-label': label,
    'aria-invalid': mine?.error ? true : undefined,
    className: ['sw-input', code ? 'sw-code-field' : '', className ?? ''].filter(Boolean).join(' '),
    onChange: (e: { target: { value: string } }) => dispatch({ type: 'fieldInput', field, element, original: value, value: e.target.value, commit }),
    onKeyDown,
    onBlur: () => dispatch({ type: 'fieldCommit', field }),
  };
  const lines = shown.split('\n').length;
  if (!visibleLabel) return <input {...common} type="text" title={mine?.error} />;
  return (
    <div className="sw-field">
      {visibleLabel ? (
        <label className="sw-label" htmlFor={id}>
          {label}
        </label>
      ) : null}
      {multiline ? <textarea {...common} rows={Math.min(8, Math.max(2, lines))} /> : <input {...common} type="text" />}
      {mine?.error ? (
        <div className="sw-field-error" role="alert">
          {mine.error}
        </div>
      ) : null}
    </div>
  );
}
