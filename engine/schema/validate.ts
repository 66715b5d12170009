// Validates a task document against task.schema.json and turns ajv's errors into diagnostics on
// the YAML text: one clear message per problem, on the tightest range (the offending key for an
// unknown key), with a "did you mean" fix where a near name exists.
//
// What the lint rules report is left to them (no double reports): a missing `start`
// (missing-start), a duration that does not parse (invalid-duration), a catch `error` that is not
// a known kind (unknown-error-kind), a state name that names no state (unknown-target).
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import type { Diagnostic, Fix, Range } from '../model/types';
import { MAX_NESTING } from '../model/nesting';
import { rangeFactory } from '../model/positions';
import { MAX_EXPANDED, own, parsePointer, plainDocument, pointer, type Cut, type IndexedNode, type PlainDocument } from './nodes';
import { nearest } from './suggest';
import schemaJson from './task.schema.json';
import generatedValidator from './task-validator';
import { firstLine, nodeSpan, replaceScalar } from './yamltext';

/** The JSON Schema of the task format (draft-07). */
export const TASK_SCHEMA = schemaJson;

export const BUILTIN_KINDS = ['http', 'exec', 'sql', 'smtp', 'publish', 'consume', 'grpc', 'set', 'log', 'emit', 'sleep', 'call', 'parallel', 'map'] as const;
export const INSTRUCTION_OPTIONS = ['as', 'retry', 'timeout'] as const;

type Schema = Record<string, unknown>;
const defs = schemaJson.definitions as unknown as Record<string, Schema>;
const stateProps = defs.state.properties as Record<string, Schema>;
const catchProps = defs.catch.properties as Record<string, Schema>;

/** Keywords of the schema that only editors read (completion, hovers, messages), not validators. */
export const EDITOR_KEYWORDS = ['markdownDescription', 'enumDescriptions', 'markdownEnumDescriptions', 'defaultSnippets', 'patternErrorMessage', 'errorMessage'] as const;

// ajv's code for the schema, generated ahead by scripts/generate-validator.mjs: compiling it at
// run time was most of the CLI's start.
const validate = generatedValidator as unknown as ValidateFunction;

