// What every rule can read besides the model: the text, the YAML nodes by path (for ranges of
// values the model keeps as plain data), and every expression of the task with its location.
import type { Document, LineCounter } from 'yaml';
import { rangeFactory } from '../model/positions';
import type { InstructionModel, Range, StateModel, TaskModel, TextEdit } from '../model/types';
import type { ValidateFunction } from 'ajv';
import type { JsonSchema, PluginKindInfo } from '../plugins/define';
import { own, plainDocument, type IndexedNode, type PathSegment, type PlainDocument } from '../schema/nodes';
import { nodeSpan } from '../schema/yamltext';
import { expressionSites, type ExpressionSite } from './sites';

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

/** An instruction of the task: its state, where it is written, and its plain value (as the schema saw it). */
export interface InstructionEntry {
  state: StateModel;
  ins: InstructionModel;
  path: PathSegment[];
  /** An instruction of a poll (not of the state's `do`). */
  poll: boolean;
  value: unknown;
}

export class LintContext {
  readonly plain: PlainDocument;
  readonly states = new Map<string, StateModel>();
  private sites?: ExpressionSite[];
  private instructionList?: InstructionEntry[];
  private branchList?: InstructionEntry[];
  private statesNode: IndexedNode | undefined | null = null;
  private readonly stateNodes = new Map<string, IndexedNode | undefined>();

  constructor(
    readonly text: string,
    readonly doc: Document,
    readonly lineCounter: LineCounter,
    readonly model: TaskModel,
    readonly options: LintOptions = {},
  ) {
    this.plain = plainDocument(doc);
    this.range = rangeFactory(lineCounter, text.length);
    for (const s of model.states) if (!this.states.has(s.name)) this.states.set(s.name, s);
  }

  readonly range: (start: number, end: number) => Range;

  node(path: readonly PathSegment[]): IndexedNode | undefined {
    return this.plain.nodeAt(path);
  }

  /** The node of a state's value, `node(['states', name])`, found once: rules look into states many times. */
  stateNode(name: string): IndexedNode | undefined {
    if (this.stateNodes.has(name)) return this.stateNodes.get(name);
    if (this.statesNode === null) this.statesNode = this.node(['states']);
    const found = this.plain.nodeFrom(this.statesNode, [name]);
    this.stateNodes.set(name, found);
    return found;
  }

  /** The plain value at a path (as the schema saw it). */
  value(path: readonly PathSegment[]): unknown {
    return this.valueIn(this.plain.value, path);
  }

  /** The plain value at a path below a value. */
  valueIn(value: unknown, path: readonly PathSegment[]): unknown {
    let v = value;
    for (let i = 0; v !== undefined && i < path.length; i++) v = own(v, path[i]);
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

  /**
   * Every instruction of the task with its path and plain value: the `do` lists, then the polls'
   * instructions. Built once; the rules share it and must not change it.
   */
  instructions(): readonly InstructionEntry[] {
    if (this.instructionList) return this.instructionList;
    const out: InstructionEntry[] = [];
    const states = this.value(['states']);
    for (const state of this.states.values()) {
      const value = this.valueIn(states, [state.name]);
      const list = this.valueIn(value, ['do']);
      for (const ins of state.do) {
        if (Array.isArray(list)) out.push({ state, ins, path: ['states', state.name, 'do', ins.index], poll: false, value: list[ins.index] });
        else out.push({ state, ins, path: ['states', state.name, 'do'], poll: false, value: list });
      }
      for (const t of state.on) {
        if (t.poll?.do) out.push({ state, ins: t.poll.do, path: ['states', state.name, 'on', t.index, 'poll', 'do'], poll: true, value: this.valueIn(value, ['on', t.index, 'poll', 'do']) });
      }
    }
    return (this.instructionList = out);
  }

  /** Every instruction with its path and plain value, the branches of a `parallel` and a `map`'s `do` included. */
  instructionsWithBranches(): readonly InstructionEntry[] {
    if (this.branchList) return this.branchList;
    const out: InstructionEntry[] = [];
    for (const entry of this.instructions()) {
      out.push(entry);
      const { state, ins, path, poll, value } = entry;
      const f = ins.fanout;
      if (f?.kind === 'parallel') for (const b of f.branches) out.push({ state, ins: b.ins, path: [...path, 'parallel', b.name], poll, value: this.valueIn(value, ['parallel', b.name]) });
      if (f?.kind === 'map' && f.do) out.push({ state, ins: f.do, path: [...path, 'map', 'do'], poll, value: this.valueIn(value, ['map', 'do']) });
    }
    return (this.branchList = out);
  }

  /** Every expression: `when`, `until`, and the templates in instruction arguments and `consume` settings. */
  expressions(): ExpressionSite[] {
    return (this.sites ??= expressionSites(this));
  }
}

/** Applies text edits (offsets into `text`); edits must not overlap. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
