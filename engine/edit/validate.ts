// Checks an edit operation's shape before it touches the text. Operations arrive from the graph
// webview as untrusted JSON: a fractional or null index, a name that is a number or a value that is
// not plain data must be refused with a message naming the argument, never reach the editor.
import { EditError } from './error';
import type { EditOperation, EditOperationType } from './types';

type Check = (value: unknown, at: string) => void;
type Shape = Record<string, Check>;

const fail = (at: string, what: string, value: unknown): never => {
  throw new EditError(`Edit operation: '${at}' ${what} (got ${describe(value)}).`);
};

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : `a ${typeof value}`;
}

const text: Check = (v, at) => {
  if (typeof v !== 'string') fail(at, 'must be a string', v);
};
const name: Check = (v, at) => {
  if (typeof v !== 'string' || !v.trim()) fail(at, 'must be a non-empty string', v);
};
const flag: Check = (v, at) => {
  if (typeof v !== 'boolean') fail(at, 'must be true or false', v);
};
const num: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, 'must be a number', v);
};
const index: Check = (v, at) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(at, 'must be a whole number, 0 or more', v);
};
const oneOf =
  (values: readonly string[]): Check =>
  (v, at) => {
    if (typeof v !== 'string' || !values.includes(v)) fail(at, `must be one of ${values.map((x) => `'${x}'`).join(', ')}`, v);
  };
const optional =
  (check: Check): Check =>
  (v, at) => {
    if (v !== undefined) check(v, at);
  };

/** Plain data that can be written as YAML: strings, numbers, booleans, null, lists and plain objects. */
const MAX_DEPTH = 32;
const data: Check = (v, at) => checkData(v, at, 0);
function checkData(v: unknown, at: string, depth: number): void {
  if (depth > MAX_DEPTH) fail(at, `nests deeper than ${MAX_DEPTH} levels`, v);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(at, 'must be a finite number', v);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((item, i) => {
      if (item === undefined) fail(`${at}[${i}]`, 'must be a value', item);
      checkData(item, `${at}[${i}]`, depth + 1);
    });
    return;
  }
  if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    for (const [k, item] of Object.entries(v)) if (item !== undefined) checkData(item, `${at}.${k}`, depth + 1);
    return;
  }
  fail(at, 'must be plain data (text, a number, true/false, null, a list or a mapping)', v);
}

const path: Check = (v, at) => {
  if (!Array.isArray(v) || !v.length) fail(at, 'must be a non-empty list of keys', v);
  (v as unknown[]).forEach((k, i) => name(k, `${at}[${i}]`));
};

function record(shape: Shape): Check {
  return (v, at) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(at, 'must be an object', v);
    for (const [key, check] of Object.entries(shape)) check((v as Record<string, unknown>)[key], `${at}.${key}`);
  };
}

/** A `map` option's value: an expression (text), a whole number, or a list of plain data. */
const mapValue: Check = (v, at) => {
  if (typeof v === 'string') return;
  if (typeof v === 'number') return index(v, at);
  if (!Array.isArray(v)) fail(at, 'must be text, a whole number or a list', v);
  data(v, at);
};

const STATUS = oneOf(['succeeded', 'failed', 'cancelled']);
const LIST = optional(oneOf(['on', 'catch']));

const instruction = record({
  kind: name,
  args: optional(data),
  as: optional(text),
  timeout: optional(text),
  retry: optional(record({ attempts: optional(num), delay: optional(text), backoff: optional(num), max_delay: optional(text) })),
});

const condition = record({
  when: optional(text),
  after: optional(text),
  event: optional(text),
  poll: optional(record({ every: text, until: optional(text), do: optional(instruction) })),
});

const TRANSITION: Shape = { state: name, index, list: LIST };

const SHAPES: { [T in Exclude<EditOperationType, 'batch'>]: Shape } = {
  addState: { name: optional(text), base: optional(text), after: optional(name), description: optional(text), final: optional(flag), status: optional(STATUS), taskName: optional(text) },
  deleteState: { state: name },
  renameState: { state: name, newName: text },
  duplicateState: { state: name, newName: optional(text) },
  pasteStates: { yaml: text, after: optional(name) },
  setStart: { state: name },
  setFinal: { state: name, final: flag, status: optional(STATUS) },
  setDescription: { state: name, description: optional(text) },
  setTimeout: { state: name, timeout: optional(text) },
  addTransition: { state: name, to: name, list: LIST, condition: optional(condition), error: optional(text), index: optional(index) },
  deleteTransition: TRANSITION,
  retargetTransition: { ...TRANSITION, to: name },
  reorderTransition: { ...TRANSITION, toIndex: index },
  setTransitionCondition: { ...TRANSITION, condition },
  updateTransition: { ...TRANSITION, path, value: optional(data) },
  addInstruction: { state: name, instruction, index: optional(index) },
  removeInstruction: { state: name, index },
  moveInstruction: { state: name, index, toIndex: index },
  updateInstruction: { state: name, index, path, value: optional(data) },
  setInstructionKind: { state: name, index, kind: name, args: optional(data) },
  addBranch: { state: name, index, name: optional(text), instruction },
  removeBranch: { state: name, index, branch: name },
  renameBranch: { state: name, index, branch: name, newName: text },
  setMapOption: { state: name, index, option: oneOf(['items', 'concurrency', 'tolerate']), value: optional(mapValue) },
  connect: { state: name, to: name },
  insertState: { ...TRANSITION, name: optional(text) },
};

/** Throws an EditError naming the argument when `op` is not an edit operation of a known type with arguments of the right shape. */
export function validateOperation(op: unknown, at?: string): asserts op is EditOperation {
  if (op === null || typeof op !== 'object' || Array.isArray(op)) fail(at ?? 'operation', 'must be an edit operation object', op);
  const type = (op as { type?: unknown }).type;
  if (type === 'batch') {
    const operations = (op as { operations?: unknown }).operations;
    if (!Array.isArray(operations)) fail(`${at ?? 'batch'}.operations`, 'must be a list of edit operations', operations);
    (operations as unknown[]).forEach((sub, i) => validateOperation(sub, `${at ?? 'batch'}.operations[${i}]`));
    return;
  }
  if (typeof type !== 'string' || !Object.hasOwn(SHAPES, type)) fail(`${at ?? 'operation'}.type`, 'is not a known edit operation', type);
  record(SHAPES[type as keyof typeof SHAPES])(op, at ?? (type as string));
}
