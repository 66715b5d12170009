// Every diagnostic code the linter can emit: a fixture that triggers it, a docs page, a README entry.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { LINT_RULES, lintText, RULES, type LintOptions } from '../../engine/lint/index';
import { VALID, variant } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');

// A rule that needs what the caller gives the linter: the plugins' kinds and a schema compiler.
const OPTIONS: Partial<Record<string, LintOptions>> = {
  'plugin-arguments': {
    plugins: [{ kind: 'checksum', plugin: 'checksum', module: 'checksum.mjs', args: { type: 'object', properties: { text: { type: 'string' } }, additionalProperties: false } }],
    compileSchema: (schema) => new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema),
  },
};

/** One fixture per code, each a small change to VALID. */
const TRIGGERS: Record<string, string> = {
  'yaml-syntax': variant('  live: { next: done }', '  live: { next: done'),
  'yaml-warning': variant('name: deploy', 'name: !custom deploy'),
  'too-deep': variant('timeout: 30m', `timeout: 30m\ndata: { x: ${'['.repeat(300)}${']'.repeat(300)} }`),
  schema: variant('description: Roll out a release', 'descripton: Roll out a release'),
  'duplicate-state': variant('  live: { next: done }', '  live: { next: done }\n  live: { next: done }'),
  'duplicate-key': variant('name: deploy', 'name: deploy\nname: deploy'),
  'missing-start': variant('start: collect\n', ''),
  'unknown-target': variant('  live: { next: done }', '  live: { next: gone }'),
  'unreachable-state': variant('  live: { next: done }', '  live: { next: done }\n  lost: { next: done }'),
  'no-way-out': variant('  rollback:\n    do: [ { log: "rolling back" } ]\n    next: failed', '  rollback:\n    do: [ { log: "rolling back" } ]'),
  'no-final-reachable': variant('start: collect', 'start: live').replace('  live: { next: done }', '  live: { next: live }'),
  'final-with-transitions': variant('  done:    { final: true }', '  done:    { final: true, next: failed }'),
  'status-without-final': variant('  failed:  { final: true, status: failed }', '  failed:  { status: failed, next: done }'),
  'shadowed-transition': variant('      - to: done\n  deploy:', '      - to: done\n      - to: deploy\n        when: "true"\n  deploy:'),
  'unknown-error-kind': variant('error: http', 'error: network'),
  'else-never-taken': variant('        after: 15m', '        after: 15m\n      - to: done'),
  'invalid-duration': variant('timeout: 30m', 'timeout: 30 minutes'),
  'invalid-expression': variant('when: "data.collect.status = 200"', 'when: "data.collect.status ="'),
  'undeclared-input': variant('collect/{{ input.env }}"', 'collect/{{ input.zone }}"'),
  'duplicate-as': variant('        as: push', '        as: push\n      - log: again\n        as: push'),
  'unknown-kind': variant('      - sleep: 1s', '      - sleeep: 1s'),
  'plugin-arguments': variant('      - sleep: 1s', '      - checksum: { txt: hi }'),
  'sql-query-template': variant('      - sleep: 1s', '      - sql: { connection: "{{ secrets.DB }}", query: "select * from t where id = {{ input.env }}" }'),
  'plain-credential': variant('      - sleep: 1s', '      - sql: { connection: "postgres://app:hunter2@db:5432/shop", query: "select 1" }'),
  'invalid-branch': variant('      - sleep: 1s', '      - parallel: { a: { set: { x: 1 } }, b: { log: b } }'),
  'map-without-items': variant('      - sleep: 1s', '      - map: { do: { log: "{{ item }}" } }'),
  'invalid-concurrency': variant('      - sleep: 1s', '      - map: { items: [a, b], concurrency: 0, do: { log: "{{ item }}" } }'),
  'single-branch-parallel': variant('      - sleep: 1s', '      - parallel: { only: { log: one } }'),
  'item-outside-map': variant('      - sleep: 1s', '      - log: "{{ item }}"'),
  'invalid-schedule': variant('timeout: 30m', 'timeout: 30m\nschedule:\n  - overlap: skip'),
  'invalid-cron': variant('timeout: 30m', 'timeout: 30m\nschedule:\n  - cron: "61 * * * *"'),
  'unknown-timezone': variant('timeout: 30m', 'timeout: 30m\nschedule:\n  - cron: "0 3 * * *"\n    timezone: Mars/Olympus'),
  'schedule-input': variant('timeout: 30m', 'timeout: 30m\nschedule:\n  - every: 1h\n    input: { version: "1", evn: prod }'),
};

describe('RULES', () => {
  it('lists unique ids, each with a severity, a description and a docs path', () => {
    const ids = RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of RULES) {
      assert.match(r.id, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(['error', 'warning', 'info'].includes(r.severity));
      assert.ok(r.description.length > 10, r.id);
      assert.equal(r.docs, `docs/rules/${r.id}.md`);
    }
  });

  it('includes the rule ids of the contract', () => {
    const ids = new Set(RULES.map((r) => r.id));
    for (const id of [
      'unknown-target', 'missing-start', 'unreachable-state', 'no-way-out', 'no-final-reachable', 'duplicate-state', 'duplicate-key',
      'invalid-duration', 'invalid-expression', 'duplicate-as', 'shadowed-transition', 'undeclared-input', 'unknown-error-kind',
      'final-with-transitions', 'status-without-final',
    ]) {
      assert.ok(ids.has(id), id);
    }
  });

  it('has a page for every rule, and the README lists them all', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'docs/rules/README.md'), 'utf8');
    for (const r of RULES) {
      const page = fs.readFileSync(path.join(ROOT, r.docs), 'utf8');
      assert.match(page, new RegExp(`^# ${r.id}\\n`), r.docs);
      for (const section of ['## What it finds', '## Why it matters', '## Example', '## How to fix it']) assert.ok(page.includes(section), `${r.docs}: ${section}`);
      assert.ok(readme.includes(`[${r.id}](${r.id}.md)`), `README lists ${r.id}`);
    }
  });

  it('the valid fixture triggers nothing', () => {
    assert.deepEqual(lintText(VALID).diagnostics, []);
  });

  for (const r of RULES) {
    it(`${r.id}: its fixture triggers it with the rule's severity`, () => {
      const text = TRIGGERS[r.id];
      assert.ok(text, `no trigger fixture for ${r.id}`);
      const found = lintText(text, OPTIONS[r.id]).diagnostics.filter((d) => d.code === r.id);
      assert.ok(found.length >= 1, `${r.id} not reported`);
      for (const d of found) assert.equal(d.severity, r.severity);
    });
  }

  it('runs every lint rule without an internal failure on the trigger fixtures', () => {
    for (const text of Object.values(TRIGGERS)) {
      assert.deepEqual(lintText(text).diagnostics.filter((d) => d.code === 'internal'), []);
    }
    assert.equal(LINT_RULES.length + 6, RULES.length);
  });
});
