import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintText } from '../../engine/lint/index';
import { parseTask, parseTaskDocument } from '../../engine/model/parse';
import type { Range } from '../../engine/model/types';
import { pos, positionAt, span, yaml } from '../lint/helpers';

const TEXT = yaml(`
  version: 1
  name: deploy
  description: Roll out a release
  input:
    env:
      type: string
      enum: [staging, prod]
      default: staging
      required: false
  data:
    attempts: 0
  timeout: 30m
  start: collect
  states:
    collect:
      do:
        - http:
            method: POST
            url: "https://x/{{ input.env }}"
          as: collect
          retry: { attempts: 3, delay: 1s, backoff: 2 }
          timeout: 20s
        - log: hello
      timeout: 2m
      on:
        - to: wait
          when: "data.collect.status = 200"
        - to: failed
          after: 5m
      catch:
        - to: failed
          error: http
    wait:
      on:
        - to: done
          poll:
            every: 10s
            do: { http: { url: "https://x/status" } }
            until: "result.body.phase = 'Live'"
        - to: hold
          event: approved
    hold:
      next: done
    done: { final: true }
    failed:
      final: true
      status: failed
`);

/** The text a range covers. */
const cover = (r: Range) => TEXT.slice(r.start.offset, r.end.offset);

/** Asserts a range starts where `needle` (its `nth` occurrence, or after `after`) starts, line and column included. */
function startsAt(r: Range, needle: string, nth: number | string = 0): void {
  assert.deepEqual(r.start, pos(TEXT, needle, nth), `range starts at '${cover(r).slice(0, 20)}', not at '${needle}'`);
}

describe('parse: ranges', () => {
  const { model, diagnostics } = parseTask(TEXT);

  it('reads the fixture without diagnostics', () => {
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(lintText(TEXT).diagnostics, []);
  });

  it('gives every position as 0-based line and column with its offset', () => {
    const r = model.fields.start.value;
    assert.deepEqual(r, span(TEXT, 'collect', 'start: '));
    assert.equal(r.start.line, TEXT.split('\n').findIndex((l) => l.startsWith('start:')));
    assert.equal(r.start.column, 'start: '.length);
    assert.deepEqual(positionAt(TEXT, r.start.offset), r.start);
  });

  it('has the key and value ranges of the task fields', () => {
    for (const key of ['version', 'name', 'description', 'input', 'data', 'timeout', 'start', 'states']) {
      const f = model.fields[key];
      assert.ok(f, key);
      const line = TEXT.split('\n').findIndex((l) => l.startsWith(`${key}:`));
      const offset = TEXT.split('\n').slice(0, line).reduce((n, l) => n + l.length + 1, 0);
      assert.deepEqual(f.key, { start: { line, column: 0, offset }, end: { line, column: key.length, offset: offset + key.length } }, key);
    }
    assert.equal(cover(model.fields.version.value), '1');
    assert.equal(cover(model.fields.name.value), 'deploy');
    assert.equal(cover(model.fields.timeout.value), '30m');
    startsAt(model.fields.states.key, 'states:');
    startsAt(model.fields.data.value, 'attempts: 0');
  });

  it('has the ranges of inputs', () => {
    const env = model.input[0];
    assert.equal(env.name, 'env');
    assert.deepEqual(env.keyRange, span(TEXT, 'env', 'input:\n  '));
    startsAt(env.range, 'type: string');
    assert.deepEqual(env.enum, ['staging', 'prod']);
    assert.equal(env.default, 'staging');
    assert.equal(env.hasDefault, true);
    assert.equal(env.required, false);
  });

  it('has the key range and value range of each state', () => {
    const names = model.states.map((s) => s.name);
    assert.deepEqual(names, ['collect', 'wait', 'hold', 'done', 'failed']);
    const collect = model.states[0];
    assert.deepEqual(collect.keyRange, span(TEXT, 'collect', 'states:\n  '));
    startsAt(collect.range, 'do:', 'collect:\n    ');
    assert.equal(cover(collect.fields.timeout.value), '2m');
    const done = model.states[3];
    assert.deepEqual(done.keyRange, span(TEXT, 'done', 'next: done\n  '));
    assert.equal(cover(done.range), '{ final: true }');
  });

  it('has the range of each instruction, of its kind key and of its options', () => {
    const [http, log] = model.states[0].do;
    assert.equal(http.kind, 'http');
    assert.equal(http.index, 0);
    startsAt(http.range, 'http:');
    assert.deepEqual(http.kindRange, span(TEXT, 'http', 'do:\n      - '));
    assert.equal(cover(http.fields.as.value), 'collect');
    startsAt(http.fields.as.key, 'as: collect');
    startsAt(http.fields.retry.value, '{ attempts: 3');
    assert.equal(cover(http.fields.timeout.value), '20s');
    assert.deepEqual(http.retry, { attempts: 3, delay: '1s', backoff: 2 });
    assert.deepEqual(http.args, { method: 'POST', url: 'https://x/{{ input.env }}' });
    assert.equal(log.kind, 'log');
    assert.equal(log.index, 1);
    assert.deepEqual(log.kindRange, span(TEXT, 'log'));
    assert.equal(cover(log.range), 'log: hello');
  });

  it('has the ranges of transitions, their fields, polls and the poll instruction', () => {
    const [toWait, toFailed] = model.states[0].on;
    startsAt(toWait.range, 'to: wait');
    assert.deepEqual(toWait.fields.to.value, span(TEXT, 'wait', 'to: '));
    assert.equal(cover(toWait.fields.when.value), '"data.collect.status = 200"');
    assert.equal(toWait.when, 'data.collect.status = 200');
    assert.equal(toFailed.index, 1);
    assert.equal(cover(toFailed.fields.after.value), '5m');

    const [polled, evented] = model.states[1].on;
    const poll = polled.poll!;
    startsAt(poll.range, 'every: 10s');
    assert.equal(cover(poll.fields.every.value), '10s');
    assert.equal(poll.every, '10s');
    assert.equal(poll.until, "result.body.phase = 'Live'");
    assert.equal(poll.do?.kind, 'http');
    assert.equal(cover(poll.do!.range), '{ http: { url: "https://x/status" } }');
    assert.deepEqual(poll.do!.kindRange, span(TEXT, 'http', 'do: { '));
    assert.equal(evented.event, 'approved');
    assert.equal(cover(evented.fields.event.value), 'approved');
  });

  it('has the ranges of catch entries', () => {
    const [c] = model.states[0].catch;
    startsAt(c.range, 'to: failed', 'catch:\n      - ');
    assert.equal(c.to, 'failed');
    assert.equal(c.error, 'http');
    assert.deepEqual(c.fields.error.value, span(TEXT, 'http', 'error: '));
  });

  it("gives a 'next' shorthand the range from its key to its value", () => {
    const failed = model.states[4];
    assert.equal(failed.final, true);
    assert.equal(failed.status, 'failed');
    const [t] = model.states[2].on;
    assert.equal(t.shorthand, true);
    assert.equal(t.to, 'done');
    assert.equal(cover(t.range), 'next: done');
    assert.equal(cover(t.fields.to.value), 'done');
  });
});