/** Schema diagnostics of a parsed document; never throws. */
export function schemaDiagnostics(doc: Document, lineCounter: LineCounter, text: string): Diagnostic[] {
  try {
    return validateDocument(doc, lineCounter, text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return [{ code: 'schema', severity: 'info', message: `The schema check failed on this file: ${message}`, range: rangeOf(lineCounter, text, 0, 0) }];
  }
}

function validateDocument(doc: Document, lineCounter: LineCounter, text: string): Diagnostic[] {
  const root = doc.contents as Node | null;
  if (!isMap(root)) {
    // A YAML error already says what is wrong; a readable non-mapping gets one message.
    if (doc.errors.length) return [];
    const span = nodeSpan(root) ?? [0, text.length];
    const [s, e] = firstLine(text, span[0], Math.max(span[0], span[1]));
    return [
      {
        code: 'schema',
        severity: 'error',
        message: root ? 'A task file is a mapping of version, name, start and states (with description, input, data, timeout).' : 'The task file is empty: it needs version, name, start and states.',
        range: rangeOf(lineCounter, text, s, e),
      },
    ];
  }
  const plain = plainDocument(doc);
  const notice = plain.cut.first ? [cutNotice(plain.cut.first, lineCounter, text)] : [];
  if (validate(plain.value)) return notice;
  const mapper = new ErrorMapper(plain, lineCounter, text);
  return [...mapper.map(judged(validate.errors ?? [], plain.cut.pointers)), ...notice];
}

/** Where aliases were expanded too far: a warning that what they stand for was not checked. */
function cutNotice(cut: Cut, lineCounter: LineCounter, text: string): Diagnostic {
  const [s, e] = nodeSpan(cut.alias) ?? [0, 0];
  const why =
    cut.why === 'expansion'
      ? `the aliases of this file stand for more than ${MAX_EXPANDED} values in all`
      : `with its aliases expanded, this value nests more than ${MAX_NESTING} levels deep`;
  return {
    code: 'schema',
    severity: 'warning',
    message: `The schema check stopped at this alias: ${why}. What it stands for (and any alias expanded after it) was not checked.`,
    range: rangeOf(lineCounter, text, s, e),
  };
}

// Keywords whose verdict depends on the values below them.
const CHOICES = new Set(['anyOf', 'oneOf', 'not', 'if']);

/**
 * The errors that do not depend on a value that was cut (null in the plain document): none at or
 * under a cut value, and no choice between forms above one.
 */
function judged(errors: ErrorObject[], cut: ReadonlySet<string>): ErrorObject[] {
  if (!cut.size) return errors;
  const above = new Set<string>();
  for (let ptr of cut) {
    while (ptr) {
      ptr = ptr.slice(0, ptr.lastIndexOf('/'));
      above.add(ptr);
    }
  }
  const underCut = (ptr: string): boolean => {
    for (let p = ptr; ; p = p.slice(0, p.lastIndexOf('/'))) {
      if (cut.has(p)) return true;
      if (!p) return false;
    }
  };
  return errors.filter((e) => !underCut(e.instancePath) && !(CHOICES.has(e.keyword) && above.has(e.instancePath)));
}

function rangeOf(lineCounter: LineCounter, text: string, start: number, end: number): Range {
  return rangeFactory(lineCounter, text.length)(start, end);
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'empty',
};

function typeOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string '${value.length > 30 ? value.slice(0, 30) + '…' : value}'`;
  return `${typeof value === 'number' ? 'the number' : 'the value'} ${String(value)}`;
}

function quoteList(items: readonly unknown[]): string {
  const words = items.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
  if (words.length <= 1) return words.join('');
  return words.slice(0, -1).join(', ') + ' or ' + words[words.length - 1];
}

function capitalize(s: string): string {
  return s.length ? s[0].toUpperCase() + s.slice(1) : s;
}

interface Subject {
  /** How the value is named at the start of a sentence. */
  title: string;
  /** How it is named inside a sentence. */
  inline: string;
}

/** A human name for the value at a path: "state 'a'", "http", "transition", "'timeout'". */
function subject(path: string[]): Subject {
  const n = path.length;
  const last = path[n - 1];
  const parent = path[n - 2];
  const make = (inline: string, title = capitalize(inline)): Subject => ({ title, inline });
  if (n === 0) return make('the task');
  if (n === 2 && path[0] === 'states') return make(`state '${last}'`);
  if (n === 2 && path[0] === 'input') return make(`input '${last}'`);
  if (path[0] === 'states' && n >= 3) {
    const isIndex = /^\d+$/.test(last);
    if (isIndex && parent === 'on') return make('transition');
    if (isIndex && parent === 'catch') return make('catch entry');
    if (isIndex && parent === 'do') return make('instruction');
    if (last === 'do' && parent === 'poll') return make("the poll's instruction");
    if (last === 'do' && n === 3) return make("'do'");
    if (last === 'poll') return make('poll');
    if (last === 'retry') return make('retry');
    if ((BUILTIN_KINDS as readonly string[]).includes(last) && (parent === 'do' || /^\d+$/.test(parent))) return { title: last, inline: last };
  }
  if (/^\d+$/.test(last) && parent !== undefined) return make(`item ${last} of '${parent}'`);
  return make(`'${last}'`);
}

class ErrorMapper {
  private readonly out: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  constructor(
    private readonly plain: PlainDocument,
    private readonly lineCounter: LineCounter,
    private readonly text: string,
  ) {}

  map(errors: ErrorObject[]): Diagnostic[] {
    const kindCountPaths = new Set<string>();
    const doChoices = new Map<string, 'array' | 'object' | 'other'>();
    for (const e of errors) {
      if (e.keyword === 'anyOf' && e.parentSchema === defs.oneKind) kindCountPaths.add(e.instancePath);
      if (e.keyword === 'anyOf' && e.parentSchema === stateProps.do) {
        const v = this.value(e.instancePath);
        doChoices.set(e.instancePath, Array.isArray(v) ? 'array' : v && typeof v === 'object' ? 'object' : 'other');
      }
    }
    const oneKindParts = schemaParts(defs.oneKind);
    const wayOutParts = schemaParts(defs.state.anyOf); // no-way-out says it
    for (const e of errors) {
      if (oneKindParts.has(e.parentSchema as object) || wayOutParts.has(e.parentSchema as object)) continue;
      if (e.keyword === 'anyOf' && e.parentSchema === defs.state) continue;
      const choice = doChoices.get(e.instancePath);
      if (choice) {
        // `do` is a list of instructions or one instruction: keep the errors of the branch that
        // fits the value's type, or one message when neither fits.
        if (e.keyword === 'anyOf') {
          if (choice === 'other') this.push(e.instancePath, 'value', `'do' must be a list of instructions (found ${typeOf(this.value(e.instancePath))}).`);
          continue;
        }
        if (choice === 'other') continue;
        if (choice === 'array' && e.keyword === 'type') continue;
        if (choice === 'object' && e.keyword === 'type' && (e.params as { type?: unknown }).type === 'array') continue;
      }
      this.one(e);
    }
    for (const path of kindCountPaths) this.kindCount(path);
    return this.out;
  }

  private value(ptr: string): unknown {
    let v: unknown = this.plain.value;
    for (const seg of parsePointer(ptr)) v = own(v, seg);
    return v;
  }

  private entry(ptr: string): IndexedNode | undefined {
    return this.plain.nodes.get(ptr);
  }

  private range(start: number, end: number): Range {
    return rangeOf(this.lineCounter, this.text, start, end);
  }

  /** The offsets to report a problem with the value at `ptr` on. */
  private span(ptr: string, where: 'key' | 'value' | 'head'): [number, number] {
    const entry = this.entry(ptr);
    if (!entry) {
      // Not in the index (a value the walker gave up on): the nearest indexed ancestor.
      const segs = parsePointer(ptr);
      return segs.length ? this.span(pointer(segs.slice(0, -1)), 'head') : firstLine(this.text, 0, this.text.length);
    }
    const keySpan = nodeSpan(entry.key);
    const valueSpan = nodeSpan(entry.node);
    const scalarish = isScalar(entry.node) || !('items' in (entry.node as object));
    if (where === 'key' && keySpan && keySpan[1] > keySpan[0]) return keySpan;
    if (where === 'value' && valueSpan && valueSpan[1] > valueSpan[0] && scalarish) return valueSpan;
    if (keySpan && keySpan[1] > keySpan[0]) return keySpan;
    if (valueSpan && valueSpan[1] > valueSpan[0]) return firstLine(this.text, valueSpan[0], valueSpan[1]);
    if (valueSpan) return valueSpan;
    return firstLine(this.text, 0, this.text.length);
  }

  private push(ptr: string, where: 'key' | 'value' | 'head', message: string, fix?: Fix, spanOverride?: [number, number]): void {
    const [s, e] = spanOverride ?? this.span(ptr, where);
    const id = `${s}:${e}:${message}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    const d: Diagnostic = { code: 'schema', severity: 'error', message, range: this.range(s, e) };
    if (fix) d.fix = fix;
    this.out.push(d);
  }

  private one(e: ErrorObject): void {
    const path = parsePointer(e.instancePath);
    const subj = subject(path);
    const value = this.value(e.instancePath);
    const params = e.params as Record<string, unknown>;
    const scalarValue = value !== null && value !== undefined && typeof value !== 'object';
    switch (e.keyword) {
      case 'required': {
        const prop = String(params.missingProperty);
        if (e.instancePath === '' && prop === 'start') return; // missing-start
        this.push(e.instancePath, 'head', `${subj.title} needs ${requiredPhrase(path, prop)}.`);
        return;
      }
      case 'additionalProperties': {
        const key = String(params.additionalProperty);
        const ptr = e.instancePath + pointer([key]);
        const allowed = Object.keys(((e.parentSchema as Schema).properties as Record<string, unknown>) ?? {});
        const present = value && typeof value === 'object' ? Object.keys(value) : [];
        const candidates = allowed.filter((k) => !present.includes(k));
        // `to:` right in a state is a transition written without `on`: `next` is its shorthand.
        const suggestion = e.parentSchema === defs.state && key === 'to' && candidates.includes('next') ? 'next' : nearest(key, candidates, { maxDistance: 2 });
        const keyNode = this.entry(ptr)?.key;
        let message = `Unknown key '${key}' in ${subj.inline}`;
        let fix: Fix | undefined;
        if (suggestion) {
          message += `: did you mean '${suggestion}'?`;
          const edit = keyNode ? replaceScalar(keyNode, suggestion) : undefined;
          if (edit) fix = { title: `Change to '${suggestion}'`, edits: [edit] };
        } else {
          message += `. Allowed: ${allowed.join(', ')}.`;
        }
        this.push(ptr, 'key', message, fix);
        return;
      }
      case 'type': {
        const ps = e.parentSchema;
        if (refersTo(ps, 'duration') && scalarValue) return; // invalid-duration
        if (refersTo(ps, 'stateName') && scalarValue) return; // unknown-target
        if (ps === catchProps.error && scalarValue) return; // unknown-error-kind
        if (e.instancePath === '/start' && (value === null || value === undefined)) return; // missing-start
        const types = Array.isArray(params.type) ? (params.type as string[]) : String(params.type).split(',');
        let expected = quoteList(types.map((t) => TYPE_WORDS[t] ?? t));
        if (refersTo(ps, 'duration')) expected = 'a duration such as 10s, 5m or 1h30m';
        else if (refersTo(ps, 'stateName')) expected = 'the name of a state';
        else if (refersTo(ps, 'expression')) expected = 'a JSONata expression (a string)';
        else if (ps === defs.instruction) expected = "a mapping with one kind key, such as '- log: hello'";
        else if (ps === defs.state) expected = 'a mapping (do, on, next, catch, timeout, final, ...)';
        this.push(e.instancePath, 'value', `${subj.title} must be ${expected} (found ${typeOf(value)}).`);
        return;
      }
      case 'enum': {
        if (e.parentSchema === catchProps.error && scalarValue) return; // unknown-error-kind
        const allowedValues = (params.allowedValues as unknown[]) ?? [];
        // An enum that takes a word in two cases (http methods) is said once, in capitals.
        const allowed = allowedValues.filter((a) => typeof a !== 'string' || a === a.toUpperCase() || !allowedValues.includes(a.toUpperCase()));
        const strings = allowed.filter((a): a is string => typeof a === 'string');
        const suggestion = typeof value === 'string' ? nearest(value, strings) : undefined;
        let fix: Fix | undefined;
        const node = this.entry(e.instancePath)?.node;
        if (suggestion && node) {
          const edit = replaceScalar(node, suggestion);
          if (edit) fix = { title: `Change to '${suggestion}'`, edits: [edit] };
        }
        this.push(e.instancePath, 'value', `${subj.title} must be one of ${quoteList(allowed)}${suggestion ? `: did you mean '${suggestion}'?` : '.'}`, fix);
        return;
      }
      case 'const': {
        const allowed = params.allowedValue;
        const node = this.entry(e.instancePath)?.node;
        const span = nodeSpan(node);
        const fix: Fix | undefined = span && isScalar(node) ? { title: `Change to ${JSON.stringify(allowed)}`, edits: [{ start: span[0], end: span[1], newText: JSON.stringify(allowed) }] } : undefined;
        const why = e.instancePath === '/version' ? ' (the only format version so far)' : '';
        this.push(e.instancePath, 'value', `${subj.title} must be ${JSON.stringify(allowed)}${why}.`, fix);
        return;
      }
      case 'pattern': {
        if (e.parentSchema === defs.duration) return; // invalid-duration
        if (e.instancePath === '/name') {
          this.push(e.instancePath, 'value', "'name' must start with a letter and use only letters, digits, '_' and '-'.");
        } else {
          this.push(e.instancePath, 'value', `${subj.title} must match ${String(params.pattern)}.`);
        }
        return;
      }
      case 'minProperties': {
        if (e.instancePath === '/states') this.push(e.instancePath, 'head', "'states' needs at least one state.");
        else this.push(e.instancePath, 'head', `${subj.title} must not be empty.`);
        return;
      }
      case 'minimum':
      case 'exclusiveMinimum':
        this.push(e.instancePath, 'value', `${subj.title} must be at least ${String(params.limit)} (found ${typeOf(value)}).`);
        return;
      case 'not': {
        if (e.parentSchema === defs.state) {
          this.push(e.instancePath + '/next', 'key', `${subj.title} has both 'on' and 'next': use one of them ('next: x' is short for a single unconditional transition).`);
          return;
        }
        this.push(e.instancePath, 'head', `${subj.title} ${e.message ?? 'is not valid'}.`);
        return;
      }
      case 'anyOf':
      case 'oneOf':
        // Branch errors say more; this one only when nothing else was reported for the value.
        if (this.reportedAt(e.instancePath)) return;
        this.push(e.instancePath, 'head', `${subj.title} does not match any allowed form.`);
        return;
      default:
        this.push(e.instancePath, 'value', `${subj.title} ${e.message ?? 'is not valid'}.`);
    }
  }

  private reportedAt(ptr: string): boolean {
    const [s, e] = this.span(ptr, 'head');
    return this.out.some((d) => d.range.start.offset >= s && d.range.end.offset <= Math.max(e, s));
  }

  /** "Exactly one kind key" at an instruction, said from the keys it has. */
  private kindCount(ptr: string): void {
    const value = this.value(ptr);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return;
    const keys = Object.keys(value);
    const kinds = keys.filter((k) => !(INSTRUCTION_OPTIONS as readonly string[]).includes(k));
    const subj = subject(parsePointer(ptr));
    if (kinds.length === 0) {
      this.push(ptr, 'head', `${subj.title} needs a kind: one of ${BUILTIN_KINDS.join(', ')} (or a custom kind registered with the engine).`);
      return;
    }
    const extra = kinds.slice(1);
    const keySpan = nodeSpan(this.entry(ptr + pointer([extra[0]]))?.key);
    this.push(
      ptr + pointer([extra[0]]),
      'key',
      `${subj.title} has ${kinds.length} kinds (${kinds.map((k) => `'${k}'`).join(', ')}): an instruction does exactly one thing; put '${extra[0]}' in an instruction of its own.`,
      undefined,
      keySpan,
    );
  }
}

/**
 * A definition, or a property that refers to it (`allOf: [{ $ref }]` beside its own `type`, which
 * editors read to complete `key: `): both report a wrong type, said once as the definition's.
 */
function refersTo(schema: unknown, name: string): boolean {
  if (schema === defs[name]) return true;
  const allOf = (schema as Schema | undefined)?.allOf;
  return Array.isArray(allOf) && allOf.some((s) => (s as Schema).$ref === `#/definitions/${name}`);
}

function requiredPhrase(path: string[], prop: string): string {
  if (path.length === 0) {
    if (prop === 'version') return "a 'version' (version: 1)";
    if (prop === 'states') return "'states' (state name -> state)";
  }
  return `${/^([aeio]|un)/i.test(prop) ? 'an' : 'a'} '${prop}'`;
}

/** Every schema object inside a schema (the schema included), not following $ref. */
function schemaParts(schema: unknown, into = new Set<object>()): Set<object> {
  if (!schema || typeof schema !== 'object' || into.has(schema)) return into;
  into.add(schema);
  for (const v of Object.values(schema)) {
    if (Array.isArray(v)) v.forEach((x) => schemaParts(x, into));
    else if (v && typeof v === 'object') schemaParts(v, into);
  }
  return into;
}
