// The expression sites: the templates in every instruction's arguments and every `consume`'s
// settings, with their scalars, whatever the text. The reference walks the plain values and looks
// up each node by its path, as the linter once did; the linter looks nodes up only when asked.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMap } from 'yaml';
import { LintContext } from '../../engine/lint/context';
import { parseTaskDocument } from '../../engine/model/parse';
import type { PathSegment } from '../../engine/schema/nodes';
import { nodeSpan } from '../../engine/schema/yamltext';
import { mutatedText, VALID } from './helpers';

/** `state|where|source|scalar's span` of every template site, sorted. */
function keys(sites: Array<{ state: string; where: string; source: string; node: unknown }>): string[] {
  return sites.filter((s) => s.where === 'template').map((s) => `${s.state}|${s.source}|${JSON.stringify(nodeSpan(s.node as never))}`).sort();
}

/** The templates as found by walking the plain values of the arguments, nodes looked up by path. */
function reference(ctx: LintContext): string[] {
  const out: Array<{ state: string; where: string; source: string; node: unknown }> = [];
  const walk = (state: string, value: unknown, path: PathSegment[]): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(state, v, [...path, i]));
    if (value && typeof value === 'object') return Object.keys(value).forEach((k) => walk(state, (value as Record<string, unknown>)[k], [...path, k]));
    if (typeof value !== 'string' || !value.includes('{{')) return;
    const node = ctx.plain.nodeFrom(ctx.stateNode(state), path.slice(2))?.node;
    const whole = /^\s*=\{\{([\s\S]*)\}\}\s*$/.exec(value);
    const inner = whole ? [whole[1]] : [...value.matchAll(/\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]);
    for (const source of inner) out.push({ state, where: 'template', source: source.trim(), node });
  };
  for (const { state, ins, path, value } of ctx.instructions()) if (ins.kind) walk(state.name, ctx.valueIn(value, [ins.kind]), [...path, ins.kind]);
  for (const state of ctx.states.values()) {
    for (const t of state.on) if (t.consume && !t.shorthand) walk(state.name, ctx.value(['states', state.name, 'on', t.index, 'consume']), ['states', state.name, 'on', t.index, 'consume']);
  }
  return keys(out);
}

const TEMPLATED = `${VALID}
  templated:
    do:
      - http: { url: "https://x/{{ input.a }}/{{ data.b }}", headers: { h: ["={{ data.c }}"] } }
      - parallel:
          left: { log: "{{ data.l }}" }
      - map: { items: "={{ data.items }}", do: { log: "{{ item }}" } }
    on:
      - consume: { subject: "s.{{ data.k }}" }
        to: done
      - poll: { every: 1s, do: { http: { url: "={{ data.u }}" } }, until: "result" }
        to: done
`;

describe('expression sites', () => {
  it('are the templates a walk over the arguments finds, for tasks mutated at random', () => {
    const tokens = ['\n', '  ', ': ', '- ', '{', '}', '[', ']', ', ', '&a ', '*a', 'x', '"{{ data.x }}"', '"={{ 1 }}"', 'log: ', 'do: ', 'consume: ', 'http: '];
    let compared = 0;
    fc.assert(
      fc.property(mutatedText(TEMPLATED, tokens, { maxEdits: 3, maxRemove: 10, maxInsert: 4 }), (text) => {
        const parsed = parseTaskDocument(text);
        if (!isMap(parsed.doc.contents)) return;
        const ctx = new LintContext(parsed.text, parsed.doc, parsed.lineCounter, parsed.model);
        const got = keys(ctx.expressions());
        assert.deepEqual(got, reference(ctx), text);
        if (got.length) compared++;
      }),
      { numRuns: 400 },
    );
    assert.ok(compared > 100, `only ${compared} texts had templates`);
  });

  it('split any string into its templates as the regular expressions do, and point at each one', () => {
    const piece = fc.constantFrom('{{', '}}', '=', ' ', 'x', '{', '}', 'data.a', '\n');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 14 }).map((parts) => parts.join('')), (value) => {
        const text = `${VALID}
  templated:
    do:
      - log: ${JSON.stringify(value)}
    next: done
`;
        const parsed = parseTaskDocument(text);
        const ctx = new LintContext(parsed.text, parsed.doc, parsed.lineCounter, parsed.model);
        const sites = ctx.expressions().filter((s) => s.state === 'templated');
        assert.deepEqual(keys(sites), reference(ctx).filter((k) => k.startsWith('templated|')), value);
        for (const site of sites) {
          const at = site.locate(0, site.source.length);
          if (at.exact) assert.equal(text.slice(at.start, at.end), site.source, value);
          const tpl = site.template!;
          if (tpl.exact) assert.match(text.slice(tpl.start, tpl.end), /^=?\{\{[\s\S]*\}\}$/, value);
        }
      }),
      { numRuns: 300 },
    );
  });
});
