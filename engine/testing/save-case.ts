// A finished run as a test case: its input, the results its http/exec/custom instructions and polls
// recorded (as the case's mocks), the events it received, and `expect: { status, path }` of what it
// did. The case is appended to the test file's text in that file's own indentation; the text before
// it is never changed, so nothing a user wrote is lost. Pure: the caller reads and writes the files.
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { formatDuration } from '../expr/duration';
import type { JournalEvent, RunError } from '../journal/events';
import { keyText } from '../schema/nodes';
import { INTERNAL_KINDS } from './hermetic';

export class SaveCaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SaveCaseError';
  }
}

export interface SavedCase {
  name: string;
  /** The test file's new text: the old text, unchanged, with the case added. */
  text: string;
  /** 0-based line of the new case's name in `text`. */
  line: number;
  /** The one edit that makes `text`: `insert` at `offset` of the old text. */
  offset: number;
  insert: string;
}

export interface SaveCaseOptions {
  /** The run's journal. */
  journal: readonly JournalEvent[];
  /** The journals of the runs it `call`ed: the results of their calls are mocks of the case too. */
  called?: ReadonlyArray<readonly JournalEvent[]>;
  /** The test file's text, or undefined when it does not exist yet. */
  testText?: string;
  /** The task file relative to the test file (`./deploy.task.yaml`), for a new test file. */
  taskRef: string;
}

type Outcome = { result: unknown } | { error: RunError };

interface Target {
  state: string;
  instruction?: string | number;
  poll?: number;
  outcomes: Outcome[];
}

export function saveRunAsCase(options: SaveCaseOptions): SavedCase {
  const { journal } = options;
  const started = journal.find((e) => e.type === 'run-started');
  const ended = journal.find((e) => e.type === 'run-ended');
  if (!started || started.type !== 'run-started') throw new SaveCaseError('The journal has no run-started entry: it is not the journal of a run.');
  if (!ended || ended.type !== 'run-ended') throw new SaveCaseError(`Run ${started.runId} has not ended: only a finished run can become a test case. Wait for it to end, or cancel it.`);
  if (ended.status === 'cancelled') throw new SaveCaseError(`Run ${started.runId} was cancelled from outside, which a test cannot reproduce: save a run that succeeded or failed.`);
  if (journal.some((e) => e.type === 'data-set')) throw new SaveCaseError(`Run ${started.runId} had values set from outside (the debugger's Set Value), which a test cannot reproduce.`);

  const name = uniqueName(`run ${started.runId} ${ended.status}`, options.testText);
  const body: Record<string, unknown> = {};
  if (Object.keys(started.input).length) body.input = started.input;
  body.mocks = mocksOf([...journal, ...(options.called ?? []).flatMap((j) => j.filter((e) => e.type !== 'event-received'))], started.at);
  body.expect = { status: ended.status, path: journal.flatMap((e) => (e.type === 'state-entered' ? [e.state] : [])) };
  return appendCase(options.testText, options.taskRef, name, body);
}

/** What the run's outside calls answered, in order, and the events it received, as a `mocks:` list. */
function mocksOf(journal: readonly JournalEvent[], startedAt: number): unknown[] {
  const targets = new Map<string, Target>();
  const add = (key: string, target: Omit<Target, 'outcomes'>, outcome: Outcome) => {
    let t = targets.get(key);
    if (!t) targets.set(key, (t = { ...target, outcomes: [] }));
    t.outcomes.push(outcome);
  };
  const events: unknown[] = [];
  for (const e of journal) {
    if ((e.type === 'instruction-finished' || e.type === 'instruction-failed') && !INTERNAL_KINDS.has(e.kind)) {
      const target = { state: e.state, instruction: e.as ?? e.index };
      add(`${e.state}\0i${e.index}`, target, e.type === 'instruction-finished' ? { result: e.result } : { error: e.error });
    } else if (e.type === 'poll-result') {
      add(`${e.state}\0p${e.transition}`, { state: e.state, poll: e.transition }, e.error ? { error: e.error } : { result: e.result });
    } else if (e.type === 'event-received') {
      events.push({ event: e.name, after: formatDuration(Math.max(0, e.at - startedAt)), data: e.data });
    }
  }
  const out: unknown[] = [];
  for (const t of targets.values()) {
    const where = t.poll !== undefined ? { state: t.state, poll: t.poll } : { state: t.state, instruction: t.instruction };
    const results = t.outcomes.filter((o): o is { result: unknown } => 'result' in o);
    if (results.length === t.outcomes.length) {
      out.push(results.length === 1 ? { ...where, result: results[0].result } : { ...where, results: results.map((r) => r.result) });
      continue;
    }
    // Errors and results mixed (a retry, a poll that failed once): one entry per call, in order.
    t.outcomes.forEach((o, i) => {
      const times = i < t.outcomes.length - 1 ? { times: 1 } : {};
      out.push('result' in o ? { ...where, result: o.result, ...times } : { ...where, error: { kind: o.error.kind, message: o.error.message }, ...times });
    });
  }
  return [...out, ...events];
}

