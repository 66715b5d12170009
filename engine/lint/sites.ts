// Every expression of a task with where it is written: `when`, `until`, and the `{{ }}` templates
// in instruction arguments and `consume` settings. Found in one pass over the plain values the
// rules share; the YAML node behind an expression is looked up, and offsets worked out, only when a
// rule points at it (most expressions are fine, and looking up thousands of nodes was most of the
// rules' time in a large file).
import { Scalar, type Node } from 'yaml';
import { own, type PathSegment } from '../schema/nodes';
import { locateInScalar, nodeSpan } from '../schema/yamltext';
import type { LintContext } from './context';

/** Where an expression comes from. */
export type ExpressionWhere = 'when' | 'until' | 'template';

export interface ExpressionSite {
  /** The expression's text (trimmed; for a template, what is between the braces). */
  source: string;
  where: ExpressionWhere;
  state: string;
  /** The scalar that holds it (found when first read). */
  readonly node: Node;
  /** Offsets of the expression's text, exact when the scalar is written as is. */
  start: number;
  end: number;
  /** Offsets of the characters [index, index + length) of `source`. */
  locate(index: number, length: number): { start: number; end: number; exact: boolean };
  /** For a template: offsets of the whole `{{ ... }}` (or `={{ ... }}`) and whether they are exact. */
  template?: { start: number; end: number; exact: boolean };
}

const WHOLE = /^(\s*=\{\{)([\s\S]*)\}\}\s*$/;
/** How deep arguments are searched for templates. */
const MAX_DEPTH = 64;

/**
 * Where a site's scalar is, looked up when first asked: `head` from its `from`th segment, then
 * `rel`, below its state's node. `head` is shared with what the site was found in (an
 * instruction's path), so that finding thousands of fine expressions copies no paths.
 */
interface Place {
  ctx: LintContext;
  state: string;
  head: readonly PathSegment[];
  from: number;
  rel: readonly PathSegment[];
}

const EMPTY = new Scalar('') as Node;
const WHEN: readonly PathSegment[] = ['when'];
const UNTIL: readonly PathSegment[] = ['poll', 'until'];

function findNode(place: Place): Node {
  const { ctx, head, from, rel } = place;
  // The plain value and the nodes are read from one document, so a string the walk found has a
  // scalar; an empty one stands in should that ever not hold, and locates to the file's start.
  const holder = ctx.plain.nodeFrom(ctx.stateNode(place.state), from ? head.slice(from) : head);
  return ctx.plain.nodeFrom(holder, rel)?.node ?? EMPTY;
}

/** An expression written in a string scalar, `at` characters into its value. */
class TextSite implements ExpressionSite {
  private whole?: { start: number; end: number };
  private tpl?: { start: number; end: number; exact: boolean };
  private found?: Node;

  constructor(
    readonly source: string,
    readonly where: ExpressionWhere,
    private readonly place: Place,
    private readonly at: number,
    /** For a template, the [index, length) of the whole `{{ ... }}` in the value. */
    private readonly braces?: readonly [number, number],
  ) {}

  get state(): string {
    return this.place.state;
  }

  get node(): Node {
    return (this.found ??= findNode(this.place));
  }

  locate(index: number, length: number): { start: number; end: number; exact: boolean } {
    return locateInScalar(this.place.ctx.text, this.node, this.at + index, length);
  }

  get start(): number {
    return this.span().start;
  }

  get end(): number {
    return this.span().end;
  }

  get template(): { start: number; end: number; exact: boolean } | undefined {
    return this.braces ? (this.tpl ??= locateInScalar(this.place.ctx.text, this.node, this.braces[0], this.braces[1])) : undefined;
  }

  private span(): { start: number; end: number } {
    return (this.whole ??= this.locate(0, this.source.length));
  }
}

/** A `when` or `until` written as a number or boolean: only its whole scalar can be pointed at. */
class ScalarSite implements ExpressionSite {
  private found?: Node;

  constructor(
    readonly source: string,
    readonly where: ExpressionWhere,
    private readonly place: Place,
  ) {}

  get state(): string {
    return this.place.state;
  }

