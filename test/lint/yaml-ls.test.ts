// The contributed schemas as users of Red Hat's YAML extension get them: yaml-language-server (its
// engine) over LSP stdio, with the associations of package.json's `yamlValidation`.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT, YamlLanguageServer, type LspCompletionItem, type LspPosition } from '../helpers/yaml-ls';
import { yaml } from './helpers';

const COMPLETION_PROPERTY = 10;
/** The kind yaml-language-server gives a default snippet whose body is a mapping. */
const COMPLETION_SNIPPET = 9;

const samples = fs.readdirSync(path.join(ROOT, 'samples')).filter((f) => /\.(task|mocks)\.yaml$/.test(f) && f !== 'broken.task.yaml');

/** The position just after the `nth` occurrence of `marker` (which is then cut from the text). */
function cursor(text: string, marker = '|'): { text: string; at: LspPosition } {
  const offset = text.indexOf(marker);
  assert.ok(offset >= 0, `no ${marker} in the fixture`);
  const before = text.slice(0, offset);
  return { text: before + text.slice(offset + marker.length), at: { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) } };
}

function insertText(item: LspCompletionItem): string {
  return item.textEdit?.newText ?? item.insertText ?? item.label;
}

const HEAD = 'version: 1\nname: t\nstart: a\nstates:\n';

/** Places in a task file where keys are completed, with the keys each must offer. */
const KEY_SITES: Record<string, { text: string; keys: string[] }> = {
  top: { text: 'name: t\nstart: a\nstates:\n  a: { final: true }\n|\n', keys: ['version', 'description', 'input', 'data', 'timeout'] },
  state: { text: HEAD + '  a:\n    |\n', keys: ['description', 'do', 'on', 'next', 'catch', 'timeout', 'final', 'status'] },
  instruction: { text: HEAD + '  a:\n    final: true\n    do:\n      - |\n', keys: ['http', 'exec', 'set', 'log', 'emit', 'sleep', 'call', 'as', 'retry', 'timeout'] },
  'instruction option': { text: HEAD + '  a:\n    final: true\n    do:\n      - log: hi\n        |\n', keys: ['as', 'retry', 'timeout'] },
  http: { text: HEAD + '  a:\n    final: true\n    do:\n      - http:\n          |\n', keys: ['method', 'url', 'headers', 'query', 'body', 'timeout'] },
  exec: { text: HEAD + '  a:\n    final: true\n    do:\n      - exec:\n          |\n', keys: ['command', 'args', 'cwd', 'env', 'timeout', 'shell'] },
  emit: { text: HEAD + '  a:\n    final: true\n    do:\n      - emit:\n          |\n', keys: ['event', 'data'] },
  call: { text: HEAD + '  a:\n    final: true\n    do:\n      - call:\n          |\n', keys: ['task', 'input'] },
  retry: { text: HEAD + '  a:\n    final: true\n    do:\n      - log: hi\n        retry:\n          |\n', keys: ['attempts', 'delay', 'backoff', 'max_delay'] },
  transition: { text: HEAD + '  a:\n    on:\n      - to: a\n        |\n', keys: ['when', 'after', 'poll', 'event'] },
  'transition target': { text: HEAD + '  a:\n    on:\n      - |\n', keys: ['to'] },
  poll: { text: HEAD + '  a:\n    on:\n      - to: a\n        poll:\n          |\n', keys: ['every', 'do', 'until'] },
  catch: { text: HEAD + '  a:\n    catch:\n      - |\n', keys: ['to', 'error'] },
  input: { text: HEAD + '  a: { final: true }\ninput:\n  env:\n    |\n', keys: ['type', 'enum', 'default', 'description', 'required'] },
};

