// Plugins named by stepwise.config.json: loaded and checked, their arguments linted against their
// schema (with "did you mean"), run by `stepwise run`, checked again at run time, mocked in task
// tests, and refused with a clear error when the config or a plugin is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { lintText } from '../../engine/lint/index';
import { loadPluginsFrom, pluginsForTask } from '../../engine/plugins/load';
import { createEngine } from '../../engine/runtime/engine';
import { virtualClock } from '../../engine/runtime/clock';
import { loadTaskFile } from '../../engine/runtime/load';
import { cli, samplesDir } from '../postgres/samples';

const PLUGINS = path.join(samplesDir, 'plugins');

function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-plugins-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const taskWith = (args: string) => `version: 1
name: t
input:
  alg: { type: string, default: sha1 }
  notes: { type: string, default: hi }
start: a
states:
  a:
    do:
      - checksum: ${args}
        as: sum
    next: done
  done: { final: true }
`;

test('loads the sample plugin: its kind, schemas and handler', async () => {
  const loaded = await pluginsForTask(path.join(PLUGINS, 'release-notes.task.yaml'));
  assert.equal(loaded.config, path.join(PLUGINS, 'stepwise.config.json'));
  assert.deepEqual(loaded.kinds.map((k) => [k.kind, k.plugin]), [['checksum', 'checksum']]);
  assert.deepEqual(Object.keys(loaded.kinds[0].args.properties as object), ['text', 'algorithm']);
  assert.equal(typeof loaded.handlers.checksum, 'function');
  assert.deepEqual(await pluginsForTask(path.join(os.tmpdir(), 'nowhere', 'x.task.yaml')), { kinds: [], handlers: {} });
});

test('lint checks a plugin kind’s arguments: unknown (did you mean), missing, wrong value; templates wait for run time', async () => {
  const { kinds: plugins } = await pluginsForTask(path.join(PLUGINS, 'release-notes.task.yaml'));
  const lint = (args: string) => lintText(taskWith(args), { plugins }).diagnostics.filter((d) => d.severity === 'error');

  const misspelt = lint('{ text: hi, algoritm: sha1 }');
  assert.equal(misspelt.length, 1);
  assert.equal(misspelt[0].code, 'plugin-arguments');
  assert.match(misspelt[0].message, /'algoritm' is not an argument of 'checksum': did you mean 'algorithm'\? Its arguments: 'text', 'algorithm'\./);
  const text = taskWith('{ text: hi, algoritm: sha1 }');
  assert.equal(text.slice(misspelt[0].range.start.offset, misspelt[0].range.end.offset), 'algoritm');
  assert.equal(misspelt[0].fix?.title, "Change to 'algorithm'");

  assert.match(lint('{ algorithm: sha1 }')[0].message, /'checksum' needs the argument 'text'/);
  const wrong = lint('{ text: hi, algorithm: md5 }');
  assert.match(wrong[0].message, /'checksum' argument 'algorithm' must be equal to one of the allowed values/);
  assert.equal(taskWith('{ text: hi, algorithm: md5 }').slice(wrong[0].range.start.offset, wrong[0].range.end.offset), 'md5');
  assert.deepEqual(lint('{ text: hi, algorithm: "{{ input.alg }}" }'), [], 'a template is checked when it is resolved');
  assert.deepEqual(lint('{ text: "{{ input.notes }}", algorithm: sha512 }'), []);

  const kind = lintText(taskWith('{ text: hi }').replace('checksum:', 'checksun:'), { plugins }).diagnostics.find((d) => d.code === 'unknown-kind');
  assert.match(kind!.message, /did you mean 'checksum'\?/);
});

test('any arguments: lint never throws and flags exactly what the schema refuses', async () => {
  const { kinds: plugins } = await pluginsForTask(path.join(PLUGINS, 'release-notes.task.yaml'));
  const value = fc.oneof(fc.constantFrom('sha256', 'sha1', 'md5', 'hi'), fc.integer(), fc.boolean());
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom('text', 'algorithm', 'algoritm', 'txt', 'extra'), value), (args) => {
      const diagnostics = lintText(taskWith(JSON.stringify(args)), { plugins }).diagnostics.filter((d) => d.code === 'plugin-arguments');
      const valid =
        typeof args.text === 'string' &&
        Object.keys(args).every((k) => k === 'text' || k === 'algorithm') &&
        (args.algorithm === undefined || ['sha256', 'sha512', 'sha1'].includes(args.algorithm as string));
      assert.equal(diagnostics.length === 0, valid, JSON.stringify({ args, diagnostics: diagnostics.map((d) => d.message) }));
    }),
  );
});

