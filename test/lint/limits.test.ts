// Size and depth: a valid file of any size lints clean, aliases that would expand without end are
// cut with one warning saying where (never with made-up errors), and nesting deeper than the
// format reads is one error at the place it gets too deep, found in time linear in the text.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { generateTask } from '../../bench/generate';
import { lintText } from '../../engine/lint/index';
import type { Diagnostic } from '../../engine/model/types';
import { MAX_NESTING } from '../../engine/model/nesting';
import { positionAt, yaml } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const LINT = path.join(ROOT, 'out', 'engine', 'lint', 'index.js');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const WATCHDOG_MS = 20_000;

function tempFile(name: string, text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-limits-')), name);
  fs.writeFileSync(file, text);
  return file;
}

/** lintText in a child process with the default stack, killed if it takes longer than the watchdog. */
function lintInChild(text: string): { diagnostics: Diagnostic[]; ms: number } {
  const file = tempFile('deep.task.yaml', text);
  const script = `const { lintText } = require(${JSON.stringify(LINT)});
    const text = require('node:fs').readFileSync(${JSON.stringify(file)}, 'utf8');
    const t = Date.now();
    const { diagnostics } = lintText(text);
    console.log(JSON.stringify({ diagnostics, ms: Date.now() - t }));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: WATCHDOG_MS });
  assert.equal(r.error, undefined, `lintText did not finish in ${WATCHDOG_MS} ms`);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

/** The offset of the `n`th (1-based) occurrence of `needle`. */
function nth(text: string, needle: string, n: number): number {
  let at = -1;
  for (let i = 0; i < n; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0);
  return at;
}

const HEAD = yaml(`
  version: 1
  name: deep
  start: done
  states:
    done: { final: true }
`);

describe('lint on large files', () => {
  it('a valid 6,000-state file lints clean', () => {
    assert.deepEqual(lintText(generateTask(6000)).diagnostics, []);
  });

  it('a valid file whose states are 300 aliases of one state lints clean', () => {
    const states = Array.from({ length: 300 }, (_, i) => `  s${i + 1}: *s`);
    const text = `version: 1\nname: aliases\nstart: s0\nstates:\n  s0: &s { next: done }\n${states.join('\n')}\n  done: { final: true }\n`;
    // Only the aliased states are unreachable: nothing leads to them.
    const diagnostics = lintText(text).diagnostics;
    assert.deepEqual(diagnostics.filter((d) => d.code !== 'unreachable-state'), []);
    assert.equal(diagnostics.length, 300);
  });

  it('aliases that expand past the budget: one warning at the alias where the check stopped, no made-up errors', () => {
    // Each level repeats the one before ten times: *l6 alone stands for a million values.
    const levels = ['  l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 6; i++) levels.push(`  l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    const text = yaml(`
      version: 1
      name: laughs
      start: s0
      data:
      ${levels.join('\n      ')}
        steps: &steps [ { log: hi }, { http: { url: "https://x.example.com", body: *l6 } } ]
      states:
        s0:
          do: *steps
          next: done
        done: { final: true }
    `);
    const diagnostics = lintText(text).diagnostics;
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics, null, 1));
    const [d] = diagnostics;
    assert.equal(d.code, 'schema');
    assert.equal(d.severity, 'warning');
    assert.match(d.message, /stopped at this alias.*more than 200000 values.*not checked/);
    // On the alias whose expansion ran out of budget: one of the repeating levels in data.
    assert.match(text.slice(d.range.start.offset, d.range.end.offset), /^\*l[0-6]$/);
  });
});

describe('lint on deep nesting', () => {
  const depth = 20_000;
  const cases: Array<{ name: string; text: string; at: (text: string) => number }> = [
    {
      // Root mapping, `a: {` … : the MAX_NESTING-th `{` is one level too deep.
      name: 'flow mappings a: {a: {a: …}}',
      text: 'a: ' + '{a: '.repeat(depth) + '1' + '}'.repeat(depth) + '\n',
      at: (text) => nth(text, '{', MAX_NESTING),
    },
    {
      // Root mapping, `data`, then the lists: the (MAX_NESTING - 1)-th `[` is one level too deep.
      name: 'flow lists [[[…]]] in data',
      text: HEAD + 'data:\n  x: ' + '['.repeat(depth) + ']'.repeat(depth) + '\n',
      at: (text) => nth(text, '[', MAX_NESTING - 1),
    },
    {
      name: 'block lists - - - … in data',
      text: HEAD + 'data:\n  x:\n    ' + '- '.repeat(depth) + 'x\n',
      at: (text) => nth(text, '- ', MAX_NESTING - 1),
    },
    {
      name: 'unclosed flow lists',
      text: HEAD + 'data:\n  x: ' + '['.repeat(depth) + '\n',
      at: (text) => nth(text, '[', MAX_NESTING - 1),
    },
  ];
  for (const c of cases) {
    it(`${depth} levels of ${c.name}: one error where the nesting passes ${MAX_NESTING} levels`, (t) => {
      const { diagnostics, ms } = lintInChild(c.text);
      assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics.slice(0, 3), null, 1));
      const [d] = diagnostics;
      assert.equal(d.code, 'too-deep');
      assert.equal(d.severity, 'error');
      assert.match(d.message, new RegExp(`${MAX_NESTING} levels`));
      assert.deepEqual(d.range.start, positionAt(c.text, c.at(c.text)));
      t.diagnostic(`linted in ${ms} ms`);
    });
  }

  it(`nesting of exactly ${MAX_NESTING} levels is read and checked as usual`, () => {
    // Root mapping and `data` are two levels.
    const text = HEAD + 'data:\n  x: ' + '['.repeat(MAX_NESTING - 2) + ']'.repeat(MAX_NESTING - 2) + '\nbogus: 1\n';
    const diagnostics = lintText(text).diagnostics;
    assert.deepEqual(diagnostics.map((d) => [d.code, d.message]), [['schema', "Unknown key 'bogus' in the task. Allowed: version, name, description, input, data, timeout, schedule, start, states."]]);
  });

  it('stepwise lint reports the too-deep file with exit 1, file, line and column', () => {
    const text = HEAD + 'data:\n  x: ' + '['.repeat(depth) + ']'.repeat(depth) + '\n';
    const file = tempFile('deep.task.yaml', text);
    const r = spawnSync(process.execPath, [CLI, 'lint', file], { encoding: 'utf8', timeout: WATCHDOG_MS, env: { ...process.env, NO_COLOR: '1' } });
    assert.equal(r.error, undefined, `stepwise lint did not finish in ${WATCHDOG_MS} ms`);
    assert.equal(r.status, 1, r.stderr);
    const p = positionAt(text, nth(text, '[', MAX_NESTING - 1));
    assert.match(r.stdout, new RegExp(`deep\\.task\\.yaml:${p.line + 1}:${p.column + 1}: error .*${MAX_NESTING} levels.*\\[too-deep\\]`));
    assert.match(r.stdout, /1 error/);
  });
});
