// Reads a test file's YAML into the test model. Never throws: what cannot be read becomes a
// diagnostic on its text, and what can is returned, so an editor works on a half-typed file.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { parseDuration } from '../expr/duration';
import { sortDiagnostics } from '../lint/index';
import { rangeFactory } from '../model/positions';
import type { Diagnostic, Range } from '../model/types';
import { MocksError, parseMockList } from '../runtime/mocks';
import { anchorTargets, keyText, plainValue } from '../schema/nodes';
import { nearest } from '../schema/suggest';
import { EXPECT_KEYS, RUN_STATUSES, type Expectation, type Located, type MockEntry, type MockList, type StateList, type TestCaseModel, type TestParseResult } from './model';

const FILE_KEYS = ['task', 'mocks', 'cases'];
const CASE_KEYS = ['input', 'mocks', 'expect'];

export function parseTestFile(text: string, file = 'test'): TestParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false });
  const toRange = rangeFactory(lineCounter, text.length);
  const anchors = anchorTargets(doc, text);
  const diagnostics: Diagnostic[] = [];
  const rangeOf = (node: Node | null | undefined): Range => toRange(node?.range?.[0] ?? 0, node?.range?.[1] ?? 0);
  const report = (node: Node | null | undefined, message: string, code = 'test-schema') =>
    diagnostics.push({ code, severity: 'error', message, range: rangeOf(node) });
  const plain = (node: unknown) => plainValue(node, anchors);
  const whole = toRange(0, text.length);

  for (const e of doc.errors) diagnostics.push({ code: 'yaml-syntax', severity: 'error', message: e.message.split('\n')[0], range: toRange(e.pos[0], e.pos[1]) });
  const model: TestParseResult['model'] = { cases: [], range: whole };
  const root = doc.contents as Node | null;
  if (!isMap(root)) {
    if (!doc.errors.length) report(root, 'A test file is a mapping of task (the task file), optional mocks (a mocks file) and cases.');
    return { model, diagnostics, text };
  }

  /** The entries of a mapping, unknown and repeated keys reported (the first value is kept). */
  const entries = (map: YAMLMap, known: readonly string[], what: string): Map<string, Pair<Node, Node | null>> => {
    const out = new Map<string, Pair<Node, Node | null>>();
    for (const pair of map.items as Array<Pair<Node, Node | null>>) {
      const key = keyText(pair.key);
      if (key === undefined) continue;
      if (out.has(key)) report(pair.key, `'${key}' is given twice in ${what}: the later value is ignored.`);
      else if (known.length && !known.includes(key)) {
        const near = nearest(key, known);
        report(pair.key, `Unknown key '${key}' in ${what}${near ? `: did you mean '${near}'?` : ''} (allowed: ${known.join(', ')}).`);
      } else out.set(key, pair);
    }
    return out;
  };
  const text1 = (node: Node | null | undefined, what: string): Located<string> | undefined => {
    if (isScalar(node) && typeof node.value === 'string' && node.value.trim()) return { value: node.value, range: rangeOf(node) };
    report(node, `${what} must be a non-empty string.`);
    return undefined;
  };

  const top = entries(root, FILE_KEYS, 'a test file');
  const task = top.get('task');
  if (task) model.task = text1(task.value, "'task' (the task file, relative to this file)");
  else report(root, "A test file needs 'task': the task file it tests, relative to this file (task: ./deploy.task.yaml).");
  const mocks = top.get('mocks');
  if (mocks) model.mocks = text1(mocks.value, "'mocks' (a mocks file, relative to this file)");

  const cases = top.get('cases');
  if (!cases) report(root, "A test file needs 'cases': a mapping of case names to cases (input, mocks, expect).");
  else if (!isMap(cases.value) || cases.value.items.length === 0) report(cases.value ?? cases.key, "'cases' must be a mapping of case names to cases, with at least one case.");
  else {
    for (const [name, pair] of entries(cases.value, [], "'cases'")) {
      const c = readCase(name, pair);
      if (c) model.cases.push(c);
    }
  }
  return { model, diagnostics: sortDiagnostics(diagnostics), text };

  function readCase(name: string, pair: Pair<Node, Node | null>): TestCaseModel | undefined {
    const value = pair.value;
    if (!isMap(value)) {
      report(value ?? pair.key, `Case '${name}' must be a mapping with expect (and optionally input and mocks).`);
      return undefined;
    }
    const fields = entries(value, CASE_KEYS, `case '${name}'`);
    const c: TestCaseModel = { name, keyRange: rangeOf(pair.key), range: rangeOf(value), input: {}, expect: { range: rangeOf(pair.key) } };
    const input = fields.get('input');
    if (input) {
      c.inputRange = rangeOf(input.value);
      const v = plain(input.value);
      if (v && typeof v === 'object' && !Array.isArray(v)) c.input = { ...(v as Record<string, unknown>) };
      else if (v !== null) report(input.value, `'input' of case '${name}' must be a mapping of input names to values.`);
    }
    const mocks = fields.get('mocks');
    if (mocks) c.mocks = readMocks(mocks.value ?? mocks.key);
    const expect = fields.get('expect');
    if (!expect) report(pair.key, `Case '${name}' needs 'expect': what the run should do (${EXPECT_KEYS.join(', ')}).`);
    else if (!isMap(expect.value)) report(expect.value ?? expect.key, `'expect' of case '${name}' must be a mapping of ${EXPECT_KEYS.join(', ')}.`);
    else c.expect = readExpect(expect.value, name);
    return c;
  }

  function readMocks(node: Node): MockList | undefined {
    if (!isSeq(node)) {
      report(node, "A case's 'mocks' is a list of mocks, as under 'mocks:' in a mocks file.");
      return undefined;
    }
    try {
      const parsed = parseMockList(node, lineCounter, file);
      return { mocks: parsed, entries: mockEntries(node, rangeOf), range: rangeOf(node) };
    } catch (e) {
      if (!(e instanceof MocksError)) throw e;
      const offset = lineCounter.lineStarts[e.line - 1] + e.column - 1;
      diagnostics.push({ code: 'test-schema', severity: 'error', message: e.message.slice(e.message.indexOf(': ') + 2), range: toRange(offset, text.indexOf('\n', offset) < 0 ? text.length : text.indexOf('\n', offset)) });
      return undefined;
    }
  }

  function readExpect(map: YAMLMap, name: string): Expectation {
    const out: Expectation = { range: rangeOf(map) };
    const fields = entries(map, EXPECT_KEYS, `the expect of case '${name}'`);
    for (const [key, pair] of fields) {
      const node = pair.value;
      switch (key) {
        case 'status': {
          const s = text1(node, "'status'");
          if (s && !(RUN_STATUSES as readonly string[]).includes(s.value)) report(node, `'status' is one of ${RUN_STATUSES.join(', ')}, not '${s.value}'.`);
          else out.status = s;
          break;
        }
        case 'path':
        case 'visits':
        case 'never':
          out[key] = stateList(node, key);
          break;
        case 'data': {
          const list = isSeq(node) ? (node.items as Node[]) : [node];
          const predicates = list.map((n) => text1(n, "each 'data' predicate (a JSONata expression)")).filter((p): p is Located<string> => p !== undefined);
          if (isSeq(node) && list.length === 0) report(node, "'data' needs at least one predicate.");
          out.data = predicates;
          break;
        }
        case 'error':
          out.error = text1(node, "'error' (the kind of the error the run ended with)");
          break;
        case 'within': {
          const d = text1(node, "'within' (a duration of virtual time)");
          if (d) out.within = { ...d, ms: parseDuration(d.value) };
          break;
        }
      }
    }
    return out;
  }

  function stateList(node: Node | null, key: string): StateList | undefined {
    if (!isSeq(node)) {
      report(node, `'${key}' is a list of state names, e.g. [start, done].`);
      return undefined;
    }
    const states: Array<Located<string>> = [];
    for (const item of node.items as Node[]) {
      const s = text1(item, `each state in '${key}'`);
      if (s) states.push(s);
    }
    return { states, range: rangeOf(node) };
  }
}

/** What each entry of a `mocks:` list targets, with its range (for lint). */
export function mockEntries(list: Node, rangeOf: (node: Node) => Range): MockEntry[] {
  if (!isSeq(list)) return [];
  const out: MockEntry[] = [];
  for (const item of list.items as Node[]) {
    if (!isMap(item)) continue;
    const get = (k: string) => {
      const n = item.get(k, true) as Node | undefined;
      return isScalar(n) ? n.value : undefined;
    };
    const entry: MockEntry = { range: rangeOf(item) };
    const state = get('state');
    const instruction = get('instruction');
    const poll = get('poll');
    const event = get('event');
    if (typeof state === 'string') entry.state = state;
    if (typeof instruction === 'string' || typeof instruction === 'number') entry.instruction = instruction;
    if (typeof poll === 'number') entry.poll = poll;
    if (typeof event === 'string') entry.event = event;
    const consume = get('consume');
    if (typeof consume === 'string') entry.consume = consume;
    out.push(entry);
  }
  return out;
}