interface CasesBlock {
  /** Column of the case names. */
  column: number;
  /** Indentation of a case's keys relative to its name. */
  step: number;
  /** Offset where the new case goes: after the last case. */
  at: number;
  names: string[];
}

function appendCase(testText: string | undefined, taskRef: string, name: string, body: Record<string, unknown>): SavedCase {
  if (testText === undefined || !testText.trim()) {
    const insert = `task: ${taskRef}\ncases:\n` + caseYaml(name, body, 2, 2);
    return { name, text: (testText ?? '') + insert, line: lineAt(testText ?? '', (testText ?? '').length) + 2, offset: (testText ?? '').length, insert };
  }
  const block = casesBlock(testText);
  if (!block) {
    // No `cases:` yet: add it at the end, in the file's own indentation.
    const step = indentOf(testText) ?? 2;
    const insert = (testText.endsWith('\n') ? '' : '\n') + 'cases:\n' + caseYaml(name, body, step, step);
    return { name, text: testText + insert, line: lineAt(testText, testText.length) + (testText.endsWith('\n') ? 1 : 2), offset: testText.length, insert };
  }
  const head = testText.slice(0, block.at);
  const insert = (head === '' || head.endsWith('\n') ? '' : '\n') + caseYaml(name, body, block.column, block.step);
  return { name, text: head + insert + testText.slice(block.at), line: lineAt(withNewline(head), withNewline(head).length), offset: block.at, insert };
}

/** The case as YAML, its name at `column`, nested `step` deeper; the state path on one line. */
function caseYaml(name: string, body: Record<string, unknown>, column: number, step: number): string {
  const doc = new Document({ [name]: body });
  const expect = (doc.getIn([name, 'expect'], true) as Node | undefined) ?? undefined;
  const path = isMap(expect) ? expect.get('path', true) : undefined;
  if (isSeq(path)) path.flow = true;
  const input = doc.getIn([name, 'input'], true);
  if (isMap(input) && JSON.stringify(body.input).length <= 60) input.flow = true;
  const yaml = doc.toString({ indent: step, lineWidth: 0 });
  const pad = ' '.repeat(column);
  return yaml
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => pad + l)
    .join('\n') + '\n';
}

/** Where the cases of a test file are, and how they are indented; undefined without a `cases:` key. */
function casesBlock(text: string): CasesBlock | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length) throw new SaveCaseError(`The test file does not read as YAML (${doc.errors[0].message.split('\n')[0]}): fix it first, so that the case is added to what you wrote.`);
  if (!isMap(doc.contents)) {
    if (doc.contents === null) return undefined;
    throw new SaveCaseError('The test file is not a mapping of task, mocks and cases: fix it first.');
  }
  const pair = (doc.contents.items as Array<Pair<Node, Node | null>>).find((p) => keyText(p.key) === 'cases');
  if (!pair) return undefined;
  const cases = pair.value;
  if (!isMap(cases) || cases.flow || !cases.items.length) {
    if (isScalar(cases) && cases.value === null) throw new SaveCaseError("'cases:' of the test file is empty: add the case under it by hand, or remove the empty key.");
    throw new SaveCaseError("'cases' of the test file is not a block mapping of cases, so a case cannot be added without rewriting it.");
  }
  const items = cases.items as Array<Pair<Node, Node | null>>;
  const first = items[0];
  const column = lineCounter.linePos(first.key.range![0]).col - 1;
  let step = 2;
  const firstValue = first.value;
  if (isMap(firstValue) && !firstValue.flow && firstValue.items.length) {
    const inner = lineCounter.linePos((firstValue.items[0] as Pair<Node>).key.range![0]).col - 1;
    if (inner > column) step = inner - column;
  }
  // After the last case's own text (comments and blank lines after it stay where they are).
  return { column, step, at: endOfLine(text, cases.range![1]), names: items.map((p) => keyText(p.key) ?? '') };
}

function uniqueName(base: string, testText: string | undefined): string {
  const names = new Set(testText && testText.trim() ? (casesBlock(testText)?.names ?? []) : []);
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) if (!names.has(`${base} (${i})`)) return `${base} (${i})`;
}

/** The offset after the line holding offset `at` - 1 (`at` itself when it starts a line). */
function endOfLine(text: string, at: number): number {
  if (at === 0 || text[at - 1] === '\n') return at;
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : text + '\n';
}

function lineAt(text: string, offset: number): number {
  let n = 0;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** The indentation step the file uses (its first indented line), if any. */
function indentOf(text: string): number | undefined {
  const m = /^( +)\S/m.exec(text);
  return m ? m[1].length : undefined;
}
