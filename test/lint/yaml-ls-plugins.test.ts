// The plugin kinds of a workspace in Red Hat's YAML extension: yaml-language-server (its engine)
// asks the extension's schema contributor for each task file's schema, as that extension does,
// and gets the task schema with the kinds of samples/plugins/stepwise.config.json.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findConfig } from '../../engine/plugins/config';
import { loadPluginsFrom } from '../../engine/plugins/load';
import { taskSchemaWithPlugins } from '../../engine/plugins/task-schema';
import { schemaContributor } from '../../extension/core/yamlContributor';
import { ROOT, YamlLanguageServer, type LspPosition } from '../helpers/yaml-ls';

const SAMPLE = 'samples/plugins/release-notes.task.yaml';
const sampleText = fs.readFileSync(path.join(ROOT, SAMPLE), 'utf8');
/** A task file of its own next to the sample, under the same config. */
const FILE = 'samples/plugins/yaml-ls-probe.task.yaml';

function at(text: string, marker: string): { text: string; at: LspPosition } {
  const offset = text.indexOf(marker);
  assert.ok(offset >= 0, `no ${marker} in the fixture`);
  const before = text.slice(0, offset);
  return { text: before + text.slice(offset + marker.length), at: { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) } };
}

const lines = (found: Array<{ range: { start: { line: number } }; message: string }>) => found.map((d) => `${d.range.start.line + 1}: ${d.message}`);

describe('yaml-language-server with the schema contributor (plugin kinds)', () => {
  let ls: YamlLanguageServer;
  before(async () => {
    ls = await YamlLanguageServer.start(
      schemaContributor({
        trusted: () => true,
        configFor: (file) => findConfig(path.dirname(file)),
        schemaFor: async (config, id) => taskSchemaWithPlugins((await loadPluginsFrom(config)).kinds, id),
      }),
    );
  });
  after(async () => {
    await ls.stop();
  });

  it('reports nothing on the sample task that uses the checksum plugin (a template argument too)', async () => {
    assert.deepEqual(lines(await ls.open(SAMPLE, sampleText)), []);
  });

  it("completes the plugin's arguments, with their descriptions", async () => {
    const { text, at: pos } = at(sampleText.replace('          algorithm: sha256\n', '          |\n'), '|');
    await ls.open(FILE, text);
    const items = await ls.completion(FILE, pos);
    const algorithm = items.find((i) => i.label === 'algorithm');
    assert.ok(algorithm, `'algorithm' is not offered (offered: ${items.map((i) => i.label).join(', ')})`);
    assert.match(JSON.stringify(algorithm.documentation ?? ''), /hash function/);
    assert.ok(!items.some((i) => i.label === 'text'), 'the argument already written is offered again');
  });

  it('completes the values of an enum argument', async () => {
    const { text, at: pos } = at(sampleText.replace('algorithm: sha256', 'algorithm: |'), '|');
    await ls.open(FILE, text);
    const labels = (await ls.completion(FILE, pos)).map((i) => i.label);
    for (const v of ['sha256', 'sha512', 'sha1']) assert.ok(labels.includes(v), `'${v}' is not offered (offered: ${labels.join(', ')})`);
  });

  it('flags an unknown argument, a wrong type and a value outside the enum, where they are', async () => {
    const text = sampleText.replace('algorithm: sha256', 'algoritm: sha256').replace('text: "{{ input.notes }}"', 'text: 42');
    const found = await ls.open(FILE, text);
    const lineOf = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
    const byLine = new Map(found.map((d) => [d.range.start.line, d.message]));
    assert.match(byLine.get(lineOf('algoritm:')) ?? '', /algoritm.*not allowed/, lines(found).join('\n'));
    assert.match(byLine.get(lineOf('text: 42')) ?? '', /Incorrect type\. Expected "string"/, lines(found).join('\n'));
    const wrongEnum = await ls.open(FILE, sampleText.replace('algorithm: sha256', 'algorithm: md5'));
    assert.match(lines(wrongEnum).join('\n'), /sha256.*sha512.*sha1/);
  });

  it('flags a missing required argument', async () => {
    const found = await ls.open(FILE, sampleText.replace('          text: "{{ input.notes }}"\n', ''));
    assert.match(lines(found).join('\n'), /Missing property "text"/);
  });

  it('accepts a template wherever the plugin places a value', async () => {
    const found = await ls.open(FILE, sampleText.replace('algorithm: sha256', 'algorithm: "={{ input.algorithm }}"'));
    assert.deepEqual(lines(found), []);
  });

  it("shows the plugin kind's description on hover", async () => {
    await ls.open(FILE, sampleText);
    const line = sampleText.split('\n').findIndex((l) => l.includes('- checksum:'));
    const character = sampleText.split('\n')[line].indexOf('checksum') + 2;
    assert.match(await ls.hover(FILE, { line, character }), /digest of a text.*plugin 'checksum'/s);
  });

  it('gives a task file without a config the bundled schema, which lets any custom kind through', async () => {
    const text = 'version: 1\nname: t\nstart: a\nstates:\n  a:\n    final: true\n    do:\n      - checksum: { texxt: 1 }\n';
    assert.deepEqual(lines(await ls.open('test/no-config.task.yaml', text)), []);
  });
});
