// Reads task YAML into the typed model. Never throws: whatever can be read is returned, and what
// cannot becomes a diagnostic with a range, so editors and the debugger work on half-typed files.
import { Composer, Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, YAMLParseError, type CST, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { anchorTargets, keyText, own, plainDocument } from '../schema/nodes';
import { schemaDiagnostics } from '../schema/validate';
import { MAX_NESTING, parseTokens } from './nesting';
import { rangeFactory } from './positions';
import type {
  BranchModel,
  CatchModel,
  Diagnostic,
  FanoutModel,
  FieldRanges,
  FinalStatus,
  InputDecl,
  InputType,
  InstructionModel,
  ParseResult,
  PollModel,
  Range,
  RetryPolicy,
  ScheduleModel,
  StateModel,
  TaskModel,
  TransitionModel,
} from './types';

/** Keys of an instruction entry that are not its kind. */
export const INSTRUCTION_OPTION_KEYS = ['as', 'retry', 'timeout'] as const;

export interface ParsedDocument extends ParseResult {
  doc: Document;
  lineCounter: LineCounter;
}

export function parseTask(text: string): ParseResult {
  const { model, diagnostics } = parseTaskDocument(text);
  return { model, diagnostics, text };
}

export function parseTaskDocument(text: string): ParsedDocument {
  return parseWith(text, true);
}

/** parseTaskDocument reading the states in a walk of their own, after the plain value: what the tests compare it with. */
export function parseTaskDocumentInTwoWalks(text: string): ParsedDocument {
  return parseWith(text, false);
}

function parseWith(text: string, interleaved: boolean): ParsedDocument {
  const lineCounter = new LineCounter();
  const doc = read(text, lineCounter);
  if (typeof doc === 'number') return tooDeep(text, lineCounter, doc);
  const anchors = anchorTargets(doc, text);
  const reader = new Reader(text, lineCounter, anchors);
  for (const e of doc.errors) reader.report('yaml-syntax', 'error', yamlMessage(e.code, e.message), e.pos[0], e.pos[1]);
  for (const w of doc.warnings) reader.report('yaml-warning', 'warning', yamlMessage(w.code, w.message), w.pos[0], w.pos[1]);
  // Each state is read as soon as its plain value is: on a large file, reading them all after the
  // plain value meant fetching every node from memory a second time.
  const states = interleaved ? reader.statesMap(doc) : undefined;
  const stateModels: StateModel[] = [];
  let complete = false;
  const { value } = plainDocument(
    doc,
    states && {
      map: states,
      entry: (key, pair, plain) => stateModels.push(reader.state(key, pair.value, reader.nodeRange(pair.key), plain)),
      done: () => (complete = true),
    },
  );
  reader.aliasesAndDuplicates(doc);
  const model = reader.task(doc, value, complete ? stateModels : undefined);
  reader.diagnostics.push(...schemaDiagnostics(doc, lineCounter, text));
  return { model, diagnostics: reader.diagnostics, text, doc, lineCounter };
}

/**
 * The text's document, or the offset where it nests too deeply to be composed. Its own function so
 * that the syntax tree is garbage once the document is built, as in yaml's parseDocument: kept
 * alive while the model and the schema check read a large file, it made each garbage collection slower.
 */
function read(text: string, lineCounter: LineCounter): Document | number {
  const { tokens, tooDeep } = parseTokens(text, lineCounter);
  return tooDeep ?? compose(tokens, text);
}

/** The one document of the text, as yaml's parseDocument composes it (from tokens already read). */
function compose(tokens: CST.Token[], text: string): Document {
  let doc: Document | undefined;
  for (const next of new Composer({ uniqueKeys: false, keepSourceTokens: false }).compose(tokens, true, text.length)) {
    if (!doc) {
      doc = next;
      continue;
    }
    doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], 'MULTIPLE_DOCS', 'Source contains multiple documents'));
    break;
  }
  return doc ?? new Document(null);
}

/** A file nested too deeply to be read: one error where it gets too deep, and nothing else. */
function tooDeep(text: string, lineCounter: LineCounter, offset: number): ParsedDocument {
  const doc = new Document(null);
  const reader = new Reader(text, lineCounter);
  const end = Math.min(offset + 1, text.length);
  reader.report('too-deep', 'error', `Mappings and lists are nested more than ${MAX_NESTING} levels deep here: a task file may nest at most ${MAX_NESTING} levels, so it was not read further. Flatten this value.`, offset, end);
  return { model: reader.task(doc, null), diagnostics: reader.diagnostics, text, doc, lineCounter };
}

function yamlMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return "A task file holds one YAML document: remove the '---' that starts another.";
  return cleanYamlMessage(message);
}