test('stepwise run runs the plugin; stepwise lint and test know it', () => {
  const run = spawnSync(process.execPath, [cli, 'run', path.join(PLUGINS, 'release-notes.task.yaml'), '--store', 'memory', '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const finished = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .find((e) => e.type === 'instruction-finished');
  const notes = 'Stepwise 1.0: fan-out, task tests, plugins.';
  assert.deepEqual(finished.result, { algorithm: 'sha256', digest: createHash('sha256').update(notes).digest('hex') });
  assert.equal(spawnSync(process.execPath, [cli, 'test', PLUGINS], { encoding: 'utf8' }).status, 0);

  const dir = workspace({ 'stepwise.config.json': JSON.stringify({ plugins: [path.join(PLUGINS, 'checksum.mjs')] }), 'bad.task.yaml': taskWith('{ text: hi, algoritm: sha1 }') });
  const lint = spawnSync(process.execPath, [cli, 'lint', path.join(dir, 'bad.task.yaml')], { encoding: 'utf8' });
  assert.equal(lint.status, 1);
  assert.match(lint.stdout, /'algoritm' is not an argument of 'checksum': did you mean 'algorithm'\?/);
});

test('the engine checks the resolved arguments and the result against the schemas', async () => {
  const dir = workspace({
    'stepwise.config.json': '{ "plugins": ["./kinds.mjs"] }',
    'kinds.mjs': `export const instructions = [
      { kind: 'double', args: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] }, result: { type: 'number' }, run: async (a) => a.n * 2 },
      { kind: 'liar', args: {}, result: { type: 'number' }, run: async () => 'not a number' },
    ];`,
    'a.task.yaml': `version: 1
name: a
input:
  n: { type: string, default: "x" }
start: s
states:
  s:
    do:
      - double: { n: "={{ input.n }}" }
    next: done
  done: { final: true }
`,
    'b.task.yaml': `version: 1
name: b
start: s
states:
  s:
    do:
      - liar: {}
    next: done
  done: { final: true }
`,
  });
  const loaded = await loadPluginsFrom(path.join(dir, 'stepwise.config.json'));
  const engine = createEngine({ clock: virtualClock(), instructions: loaded.handlers });
  const a = await engine.start(loadTaskFile(path.join(dir, 'a.task.yaml'), { plugins: loaded.kinds })).done;
  assert.equal(a.status, 'failed');
  assert.equal(a.error?.kind, 'double');
  assert.match(a.error!.message, /The arguments of 'double' do not fit its schema: \/n must be number/);
  const b = await engine.start(loadTaskFile(path.join(dir, 'b.task.yaml'), { plugins: loaded.kinds })).done;
  assert.match(b.error!.message, /'liar' returned a result that does not fit its schema: \(the value\) must be number/);
});

test('a wrong config or plugin stops the command with exit code 2, naming the file', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ 'stepwise.config.json': '{ "plugins": ["./missing.mjs"] }' }, /stepwise\.config\.json: plugin '\.\/missing\.mjs' cannot be loaded/],
    [{ 'stepwise.config.json': '{ "plugin": [] }' }, /stepwise\.config\.json: unknown key 'plugin'; the file knows 'plugins'/],
    [{ 'stepwise.config.json': '{ "plugins": ["@acme/not-installed"] }' }, /plugin '@acme\/not-installed' is not installed next to it \(npm install @acme\/not-installed\)/],
    [{ 'stepwise.config.json': '{ "plugins": ["./p.mjs"] }', 'p.mjs': 'export default { name: "p", instructions: [{ kind: "http", args: {}, run: async () => 1 }] };' }, /defines 'http', which is built in/],
    [{ 'stepwise.config.json': '{ "plugins": ["./p.mjs"] }', 'p.mjs': 'export const other = 1;' }, /exports no instructions: export default definePlugin/],
    [{ 'stepwise.config.yaml': 'plugins: ["./p.mjs"]\n', 'p.mjs': 'export const instructions = [{ kind: "Bad Name", args: {}, run: async () => 1 }];' }, /instruction kind "Bad Name": use lowercase letters/],
  ];
  for (const [files, message] of cases) {
    const dir = workspace({ ...files, 'x.task.yaml': 'version: 1\nname: x\nstart: a\nstates:\n  a: { final: true }\n' });
    const r = spawnSync(process.execPath, [cli, 'run', path.join(dir, 'x.task.yaml'), '--store', 'memory'], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});
