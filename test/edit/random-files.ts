// Random task files in the styles people write: block style with comments and blank lines, flow
// states inside a block file, JSON (flow style throughout), LF or CRLF, 2 or 4 spaces, lists at
// their key's column or indented, quoted keys, explicit keys (`? key`) and anchors with aliases.
import fc from 'fast-check';

type Cond = { when: string } | { after: string } | { event: string } | Record<string, never>;

export interface StateSpec {
  name: string;
  quote: 'plain' | 'single' | 'double';
  /** Written as `? name` / `: ...` (block files only). */
  explicit: boolean;
  /** Written on one line in flow style (block files only). */
  flow: boolean;
  description?: string;
  timeout?: string;
  final: boolean;
  status?: 'failed' | 'cancelled';
  /** Targets by position among the states; one target is written as `next:`. */
  on: Array<{ to: number; cond: Cond }>;
  catch: Array<{ to: number; error?: string }>;
  do: Array<{ kind: 'log' | 'sleep' | 'http'; retry: boolean }>;
  comment: boolean;
}

export interface FileSpec {
  style: 'block' | 'json';
  crlf: boolean;
  indent: 2 | 4;
  compactSeq: boolean;
  comments: boolean;
  blankLines: boolean;
  /** `data` holds `&retry`; instructions use `retry: *retry`. */
  anchors: boolean;
  states: StateSpec[];
}

const NAMES = ['start', 'check', 'ship it', "o'k", 'a:b', 'x-1', 'done', 'wait', '#tag', 'yes'];
const TEXTS = ['Check it', 'Say "hi"', 'colon: inside', 'hash # inside', "it's", 'two\nlines', ''];
const CONDS: Cond[] = [{}, { when: 'data.ok = true' }, { after: '5m' }, { event: 'approved' }, { when: "input.x != 'a, b'" }];

const state = fc.record({
  quote: fc.constantFrom('plain', 'single', 'double') as fc.Arbitrary<StateSpec['quote']>,
  explicit: fc.boolean(),
  flow: fc.boolean(),
  description: fc.option(fc.constantFrom(...TEXTS), { nil: undefined }),
  timeout: fc.option(fc.constantFrom('5m', '1h'), { nil: undefined }),
  final: fc.boolean(),
  status: fc.option(fc.constantFrom('failed', 'cancelled') as fc.Arbitrary<'failed' | 'cancelled'>, { nil: undefined }),
  on: fc.array(fc.record({ to: fc.nat(9), cond: fc.constantFrom(...CONDS) }), { maxLength: 3 }),
  catch: fc.array(fc.record({ to: fc.nat(9), error: fc.option(fc.constantFrom('http', 'timeout'), { nil: undefined }) }), { maxLength: 2 }),
  do: fc.array(fc.record({ kind: fc.constantFrom('log', 'sleep', 'http') as fc.Arbitrary<'log' | 'sleep' | 'http'>, retry: fc.boolean() }), { maxLength: 3 }),
  comment: fc.boolean(),
});

export const fileSpec: fc.Arbitrary<FileSpec> = fc
  .record({
    style: fc.constantFrom('block', 'block', 'json') as fc.Arbitrary<FileSpec['style']>,
    crlf: fc.boolean(),
    indent: fc.constantFrom(2, 4) as fc.Arbitrary<2 | 4>,
    compactSeq: fc.boolean(),
    comments: fc.boolean(),
    blankLines: fc.boolean(),
    anchors: fc.boolean(),
    flowStates: fc.boolean(),
    explicitKeys: fc.nat(3).map((n) => n === 0),
    names: fc.shuffledSubarray(NAMES, { minLength: 1, maxLength: 5 }),
    states: fc.array(state, { minLength: 5, maxLength: 5 }),
  })
  .map(({ names, states, flowStates, explicitKeys, ...file }) => ({
    ...file,
    states: names.map((name, i) => {
      const s = states[i];
      const block = file.style === 'block';
      return {
        ...s,
        name,
        explicit: block && explicitKeys && s.explicit && i > 0,
        flow: block && flowStates && s.flow,
        final: s.final && !s.on.length,
        status: s.final && !s.on.length ? s.status : undefined,
      };
    }),
  }));

