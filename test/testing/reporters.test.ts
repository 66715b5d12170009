// The reporters: JSON as documented, JUnit XML read back by a strict XML parser, lcov read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import * as sax from 'sax';
import { jsonReport } from '../../engine/testing/reporters/json';
import { junitReport } from '../../engine/testing/reporters/junit';
import { lcovReport } from '../../engine/testing/reporters/lcov';
import type { CaseResult } from '../../engine/testing/suite';
import { HAPPY_MOCKS, pipelineTest, runAll } from './helpers';

interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
  text: string;
}

/** Parses XML strictly (any well-formedness error throws) into a tree. */
function parseXml(xml: string): XmlNode {
  const p = sax.parser(true);
  const stack: XmlNode[] = [{ name: '#document', attributes: {}, children: [], text: '' }];
  p.onopentag = (tag) => {
    const node: XmlNode = { name: tag.name, attributes: tag.attributes, children: [], text: '' };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  };
  p.onclosetag = () => void stack.pop();
  p.ontext = (t) => (stack[stack.length - 1].text += t);
  p.oncdata = (t) => (stack[stack.length - 1].text += t);
  p.onerror = (e) => {
    throw e;
  };
  p.write(xml).close();
  assert.equal(stack[0].children.length, 1, 'one root element');
  return stack[0].children[0];
}

async function pipelineResults() {
  const t = pipelineTest(
    `
    ships: { expect: { status: succeeded, path: [build, wait, ship, approve, done] } }
    "fails <&> \\"quoted\\"": { expect: { status: failed } }
  `,
    HAPPY_MOCKS,
  );
  return { t, ...(await runAll(t)) };
}

test('json: one document with each case, its file, task, status and message, and the counts', async () => {
  const { t, cases } = await pipelineResults();
  const dir = path.dirname(t.file);
  assert.deepEqual(jsonReport(cases, dir), {
    cases: [
      { file: 'pipeline.test.yaml', task: 'pipeline.task.yaml', name: 'ships', status: 'passed' },
      { file: 'pipeline.test.yaml', task: 'pipeline.task.yaml', name: 'fails <&> "quoted"', status: 'failed', message: "status: expected failed, the run ended succeeded in state 'done'." },
    ],
    passed: 1,
    failed: 1,
  });
});

test('junit: strict XML with a testsuite per file, a testcase per case and a failure with the message', async () => {
  const { t, cases } = await pipelineResults();
  const root = parseXml(junitReport(cases, path.dirname(t.file)));
  assert.equal(root.name, 'testsuites');
  assert.deepEqual([root.attributes.tests, root.attributes.failures, root.attributes.errors], ['2', '1', '0']);
  assert.equal(root.children.length, 1);
  const suite = root.children[0];
  assert.equal(suite.name, 'testsuite');
  assert.deepEqual([suite.attributes.name, suite.attributes.tests, suite.attributes.failures], ['pipeline.test.yaml', '2', '1']);
  assert.ok(Number.isFinite(Number(suite.attributes.time)));
  assert.deepEqual(suite.children.map((c) => [c.name, c.attributes.name, c.attributes.classname, c.children.map((f) => f.name)]), [
    ['testcase', 'ships', 'pipeline.test.yaml', []],
    ['testcase', 'fails <&> "quoted"', 'pipeline.test.yaml', ['failure']],
  ]);
  const failure = suite.children[1].children[0];
  assert.equal(failure.attributes.message, "status: expected failed, the run ended succeeded in state 'done'.");
  assert.equal(failure.attributes.type, 'status');
  assert.equal(failure.text, "status: expected failed, the run ended succeeded in state 'done'.");
});

function fakeResult(name: string, message: string | undefined, file = '/w/a.test.yaml'): CaseResult {
  return {
    file,
    taskFile: '/w/a.task.yaml',
    name,
    line: 3,
    status: message === undefined ? 'passed' : 'failed',
    failures: message === undefined ? [] : [{ key: 'data', message }],
    path: [],
    virtualMs: 0,
    wallMs: 1.5,
  };
}

