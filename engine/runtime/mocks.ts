// Mocks: results, errors and events journaled as if they had happened, for offline runs, tests and
// debugging. A mocks file is read once; each run counts its own uses.
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { parseDuration } from '../expr/duration';
import type { BranchTag, JournalEvent, RunError } from '../journal/events';

export type MockOutcome = { result: unknown } | { error: RunError };

interface OutcomeMock {
  /**
   * `branch`/`item`: one branch or item of a `parallel`/`map` instruction, not the whole of it;
   * `item: 'any'` answers every item (a test's last-resort mock, see testing/hermetic.ts).
   */
  target: { state: string; instruction: string | number; branch?: string; item?: number | 'any' } | { state: string; poll: number };
  results: MockOutcome[];
  times?: number;
}

export interface EventMock {
  index: number;
  event: string;
  afterMs: number;
  data: unknown;
}

/** A message that a `consume` transition waiting on a matching subject takes, from `afterMs` on. */
export interface MessageMock {
  index: number;
  subject: string;
  afterMs: number;
  data: unknown;
  headers?: Record<string, string>;
}

export interface Mocks {
  outcomes: OutcomeMock[];
  events: EventMock[];
  messages: MessageMock[];
  /** No `consume` transition subscribes to a broker: it takes mocked messages only (a task test). */
  offline?: boolean;
}

export class MocksError extends Error {
  constructor(readonly file: string, readonly line: number, readonly column: number, detail: string) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = 'MocksError';
  }
}

export const NO_MOCKS: Mocks = { outcomes: [], events: [], messages: [] };

/** Reads a mocks file; errors name the line and column of the offending entry. */
export function parseMocks(text: string, file = 'mocks'): Mocks {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const fail = (node: Node | null | undefined, detail: string): never => {
    const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
    throw new MocksError(file, pos.line, pos.col, detail);
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    const pos = lineCounter.linePos(e.pos[0]);
    throw new MocksError(file, pos.line, pos.col, e.message.split('\n')[0]);
  }
  const root = doc.contents as Node | null;
  if (!isMap(root)) return fail(root, "a mocks file is a mapping with a 'mocks' list.");
  const list = root.get('mocks', true) as Node | undefined;
  if (list === undefined) return NO_MOCKS;
  return parseMockList(list, lineCounter, file);
}

/** Reads a `mocks:` list node (of a mocks file, or of a test case) parsed with `lineCounter`. */
export function parseMockList(list: Node, lineCounter: LineCounter, file = 'mocks'): Mocks {
  const fail = (node: Node | null | undefined, detail: string): never => {
    const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
    throw new MocksError(file, pos.line, pos.col, detail);
  };
  if (!isSeq(list)) return fail(list, "'mocks' must be a list.");
  const mocks: Mocks = { outcomes: [], events: [], messages: [] };
  list.items.forEach((item, index) => {
    const node = item as Node;
    if (!isMap(node)) return fail(node, 'each mock is a mapping.');
    const m = node.toJSON() as Record<string, unknown>;
    if (typeof m.event === 'string') {
      const afterMs = m.after === undefined ? 0 : parseDuration(String(m.after));
      if (afterMs === undefined) return fail(node, `invalid duration '${m.after}' in 'after'.`);
      mocks.events.push({ index, event: m.event, afterMs, data: m.data ?? null });
      return;
    }
    if (m.consume !== undefined) {
      if (typeof m.consume !== 'string' || !m.consume || /[*>\s]/.test(m.consume)) return fail(node, "'consume' names the subject the mocked message comes on, such as orders.created (no wildcards).");
      const afterMs = m.after === undefined ? 0 : parseDuration(String(m.after));
      if (afterMs === undefined) return fail(node, `invalid duration '${m.after}' in 'after'.`);
      const headers = m.headers;
      if (headers !== undefined && (!headers || typeof headers !== 'object' || Array.isArray(headers))) return fail(node, "'headers' must be a mapping: name -> value.");
      const shown = headers === undefined ? undefined : Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
      mocks.messages.push({ index, subject: m.consume, afterMs, data: m.data ?? null, ...(shown ? { headers: shown } : {}) });
      return;
    }
    if (typeof m.state !== 'string') return fail(node, "a mock needs a 'state' (or an 'event', or a 'consume' subject).");
    let target: OutcomeMock['target'];
    if (typeof m.poll === 'number') target = { state: m.state, poll: m.poll };
    else if (typeof m.instruction === 'number' || typeof m.instruction === 'string') {
      const one: { state: string; instruction: string | number; branch?: string; item?: number } = { state: m.state, instruction: m.instruction };
      target = one;
      if (m.branch !== undefined && m.index !== undefined) return fail(node, "a mock names a 'branch' of a parallel or an 'index' of a map, not both.");
      if (m.branch !== undefined) {
        if (typeof m.branch !== 'string' || !m.branch) return fail(node, "'branch' must be the name of a branch of the parallel.");
        one.branch = m.branch;
      }
      if (m.index !== undefined) {
        if (!Number.isInteger(m.index) || (m.index as number) < 0) return fail(node, "'index' must be an item's 0-based index in the map's items.");
        one.item = m.index as number;
      }
    }
    else return fail(node, "a state mock needs 'instruction' (its `as` name or index) or 'poll' (the transition's index).");
    const results: MockOutcome[] = [];
    if (Array.isArray(m.results)) for (const r of m.results) results.push({ result: r });
    else if (m.error !== undefined) results.push({ error: toRunError(m.error) });
    else if ('result' in m) results.push({ result: m.result });
    else return fail(node, "a mock needs 'result', 'results' or 'error'.");
    if (m.times !== undefined && (typeof m.times !== 'number' || m.times < 1)) return fail(node, "'times' must be a positive number.");
    mocks.outcomes.push({ target, results, times: m.times as number | undefined });
  });
  return mocks;
}

