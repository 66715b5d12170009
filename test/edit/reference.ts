// A plain-data reference of what each edit operation does to the model, and a generator of valid
// operations for a model; shared by the property tests.
import { copyStates } from '../../engine/edit/index';
import type { EditOperation, TransitionCondition } from '../../engine/edit/types';
import type { FinalStatus, TaskModel } from '../../engine/model/types';

export interface RefT {
  to: string;
  when?: string;
  after?: string;
  event?: string;
  every?: string;
}
export interface RefState {
  name: string;
  description?: string;
  timeout?: string;
  final: boolean;
  status?: FinalStatus;
  on: RefT[];
  catch: Array<{ to: string; error?: string }>;
  do: Array<{ kind: string; args: unknown; as?: string }>;
}
export interface RefTask {
  start?: string;
  states: RefState[];
}

export function project(m: TaskModel): RefTask {
  return {
    start: m.start,
    states: m.states.map((s) => clean({
      name: s.name,
      description: s.description,
      timeout: s.timeout,
      final: s.final,
      status: s.status,
      on: s.on.map((t) => clean({ to: t.to ?? '', when: t.when, after: t.after, event: t.event, every: t.poll?.every })),
      catch: s.catch.map((c) => clean({ to: c.to ?? '', error: c.error })),
      do: s.do.map((i) => clean({ kind: i.kind, args: i.args, as: i.as })),
    }) as RefState),
  };
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function cloneRef(r: RefTask): RefTask {
  return JSON.parse(JSON.stringify(r)) as RefTask;
}

const isElse = (t: RefT) => t.when === undefined && t.after === undefined && t.event === undefined && t.every === undefined;

/** What each operation does to the model, written plainly. */
export function applyRef(ref: RefTask, op: EditOperation): RefTask {
  const r = cloneRef(ref);
  const st = (name: string) => r.states.find((s) => s.name === name)!;
  switch (op.type) {
    case 'addState': {
      const s: RefState = { name: op.name!, final: !!op.final, on: [], catch: [], do: [] };
      if (op.description) s.description = op.description;
      if (op.final && op.status && op.status !== 'succeeded') s.status = op.status;
      const at = op.after ? r.states.findIndex((x) => x.name === op.after) + 1 : r.states.length;
      r.states.splice(at, 0, s);
      if (r.start === undefined && r.states.length === 1) r.start = s.name;
      return r;
    }
    case 'deleteState':
      r.states = r.states.filter((s) => s.name !== op.state);
      return r;
    case 'renameState': {
      if (r.start === op.state) r.start = op.newName;
      for (const s of r.states) {
        if (s.name === op.state) s.name = op.newName;
        for (const t of s.on) if (t.to === op.state) t.to = op.newName;
        for (const c of s.catch) if (c.to === op.state) c.to = op.newName;
      }
      return r;
    }
    case 'duplicateState': {
      const i = r.states.findIndex((s) => s.name === op.state);
      r.states.splice(i + 1, 0, { ...cloneRef({ states: [r.states[i]] }).states[0], name: op.newName! });
      return r;
    }
    case 'pasteStates': {
      // The tests paste one copied state: it is renamed, and so are its links to itself.
      const [from, to] = (op as unknown as { refRename: [string, string] }).refRename;
      const s = cloneRef({ states: [st(from)] }).states[0];
      s.name = to;
      for (const t of s.on) if (t.to === from) t.to = to;
      for (const c of s.catch) if (c.to === from) c.to = to;
      const at = op.after ? r.states.findIndex((x) => x.name === op.after) + 1 : r.states.length;
      r.states.splice(at, 0, s);
      return r;
    }
    case 'setStart':
      r.start = op.state;
      return r;
    case 'setFinal': {
      const s = st(op.state);
      if (!op.final) {
        s.final = false;
        delete s.status;
      } else {
        s.final = true;
        if (op.status !== undefined && (op.status !== 'succeeded' || s.status !== undefined)) s.status = op.status;
      }
      return r;
    }
    case 'setDescription':
      if (op.description) st(op.state).description = op.description;
      else delete st(op.state).description;
      return r;
    case 'setTimeout':
      if (op.timeout) st(op.state).timeout = op.timeout;
      else delete st(op.state).timeout;
      return r;
    case 'addTransition': {
      const s = st(op.state);
      if (op.list === 'catch') {
        s.catch.push(clean({ to: op.to, error: op.error }));
        return r;
      }
      const t: RefT = clean({ to: op.to, when: op.condition?.when, after: op.condition?.after, event: op.condition?.event, every: op.condition?.poll?.every });
      if (!isElse(t) && s.on.length && isElse(s.on[s.on.length - 1])) s.on.splice(s.on.length - 1, 0, t);
      else s.on.push(t);
      return r;
    }
    case 'deleteTransition':
      (op.list === 'catch' ? st(op.state).catch : st(op.state).on).splice(op.index, 1);
      return r;
    case 'retargetTransition':
      (op.list === 'catch' ? st(op.state).catch : st(op.state).on)[op.index].to = op.to;
      return r;
    case 'reorderTransition': {
      const list = op.list === 'catch' ? st(op.state).catch : st(op.state).on;
      const [x] = list.splice(op.index, 1);
      list.splice(op.toIndex, 0, x as never);
      return r;
    }
    case 'setTransitionCondition': {
      const list = st(op.state).on;
      const c = op.condition;
      list[op.index] = clean({ to: list[op.index].to, when: c.when, after: c.after, event: c.event, every: c.poll?.every });
      return r;
    }
    case 'updateTransition': {
      // The generator sets `when` on an `on` transition.
      st(op.state).on[op.index].when = op.value as string;
      return r;
    }
    case 'addInstruction': {
      const s = st(op.state);
      s.do.splice(op.index ?? s.do.length, 0, clean({ kind: op.instruction.kind, args: op.instruction.args, as: op.instruction.as }));
      return r;
    }
    case 'removeInstruction':
      st(op.state).do.splice(op.index, 1);
      return r;
    case 'moveInstruction': {
      const list = st(op.state).do;
      const [x] = list.splice(op.index, 1);
      list.splice(op.toIndex, 0, x);
      return r;
    }
    case 'updateInstruction': {
      const ins = st(op.state).do[op.index];
      if (op.path[0] === 'as') {
        if (op.value === undefined) delete ins.as;
        else ins.as = op.value as string;
      } else if (op.path.length === 1) ins.args = op.value;
      else (ins.args as Record<string, unknown>)[op.path[1]] = op.value;
      return r;
    }
    default:
      throw new Error(`no reference for ${op.type}`);
  }
}

/** The states whose text an operation may change (the others must stay byte for byte). */
export function touched(ref: RefTask, op: EditOperation): Set<string> {
  const out = new Set<string>();
  if ('state' in op && typeof op.state === 'string') out.add(op.state);
  if (op.type === 'renameState') {
    for (const s of ref.states) if (s.on.some((t) => t.to === op.state) || s.catch.some((c) => c.to === op.state)) out.add(s.name);
  }
  if (op.type === 'setStart') out.clear();
  return out;
}

const NAMES = ['review', 'wait', 'ship it', 'a:b', "o'k", 'x-1', 'retry'];
const TEXTS = ['All good', 'Say "hi"', 'colon: inside', 'hash # inside', "it's", 'tab\tand more', 'two\nlines'];
const CONDITIONS: TransitionCondition[] = [{}, { when: 'data.ok = true' }, { after: '5m' }, { event: 'approved' }, { poll: { every: '10s', until: 'result.status = 200', do: { kind: 'http', args: { url: 'https://example.com/s' } } } }];

export interface Seed {
  kind: number;
  a: number;
  b: number;
  c: number;
}

let fresh = 0;

/** A valid operation for the current model, chosen by the seed. */
export function opFor(ref: RefTask, text: string, seed: Seed): EditOperation | undefined {
  const states = ref.states;
  const pick = <T>(xs: T[], n: number): T => xs[n % xs.length];
  const s = states.length ? pick(states, seed.a) : undefined;
  const unique = (base: string) => {
    let name = `${base}${fresh++ % 3 === 0 ? '' : fresh}`;
    while (states.some((x) => x.name === name)) name = `${base}-${fresh++}`;
    return name;
  };
  switch (seed.kind % 21) {
    case 0:
    case 1:
      return { type: 'addState', name: unique(pick(NAMES, seed.b)), after: seed.c % 2 && s ? s.name : undefined, description: seed.c % 3 === 0 ? pick(TEXTS, seed.b) : undefined };
    case 2:
      return s && states.length > 1 ? { type: 'deleteState', state: s.name } : undefined;
    case 3:
      return s ? { type: 'renameState', state: s.name, newName: unique(pick(NAMES, seed.b)) } : undefined;
    case 4:
      return s ? { type: 'duplicateState', state: s.name, newName: unique(`${s.name.replace(/[^a-z]/g, '')}copy`) } : undefined;
    case 5: {
      // Copy a state and paste it: it clashes with itself, so the copy is named `<name>-copy`.
      if (!s || states.some((x) => x.name === `${s.name}-copy`)) return undefined;
      const yaml = copyStates(text, [s.name]);
      if (!yaml) return undefined;
      const op = { type: 'pasteStates', yaml, after: seed.c % 2 ? s.name : undefined } as EditOperation;
      (op as { refRename?: [string, string] }).refRename = [s.name, `${s.name}-copy`];
      return op;
    }
    case 6:
      return s ? { type: 'setStart', state: s.name } : undefined;
    case 7:
      return s ? { type: 'setFinal', state: s.name, final: seed.b % 3 !== 0, status: seed.c % 4 === 0 ? undefined : pick(['succeeded', 'failed', 'cancelled'] as const, seed.c) } : undefined;
    case 8:
      return s ? { type: 'setDescription', state: s.name, description: seed.b % 4 === 0 ? undefined : pick(TEXTS, seed.c) } : undefined;
    case 9:
      return s ? { type: 'setTimeout', state: s.name, timeout: seed.b % 3 === 0 ? undefined : pick(['5m', '1h30m', '10s'], seed.c) } : undefined;
    case 10:
    case 11: {
      if (!s) return undefined;
      const to = pick(states, seed.b).name;
      if (seed.c % 4 === 0) return { type: 'addTransition', state: s.name, to, list: 'catch', error: seed.b % 2 ? 'http' : undefined };
      return { type: 'addTransition', state: s.name, to, condition: pick(CONDITIONS, seed.c) };
    }
    case 12: {
      if (!s) return undefined;
      const list = seed.c % 3 === 0 ? 'catch' : 'on';
      const n = list === 'catch' ? s.catch.length : s.on.length;
      return n ? { type: 'deleteTransition', state: s.name, index: seed.b % n, list } : undefined;
    }
    case 13: {
      if (!s) return undefined;
      const list = seed.c % 3 === 0 ? 'catch' : 'on';
      const n = list === 'catch' ? s.catch.length : s.on.length;
      return n ? { type: 'retargetTransition', state: s.name, index: seed.b % n, list, to: pick(states, seed.c).name } : undefined;
    }
    case 14: {
      if (!s) return undefined;
      const list = seed.c % 3 === 0 ? 'catch' : 'on';
      const n = list === 'catch' ? s.catch.length : s.on.length;
      return n > 1 ? { type: 'reorderTransition', state: s.name, index: seed.b % n, toIndex: seed.c % n, list } : undefined;
    }
    case 15:
      return s && s.on.length ? { type: 'setTransitionCondition', state: s.name, index: seed.b % s.on.length, condition: pick(CONDITIONS, seed.c) } : undefined;
    case 16: {
      if (!s) return undefined;
      const kind = pick(['log', 'sleep', 'http', 'set'], seed.b);
      const args = kind === 'log' ? pick(TEXTS, seed.c) : kind === 'sleep' ? '5s' : kind === 'http' ? { url: 'https://example.com/x', method: 'GET' } : { k: 'v' };
      return { type: 'addInstruction', state: s.name, instruction: { kind, args, as: seed.c % 3 === 0 ? 'res' : undefined }, index: s.do.length && seed.c % 2 ? seed.c % s.do.length : undefined };
    }
    case 17:
      return s && s.do.length ? { type: 'removeInstruction', state: s.name, index: seed.b % s.do.length } : undefined;
    case 18:
      return s && s.do.length > 1 ? { type: 'moveInstruction', state: s.name, index: seed.b % s.do.length, toIndex: seed.c % s.do.length } : undefined;
    case 19: {
      if (!s || !s.do.length) return undefined;
      const i = seed.b % s.do.length;
      const ins = s.do[i];
      if (seed.c % 2) return { type: 'updateInstruction', state: s.name, index: i, path: ['as'], value: seed.c % 4 === 1 ? undefined : 'named' };
      if (ins.kind === 'log') return { type: 'updateInstruction', state: s.name, index: i, path: ['log'], value: pick(TEXTS, seed.c) };
      if (ins.kind === 'http' && ins.args && typeof ins.args === 'object') return { type: 'updateInstruction', state: s.name, index: i, path: ['http', 'url'], value: 'https://example.com/{{ data.x }}' };
      return undefined;
    }
    case 20:
      return s && s.on.length ? { type: 'updateTransition', state: s.name, index: seed.b % s.on.length, path: ['when'], value: pick(['data.ok = true', 'a: b', "it's"], seed.c) } : undefined;
    default:
      return undefined;
  }
}

/** The comments of a text (a '#' at a line's start or after a space, outside quotes). */
export function comments(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    let quote = '';
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (quote) {
        if (ch === '\\' && quote === '"') i++;
        else if (ch === quote) quote = '';
      } else if ((ch === '"' || ch === "'") && (i === 0 || /[\s:,[{-]/.test(line[i - 1]))) quote = ch;
      else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
        out.push(line.slice(i));
        break;
      }
    }
  }
  return out;
}

export function stateText(text: string, m: TaskModel, name: string): string | undefined {
  const s = m.states.find((x) => x.name === name);
  if (!s) return undefined;
  return text.slice(s.keyRange.start.offset, Math.max(s.range.end.offset, s.keyRange.end.offset));
}
