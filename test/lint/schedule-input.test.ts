// schedule-input: a schedule's `input` against the task's declarations (VALID declares `env`,
// a string of staging|prod defaulting to staging, and `version`, a required string).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { applyEdits, lintText } from '../../engine/lint/index';
import { InputError, resolveInput } from '../../engine/runtime/load';
import { assertRange, fixClears, none, one, only, variant } from './helpers';

const CODE = 'schedule-input';

function scheduled(entries: string, base?: string): string {
  return variant('timeout: 30m', `timeout: 30m\nschedule:\n${entries}`, base);
}

describe('schedule-input', () => {
  it('accepts a schedule that gives the required inputs and fitting values', () => {
    none(scheduled('  - cron: "0 3 * * *"\n    input: { version: "1.2" }\n  - every: 15m\n    input:\n      version: "2"\n      env: prod\n'), CODE);
  });

  it('reports a misspelt input name on the key, with did-you-mean and a fix that renames it', () => {
    const text = scheduled('  - cron: "0 3 * * *"\n    input: { version: "1.2", evn: prod }\n');
    const d = one(text, CODE);
    assert.equal(d.severity, 'error');
    assert.equal(d.message, "Schedule 1's input 'evn' is not an input of the task (inputs: env, version): did you mean 'env'?");
    assertRange(text, d.range, 'evn');
    assert.equal(d.fix?.title, "Rename to 'env'");
    assert.match(fixClears(text, CODE), /input: \{ version: "1\.2", env: prod \}/);
  });

  it('says to declare or remove a name with no near input, and offers no fix', () => {
    const text = scheduled('  - cron: "0 3 * * *"\n    input: { version: "1.2", region: eu }\n');
    const d = one(text, CODE);
    assert.equal(d.message, "Schedule 1's input 'region' is not an input of the task (inputs: env, version): remove it, or declare it under the task's 'input:'.");
    assertRange(text, d.range, 'region');
    assert.equal(d.fix, undefined);
  });

  it('does not suggest a name the schedule gives already', () => {
    const d = one(scheduled('  - cron: "0 3 * * *"\n    input: { version: "1.2", env: prod, evn: prod }\n'), CODE);
    assert.doesNotMatch(d.message, /did you mean/);
    assert.equal(d.fix, undefined);
  });

  it('reports a required input without default that the schedule does not give, on its input key', () => {
    const text = scheduled('  - cron: "0 3 * * *"\n    input: { env: prod }\n');
    const d = one(text, CODE);
    assert.equal(d.message, "Schedule 1 does not give input 'version', which the task requires and has no default for: add it under the schedule's 'input:'.");
    assertRange(text, d.range, 'input', 'cron');
  });

  it('reports a required input of a schedule without input, on the schedule', () => {
    const text = scheduled('  - cron: "0 3 * * *"\n  - every: 1h\n');
    const found = only(text, CODE);
    assert.deepEqual(found.map((d) => d.message), [
      "Schedule 1 does not give input 'version', which the task requires and has no default for: add 'input: { version: ... }' to the schedule.",
      "Schedule 2 does not give input 'version', which the task requires and has no default for: add 'input: { version: ... }' to the schedule.",
    ]);
    assertRange(text, found[0].range, 'cron');
    assertRange(text, found[1].range, 'every', 'schedule');
  });

  it('does not want an input that has a default or is not required', () => {
    none(scheduled('  - every: 1h\n', variant('    required: true\n', '    default: "1.0"\n')), CODE);
    none(scheduled('  - every: 1h\n', variant('    required: true\n', '')), CODE);
  });

  it('reports a value of the wrong type on the value', () => {
    const text = scheduled('  - cron: "0 3 * * *"\n    input: { version: 2 }\n');
    const d = one(text, CODE);
    assert.equal(d.message, "Schedule 1's input 'version' must be of type string, not 2: change the value (quote it to make it a string).");
    assertRange(text, d.range, '2', 'version: ');
    assert.match(one(scheduled('  - every: 1h\n    input: { version: [1] }\n'), CODE).message, /must be of type string, not \[1\]: change the value\.$/);
  });

  it('reports a value outside the enum, with a fix to the near value', () => {
    const text = scheduled('  - cron: "0 3 * * *"\n    input:\n      version: "1"\n      env: prd\n');
    const d = one(text, CODE);
    assert.equal(d.message, "Schedule 1's input 'env' must be one of \"staging\", \"prod\", not \"prd\": did you mean 'prod'?");
    assertRange(text, d.range, 'prd');
    assert.match(fixClears(text, CODE), /env: prod\n/);
    const far = one(scheduled('  - every: 1h\n    input: { version: "1", env: qa }\n'), CODE);
    assert.match(far.message, /not "qa": change the value\.$/);
    assert.equal(far.fix, undefined);
  });

  it('reports every problem of every schedule', () => {
    const text = scheduled('  - every: 1h\n    input: { version: "1" }\n  - every: 2h\n    input: { evn: x, version: 3 }\n');
    assert.deepEqual(only(text, CODE).map((d) => d.message), [
      "Schedule 2's input 'evn' is not an input of the task (inputs: env, version): did you mean 'env'?",
      "Schedule 2's input 'version' must be of type string, not 3: change the value (quote it to make it a string).",
    ]);
  });

  it('does not rename a key written outside the schedule (an alias of shared data)', () => {
    const text = scheduled('  - every: 1h\n    input: *common\n', variant('  attempts: 0', '  attempts: 0\n  common: &common { version: "1", evn: prod }'));
    const d = one(text, CODE);
    assertRange(text, d.range, '*common');
    assert.equal(d.fix, undefined);
  });

  it('leaves an input that is not a mapping to the schema', () => {
    const text = scheduled('  - every: 1h\n    input: prod\n');
    none(text, CODE);
    assert.ok(only(text, 'schema').length > 0);
  });

  it('reports exactly when the run would refuse the input; no crash, ranges and fixes in the text', () => {
    const key = fc.oneof(fc.constantFrom('env', 'version', 'evn', 'Version', 'versoin', 'region', 'constructor', '__proto__', 'a b', 'x:y'), fc.string({ maxLength: 6 }));
    const value = fc.oneof(fc.constantFrom('staging', 'prod', 'prd', '1.0', '', null, 2, true), fc.jsonValue({ maxDepth: 2 }));
    const inputs = fc.option(fc.dictionary(key, value, { maxKeys: 4 }), { nil: undefined });
    const entry = fc.record({ input: inputs, flow: fc.boolean() });
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 3 }), (entries) => {
        const written = entries
          .map(({ input, flow }) => {
            if (input === undefined) return '  - every: 1h\n';
            const map = stringify({ input }, { flowCollectionPadding: true, collectionStyle: flow ? 'flow' : 'block' }).trimEnd();
            return `  - every: 1h\n${map.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
          })
          .join('');
        const text = scheduled(written);
        const { model, diagnostics } = lintText(text);
        assert.ok(!diagnostics.some((d) => d.code === 'internal'), JSON.stringify(diagnostics));
        const findings = diagnostics.filter((d) => d.code === CODE);
        for (const d of findings) {
          assert.ok(d.range.start.offset >= 0 && d.range.start.offset <= d.range.end.offset && d.range.end.offset <= text.length);
          for (const e of d.fix?.edits ?? []) assert.ok(e.start >= 0 && e.start <= e.end && e.end <= text.length);
          if (d.fix) {
            const after = lintText(applyEdits(text, d.fix.edits)).diagnostics;
            assert.ok(!after.some((x) => x.code === CODE && x.message === d.message), `'${d.fix.title}' left '${d.message}'`);
          }
        }
        // The linter and the engine agree: a schedule has findings exactly when its runs would be refused.
        for (const s of model.schedule ?? []) {
          let refused = false;
          try {
            resolveInput(model, s.input ?? {});
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
            refused = true;
          }
          assert.equal(findings.some((d) => d.message.startsWith(`Schedule ${s.index + 1} `) || d.message.startsWith(`Schedule ${s.index + 1}'s `)), refused, text);
        }
      }),
      { numRuns: 200 },
    );
  });
});
