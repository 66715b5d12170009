// What every rule can read besides the model: the text, the YAML nodes by path (for ranges of
// values the model keeps as plain data), and every expression of the task with its location.
import { isScalar, type Document, type LineCounter, type Node } from 'yaml';
import type { InstructionModel, Range, StateModel, TaskModel, TextEdit } from '../model/types';
import type { ValidateFunction } from 'ajv';
import type { JsonSchema, PluginKindInfo } from '../plugins/define';
import { plainDocument, type IndexedNode, type PathSegment, type PlainDocument } from '../schema/nodes';
import { locateInScalar, nodeSpan } from '../schema/yamltext';

export interface LintOptions {
  /** Custom instruction kinds registered with the engine (silences `unknown-kind` for them). */
  customKinds?: readonly string[];
  /** The kinds of the workspace's plugins: known to `unknown-kind`, their arguments checked. */
  plugins?: readonly PluginKindInfo[];
  /**
   * Compiles a plugin's argument schema (ajv, with `verbose` errors); given by whoever loaded the
   * plugins, so that the linter itself never loads a schema validator. Without it, arguments are
   * not checked.
   */
  compileSchema?: (schema: JsonSchema) => ValidateFunction;
}

/** Where an expression comes from. */
export type ExpressionWhere = 'when' | 'until' | 'template';

export interface ExpressionSite {
  /** The expression's text (trimmed; for a template, what is between the braces). */
  source: string;
  where: ExpressionWhere;
  state: string;
  /** The string scalar that holds it. */
  node: Node;
  /** Offsets of the expression's text, exact when the scalar is written as is. */
  start: number;
  end: number;
  /** Offsets of the characters [index, index + length) of `source`. */
  locate(index: number, length: number): { start: number; end: number; exact: boolean };
  /** For a template: offsets of the whole `{{ ... }}` (or `={{ ... }}`) and whether they are exact. */
  template?: { start: number; end: number; exact: boolean };
}

const WHOLE = /^(\s*=\{\{)([\s\S]*)\}\}\s*$/;
const EMBEDDED = /\{\{([\s\S]*?)\}\}/g;

export class LintContext {
  readonly plain: PlainDocument;
  readonly states = new Map<string, StateModel>();
  private sites?: ExpressionSite[];

  constructor(
    readonly text: string,
    readonly doc: Document,
    readonly lineCounter: LineCounter,
    readonly model: TaskModel,
    readonly options: LintOptions = {},
  ) {
    this.plain = plainDocument(doc);
    for (const s of model.states) if (!this.states.has(s.name)) this.states.set(s.name, s);
  }

  range(start: number, end: number): Range {
    const s = Math.max(0, Math.min(start, this.text.length));
    const e = Math.max(s, Math.min(end, this.text.length));
    const sp = this.lineCounter.linePos(s);
    const ep = this.lineCounter.linePos(e);
    return { start: { line: sp.line - 1, column: sp.col - 1, offset: s }, end: { line: ep.line - 1, column: ep.col - 1, offset: e } };
  }

  node(path: readonly PathSegment[]): IndexedNode | undefined {
    return this.plain.nodeAt(path);
  }