test('property: junit stays well-formed XML whatever the case names and messages hold', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.option(fc.string({ unit: 'binary' }), { nil: undefined })), { maxLength: 5 }), (rows) => {
      const results = rows.map(([name, message]) => fakeResult(name, message));
      const root = parseXml(junitReport(results, '/w'));
      const cases = root.children.flatMap((s) => s.children);
      assert.equal(cases.length, rows.length);
      cases.forEach((c, i) => {
        const printable = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]*$/;
        if (printable.test(rows[i][0])) assert.equal(c.attributes.name, rows[i][0]);
        assert.equal(c.children.length, rows[i][1] === undefined ? 0 : 1);
      });
    }),
    { numRuns: 200 },
  );
});

interface LcovRecord {
  file: string;
  lines: Map<number, number>;
  branches: Array<{ line: number; block: number; branch: number; taken: number | '-' }>;
  counts: Record<string, number>;
}

/** Reads lcov tracefile text back, strictly: unknown or malformed lines throw. */
function parseLcov(text: string): LcovRecord[] {
  const records: LcovRecord[] = [];
  let current: LcovRecord | undefined;
  for (const line of text.split('\n')) {
    if (line === '' || line === 'TN:') continue;
    const [tag, rest] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
    if (line === 'end_of_record') {
      assert.ok(current, 'end_of_record inside a record');
      records.push(current);
      current = undefined;
    } else if (tag === 'SF') current = { file: rest, lines: new Map(), branches: [], counts: {} };
    else if (tag === 'DA') {
      const m = /^(\d+),(\d+)$/.exec(rest);
      assert.ok(m && current, line);
      current.lines.set(Number(m[1]), Number(m[2]));
    } else if (tag === 'BRDA') {
      const m = /^(\d+),(\d+),(\d+),(\d+|-)$/.exec(rest);
      assert.ok(m && current, line);
      current.branches.push({ line: Number(m[1]), block: Number(m[2]), branch: Number(m[3]), taken: m[4] === '-' ? '-' : Number(m[4]) });
    } else if (['LF', 'LH', 'BRF', 'BRH'].includes(tag)) {
      assert.ok(/^\d+$/.test(rest) && current, line);
      current.counts[tag] = Number(rest);
    } else assert.fail(`unexpected lcov line: ${line}`);
  }
  assert.equal(current, undefined, 'every record ends');
  return records;
}

test('lcov: a record per task file with DA at each state and transition line and BRDA per transition, read back', async () => {
  const t = pipelineTest(
    `
    ships: { expect: { status: succeeded } }
    ships-again: { expect: { status: succeeded } }
  `,
    HAPPY_MOCKS,
  );
  const { coverage } = await runAll(t);
  const [record, ...more] = parseLcov(lcovReport(coverage, path.dirname(t.file)));
  assert.equal(more.length, 0);
  assert.equal(record.file, 'pipeline.task.yaml');
  const lines = fs.readFileSync(t.taskFile!, 'utf8').split('\n');
  const lineOf = (text: string) => lines.findIndex((l) => l.trimEnd() === text) + 1;
  // States: entered twice (once per case), or never.
  assert.equal(record.lines.get(lineOf('  build:')), 2);
  assert.equal(record.lines.get(lineOf('  done: { final: true }')), 2);
  assert.equal(record.lines.get(lineOf('  failed: { final: true, status: failed }')), 0);
  // Transitions: `- to: wait` taken twice, `- to: failed` (the else of build) never.
  const buildOn = lines.findIndex((l) => l.trim() === '- to: wait') + 1;
  assert.equal(record.lines.get(buildOn), 2);
  assert.equal(record.lines.get(buildOn + 2), 0);
  // build's branches: on[0] taken twice, on[1] and catch[0] not; failed has no branches.
  const build = record.branches.filter((b) => b.line === lineOf('  build:'));
  assert.deepEqual(build.map((b) => b.taken), [2, 0, 0]);
  assert.equal(record.counts.BRF, record.branches.length);
  assert.equal(record.counts.BRH, record.branches.filter((b) => b.taken !== '-' && b.taken > 0).length);
  assert.equal(record.counts.LF, record.lines.size);
  assert.equal(record.counts.LH, [...record.lines.values()].filter((h) => h > 0).length);
});
