// Every expression of a task with where it is written: `when`, `until`, and the `{{ }}` templates
// in instruction arguments and `consume` settings. Found in one pass over the plain values the rules share, the YAML node
// looked up only for the strings that hold an expression, and offsets worked out only when a rule
// reports one (most expressions are fine, and locating text inside a quoted scalar is the costly part).
import { isScalar, type Node } from 'yaml';
import type { IndexedNode, PathSegment } from '../schema/nodes';
import { locateInScalar, nodeSpan } from '../schema/yamltext';
import type { LintContext } from './context';

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
/** How deep arguments are searched for templates. */
const MAX_DEPTH = 64;

/** An expression written in a string scalar, `at` characters into its value. */
class TextSite implements ExpressionSite {
  private whole?: { start: number; end: number };
  private tpl?: { start: number; end: number; exact: boolean };

  constructor(
    readonly source: string,
    readonly where: ExpressionWhere,
    readonly state: string,
    readonly node: Node,
    private readonly text: string,
    private readonly at: number,
    /** For a template, the [index, length) of the whole `{{ ... }}` in the value. */
    private readonly braces?: readonly [number, number],
  ) {}

  locate(index: number, length: number): { start: number; end: number; exact: boolean } {
    return locateInScalar(this.text, this.node, this.at + index, length);
  }

  get start(): number {
    return this.span().start;
  }

  get end(): number {
    return this.span().end;
  }

  get template(): { start: number; end: number; exact: boolean } | undefined {
    return this.braces ? (this.tpl ??= locateInScalar(this.text, this.node, this.braces[0], this.braces[1])) : undefined;
  }

  private span(): { start: number; end: number } {
    return (this.whole ??= this.locate(0, this.source.length));
  }
}

/** A `when` or `until` written as a number or boolean: only its whole scalar can be pointed at. */
function scalarSite(source: string, where: ExpressionWhere, state: string, node: Node): ExpressionSite {
  const span = nodeSpan(node) ?? [0, 0];
  return { source, where, state, node, start: span[0], end: span[1], locate: () => ({ start: span[0], end: span[1], exact: false }) };
}

/** The sites of a task: the `when`s and `until`s state by state, then the templates instruction by instruction. */
export function expressionSites(ctx: LintContext): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  for (const state of ctx.states.values()) {
    let on: IndexedNode | undefined | null = null;
    for (const t of state.on) {
      // A key the model did not see has no node either: most transitions need no look-up.
      if (t.shorthand || !(t.fields.when || t.poll?.fields.until || t.consume)) continue;
      on ??= ctx.plain.nodeFrom(ctx.stateNode(state.name), ['on']);
      const item = ctx.plain.nodeFrom(on, [t.index]);
      if (t.fields.when) bare(ctx, sites, state.name, 'when', ctx.plain.nodeFrom(item, ['when']));
      if (t.poll?.fields.until) bare(ctx, sites, state.name, 'until', ctx.plain.nodeFrom(item, ['poll', 'until']));
      if (t.consume) {
        let consume: IndexedNode | undefined | null = null;
        const nodeAt = (rel: PathSegment[]) => ctx.plain.nodeFrom((consume ??= ctx.plain.nodeFrom(item, ['consume'])), rel)?.node;
        templates(ctx, sites, state.name, ctx.value(['states', state.name, 'on', t.index, 'consume']), [], nodeAt);
      }
    }
  }
  for (const { state, ins, path, value } of ctx.instructions()) {
    if (!ins.kind) continue;
    const args = ctx.valueIn(value, [ins.kind]);
    let base: IndexedNode | undefined | null = null;
    // Every instruction's path starts with ['states', its state].
    const nodeAt = (rel: PathSegment[]) => ctx.plain.nodeFrom((base ??= ctx.plain.nodeFrom(ctx.stateNode(state.name), [...path.slice(2), ins.kind])), rel)?.node;
    templates(ctx, sites, state.name, args, [], nodeAt);
  }
  return sites;
}

function bare(ctx: LintContext, sites: ExpressionSite[], state: string, where: ExpressionWhere, entry: IndexedNode | undefined): void {
  if (!entry || !isScalar(entry.node)) return;
  const v = entry.node.value;
  if (v === null || v === undefined || typeof v === 'object') return;
  const text = String(v);
  if (typeof v !== 'string') {
    sites.push(scalarSite(text, where, state, entry.node));
    return;
  }
  const lead = text.length - text.trimStart().length;
  sites.push(new TextSite(text.trim(), where, state, entry.node, ctx.text, lead));
}

/** The templates in a value of an instruction's arguments; `rel` is the value's path below them. */
function templates(ctx: LintContext, sites: ExpressionSite[], state: string, value: unknown, rel: PathSegment[], nodeAt: (rel: PathSegment[]) => Node | undefined): void {
  if (rel.length > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      rel.push(i);
      templates(ctx, sites, state, value[i], rel, nodeAt);
      rel.pop();
    }
    return;
  }
  if (value && typeof value === 'object') {
    for (const k of Object.keys(value)) {
      rel.push(k);
      templates(ctx, sites, state, (value as Record<string, unknown>)[k], rel, nodeAt);
      rel.pop();
    }
    return;
  }
  if (typeof value !== 'string' || !value.includes('{{')) return;
  const node = nodeAt(rel);
  if (!node) return;
  const add = (inner: string, innerIndex: number, tplIndex: number, tplLength: number) => {
    const lead = inner.length - inner.trimStart().length;
    sites.push(new TextSite(inner.trim(), 'template', state, node, ctx.text, innerIndex + lead, [tplIndex, tplLength]));
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
