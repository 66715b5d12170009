// Which values come from secrets. An expression is evaluated over two views of one context: the
// clear view (what the task computes with) and the shown view (what the journal and every view
// hold: each secret, and each stored value computed from one, replaced by the mask). Reading a
// value whose two views differ taints the evaluation, and a tainted result is shown as the mask.
// JSONata reads its input only through property access, so one proxy covers every function and
// operator (`$uppercase`, `$base64encode`, `$string($)`, `*`, `**` …) with no list of them.
import type { ExpressionScope } from './expression';

export const MASK = '••••••';

/** The two views of a context; the same object twice when nothing in it is secret. */
export interface ScopeViews {
  clear: ExpressionScope;
  shown: ExpressionScope;
}

export interface Tracker {
  /** The scope to evaluate over: clear values, read through the shown view. */
  scope: ExpressionScope;
  /** Whether anything read so far differs between the views. */
  tainted(): boolean;
  /** A result as plain data (no proxies), read through the tracker so that its content counts. */
  plain(value: unknown): unknown;
}

export function tracker(views: ScopeViews): Tracker {
  if (views.clear === views.shown) return { scope: views.clear, tainted: () => false, plain: (v) => v };
  let tainted = false;
  const view = (clear: unknown, shown: unknown): unknown => {
    if (clear === shown) return clear;
    if (!isObject(clear) || !isObject(shown) || Array.isArray(clear) !== Array.isArray(shown)) {
      if (!Object.is(clear, shown)) tainted = true;
      return clear;
    }
    return new Proxy(clear, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof key === 'symbol' || !Object.prototype.hasOwnProperty.call(target, key)) return value;
        const wrapped = view(value, (shown as Record<string, unknown>)[key]);
        // A proxy must give back the value itself for a fixed property.
        const d = Reflect.getOwnPropertyDescriptor(target, key);
        return d && !d.configurable && !d.writable ? value : wrapped;
      },
      // Expressions never change the run's context.
      set: () => false,
      defineProperty: () => false,
      deleteProperty: () => false,
    });
  };
  const plain = (value: unknown): unknown => {
    if (!isObject(value) || '_jsonata_lambda' in value || '_jsonata_function' in value) return value;
    if (Array.isArray(value)) return Array.from(value, plain);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) out[k] = plain((value as Record<string, unknown>)[k]);
    return out;
  };
  return { scope: view(views.clear, views.shown) as ExpressionScope, tainted: () => tainted, plain };
}

/** The strings inside a value (the texts a search must find in output the engine did not build). */
export function stringsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsOf(v, out);
  else if (isObject(value)) for (const v of Object.values(value)) stringsOf(v, out);
  return out;
}

function isObject(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}