describe('yaml-language-server with the contributed schemas', () => {
  let ls: YamlLanguageServer;
  before(async () => {
    ls = await YamlLanguageServer.start();
  });
  after(async () => {
    await ls.stop();
  });

  it('reports nothing on the samples (task and mocks files)', async () => {
    assert.ok(samples.length >= 10);
    for (const file of samples) {
      const found = await ls.open(`samples/${file}`, fs.readFileSync(path.join(ROOT, 'samples', file), 'utf8'));
      assert.deepEqual(found.map((d) => `${d.range.start.line + 1}: ${d.message}`), [], file);
    }
  });

  it('finds the mistakes of samples/broken.task.yaml that a schema can express', async () => {
    const text = fs.readFileSync(path.join(ROOT, 'samples/broken.task.yaml'), 'utf8');
    const found = await ls.open('samples/broken.task.yaml', text);
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
    const byLine = new Map(found.map((d) => [d.range.start.line, d.message]));
    // 1. the unknown key, 4. the duration, 7. the error kind, 9. the state with no way out.
    assert.match(byLine.get(lineOf('descripton:')) ?? '', /descripton/);
    assert.match(byLine.get(lineOf('timeout: 5 minutes')) ?? '', /Not a duration: .*1h30m/);
    assert.match(byLine.get(lineOf('error: network')) ?? '', /http.*exec.*timeout.*expression.*any/);
    assert.match(byLine.get(lineOf('  process:')) ?? '', /no way out/);
    assert.equal(found.length, 4, found.map((d) => `${d.range.start.line + 1}: ${d.message}`).join('\n'));
  });

  it('does not call a final state or a state with transitions one with no way out', async () => {
    const text = HEAD + '  a:\n    next: b\n  b:\n    on: [{ to: c }]\n  c:\n    catch: [{ to: d }]\n    do: { log: x }\n  d:\n    final: true\n';
    assert.deepEqual(await ls.open('test/way-out.task.yaml', text), []);
    const stuck = await ls.open('test/way-out.task.yaml', text.replace('    final: true', '    final: false'));
    assert.equal(stuck.length, 1);
    assert.match(stuck[0].message, /no way out/);
  });

  for (const [site, { text: fixture, keys }] of Object.entries(KEY_SITES)) {
    it(`completes every key with its colon: ${site}`, async () => {
      const { text, at } = cursor(fixture);
      const file = `test/complete-${site.replace(/ /g, '-')}.task.yaml`;
      await ls.open(file, text);
      const all = await ls.completion(file, at);
      // A key is offered as a property, or by a snippet of the same label that writes it.
      for (const key of keys) {
        const quoted = key === 'on' ? '"on"' : key; // YAML 1.1 reads a bare `on` as true
        const writes = all.filter((i) => i.label === key).some((i) => new RegExp(`^${quoted}:( |\\n)`).test(insertText(i)));
        assert.ok(writes, `'${key}' is not offered with its colon at ${site} (offered: ${all.map((i) => `${i.label} -> ${JSON.stringify(insertText(i))}`).join(', ')})`);
      }
      for (const item of all.filter((i) => i.kind === COMPLETION_PROPERTY)) {
        const key = item.label === 'on' ? '"on"' : item.label; // YAML 1.1 reads a bare `on` as true
        assert.match(insertText(item), new RegExp(`^${key}:( |\\n)`), `'${item.label}' inserts ${JSON.stringify(insertText(item))}`);
      }
    });
  }

  it('offers snippets for a state, a transition, each instruction kind (fan-out too), a retry and a poll', async () => {
    const expect: Array<[string, string[]]> = [
      [HEAD + '  a:\n    final: true\n  b: |\n', ['do, then next', 'transitions', 'final', 'final (failed)']],
      [HEAD + '  a:\n    on:\n      - |\n', ['to … when', 'to … after', 'to … consume', 'to … event', 'to … poll', 'to (else)']],
      [HEAD + '  a:\n    final: true\n    do:\n      - |\n', ['http', 'exec', 'sql', 'smtp', 'publish', 'consume', 'grpc', 'set', 'log', 'emit', 'sleep', 'call', 'parallel', 'map']],
      [HEAD + '  a:\n    final: true\n    do:\n      - log: hi\n        retry:\n          |\n', ['retry']],
      [HEAD + '  a:\n    on:\n      - to: a\n        poll:\n          |\n', ['poll']],
    ];
    for (const [fixture, labels] of expect) {
      const { text, at } = cursor(fixture);
      await ls.open('test/snippets.task.yaml', text);
      const snippets = (await ls.completion('test/snippets.task.yaml', at)).filter((i) => i.kind === COMPLETION_SNIPPET);
      assert.deepEqual(snippets.map((s) => s.label).sort(), [...labels].sort());
    }
    const { text, at } = cursor(HEAD + '  a:\n    on:\n      - |\n');
    await ls.open('test/snippets.task.yaml', text);
    const poll = (await ls.completion('test/snippets.task.yaml', at)).find((i) => i.kind === COMPLETION_SNIPPET && i.label === 'to … poll');
    assert.equal(insertText(poll!), 'to: ${1:state}\n  poll:\n    every: ${2:10s}\n    do:\n      http:\n        url: ${3:https://example.com/status}\n    until: ${4:result.status = 200}');
    const inDo = cursor(HEAD + '  a:\n    final: true\n    do:\n      - |\n');
    await ls.open('test/snippets.task.yaml', inDo.text);
    const sql = (await ls.completion('test/snippets.task.yaml', inDo.at)).find((i) => i.kind === COMPLETION_SNIPPET && i.label === 'sql');
    // A value that starts with `{` would read as a YAML mapping: the connection is an expression.
    assert.equal(insertText(sql!), 'sql:\n    connection: ={{ secrets.${1:DB_URL} }}\n    query: ${2:select * from orders where id = \\$1}\n    params:\n      - ${3:={{ input.id \\}\\}}\n  as: ${4:orders}');
  });

  it("hovers with the property's own markdown text", async () => {
    const { text, at } = cursor(HEAD + '  a:\n    final: true\n    time|out: 10s\n');
    await ls.open('test/hover.task.yaml', text);
    const hover = await ls.hover('test/hover.task.yaml', at);
    assert.match(hover, /The transition timeout: the time from entering the state/);
    assert.match(hover, /`1h30m`/);
    assert.doesNotMatch(hover, /\\`/);
  });

  it('describes the values of an enum', async () => {
    const { text, at } = cursor(HEAD + '  a:\n    catch:\n      - to: a\n        error: |\n');
    await ls.open('test/enum.task.yaml', text);
    const items = await ls.completion('test/enum.task.yaml', at);
    const timeout = items.find((i) => i.label === 'timeout');
    const doc = timeout?.documentation;
    assert.match(typeof doc === 'string' ? doc : (doc?.value ?? ''), /time limit/);
  });

  it('checks a mocks file: its shapes, durations and error kinds', async () => {
    const text = yaml(`
      mocks:
        - state: fetch
          instruction: 0
        - state: fetch
          instruction: 0
          reslt: { status: 200 }
        - event: approved
          after: 30 seconds
        - state: fetch
          poll: 0
          error: { kind: network }
    `);
    const found = await ls.open('test/bad.mocks.yaml', text);
    const lines = found.map((d) => d.range.start.line + 1).sort((a, b) => a - b);
    assert.ok(lines.includes(2), 'a state mock without result, results or error');
    assert.ok(lines.includes(6), 'an unknown key');
    assert.ok(lines.includes(8), 'a bad duration');
    assert.ok(lines.includes(11), 'an unknown error kind');
    const { text: t2, at } = cursor('mocks:\n  - |\n');
    await ls.open('test/complete.mocks.yaml', t2);
    const snippets = (await ls.completion('test/complete.mocks.yaml', at)).filter((i) => i.kind === COMPLETION_SNIPPET).map((i) => i.label);
    assert.deepEqual(snippets.sort(), ['event', 'instruction error', 'instruction result', 'poll results']);
  });
});