describe('parse: half-typed files', () => {
  it('reads a list item being typed as a kind', () => {
    const text = 'states:\n  a:\n    do:\n      - htt';
    const { model, diagnostics } = parseTask(text);
    assert.deepEqual(model.states.map((s) => s.name), ['a']);
    assert.equal(model.states[0].do.length, 0);
    const lint = lintText(text).diagnostics;
    const htt = lint.find((d) => d.code === 'schema' && /Instruction must be a mapping/.test(d.message));
    assert.ok(htt, JSON.stringify(lint));
    assert.equal(text.slice(htt.range.start.offset, htt.range.end.offset), 'htt');
    assert.ok(diagnostics.length > 0);
  });

  it("reads the other fields of a state whose 'on' is a number", () => {
    const text = yaml(`
      version: 1
      name: t
      start: a
      states:
        a:
          do: [ { log: hi } ]
          on: 3
          catch: [ { to: b } ]
        b: { final: true }
    `);
    const { model, diagnostics } = parseTask(text);
    const a = model.states[0];
    assert.equal(a.do[0].kind, 'log');
    assert.equal(a.on.length, 0);
    assert.equal(a.catch[0].to, 'b');
    assert.equal(model.states[1].final, true);
    assert.ok(diagnostics.some((d) => d.code === 'schema' && d.message === "'on' must be a list (found the number 3)."));
  });

  it('reads the states before an unclosed quote', () => {
    const text = yaml(`
      version: 1
      name: t
      start: a
      states:
        a: { next: b }
        b:
          description: "never closed
          final: true
    `);
    const { model, diagnostics } = parseTask(text);
    assert.ok(model.states.some((s) => s.name === 'a' && s.on[0]?.to === 'b'));
    assert.ok(diagnostics.some((d) => d.code === 'yaml-syntax'));
    assert.doesNotThrow(() => lintText(text));
  });

  it('reports tabs used as indentation and still reads what it can', () => {
    const text = 'version: 1\nname: t\nstart: a\nstates:\n  a: { final: true }\n\tb: { final: true }\n';
    const { model, diagnostics } = parseTask(text);
    const tab = diagnostics.find((d) => d.code === 'yaml-syntax');
    assert.ok(tab);
    assert.match(tab.message, /[Tt]ab/);
    assert.equal(tab.range.start.line, 5);
    assert.ok(model.states.some((s) => s.name === 'a'));
    assert.doesNotThrow(() => lintText(text));
  });

  it('reads empty and comment-only files', () => {
    for (const text of ['', '# nothing yet\n', '\n\n', '---\n']) {
      const { model } = parseTask(text);
      assert.deepEqual(model.states, []);
      assert.doesNotThrow(() => lintText(text));
    }
  });

  it('reads a state with no value and a transition with no target', () => {
    const text = 'version: 1\nname: t\nstart: a\nstates:\n  a:\n    on:\n      - when: "true"\n  b:\n';
    const { model } = parseTask(text);
    assert.deepEqual(model.states.map((s) => s.name), ['a', 'b']);
    assert.equal(model.states[0].on[0].to, undefined);
    const msgs = lintText(text).diagnostics.map((d) => d.message);
    assert.ok(msgs.includes("Transition needs a 'to'."), JSON.stringify(msgs));
  });
});

