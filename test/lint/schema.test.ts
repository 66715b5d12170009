import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { LineCounter, parseDocument } from 'yaml';
import { EDITOR_KEYWORDS, schemaDiagnostics, TASK_SCHEMA } from '../../engine/schema/validate';
import { assertRange, diagnostics, fixClears, none, one, only, pos, VALID, variant, yaml } from './helpers';

describe('task.schema.json', () => {
  it('is a draft-07 schema that ajv compiles', () => {
    assert.equal(TASK_SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
    const ajv = new Ajv({ strictTypes: false, allowUnionTypes: true });
    ajv.addVocabulary([...EDITOR_KEYWORDS]);
    const validate = ajv.compile(TASK_SCHEMA);
    assert.equal(typeof validate, 'function');
  });

  it('describes every property in text and markdown (hovers in the YAML extension show the markdown)', () => {
    const missing: string[] = [];
    const walk = (schema: unknown, where: string): void => {
      if (!schema || typeof schema !== 'object') return;
      const s = schema as Record<string, unknown>;
      if (s.properties && typeof s.properties === 'object') {
        for (const [name, prop] of Object.entries(s.properties as Record<string, unknown>)) {
          const p = prop as Record<string, unknown>;
          if (typeof p.description !== 'string' || typeof p.markdownDescription !== 'string') missing.push(`${where}.${name}`);
          // The plain text is shown where markdown is not: no backticks in it.
          if (typeof p.description === 'string' && p.description.includes('`')) missing.push(`${where}.${name} (backticks in description)`);
        }
      }
      for (const [k, v] of Object.entries(s)) {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}.${k}[${i}]`));
        else if (v && typeof v === 'object') walk(v, `${where}.${k}`);
      }
    };
    walk(TASK_SCHEMA, '#');
    assert.deepEqual(missing, []);
  });

  it('accepts the format example as it is', () => {
    assert.deepEqual(diagnostics(VALID), []);
  });

  it('accepts a custom instruction kind, a single instruction as `do`, lowercase http methods and aliases', () => {
    const text = yaml(`
      version: 1
      name: custom
      start: a
      states:
        a:
          do:
            - notify: { channel: ops, text: hi }
              as: note
              retry: &r { attempts: 2, delay: 1s }
            - http: { method: get, url: "https://x" }
              retry: *r
          next: b
        b:
          do: { log: done }
          final: true
    `);
    assert.deepEqual(diagnostics(text), []);
  });
});

describe('schema diagnostics', () => {
  it('reports an unknown key on the key, with a "did you mean" fix', () => {
    const text = variant('description: Roll out a release', 'descripton: Roll out a release');
    const d = one(text, 'schema');
    assert.equal(d.severity, 'error');
    assert.match(d.message, /Unknown key 'descripton'.*did you mean 'description'\?/);
    assertRange(text, d.range, 'descripton');
    const after = fixClears(text, 'schema');
    assert.deepEqual(diagnostics(after), []);
  });

  it('lists the allowed keys when no key is close', () => {
    const text = variant('  live: { next: done }', '  live: { next: done, colour: blue }');
    const d = one(text, 'schema');
    assert.match(d.message, /Unknown key 'colour' in state 'live'\. Allowed: description, do, on, next, catch, timeout, final, status\./);
    assert.equal(d.fix, undefined);
    assertRange(text, d.range, 'colour');
  });

  it("suggests 'next' for a `to` written right in a state", () => {
    const text = variant('  live: { next: done }', '  live: { to: done }');
    const d = one(text, 'schema');
    assert.match(d.message, /did you mean 'next'\?/);
    assert.deepEqual(diagnostics(fixClears(text, 'schema')), []);
  });

  it('says which field an http instruction needs, on the kind key', () => {
    const text = variant('do: { http: { url: "https://deploy.example.com/status" } }', 'do: { http: { method: GET } }');
    const d = one(text, 'schema');
    assert.equal(d.message, "http needs a 'url'.");
    assertRange(text, d.range, 'http', 'do: { ');
  });

  it('checks the fields of exec, call and emit', () => {
    const text = variant('- exec: { command: "git", args: [push, origin, release], cwd: "." }', '- exec: { args: [push], shel: true }');
    const msgs = only(text, 'schema').map((d) => d.message);
    assert.deepEqual(msgs, ["exec needs a 'command'.", "Unknown key 'shel' in exec: did you mean 'shell'?"]);
    const call = variant('- call: { task: ./child.task.yaml, input: { env: "={{ input.env }}" } }', '- call: { input: {} }');
    assert.deepEqual(only(call, 'schema').map((d) => d.message), ["call needs a 'task'."]);
    const emit = variant('- emit: { event: deploy-requested, data: { version: "={{ input.version }}" } }', '- emit: { data: 1 }');
    assert.deepEqual(only(emit, 'schema').map((d) => d.message), ["emit needs an 'event'."]);
  });

  it('reports an instruction with two kinds once, on the second kind key', () => {
    const text = variant('- sleep: 1s', '- sleep: 1s\n        log: also');
    const d = one(text, 'schema');
    assert.match(d.message, /2 kinds \('sleep', 'log'\)/);
    assertRange(text, d.range, 'log', 'sleep: 1s\n        ');
  });

  it('reports an instruction with no kind once', () => {
    const text = variant('- sleep: 1s', '- as: nothing');
    const d = one(text, 'schema');
    assert.match(d.message, /^Instruction needs a kind: one of http, exec, sql, smtp, publish, consume, grpc, set, log, emit, sleep, call/);
    assert.equal(d.range.start.line, pos(text, 'as: nothing').line);
  });

  it('collapses the list-or-instruction alternatives of `do` into one message', () => {
    const half = yaml(`
      version: 1
      name: t
      start: a
      states:
        a:
          do:
            - htt
          final: true
    `);
    const d = one(half, 'schema');
    assert.match(d.message, /^Instruction must be a mapping with one kind key, such as '- log: hello' \(found the string 'htt'\)\.$/);
    assertRange(half, d.range, 'htt');
    const scalar = variant('    do: [ { log: "rolling back" } ]', '    do: 3');
    const s = one(scalar, 'schema');
    assert.equal(s.message, "'do' must be a list of instructions (found the number 3).");
    assertRange(scalar, s.range, '3', 'rollback:\n    do: ');
  });

  it('reports a wrong type with what was found', () => {
    const text = variant('  live: { next: done }', '  live: { on: 3 }');
    const d = one(text, 'schema');
    assert.equal(d.message, "'on' must be a list (found the number 3).");
    const state = variant('  live: { next: done }', '  live: [done]');
    assert.match(one(state, 'schema').message, /^State 'live' must be a mapping/);
  });

  it('suggests the nearest value of an enum, with a fix', () => {
    const text = variant('status: failed', 'status: failled');
    const d = one(text, 'schema');
    assert.equal(d.message, "'status' must be one of succeeded, failed or cancelled: did you mean 'failed'?");
    assertRange(text, d.range, 'failled');
    assert.deepEqual(diagnostics(fixClears(text, 'schema')), []);
    const method = variant('method: POST', 'method: PSOT');
    assert.match(one(method, 'schema').message, /one of GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS: did you mean 'POST'\?/);
    fixClears(method, 'schema');
  });

  it('fixes the version', () => {
    const text = variant('version: 1', 'version: 2');
    const d = one(text, 'schema');
    assert.match(d.message, /'version' must be 1/);
    assertRange(text, d.range, '2', 'version:');
    assert.deepEqual(diagnostics(fixClears(text, 'schema')), []);
  });

  it('checks the name pattern', () => {
    const text = variant('name: deploy', 'name: 9 lives');
    const d = one(text, 'schema');
    assert.match(d.message, /'name' must start with a letter/);
    assertRange(text, d.range, '9 lives');
  });

  it("reports a state with both 'on' and 'next' on 'next'", () => {
    const text = variant('  live: { next: done }', '  live: { on: [ { to: done } ], next: done }');
    const d = one(text, 'schema');
    assert.match(d.message, /both 'on' and 'next'/);
    assertRange(text, d.range, 'next', '], ');
  });

  it('needs every, do and until in a poll', () => {
    const text = variant('          until: "result.body.phase = \'Live\'"\n', '');
    const d = one(text, 'schema');
    assert.equal(d.message, "Poll needs an 'until'.");
    assertRange(text, d.range, 'poll');
  });

  it('checks input declarations', () => {
    const text = variant('    type: string\n    required: true', '    type: text\n    requried: true');
    const msgs = only(text, 'schema').map((d) => d.message);
    assert.deepEqual(msgs, [
      "'type' must be one of string, number, integer, boolean, object or array.",
      "Unknown key 'requried' in input 'version': did you mean 'required'?",
    ]);
  });

  it('needs at least one state, and the top-level fields', () => {
    const text = yaml(`
      start: a
      states: {}
    `);
    const msgs = only(text, 'schema').map((d) => d.message);
    assert.deepEqual(msgs, ["The task needs a 'version' (version: 1).", "The task needs a 'name'.", "'states' needs at least one state."]);
  });

  it('leaves durations, state names, error kinds and a missing start to the rules (no double reports)', () => {
    const number = variant('timeout: 30m', 'timeout: 30');
    none(number, 'schema');
    one(number, 'invalid-duration');
    const empty = variant('timeout: 30m', 'timeout:');
    assert.match(one(empty, 'schema').message, /'timeout' must be a duration such as 10s/);
    none(empty, 'invalid-duration');
    const noStart = variant('start: collect\n', '');
    none(noStart, 'schema');
    one(noStart, 'missing-start');
    const kind = variant('error: http', 'error: 404');
    none(kind, 'schema');
    one(kind, 'unknown-error-kind');
    const target = variant('  live: { next: done }', '  live: { next: 42 }');
    none(target, 'schema');
    one(target, 'unknown-target');
    // The schema also says these for editors that read only it (a duration pattern, the error
    // kinds as an enum, a state's way out); here the rules say them.
    const words = variant('timeout: 30m', 'timeout: 30 minutes');
    none(words, 'schema');
    one(words, 'invalid-duration');
    const network = variant('error: http', 'error: network');
    none(network, 'schema');
    one(network, 'unknown-error-kind');
    for (const stuck of ['  live: { description: stuck }', '  live: { final: false }']) {
      const text = variant('  live: { next: done }', stuck);
      none(text, 'schema');
      one(text, 'no-way-out');
    }
  });

  it('says once that a document must be a mapping, and nothing more after a YAML error', () => {
    for (const text of ['hello\n', '- a\n- b\n', '']) {
      const ds = diagnostics(text);
      assert.equal(ds.length, 1, JSON.stringify(ds));
      assert.equal(ds[0].code, 'schema');
    }
    const broken = diagnostics('"unclosed\n');
    assert.ok(broken.length >= 1);
    assert.ok(broken.every((d) => d.code === 'yaml-syntax'), JSON.stringify(broken));
  });

  it('schemaDiagnostics never throws on odd documents', () => {
    const texts = ['&a [*a]', '? [a]\n: b\n', 'a: !!binary x\n', 'states: { a: *nope }\n', '<<: { a: 1 }\n', '{', '\t- x', '%YAML 9\n---\na: 1'];
    for (const text of texts) {
      const lineCounter = new LineCounter();
      const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
      assert.doesNotThrow(() => schemaDiagnostics(doc, lineCounter, text), text);
    }
  });

  it('points at the key of a repeated state through its first definition (as the model reads it)', () => {
    const text = variant('  live: { next: done }', '  live: { next: done }\n  live: { nxt: done }');
    none(text, 'schema');
    one(text, 'duplicate-state');
  });
});