function toRunError(value: unknown): RunError {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    return { kind: typeof v.kind === 'string' ? v.kind : 'any', message: typeof v.message === 'string' ? v.message : 'mocked error' };
  }
  return { kind: 'any', message: String(value) };
}

/** One run's view of the mocks: counts uses so `times` and `results` advance. */
export interface MockSession {
  instruction(state: string, index: number, as: string | undefined): MockOutcome | undefined;
  poll(state: string, transition: number): MockOutcome | undefined;
  /** A branch (`branch`) or item (`item`) of the `parallel`/`map` at `index`. */
  branch(state: string, index: number, as: string | undefined, tag: BranchTag): MockOutcome | undefined;
  events: readonly EventMock[];
  messages: readonly MessageMock[];
  offline: boolean;
  /** Takes a mocked message once: false when a transition took it already. */
  takeMessage(m: MessageMock): boolean;
}

/** The session of a run without mocks: shared, since it has nothing to count. */
const NO_SESSION: MockSession = {
  instruction: () => undefined,
  poll: () => undefined,
  branch: () => undefined,
  events: [],
  messages: [],
  offline: false,
  takeMessage: () => false,
};

export function mockSession(mocks: Mocks, journal: readonly JournalEvent[] = []): MockSession {
  if (mocks.outcomes.length === 0 && mocks.events.length === 0 && mocks.messages.length === 0 && !mocks.offline) return NO_SESSION;
  const uses = new Map<OutcomeMock, number>();
  const messagesTaken = new Set<number>();
  const take = (matches: (m: OutcomeMock) => boolean): MockOutcome | undefined => {
    for (const m of mocks.outcomes) {
      if (!matches(m)) continue;
      const used = uses.get(m) ?? 0;
      if (m.times !== undefined && used >= m.times) continue;
      uses.set(m, used + 1);
      return m.results[Math.min(used, m.results.length - 1)];
    }
    return undefined;
  };
  const sameInstruction = (m: OutcomeMock, state: string, index: number, as: string | undefined) =>
    'instruction' in m.target && m.target.state === state && (m.target.instruction === index || (as !== undefined && m.target.instruction === as));
  const matchInstruction = (state: string, index: number, as: string | undefined) => (m: OutcomeMock) =>
    sameInstruction(m, state, index, as) && 'instruction' in m.target && m.target.branch === undefined && m.target.item === undefined;
  const matchBranch = (state: string, index: number, as: string | undefined, tag: BranchTag) => (m: OutcomeMock) =>
    sameInstruction(m, state, index, as) &&
    'instruction' in m.target &&
    (tag.branch !== undefined ? m.target.branch === tag.branch : m.target.item !== undefined && (m.target.item === tag.item || m.target.item === 'any'));
  const matchPoll = (state: string, transition: number) => (m: OutcomeMock) =>
    'poll' in m.target && m.target.state === state && m.target.poll === transition;

  // A resumed run continues where its mocks were: replay the uses its journal records.
  for (const e of journal) {
    if ((e.type === 'instruction-finished' || e.type === 'instruction-failed') && e.mocked) {
      take(matchInstruction(e.state, e.index, e.as));
    } else if (e.type === 'poll-result' && e.mocked) {
      take(matchPoll(e.state, e.transition));
    } else if ((e.type === 'branch-finished' || e.type === 'branch-failed') && e.mocked) {
      take(matchBranch(e.state, e.index, e.as, e));
    } else if (e.type === 'message-received' && e.source?.startsWith('mock:')) {
      messagesTaken.add(Number(e.source.slice('mock:'.length)));
    }
  }
  return {
    instruction: (state, index, as) => take(matchInstruction(state, index, as)),
    poll: (state, transition) => take(matchPoll(state, transition)),
    branch: (state, index, as, tag) => take(matchBranch(state, index, as, tag)),
    events: mocks.events,
    messages: mocks.messages,
    offline: mocks.offline === true,
    takeMessage: (m) => {
      if (messagesTaken.has(m.index)) return false;
      messagesTaken.add(m.index);
      return true;
    },
  };
}