  /** The plain value at a path (as the schema saw it). */
  value(path: readonly PathSegment[]): unknown {
    let v: unknown = this.plain.value;
    for (const seg of path) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[String(seg)];
    }
    return v;
  }

  /** The range of the value at a path, or the fallback. */
  valueRange(path: readonly PathSegment[], fallback: Range): Range {
    const span = nodeSpan(this.node(path)?.node);
    return span && span[1] > span[0] ? this.range(span[0], span[1]) : fallback;
  }

  /** The path of an instruction of a state's `do` (a list, or a single instruction). */
  instructionPath(state: StateModel, ins: InstructionModel): PathSegment[] {
    const list = this.value(['states', state.name, 'do']);
    return Array.isArray(list) ? ['states', state.name, 'do', ins.index] : ['states', state.name, 'do'];
  }

  /** Every instruction of the task with its path: the `do` lists, then the polls' instructions. */
  instructions(): Array<{ state: StateModel; ins: InstructionModel; path: PathSegment[]; poll: boolean }> {
    const out: Array<{ state: StateModel; ins: InstructionModel; path: PathSegment[]; poll: boolean }> = [];
    for (const state of this.states.values()) {
      for (const ins of state.do) out.push({ state, ins, path: this.instructionPath(state, ins), poll: false });
      for (const t of state.on) {
        if (t.poll?.do) out.push({ state, ins: t.poll.do, path: ['states', state.name, 'on', t.index, 'poll', 'do'], poll: true });
      }
    }
    return out;
  }

  /** Every instruction with its path, the branches of a `parallel` and a `map`'s `do` included. */
  instructionsWithBranches(): Array<{ ins: InstructionModel; path: PathSegment[] }> {
    const out: Array<{ ins: InstructionModel; path: PathSegment[] }> = [];
    for (const { ins, path } of this.instructions()) {
      out.push({ ins, path });
      const f = ins.fanout;
      if (f?.kind === 'parallel') for (const b of f.branches) out.push({ ins: b.ins, path: [...path, 'parallel', b.name] });
      if (f?.kind === 'map' && f.do) out.push({ ins: f.do, path: [...path, 'map', 'do'] });
    }
    return out;
  }

  /** Every expression: `when`, `until`, and the templates in instruction arguments and `consume` settings. */
  expressions(): ExpressionSite[] {
    if (this.sites) return this.sites;
    const sites: ExpressionSite[] = [];
    for (const state of this.states.values()) {
      for (const t of state.on) {
        if (t.shorthand) continue;
        this.bare(sites, state.name, 'when', ['states', state.name, 'on', t.index, 'when']);
        if (t.poll) this.bare(sites, state.name, 'until', ['states', state.name, 'on', t.index, 'poll', 'until']);
        if (t.consume) this.templates(sites, state.name, ['states', state.name, 'on', t.index, 'consume'], 0);
      }
    }
    for (const { state, ins, path } of this.instructions()) {
      if (!ins.kind) continue;
      this.templates(sites, state.name, [...path, ins.kind], 0);
    }
    this.sites = sites;
    return sites;
  }

  private bare(sites: ExpressionSite[], state: string, where: ExpressionWhere, path: PathSegment[]): void {
    const entry = this.node(path);
    if (!entry || !isScalar(entry.node)) return;
    const v = entry.node.value;
    if (v === null || v === undefined || typeof v === 'object') return;
    const text = String(v);
    const node = entry.node;
    if (typeof v !== 'string') {
      const span = nodeSpan(node) ?? [0, 0];
      sites.push({ source: text, where, state, node, start: span[0], end: span[1], locate: () => ({ start: span[0], end: span[1], exact: false }) });
      return;
    }
    const lead = text.length - text.trimStart().length;
    const source = text.trim();
    const locate = (index: number, length: number) => locateInScalar(this.text, node, lead + index, length);
    sites.push(site({ source, where, state, node, locate }));
  }

  private templates(sites: ExpressionSite[], state: string, path: PathSegment[], depth: number): void {
    if (depth > 64) return;
    const value = this.value(path);
    if (Array.isArray(value)) {
      value.forEach((_, i) => this.templates(sites, state, [...path, i], depth + 1));
      return;
    }
    if (value && typeof value === 'object') {
      for (const k of Object.keys(value)) this.templates(sites, state, [...path, k], depth + 1);
      return;
    }
    if (typeof value !== 'string' || !value.includes('{{')) return;
    const node = this.node(path)?.node;
    if (!node) return;
    const add = (inner: string, innerIndex: number, tplIndex: number, tplLength: number) => {
      const lead = inner.length - inner.trimStart().length;
      const source = inner.trim();
      const base = innerIndex + lead;
      const locate = (index: number, length: number) => locateInScalar(this.text, node, base + index, length);
      sites.push(site({ source, where: 'template', state, node, locate }, () => locateInScalar(this.text, node, tplIndex, tplLength)));
    };
    const w = WHOLE.exec(value);
    if (w) {
      const tplStart = w[1].length - 3; // the '='
      const tplEnd = value.lastIndexOf('}}') + 2;
      add(w[2], w[1].length, tplStart, tplEnd - tplStart);
      return;
    }
    for (const m of value.matchAll(EMBEDDED)) {
      const at = m.index ?? 0;
      add(m[1], at + 2, at, m[0].length);
    }
  }
}

/**
 * An expression site whose offsets are worked out only when a rule reports it: most expressions
 * are fine, and locating text inside a quoted scalar is the costly part.
 */
function site(
  base: Omit<ExpressionSite, 'start' | 'end' | 'template'>,
  template?: () => { start: number; end: number; exact: boolean },
): ExpressionSite {
  let whole: { start: number; end: number } | undefined;
  let tpl: { start: number; end: number; exact: boolean } | undefined;
  const span = () => (whole ??= base.locate(0, base.source.length));
  return {
    ...base,
    get start() {
      return span().start;
    },
    get end() {
      return span().end;
    },
    get template() {
      return template ? (tpl ??= template()) : undefined;
    },
  };
}

/** Applies text edits (offsets into `text`); edits must not overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
