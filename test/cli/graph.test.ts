// `stepwise graph`: the built CLI draws every sample as SVG (ELK's layout, every state named) and
// as Mermaid; a file whose YAML cannot be read is refused with where and why. The SVG renderer
// escapes any state name (a property over random names).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { graphOf } from '../../engine/graph/model';
import { graphMermaid } from '../../engine/graph/mermaid';
import { escapeXml, graphSvg, LIGHT_PALETTE } from '../../engine/graph/svg';
import { outlineOf } from '../../engine/graph/types';
import { lintText } from '../../engine/lint/index';

const root = path.resolve(__dirname, '../../..');
const cli = path.join(root, 'dist', 'cli.js');
const samples = path.join(root, 'samples');

function stepwise(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sampleFiles = fs.readdirSync(samples).filter((f) => f.endsWith('.task.yaml') && f !== 'broken.task.yaml');

describe('stepwise graph', () => {
  test('SVG of every sample: laid out by ELK, every state named, with a node per state', () => {
    for (const f of sampleFiles) {
      const r = stepwise(['graph', path.join(samples, f)]);
      assert.equal(r.code, 0, `${f}: ${r.stderr}`);
      assert.match(r.stdout, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      const model = lintText(fs.readFileSync(path.join(samples, f), 'utf8')).model;
      for (const s of model.states) {
        assert.ok(r.stdout.includes(`data-state="${escapeXml(s.name)}"`), `${f}: a node for ${s.name}`);
        assert.ok(r.stdout.includes(`>${escapeXml(s.name)}</text>`) || r.stdout.includes(`>${escapeXml(s.name.slice(0, 10))}`), `${f}: ${s.name} written`);
      }
      // ELK placed the nodes apart: no two at the same place.
      const places = [...r.stdout.matchAll(/class="node[^"]*" data-state="[^"]*" transform="translate\(([-\d.]+),([-\d.]+)\)"/g)].map((m) => `${m[1]},${m[2]}`);
      assert.equal(new Set(places).size, places.length, `${f}: nodes overlap`);
    }
  });

  test('Mermaid, to a file, in the direction asked', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-graph-')), 'deploy.mmd');
    const r = stepwise(['graph', path.join(samples, 'deploy.task.yaml'), '--format', 'mermaid', '--direction', 'right', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const text = fs.readFileSync(out, 'utf8');
    assert.match(text, /^flowchart LR\n/);
    assert.match(text, /\["collect"\]/);
    assert.match(text, /-\.->\|"catch"\|/);
  });

  test('a file whose YAML cannot be read: exit 2, with the line', () => {
    const r = stepwise(['graph', path.join(samples, 'broken.task.yaml')]);
    const yamlBroken = lintText(fs.readFileSync(path.join(samples, 'broken.task.yaml'), 'utf8')).diagnostics.some((d) => d.code === 'yaml-syntax');
    if (yamlBroken) {
      assert.equal(r.code, 2);
      assert.match(r.stderr, /broken\.task\.yaml:\d+:\d+: .*readable/);
    } else assert.equal(r.code, 0, r.stderr);
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'stepwise-graph-')), 'bad.task.yaml');
    fs.writeFileSync(bad, 'version: 1\nstates:\n  a: [\n');
    const b = stepwise(['graph', bad]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /bad\.task\.yaml:\d+:\d+: .*the YAML must be readable/);
  });

  test('any state name is escaped in the SVG and the Mermaid text', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s.trim() === s && !/[\n\r:#{}[\],&*!|>'"%@`]/.test(s[0])), { minLength: 1, maxLength: 4 }), (names) => {
        const text = `version: 1\nstart: ${JSON.stringify(names[0])}\nstates:\n${names.map((n, i) => `  ${JSON.stringify(n)}:\n    ${i === names.length - 1 ? 'final: true' : `next: ${JSON.stringify(names[i + 1])}`}\n`).join('')}`;
        const { model, diagnostics } = lintText(text);
        fc.pre(model.states.length === names.length);
        const graph = graphOf(outlineOf(model), diagnostics);
        const positions = Object.fromEntries(names.map((n, i) => [n, { x: 0, y: i * 100 }]));
        const svg = graphSvg({ graph, positions, routes: {}, direction: 'DOWN', palette: LIGHT_PALETTE });
        // Markup only where the renderer put it: the names' characters never open or close a tag.
        const stripped = svg.replace(/<\/?[a-zA-Z][^<>]*>/g, '');
        assert.ok(!/[<>]/.test(stripped), svg);
        for (const n of names) assert.ok(svg.includes(`data-state="${escapeXml(n)}"`));
        const mermaid = graphMermaid(graph);
        for (const line of mermaid.split('\n').slice(1)) assert.ok(!/"[^"]*"[^"|\])]*"/.test(line.replace(/\|"[^"]*"\|/g, '').replace(/\["[^"]*"\]|\(\["[^"]*"\]\)|\(\("start"\)\)/g, '')), line);
      }),
    );
  });
});