function cleanYamlMessage(message: string): string {
  // yaml appends "at line L, column C" and a code frame; the diagnostic range says that already.
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

// The reader walks the YAML nodes for ranges and, beside them, the document's plain value (built
// once, for the schema check, by plainDocument) for the values it keeps: instruction arguments,
// `data`, defaults. Reading those from the nodes again made a second copy of most of the file.
class Reader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly toRange: (start: number, end: number) => Range;

  constructor(
    private readonly text: string,
    lineCounter: LineCounter,
    private readonly anchors: Map<Node, Node> = new Map(),
  ) {
    this.toRange = rangeFactory(lineCounter, text.length);
  }

  /** The node an alias stands for (the node itself when it is not an alias; null when unknown). */
  deref(node: Node | null | undefined): Node | null {
    let n: Node | null | undefined = node;
    for (let i = 0; i < 8 && isAlias(n); i++) n = this.anchors.get(n) ?? null;
    return isAlias(n) ? null : (n ?? null);
  }

  /**
   * Reports aliases with no anchor before them, and repeated keys in every mapping (the model and
   * the schema keep the first value): `duplicate-state` in `states`, `duplicate-key` elsewhere.
   */
  aliasesAndDuplicates(doc: Document): void {
    const root = doc.contents;
    const states = isMap(root) ? root.items.find((p) => keyText(p.key) === 'states')?.value : undefined;
    const inputs = isMap(root) ? root.items.find((p) => keyText(p.key) === 'input')?.value : undefined;
    for (const problem of plainDocument(doc).problems) {
      if (problem.kind === 'unknown-alias') {
        const { source, range } = problem.alias;
        this.report('yaml-syntax', 'error', `Unknown alias '*${source}': no anchor '&${source}' is set before it.`, range?.[0] ?? 0, range?.[1] ?? 0);
        continue;
      }
      const what = problem.map === states ? 'state' : problem.map === inputs ? 'input' : 'key';
      this.diagnostics.push({
        code: what === 'state' ? 'duplicate-state' : 'duplicate-key',
        severity: 'error',
        message: `Duplicate ${what} '${problem.text}': only one may be given (the later one is ignored).`,
        range: this.nodeRange(problem.key),
      });
    }
  }

  report(code: string, severity: Diagnostic['severity'], message: string, start: number, end: number): void {
    this.diagnostics.push({ code, severity, message, range: this.toRange(start, end) });
  }

  nodeRange(node: Node | null | undefined, fallback?: Range): Range {
    if (node?.range) {
      // A block collection's range runs past its last line break: end it on its last character.
      let end = node.range[1];
      while (end > node.range[0] && isSpace(this.text.charCodeAt(end - 1))) end--;
      return this.toRange(node.range[0], end);
    }
    return fallback ?? this.toRange(0, 0);
  }

  /** Pairs of a map with a scalar key; a repeated key keeps its first value (reported by aliasesAndDuplicates). */
  entries(map: YAMLMap): Array<{ key: string; pair: Pair<Node, Node | null>; keyRange: Range }> {
    const seen = new Set<string>();
    const out: Array<{ key: string; pair: Pair<Node, Node | null>; keyRange: Range }> = [];
    for (const item of map.items) {
      const key = pairKey(item);
      if (key === undefined || seen.has(key)) continue;
      seen.add(key);
      out.push({ key, pair: item as Pair<Node, Node | null>, keyRange: this.nodeRange(item.key as Node) });
    }
    return out;
  }

  /** The values (aliases followed) and ranges of a map's keys; a repeated key keeps its first. */
  fields(map: YAMLMap): { values: Map<string, Node | null>; ranges: FieldRanges } {
    const values = new Map<string, Node | null>();
    const ranges: FieldRanges = {};
    for (const item of map.items) {
      const key = pairKey(item);
      if (key === undefined || values.has(key)) continue;
      const value = (item as Pair<Node, Node | null>).value;
      values.set(key, this.deref(value));
      const keyRange = this.nodeRange(item.key as Node);
      const field = { key: keyRange, value: value ? this.nodeRange(value) : keyRange };
      // `__proto__:` in the file is a key like any other (assigned, it would replace the prototype).
      if (key === '__proto__') Object.defineProperty(ranges, key, { value: field, enumerable: true, writable: true, configurable: true });
      else ranges[key] = field;
    }
    return { values, ranges };
  }

  /** The mapping of the task's states, if it has one (its first `states`, aliases followed). */
  statesMap(doc: Document): YAMLMap | undefined {
    const root = this.deref(doc.contents as Node | null);
    if (!isMap(root)) return undefined;
    const states = this.deref(root.items.find((p) => pairKey(p) === 'states')?.value as Node | undefined);
    return isMap(states) ? states : undefined;
  }

  /**
   * `value` is the document's plain value (aliases expanded, the first of repeated keys kept);
   * `states`, the states already read from it (else they are read here).
   */
  task(doc: Document, value: unknown, states?: StateModel[]): TaskModel {
    const root = this.deref(doc.contents as Node | null);
    const whole = this.toRange(0, this.text.length);
    const model: TaskModel = { input: [], data: {}, states: [], range: whole, fields: {} };
    if (!isMap(root)) return model;
    const { values, ranges } = this.fields(root);
    model.fields = ranges;
    const version = scalar(values.get('version'));
    if (typeof version === 'number') model.version = version;
    model.name = str(values.get('name'));
    model.description = str(values.get('description'));
    model.timeout = str(values.get('timeout'));
    model.start = str(values.get('start'));
    const data = own(value, 'data');
    if (isMap(values.get('data')) && isObject(data)) model.data = data;
    const input = values.get('input');
    if (isMap(input)) model.input = this.inputs(input, own(value, 'input'));
    const schedule = values.get('schedule');
    if (isSeq(schedule)) model.schedule = this.schedule(schedule, own(value, 'schedule'));
    const statesNode = values.get('states');
    if (isMap(statesNode)) {
      if (states) model.states = states;
      else {
        const plainStates = own(value, 'states');
        for (const { key, pair, keyRange } of this.entries(statesNode)) model.states.push(this.state(key, pair.value, keyRange, own(plainStates, key)));
      }
    }
    return model;
  }

  schedule(list: YAMLSeq, value: unknown): ScheduleModel[] {
    const out: ScheduleModel[] = [];
    list.items.forEach((written, index) => {
      const item = this.deref(written as Node);
      if (!isMap(item)) return;
      const { values, ranges } = this.fields(item);
      const input = own(own(value, index), 'input');
      out.push({
        index,
        cron: str(values.get('cron')),
        timezone: str(values.get('timezone')),
        every: str(values.get('every')),
        input: isMap(values.get('input')) && isObject(input) ? input : undefined,
        overlap: str(values.get('overlap')),
        range: this.nodeRange(item),
        fields: ranges,
      });
    });
    return out;
  }

  inputs(map: YAMLMap, plain: unknown): InputDecl[] {
    const out: InputDecl[] = [];
    for (const { key, pair, keyRange } of this.entries(map)) {
      const value = this.deref(pair.value);
      const declared = own(plain, key);
      const decl: InputDecl = {
        name: key,
        hasDefault: false,
        required: false,
        keyRange,
        range: pair.value ? this.nodeRange(pair.value, keyRange) : keyRange,
      };
      if (isMap(value)) {
        const { values } = this.fields(value);
        const type = str(values.get('type'));
        if (type) decl.type = type as InputType;
        const en = values.get('enum');
        const enumValue = own(declared, 'enum');
        if (isSeq(en) && Array.isArray(enumValue)) decl.enum = enumValue;
        if (values.has('default')) {
          decl.hasDefault = true;
          decl.default = own(declared, 'default') ?? null;
        }
        decl.description = str(values.get('description'));
        decl.required = scalar(values.get('required')) === true;
      }
      out.push(decl);
    }
    return out;
  }

  state(name: string, written: Node | null, keyRange: Range, plain: unknown): StateModel {
    const value = this.deref(written);
    const state: StateModel = {
      name,
      do: [],
      on: [],
      catch: [],
      final: false,
      keyRange,
      range: written ? this.nodeRange(written, keyRange) : keyRange,
      fields: {},
    };
    if (!isMap(value)) return state;
    const { values, ranges } = this.fields(value);
    state.fields = ranges;
    state.description = str(values.get('description'));
    state.timeout = str(values.get('timeout'));
    state.final = scalar(values.get('final')) === true;
    const status = str(values.get('status'));
    if (status) state.status = status as FinalStatus;
    const list = values.get('do');
    const plainList = own(plain, 'do');
    if (isSeq(list)) {
      list.items.forEach((item, i) => {
        const ins = this.instruction(this.deref(item as Node), i, own(plainList, i));
        if (ins) state.do.push(ins);
      });
    } else if (isMap(list)) {
      const ins = this.instruction(list, 0, plainList);
      if (ins) state.do.push(ins);
    }
    const on = values.get('on');
    if (isSeq(on)) {
      const plainOn = own(plain, 'on');
      on.items.forEach((item, i) => {
        const t = this.deref(item as Node);
        if (isMap(t)) state.on.push(this.transition(t, i, own(plainOn, i)));
      });
    }
    const next = values.get('next');
    if (next !== undefined && state.on.length === 0) {
      const range = this.nodeRange(next, ranges.next.key);
      state.on.push({
        index: 0,
        to: str(next),
        shorthand: true,
        range: { start: ranges.next.key.start, end: range.end },
        fields: { to: { key: ranges.next.key, value: range } },
      });
    }
    const katch = values.get('catch');
    if (isSeq(katch)) {
      katch.items.forEach((written, i) => {
        const item = this.deref(written as Node);
        if (!isMap(item)) return;
        const f = this.fields(item);
        state.catch.push({
          index: i,
          to: str(f.values.get('to')),
          error: str(f.values.get('error')),
          range: this.nodeRange(item),
          fields: f.ranges,
        } satisfies CatchModel);
      });
    }
    return state;
  }

  /** `plain` is the instruction's plain value. */
  instruction(node: Node | null, index: number, plain: unknown): InstructionModel | undefined {
    if (!isMap(node)) return undefined;
    const { values, ranges } = this.fields(node);
    const kindKey = [...values.keys()].find((k) => !(INSTRUCTION_OPTION_KEYS as readonly string[]).includes(k));
    const ins: InstructionModel = {
      index,
      kind: kindKey ?? '',
      args: kindKey ? (own(plain, kindKey) ?? null) : undefined,
      range: this.nodeRange(node),
      kindRange: kindKey ? ranges[kindKey].key : this.nodeRange(node),
      fields: ranges,
    };
    ins.as = str(values.get('as'));
    ins.timeout = str(values.get('timeout'));
    const retry = values.get('retry');
    const r = own(plain, 'retry') as Record<string, unknown> | undefined;
    if (isMap(retry) && isObject(r)) {
      const policy: RetryPolicy = { attempts: typeof r.attempts === 'number' ? r.attempts : 1 };
      if (typeof r.delay === 'string') policy.delay = r.delay;
      if (typeof r.backoff === 'number') policy.backoff = r.backoff;
      if (typeof r.max_delay === 'string') policy.max_delay = r.max_delay;
      ins.retry = policy;
    }
    if (kindKey === 'parallel' || kindKey === 'map') ins.fanout = this.fanout(kindKey, values.get(kindKey), index, ins.args);
    return ins;
  }

  /** The nested instructions of a `parallel` or `map`; they take the index of the instruction that holds them. */
  fanout(kind: 'parallel' | 'map', node: Node | null | undefined, index: number, plain: unknown): FanoutModel {
    if (kind === 'parallel') {
      const branches: BranchModel[] = [];
      if (isMap(node)) {
        for (const { key, pair, keyRange } of this.entries(node)) {
          const ins = this.instruction(this.deref(pair.value), index, own(plain, key));
          if (ins) branches.push({ name: key, ins, keyRange });
        }
      }
      return { kind, branches };
    }
    if (!isMap(node)) return { kind };
    const { values } = this.fields(node);
    const option = (k: string) => (values.has(k) ? (own(plain, k) ?? null) : undefined);
    return { kind, items: option('items'), concurrency: option('concurrency'), tolerate: option('tolerate'), do: this.instruction(values.get('do') ?? null, index, own(plain, 'do')) };
  }

  transition(map: YAMLMap, index: number, plain: unknown): TransitionModel {
    const { values, ranges } = this.fields(map);
    const t: TransitionModel = { index, shorthand: false, range: this.nodeRange(map), fields: ranges };
    t.to = str(values.get('to'));
    t.when = str(values.get('when'));
    t.after = str(values.get('after'));
    t.event = str(values.get('event'));
    const consume = values.get('consume');
    if (consume) {
      const f = isMap(consume) ? this.fields(consume) : undefined;
      t.consume = { args: own(plain, 'consume') ?? null, subject: str(f?.values.get('subject')), range: this.nodeRange(consume), fields: f?.ranges ?? {} };
    }
    const poll = values.get('poll');
    if (isMap(poll)) {
      const f = this.fields(poll);
      const p: PollModel = { range: this.nodeRange(poll), fields: f.ranges };
      p.every = str(f.values.get('every'));
      p.until = str(f.values.get('until'));
      const pdo = f.values.get('do');
      if (pdo) p.do = this.instruction(pdo, 0, own(own(plain, 'poll'), 'do'));
      t.poll = p;
    }
    return t;
  }
}

/** The key of a map item as the model reads it (scalar keys only), or undefined. */
function pairKey(item: unknown): string | undefined {
  if (!isPair(item)) return undefined;
  return isScalar(item.key) ? String(item.key.value) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function scalar(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** A scalar's text, for fields that are names, expressions or durations. */
function str(node: Node | null | undefined): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

/** Whether a character is white space (what /\s/ matches), without a regular expression per character. */
function isSpace(code: number): boolean {
  if (code <= 32) return code === 32 || (code >= 9 && code <= 13);
  if (code < 160) return false;
  return code === 160 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

