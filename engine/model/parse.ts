// Reads task YAML into the typed model. Never throws: whatever can be read is returned, and what
// cannot becomes a diagnostic with a range, so editors and the debugger work on half-typed files.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { schemaDiagnostics } from '../schema/validate';
import type {
  CatchModel,
  Diagnostic,
  FieldRanges,
  FinalStatus,
  InputDecl,
  InputType,
  InstructionModel,
  ParseResult,
  PollModel,
  Range,
  RetryPolicy,
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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, keepSourceTokens: false, prettyErrors: false });
  const reader = new Reader(text, lineCounter);
  for (const e of doc.errors) reader.report('yaml-syntax', 'error', cleanYamlMessage(e.message), e.pos[0], e.pos[1]);
  for (const w of doc.warnings) reader.report('yaml-warning', 'warning', cleanYamlMessage(w.message), w.pos[0], w.pos[1]);
  const model = reader.task(doc);
  reader.diagnostics.push(...schemaDiagnostics(doc, lineCounter, text));
  return { model, diagnostics: reader.diagnostics, text, doc, lineCounter };
}

function cleanYamlMessage(message: string): string {
  // yaml appends "at line L, column C" and a code frame; the diagnostic range says that already.
  return message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

export function makeRangeFactory(lineCounter: LineCounter, textLength: number) {
  return (start: number, end: number): Range => {
    const s = Math.max(0, Math.min(start, textLength));
    const e = Math.max(s, Math.min(end, textLength));
    const sp = lineCounter.linePos(s);
    const ep = lineCounter.linePos(e);
    return {
      start: { line: sp.line - 1, column: sp.col - 1, offset: s },
      end: { line: ep.line - 1, column: ep.col - 1, offset: e },
    };
  };
}

class Reader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly toRange: (start: number, end: number) => Range;

  constructor(private readonly text: string, lineCounter: LineCounter) {
    this.toRange = makeRangeFactory(lineCounter, text.length);
  }

  report(code: string, severity: Diagnostic['severity'], message: string, start: number, end: number): void {
    this.diagnostics.push({ code, severity, message, range: this.toRange(start, end) });
  }

  nodeRange(node: Node | null | undefined, fallback?: Range): Range {
    if (node?.range) return this.toRange(node.range[0], node.range[1]);
    return fallback ?? this.toRange(0, 0);
  }

  /** Pairs of a map with a scalar key, reporting duplicate keys once per repeat. */
  entries(map: YAMLMap, what: string, duplicateCode = 'duplicate-key'): Array<{ key: string; pair: Pair<Node, Node | null>; keyRange: Range }> {
    const seen = new Set<string>();
    const out: Array<{ key: string; pair: Pair<Node, Node | null>; keyRange: Range }> = [];
    for (const item of map.items) {
      if (!isPair(item)) continue;
      const keyNode = item.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : null;
      if (key === null || !keyNode) continue;
      const keyRange = this.nodeRange(keyNode);
      if (seen.has(key)) {
        this.diagnostics.push({
          code: duplicateCode,
          severity: 'error',
          message: `Duplicate ${what} '${key}': only one may be given (the later one is ignored).`,
          range: keyRange,
        });
        continue;
      }
      seen.add(key);
      out.push({ key, pair: item as Pair<Node, Node | null>, keyRange });
    }
    return out;
  }

  fields(map: YAMLMap, what: string): { values: Map<string, Node | null>; ranges: FieldRanges } {
    const values = new Map<string, Node | null>();
    const ranges: FieldRanges = {};
    for (const { key, pair, keyRange } of this.entries(map, what)) {
      values.set(key, pair.value);
      ranges[key] = { key: keyRange, value: pair.value ? this.nodeRange(pair.value) : keyRange };
    }
    return { values, ranges };
  }

  task(doc: Document): TaskModel {
    const root = doc.contents as Node | null;
    const whole = this.toRange(0, this.text.length);
    const model: TaskModel = { input: [], data: {}, states: [], range: whole, fields: {} };
    if (!isMap(root)) return model;
    const { values, ranges } = this.fields(root, 'key');
    model.fields = ranges;
    const version = scalar(values.get('version'));
    if (typeof version === 'number') model.version = version;
    model.name = str(values.get('name'));
    model.description = str(values.get('description'));
    model.timeout = str(values.get('timeout'));
    model.start = str(values.get('start'));
    const data = values.get('data');
    if (isMap(data)) model.data = data.toJSON() as Record<string, unknown>;
    const input = values.get('input');
    if (isMap(input)) model.input = this.inputs(input);
    const states = values.get('states');
    if (isMap(states)) {
      for (const { key, pair, keyRange } of this.entries(states, 'state', 'duplicate-state')) {
        model.states.push(this.state(key, pair.value, keyRange));
      }
    }
    return model;
  }

  inputs(map: YAMLMap): InputDecl[] {
    const out: InputDecl[] = [];
    for (const { key, pair, keyRange } of this.entries(map, 'input')) {
      const decl: InputDecl = {
        name: key,
        hasDefault: false,
        required: false,
        keyRange,
        range: pair.value ? this.nodeRange(pair.value, keyRange) : keyRange,
      };
      if (isMap(pair.value)) {
        const { values } = this.fields(pair.value, 'key');
        const type = str(values.get('type'));
        if (type) decl.type = type as InputType;
        const en = values.get('enum');
        if (isSeq(en)) decl.enum = en.toJSON() as unknown[];
        if (values.has('default')) {
          decl.hasDefault = true;
          decl.default = toJS(values.get('default'));
        }
        decl.description = str(values.get('description'));
        decl.required = scalar(values.get('required')) === true;
      }
      out.push(decl);
    }
    return out;
  }

  state(name: string, value: Node | null, keyRange: Range): StateModel {
    const state: StateModel = {
      name,
      do: [],
      on: [],
      catch: [],
      final: false,
      keyRange,
      range: value ? this.nodeRange(value, keyRange) : keyRange,
      fields: {},
    };
    if (!isMap(value)) return state;
    const { values, ranges } = this.fields(value, 'key');
    state.fields = ranges;
    state.description = str(values.get('description'));
    state.timeout = str(values.get('timeout'));
    state.final = scalar(values.get('final')) === true;
    const status = str(values.get('status'));
    if (status) state.status = status as FinalStatus;
    const list = values.get('do');
    if (isSeq(list)) {
      list.items.forEach((item, i) => {
        const ins = this.instruction(item as Node, i);
        if (ins) state.do.push(ins);
      });
    } else if (isMap(list)) {
      const ins = this.instruction(list, 0);
      if (ins) state.do.push(ins);
    }
    const on = values.get('on');
    if (isSeq(on)) {
      on.items.forEach((item, i) => {
        if (isMap(item)) state.on.push(this.transition(item, i));
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
      katch.items.forEach((item, i) => {
        if (!isMap(item)) return;
        const f = this.fields(item, 'key');
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

  instruction(node: Node, index: number): InstructionModel | undefined {
    if (!isMap(node)) return undefined;
    const { values, ranges } = this.fields(node, 'key');
    const kindKey = [...values.keys()].find((k) => !(INSTRUCTION_OPTION_KEYS as readonly string[]).includes(k));
    const ins: InstructionModel = {
      index,
      kind: kindKey ?? '',
      args: kindKey ? toJS(values.get(kindKey)) : undefined,
      range: this.nodeRange(node),
      kindRange: kindKey ? ranges[kindKey].key : this.nodeRange(node),
      fields: ranges,
    };
    ins.as = str(values.get('as'));
    ins.timeout = str(values.get('timeout'));
    const retry = values.get('retry');
    if (isMap(retry)) {
      const r = retry.toJSON() as Record<string, unknown>;
      const policy: RetryPolicy = { attempts: typeof r.attempts === 'number' ? r.attempts : 1 };
      if (typeof r.delay === 'string') policy.delay = r.delay;
      if (typeof r.backoff === 'number') policy.backoff = r.backoff;
      if (typeof r.max_delay === 'string') policy.max_delay = r.max_delay;
      ins.retry = policy;
    }
    return ins;
  }

  transition(map: YAMLMap, index: number): TransitionModel {
    const { values, ranges } = this.fields(map, 'key');
    const t: TransitionModel = { index, shorthand: false, range: this.nodeRange(map), fields: ranges };
    t.to = str(values.get('to'));
    t.when = str(values.get('when'));
    t.after = str(values.get('after'));
    t.event = str(values.get('event'));
    const poll = values.get('poll');
    if (isMap(poll)) {
      const f = this.fields(poll, 'key');
      const p: PollModel = { range: this.nodeRange(poll), fields: f.ranges };
      p.every = str(f.values.get('every'));
      p.until = str(f.values.get('until'));
      const pdo = f.values.get('do');
      if (pdo) p.do = this.instruction(pdo, 0);
      t.poll = p;
    }
    return t;
  }
}

function scalar(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}

/** A scalar's text, for fields that are names, expressions or durations. */
function str(node: Node | null | undefined): string | undefined {
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
}

function toJS(node: Node | null | undefined): unknown {
  if (!node) return null;
  return node.toJSON();
}
