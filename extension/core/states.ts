// State names in a parsed task: where each is defined and referred to. Pure (no `vscode`), so the
// language features share one answer to "which state is at this offset?".
import type { Range, StateModel, TaskModel } from '../../engine/model/types';

export type StateSiteKind = 'definition' | 'start' | 'to' | 'next' | 'catch';

export interface StateSite {
  /** The state name written at this site. */
  name: string;
  kind: StateSiteKind;
  /** The scalar's range as written (quotes included). */
  range: Range;
}

/** Every place a state name is written: the state keys, `start`, and each `to`/`next`/catch `to`. */
export function stateSites(model: TaskModel): StateSite[] {
  const sites: StateSite[] = [];
  for (const s of model.states) sites.push({ name: s.name, kind: 'definition', range: s.keyRange });
  if (model.start !== undefined && model.fields.start) sites.push({ name: model.start, kind: 'start', range: model.fields.start.value });
  for (const s of model.states) {
    for (const t of s.on) {
      if (t.to !== undefined && t.fields.to) sites.push({ name: t.to, kind: t.shorthand ? 'next' : 'to', range: t.fields.to.value });
    }
    for (const c of s.catch) {
      if (c.to !== undefined && c.fields.to) sites.push({ name: c.to, kind: 'catch', range: c.fields.to.value });
    }
  }
  return sites;
}

/** The state name at an offset (inclusive of the end, so a cursor right after a name counts). */
export function stateSiteAt(model: TaskModel, offset: number): StateSite | undefined {
  return stateSites(model).find((s) => s.range.start.offset <= offset && offset <= s.range.end.offset);
}

export function findState(model: TaskModel, name: string): StateModel | undefined {
  return model.states.find((s) => s.name === name);
}

/** Where a state is referred to (not its definition). */
export function referencesTo(model: TaskModel, name: string): StateSite[] {
  return stateSites(model).filter((s) => s.name === name && s.kind !== 'definition');
}

/**
 * The offsets of the name itself inside a scalar's text: quotes are kept out of a rename's edit,
 * so `to: "done"` becomes `to: "finished"`, not `to: finished"`.
 */
export function nameSpan(text: string, range: Range): { start: number; end: number } {
  const start = range.start.offset;
  const end = range.end.offset;
  const written = text.slice(start, end);
  const quoted = /^(["'])([\s\S]*)\1$/.exec(written);
  return quoted ? { start: start + 1, end: end - 1 } : { start, end };
}

const RESERVED = new Set(['true', 'false', 'null', 'yes', 'no', 'on', 'off', 'y', 'n', '~']);

/**
 * Why a new state name cannot be used, or undefined when it can. Names are restricted to what
 * reads the same in every YAML position without quotes, so a rename never needs to re-quote.
 */
export function invalidStateName(model: TaskModel, oldName: string, newName: string): string | undefined {
  if (newName === oldName) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(newName)) {
    return `'${newName}' is not a valid state name: use a letter or '_' first, then letters, digits, '_' or '-'.`;
  }
  if (RESERVED.has(newName.toLowerCase())) return `'${newName}' reads as a YAML boolean or null, not as a name: choose another state name.`;
  if (model.states.some((s) => s.name === newName)) return `A state named '${newName}' already exists: choose a name no other state has.`;
  return undefined;
}