/** A plain JS value of a state (targets resolved to names). */
function stateValue(s: StateSpec, names: string[], anchors: boolean, json: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.description !== undefined) out.description = s.description;
  if (s.do.length) {
    out.do = s.do.map((d) => {
      const ins: Record<string, unknown> = d.kind === 'log' ? { log: 'working' } : d.kind === 'sleep' ? { sleep: '1s' } : { http: { url: 'https://example.com/x', method: 'GET' } };
      if (d.retry && anchors && !json) ins.retry = ALIAS;
      return ins;
    });
  }
  if (s.timeout) out.timeout = s.timeout;
  const to = (i: number) => names[i % names.length];
  if (s.on.length === 1 && !Object.keys(s.on[0].cond).length) out.next = to(s.on[0].to);
  else if (s.on.length) out.on = s.on.map((t) => ({ to: to(t.to), ...t.cond }));
  if (s.catch.length) out.catch = s.catch.map((c) => (c.error ? { to: to(c.to), error: c.error } : { to: to(c.to) }));
  if (s.final) out.final = true;
  if (s.status) out.status = s.status;
  return out;
}

/** Marks where `*retry` is written. */
const ALIAS = Symbol('alias');

function quoteKey(name: string, quote: StateSpec['quote']): string {
  const plainOk = /^[A-Za-z][A-Za-z0-9 _-]*$/.test(name) && name !== 'yes';
  if (quote === 'double' || (!plainOk && quote === 'plain')) return JSON.stringify(name);
  if (quote === 'single') return `'${name.replace(/'/g, "''")}'`;
  return name;
}

function scalar(v: unknown): string {
  if (v === ALIAS) return '*retry';
  if (typeof v === 'string') return /^[A-Za-z][A-Za-z0-9 ./_-]*$/.test(v) && !/^(yes|no|true|false|null|on|off)$/i.test(v) ? v : JSON.stringify(v);
  return String(v);
}

function flow(v: unknown): string {
  if (Array.isArray(v)) return `[ ${v.map(flow).join(', ')} ]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    return entries.length ? `{ ${entries.map(([k, x]) => `${k}: ${flow(x)}`).join(', ')} }` : '{}';
  }
  return scalar(v);
}

function block(v: unknown, col: number, f: FileSpec): string[] {
  const pad = ' '.repeat(col);
  if (Array.isArray(v)) {
    const dash = f.compactSeq ? col - f.indent : col;
    return v.flatMap((item) => {
      const lines = block(item, dash + 2, f);
      return [`${' '.repeat(dash)}- ${lines[0].trimStart()}`, ...lines.slice(1)];
    });
  }
  if (v && typeof v === 'object' && Object.keys(v).length) {
    return Object.entries(v).flatMap(([k, x]) => {
      if (x && typeof x === 'object' && Object.keys(x).length) return [`${pad}${k}:`, ...block(x, col + f.indent, f)];
      return [`${pad}${k}: ${flow(x)}`];
    });
  }
  return [pad + flow(v)];
}

export function renderFile(f: FileSpec): string {
  const names = f.states.map((s) => s.name);
  const eol = f.crlf ? '\r\n' : '\n';
  if (f.style === 'json') {
    const doc = { version: 1, name: 'fuzz', start: names[0], states: Object.fromEntries(f.states.map((s) => [s.name, stateValue(s, names, false, true)])) };
    const text = JSON.stringify(doc, null, f.indent);
    return ((f.comments ? '# a task written as JSON\n' : '') + text + '\n').replace(/\n/g, eol);
  }
  const u = f.indent;
  const lines: string[] = [];
  if (f.comments) lines.push('# a task', '');
  lines.push('version: 1', `name: fuzz${f.comments ? '   # its name' : ''}`);
  if (f.anchors) lines.push('data:', `${' '.repeat(u)}retry: &retry { attempts: 3 }`);
  lines.push(`start: ${quoteKey(names[0], 'plain')}`, 'states:');
  f.states.forEach((s, i) => {
    if (i > 0 && f.blankLines) lines.push('');
    if (f.comments && s.comment) lines.push(`${' '.repeat(u)}# about ${s.name.replace(/\n/g, ' ')}`);
    const key = quoteKey(s.name, s.quote);
    const value = stateValue(s, names, f.anchors, false);
    const empty = !Object.keys(value).length;
    if (s.explicit) {
      lines.push(`${' '.repeat(u)}? ${key}`, `${' '.repeat(u)}:${empty ? ' {}' : ''}`, ...(empty ? [] : block(value, 2 * u, f)));
    } else if (s.flow || empty) {
      lines.push(`${' '.repeat(u)}${key}: ${flow(value)}${f.comments && s.comment ? '   # flow' : ''}`);
    } else {
      lines.push(`${' '.repeat(u)}${key}:`, ...block(value, 2 * u, f));
    }
  });
  if (f.comments) lines.push('# the end');
  return lines.join(eol) + eol;
}
