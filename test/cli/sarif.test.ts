// SARIF output against the SARIF 2.1.0 JSON schema (the copy @microsoft/jest-sarif ships), with the
// file names that break naive URIs, and end to end from the CLI in a repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { formatSarif, ROOT_BASE_ID, withPages } from '../../engine/cli/sarif';
import { lintText, RULES } from '../../engine/lint/index';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist', 'cli.js');
const broken = fs.readFileSync(path.join(root, 'samples', 'broken.task.yaml'), 'utf8');
const brokenDiagnostics = lintText(broken).diagnostics;

// Without the u flag: the schema's pattern for `language` has a stray ']' that only non-unicode regular expressions accept.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSarif = ajv.compile(JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));

function assertValid(doc: unknown): void {
  const ok = validateSarif(doc);
  assert.ok(ok, JSON.stringify(validateSarif.errors, null, 2));
}

interface SarifDoc {
  runs: Array<{
    tool: { driver: { version: string; rules: Array<Record<string, any>> } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Array<{ ruleId: string; ruleIndex?: number; locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }> }>;
  }>;
}

/** The absolute path a result's location names, resolved as a SARIF consumer does. */
function resolvedPath(doc: SarifDoc, result: SarifDoc['runs'][0]['results'][0]): string {
  const loc = result.locations[0].physicalLocation.artifactLocation;
  const base = loc.uriBaseId ? doc.runs[0].originalUriBaseIds[loc.uriBaseId].uri : undefined;
  return fileURLToPath(new URL(loc.uri, base));
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-sarif-'));

test('SARIF: valid against the 2.1.0 schema for awkward file names, relative to the root', () => {
  const names = ['my tasks/a#1.task.yaml', '100%/x.task.yaml', 'é ü/ö?.task.yaml', './a/../a/b.task.yaml', "[x] {y}/it's.task.yaml"];
  const results = names.map((file) => ({ file, diagnostics: brokenDiagnostics }));
  const doc = JSON.parse(formatSarif(results, withPages(RULES), { root: work, cwd: work, toolVersion: '1.2.3' })) as SarifDoc;
  assertValid(doc);
  const uris = doc.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri);
  assert.ok(uris.includes('my%20tasks/a%231.task.yaml'));
  assert.ok(uris.includes('100%25/x.task.yaml'));
  assert.ok(uris.includes('a/b.task.yaml'), 'a path as given (./a/../a) is normalised');
  for (const [i, file] of names.entries()) {
    const result = doc.runs[0].results[i * brokenDiagnostics.length];
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uriBaseId, ROOT_BASE_ID);
    assert.equal(resolvedPath(doc, result), path.resolve(work, file));
  }
});

test('SARIF: any file name gives a valid log whose locations resolve back to the file', () => {
  const segment = fc.stringMatching(/^[^/\\\0]{1,12}$/).filter((s) => s !== '.' && s !== '..');
  fc.assert(
    fc.property(fc.array(segment, { minLength: 1, maxLength: 3 }), fc.boolean(), (segments, inside) => {
      const file = inside ? path.join(work, ...segments) : path.join(os.tmpdir(), 'elsewhere', ...segments);
      const doc = JSON.parse(formatSarif([{ file, diagnostics: brokenDiagnostics.slice(0, 1) }], [], { root: work, cwd: '/', toolVersion: '0.0.0' })) as SarifDoc;
      assertValid(doc);
      const result = doc.runs[0].results[0];
      assert.equal(resolvedPath(doc, result), file);
      assert.equal(result.locations[0].physicalLocation.artifactLocation.uriBaseId, inside ? ROOT_BASE_ID : undefined);
    }),
    { numRuns: 200 },
  );
});

test('SARIF: a file whose name starts with ".." inside the root is located relative to the root', () => {
  for (const segments of [['.. ', ' '], ['..notes.task.yaml'], ['...']]) {
    const file = path.join(work, ...segments);
    const doc = JSON.parse(formatSarif([{ file, diagnostics: brokenDiagnostics.slice(0, 1) }], [], { root: work, cwd: '/', toolVersion: '0.0.0' })) as SarifDoc;
    const result = doc.runs[0].results[0];
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uriBaseId, ROOT_BASE_ID, JSON.stringify(segments));
    assert.equal(resolvedPath(doc, result), file);
  }
});

test('SARIF: every rule has its help page, a full description, a default level and a help URI', () => {
  const doc = JSON.parse(formatSarif([], withPages(RULES), { root: work, cwd: work, toolVersion: '1.2.3' })) as SarifDoc;
  assertValid(doc);
  const { driver } = doc.runs[0].tool;
  assert.equal(driver.version, '1.2.3');
  assert.equal(driver.rules.length, RULES.length);
  for (const [i, rule] of driver.rules.entries()) {
    const info = RULES[i];
    assert.equal(rule.id, info.id);
    assert.equal(rule.helpUri, `https://github.com/stepwise/stepwise/blob/main/docs/rules/${info.id}.md`);
    const page = fs.readFileSync(path.join(root, info.docs), 'utf8');
    assert.ok(page.includes(rule.help.markdown.split('\n')[0]), `${info.id}: help is its page`);
    assert.match(rule.help.markdown, /## How to fix it/, info.id);
    assert.ok(rule.fullDescription.text.length > 0 && !rule.fullDescription.text.includes('`'), info.id);
    assert.equal(rule.defaultConfiguration.level, info.severity === 'info' ? 'note' : info.severity);
  }
});

test('SARIF from the CLI: locations relative to the repository root, or to --sarif-root', () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-repo-'));
  fs.mkdirSync(path.join(repo, '.git'));
  const dir = path.join(repo, 'ops tasks');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'deploy#2.task.yaml'), broken);
  const lint = (...extra: string[]) => {
    const r = spawnSync(process.execPath, [cli, 'lint', '.', '--format', 'sarif', ...extra], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as SarifDoc;
    assertValid(doc);
    return doc;
  };
  const doc = lint();
  const uris = new Set(doc.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri));
  assert.deepEqual([...uris], ['ops%20tasks/deploy%232.task.yaml']);
  assert.equal(fileURLToPath(doc.runs[0].originalUriBaseIds[ROOT_BASE_ID].uri), repo + path.sep);
  assert.ok(doc.runs[0].tool.driver.rules.every((r) => r.help?.markdown && r.helpUri));
  const own = lint('--sarif-root', '.');
  assert.deepEqual([...new Set(own.runs[0].results.map((r) => r.locations[0].physicalLocation.artifactLocation.uri))], ['deploy%232.task.yaml']);
});
