// Line -> element maps: which step of a task a line of its YAML stands for. The debugger sets
// breakpoints with it, and reports stops at the lines it gives; the graph editor can use it to
// follow the cursor. Pure: it reads the parsed model only (and, for `call`s, files through a
// function it is given).
import * as path from 'node:path';
import { parseTask } from './parse';
import type { Range, TaskModel } from './types';

/**
 * A step of a task a breakpoint can stand for:
 * - `state`: before the state is entered (its key line);
 * - `instruction`: before that instruction of the state's `do` list runs (each attempt);
 * - `transition`: when that entry of `on` (or the `next:` shorthand) is taken;
 * - `catch`: when that `catch` entry routes a failure.
 */
export type ElementKind = 'state' | 'instruction' | 'transition' | 'catch';

export interface TaskElement {
  kind: ElementKind;
  state: string;
  /** Position in `do`, `on` or `catch` (absent for a state). */
  index?: number;
  /** The line (0-based) the element is shown at: the state's key, or the first line of the item. */
  line: number;
  range: Range;
}

export interface LineMap {
  /** Every element, in text order. */
  readonly elements: readonly TaskElement[];
  /**
   * The element a 0-based line stands for: a state key line gives the state; a line of an
   * instruction, transition or catch entry gives that entry; any other line inside a state (its
   * `description`, `timeout`, `do:`/`on:` keys, blank and comment lines, and the blank or comment
   * lines just above it) gives the state. Lines outside `states` give undefined. With a 0-based
   * column, a line holding several elements (flow style) gives the innermost one at that column.
   */
  at(line: number, column?: number): TaskElement | undefined;
  /** The element with this key (see `elementKey`). */
  get(key: string): TaskElement | undefined;
}

/** A stable key for an element: `state:NAME`, `instruction:NAME:I`, `transition:NAME:I`, `catch:NAME:I`. */
export function elementKey(kind: ElementKind, state: string, index?: number): string {
  return kind === 'state' ? `state:${state}` : `${kind}:${state}:${index ?? 0}`;
}

export function keyOf(e: TaskElement): string {
  return elementKey(e.kind, e.state, e.index);
}

function contains(r: Range, line: number, column?: number): boolean {
  if (line < r.start.line || line > r.end.line) return false;
  if (column === undefined) return true;
  if (line === r.start.line && column < r.start.column) return false;
  if (line === r.end.line && column > r.end.column) return false;
  return true;
}

function size(r: Range): number {
  return r.end.offset - r.start.offset;
}

export function locate(model: TaskModel): LineMap {
  const elements: TaskElement[] = [];
  const byKey = new Map<string, TaskElement>();
  /** Per state: its element, the items inside it, and the lines it owns. */
  const regions: Array<{ state: TaskElement; items: TaskElement[]; first: number; last: number }> = [];
  const add = (e: TaskElement) => {
    elements.push(e);
    byKey.set(keyOf(e), e);
    return e;
  };
  const states = [...model.states].sort((a, b) => a.keyRange.start.offset - b.keyRange.start.offset);
  const statesField = model.fields.states;
  for (const st of states) {
    const stateEl = add({ kind: 'state', state: st.name, line: st.keyRange.start.line, range: { start: st.keyRange.start, end: st.range.end.offset >= st.keyRange.end.offset ? st.range.end : st.keyRange.end } });
    const items: TaskElement[] = [];
    for (const ins of st.do) items.push(add({ kind: 'instruction', state: st.name, index: ins.index, line: ins.range.start.line, range: ins.range }));
    for (const t of st.on) items.push(add({ kind: 'transition', state: st.name, index: t.index, line: t.range.start.line, range: t.range }));
    for (const c of st.catch) items.push(add({ kind: 'catch', state: st.name, index: c.index, line: c.range.start.line, range: c.range }));
    regions.push({ state: stateEl, items, first: st.keyRange.start.line, last: Math.max(st.keyRange.end.line, st.range.end.line) });
  }
  elements.sort((a, b) => a.range.start.offset - b.range.start.offset || (a.kind === 'state' ? -1 : 1));
  // Lines between two states (blank lines, comments) belong to the state below them; lines after
  // the last state's text belong to nobody unless they are still inside `states`.
  const statesStart = statesField ? statesField.key.end.line + 1 : 0;
  for (let i = 0; i < regions.length; i++) {
    const previousLast = i === 0 ? statesStart - 1 : regions[i - 1].last;
    regions[i].first = Math.min(regions[i].first, Math.max(previousLast + 1, statesStart));
  }

  const at = (line: number, column?: number): TaskElement | undefined => {
    // Binary search would do; tasks have tens of states, and this runs per breakpoint.
    const region = regions.find((r) => line >= r.first && line <= r.last);
    if (!region) return undefined;
    const { state, items } = region;
    if (column !== undefined) {
      const inner = items.filter((e) => contains(e.range, line, column)).sort((a, b) => size(a.range) - size(b.range))[0];
      if (inner) return inner;
      return state;
    }
    if (line === state.line) return state;
    const starting = items.find((e) => e.line === line);
    if (starting) return starting;
    const inside = items.filter((e) => contains(e.range, line)).sort((a, b) => size(a.range) - size(b.range))[0];
    return inside ?? state;
  };
  return { elements, at, get: (key) => byKey.get(key) };
}

/** A `call` instruction whose `task` is a literal path (no template), resolved against the caller's folder. */
export interface CalledTask {
  file: string;
  state: string;
  index: number;
}

export function calledTasks(model: TaskModel, file: string): CalledTask[] {
  const out: CalledTask[] = [];
  for (const st of model.states) {
    for (const ins of st.do) {
      if (ins.kind !== 'call' || !ins.args || typeof ins.args !== 'object') continue;
      const task = (ins.args as Record<string, unknown>).task;
      if (typeof task !== 'string' || !task || task.includes('{{')) continue;
      out.push({ file: path.resolve(path.dirname(file), task), state: st.name, index: ins.index });
    }
  }
  return out;
}

export interface LocatedFile {
  file: string;
  model: TaskModel;
  lines: LineMap;
}

/**
 * The launched file and every file it calls, transitively (each once). `read` returns a file's
 * text, or throws when it cannot; a called file that cannot be read is left out.
 */
export function locateTaskFiles(file: string, read: (file: string) => string, first?: TaskModel): Map<string, LocatedFile> {
  const out = new Map<string, LocatedFile>();
  const visit = (f: string, model?: TaskModel) => {
    if (out.has(f)) return;
    let m = model;
    if (!m) {
      try {
        m = parseTask(read(f)).model;
      } catch {
        return;
      }
    }
    out.set(f, { file: f, model: m, lines: locate(m) });
    for (const c of calledTasks(m, f)) visit(c.file);
  };
  visit(path.resolve(file), first);
  return out;
}