  get node(): Node {
    return (this.found ??= findNode(this.place));
  }

  get start(): number {
    return nodeSpan(this.node)?.[0] ?? 0;
  }

  get end(): number {
    return nodeSpan(this.node)?.[1] ?? 0;
  }

  locate(): { start: number; end: number; exact: boolean } {
    return { start: this.start, end: this.end, exact: false };
  }
}

/** The sites of a task: the `when`s and `until`s state by state, then the templates instruction by instruction. */
export function expressionSites(ctx: LintContext): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  const states = ctx.value(['states']);
  for (const state of ctx.states.values()) {
    let on: unknown = null;
    for (const t of state.on) {
      // A key the model did not see has no value either: most transitions need no look-up.
      if (t.shorthand || !(t.fields.when || t.poll?.fields.until || t.consume)) continue;
      on ??= own(own(states, state.name), 'on');
      const item = own(on, t.index);
      const head = ['on', t.index];
      if (t.fields.when) bare(sites, 'when', own(item, 'when'), { ctx, state: state.name, head, from: 0, rel: WHEN });
      if (t.poll?.fields.until) bare(sites, 'until', own(own(item, 'poll'), 'until'), { ctx, state: state.name, head, from: 0, rel: UNTIL });
      if (t.consume) templates(sites, own(item, 'consume'), ctx, state.name, head, 0, ['consume']);
    }
  }
  for (const { state, ins, path, value } of ctx.instructions()) {
    // Every instruction's path starts with ['states', its state].
    if (ins.kind) templates(sites, own(value, ins.kind), ctx, state.name, path, 2, [ins.kind]);
  }
  return sites;
}

function bare(sites: ExpressionSite[], where: ExpressionWhere, v: unknown, place: Place): void {
  if (v === null || v === undefined || typeof v === 'object') return;
  const text = String(v);
  if (typeof v !== 'string') {
    sites.push(new ScalarSite(text, where, place));
    return;
  }
  const lead = text.length - text.trimStart().length;
  sites.push(new TextSite(text.trim(), where, place, lead));
}

/**
 * The templates in a value of an instruction's arguments (or a `consume`'s settings), which is at
 * `rel` below the place `head` (from its `from`th segment) names; `rel` grows as the walk goes in.
 */
function templates(sites: ExpressionSite[], v: unknown, ctx: LintContext, state: string, head: readonly PathSegment[], from: number, rel: PathSegment[]): void {
  if (typeof v === 'string') {
    if (v.includes('{{')) found(sites, v, { ctx, state, head, from, rel: rel.slice() });
    return;
  }
  if (v === null || typeof v !== 'object' || rel.length > MAX_DEPTH) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      rel.push(i);
      templates(sites, v[i], ctx, state, head, from, rel);
      rel.pop();
    }
    return;
  }
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    rel.push(k);
    templates(sites, (v as Record<string, unknown>)[k], ctx, state, head, from, rel);
    rel.pop();
  }
}

/** The sites of a string with templates: the whole value as one `={{ }}`, or each embedded `{{ }}`. */
function found(sites: ExpressionSite[], v: string, place: Place): void {
  const w = v.includes('={{') ? WHOLE.exec(v) : null;
  if (w) {
    const tplStart = w[1].length - 3; // the '='
    const tplEnd = v.lastIndexOf('}}') + 2;
    add(sites, place, w[2], w[1].length, tplStart, tplEnd - tplStart);
    return;
  }
  // Each `{{` with the first `}}` after it, as a lazy /\{\{([\s\S]*?)\}\}/g finds them.
  for (let at = v.indexOf('{{'); at >= 0; at = v.indexOf('{{', at)) {
    const close = v.indexOf('}}', at + 2);
    if (close < 0) return;
    add(sites, place, v.slice(at + 2, close), at + 2, at, close + 2 - at);
    at = close + 2;
  }
}

function add(sites: ExpressionSite[], place: Place, inner: string, innerIndex: number, tplIndex: number, tplLength: number): void {
  const lead = inner.length - inner.trimStart().length;
  sites.push(new TextSite(inner.trim(), 'template', place, innerIndex + lead, [tplIndex, tplLength]));
}
