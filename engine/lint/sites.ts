// Every expression of a task with where it is written: `when`, `until`, and the `{{ }}` templates
// in instruction arguments and `consume` settings. Found in one pass over the plain values the
// rules share; the YAML node behind an expression is looked up, and offsets worked out, only when a
// rule points at it (most expressions are fine, and looking up thousands of nodes was most of the
// rules' time in a large file).
import { Scalar, type Node } from 'yaml';
import type { PathSegment } from '../schema/nodes';
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
const EMBEDDED = /\{\{([\s\S]*?)\}\}/g;
/** How deep arguments are searched for templates. */
const MAX_DEPTH = 64;

/** Where a site's scalar is: a path below its state's node, looked up when first asked. */
interface Place {
  ctx: LintContext;
  state: string;
  path: PathSegment[];
}

const EMPTY = new Scalar('') as Node;

function findNode(place: Place): Node {
  // The plain value and the nodes are read from one document, so a string the walk found has a
  // scalar; an empty one stands in should that ever not hold, and locates to the file's start.
  return place.ctx.plain.nodeFrom(place.ctx.stateNode(place.state), place.path)?.node ?? EMPTY;
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
      on ??= ctx.valueIn(states, [state.name, 'on']);
      const item = ctx.valueIn(on, [t.index]);
      const place = (path: PathSegment[]): Place => ({ ctx, state: state.name, path: ['on', t.index, ...path] });
      if (t.fields.when) bare(sites, 'when', ctx.valueIn(item, ['when']), place(['when']));
      if (t.poll?.fields.until) bare(sites, 'until', ctx.valueIn(item, ['poll', 'until']), place(['poll', 'until']));
      if (t.consume) templates(sites, ctx.valueIn(item, ['consume']), place(['consume']));
    }
  }
  for (const { state, ins, path, value } of ctx.instructions()) {
    // Every instruction's path starts with ['states', its state].
    if (ins.kind) templates(sites, ctx.valueIn(value, [ins.kind]), { ctx, state: state.name, path: [...path.slice(2), ins.kind] });
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

/** The templates in a value of an instruction's arguments (or a `consume`'s settings) at `base`. */
function templates(sites: ExpressionSite[], value: unknown, base: Place): void {
  const rel: PathSegment[] = [];
  const walk = (v: unknown): void => {
    if (rel.length > MAX_DEPTH) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        rel.push(i);
        walk(v[i]);
        rel.pop();
      }
      return;
    }
    if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) {
        rel.push(k);
        walk((v as Record<string, unknown>)[k]);
        rel.pop();
      }
      return;
    }
    if (typeof v === 'string' && v.includes('{{')) found(v);
  };
  const found = (v: string): void => {
    const place: Place = { ctx: base.ctx, state: base.state, path: [...base.path, ...rel] };
    const add = (inner: string, innerIndex: number, tplIndex: number, tplLength: number) => {
      const lead = inner.length - inner.trimStart().length;
      sites.push(new TextSite(inner.trim(), 'template', place, innerIndex + lead, [tplIndex, tplLength]));
    };
    const w = WHOLE.exec(v);
    if (w) {
      const tplStart = w[1].length - 3; // the '='
      const tplEnd = v.lastIndexOf('}}') + 2;
      add(w[2], w[1].length, tplStart, tplEnd - tplStart);
      return;
    }
    for (const m of v.matchAll(EMBEDDED)) {
      const at = m.index ?? 0;
      add(m[1], at + 2, at, m[0].length);
    }
  };
  walk(value);
}