describe('parse: aliases and repeated keys', () => {
  it('expands aliases in arguments, retry policies, states and data', () => {
    const text = yaml(`
      version: 1
      name: t
      data: { base: &b { region: eu } }
      start: a
      states:
        a:
          do:
            - http: { url: "https://x", headers: &h { Accept: json } }
              retry: &r { attempts: 2, delay: 1s }
            - http: { url: "https://y", headers: *h, body: *b }
              retry: *r
          next: b
        b: &final { final: true }
        c: *final
    `);
    const { model, diagnostics } = parseTask(text);
    assert.deepEqual(diagnostics.filter((d) => d.code !== 'schema'), []);
    const second = model.states[0].do[1];
    assert.deepEqual(second.args, { url: 'https://y', headers: { Accept: 'json' }, body: { region: 'eu' } });
    assert.deepEqual(second.retry, { attempts: 2, delay: '1s' });
    assert.equal(model.states[2].final, true);
    assert.deepEqual(model.data, { base: { region: 'eu' } });
    assert.equal(Object.getPrototypeOf(second.args), Object.prototype);
  });

  it('reports an alias with no anchor', () => {
    const text = 'version: 1\nname: t\nstart: a\nstates:\n  a: *missing\n';
    const { diagnostics } = parseTask(text);
    const d = diagnostics.find((x) => x.code === 'yaml-syntax');
    assert.ok(d);
    assert.match(d.message, /Unknown alias '\*missing'/);
    assert.equal(text.slice(d.range.start.offset, d.range.end.offset), '*missing');
  });

  it('survives self-referencing and exponential aliases', () => {
    const bomb = 'a: &a [x, x]\nb: &b [*a, *a, *a, *a]\nc: &c [*b, *b, *b, *b]\nd: &d [*c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d]\nf: &f [*f]\n';
    assert.doesNotThrow(() => lintText(bomb));
  });

  it('keeps the first of repeated keys everywhere, and reports the others', () => {
    const text = yaml(`
      version: 1
      name: t
      start: a
      states:
        a:
          do:
            - http: { url: "https://first", url: "https://second" }
          next: b
          next: a
        b: { final: true }
    `);
    const { model, diagnostics } = parseTaskDocument(text);
    assert.deepEqual(model.states[0].do[0].args, { url: 'https://first' });
    assert.equal(model.states[0].on[0].to, 'b');
    assert.deepEqual(
      [...diagnostics].sort((a, b) => a.range.start.offset - b.range.start.offset).map((d) => [d.code, text.slice(d.range.start.offset, d.range.end.offset)]),
      [
        ['duplicate-key', 'url'],
        ['duplicate-key', 'next'],
      ],
    );
    assert.ok(diagnostics.some((d) => d.range.start.offset === text.indexOf('url', text.indexOf('first'))));
  });

  it("reports a repeated input as 'duplicate-key' and a repeated state as 'duplicate-state'", () => {
    const text = 'version: 1\nname: t\ninput: { a: {}, a: {} }\nstart: s\nstates:\n  s: { final: true }\n  s: { final: true }\n';
    const codes = parseTask(text).diagnostics.map((d) => `${d.code}: ${d.message}`);
    assert.deepEqual(codes, [
      "duplicate-key: Duplicate input 'a': only one may be given (the later one is ignored).",
      "duplicate-state: Duplicate state 's': only one may be given (the later one is ignored).",
    ]);
  });

  it('says plainly that a file holds one document', () => {
    const { diagnostics } = parseTask('version: 1\n---\nname: t\n');
    assert.ok(diagnostics.some((d) => d.code === 'yaml-syntax' && /one YAML document/.test(d.message)));
  });
});
