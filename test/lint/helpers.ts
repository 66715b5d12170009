// Helpers for the lint and model tests: inline YAML fixtures, positions computed from the fixture
// text, and applying a diagnostic's fix.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyEdits, lintText } from '../../engine/lint/index';
import type { Diagnostic, Position, Range } from '../../engine/model/types';

/** Removes the common indentation of a template literal, so YAML can be indented with the code. */
export function yaml(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n[ ]*$/, '\n').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

/**
 * The position of `needle` in `text` (0-based line and column): its `nth` occurrence, or its first
 * occurrence after the (unique) text `after`.
 */
export function pos(text: string, needle: string, nth: number | string = 0): Position {
  let at = -1;
  if (typeof nth === 'string') {
    const anchor = text.indexOf(nth);
    if (anchor < 0) throw new Error(`'${nth}' does not occur in the fixture`);
    at = text.indexOf(needle, anchor + nth.length);
    if (at < 0) throw new Error(`'${needle}' does not occur after '${nth}' in the fixture`);
    return positionAt(text, at);
  }
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' occurs fewer than ${nth + 1} times in the fixture`);
  }
  return positionAt(text, at);
}

export function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  const column = offset - (before.lastIndexOf('\n') + 1);
  return { line, column, offset };
}

/** The range of the `nth` occurrence of `needle`. */
export function span(text: string, needle: string, nth: number | string = 0): Range {
  const start = pos(text, needle, nth);
  return { start, end: positionAt(text, start.offset + needle.length) };
}

/** Asserts that a range is exactly the `nth` occurrence of `needle` in `text`. */
export function assertRange(text: string, range: Range, needle: string, nth: number | string = 0): void {
  assert.deepEqual(range, span(text, needle, nth), `expected the range of '${needle}' (${nth}), got '${text.slice(range.start.offset, range.end.offset)}'`);
}

export function diagnostics(text: string): Diagnostic[] {
  return lintText(text).diagnostics;
}

/** The diagnostics with a given code. */
export function only(text: string, code: string): Diagnostic[] {
  return diagnostics(text).filter((d) => d.code === code);
}

/** The one diagnostic with a given code (fails when there are none or several). */
export function one(text: string, code: string): Diagnostic {
  const found = only(text, code);
  assert.equal(found.length, 1, `expected one '${code}', got ${found.length}: ${JSON.stringify(found.map((d) => d.message))}`);
  return found[0];
}

export function none(text: string, code: string): void {
  const found = only(text, code);
  assert.deepEqual(found.map((d) => d.message), [], `expected no '${code}'`);
}

/** The text after applying a diagnostic's fix. */
export function fixed(text: string, d: Diagnostic): string {
  assert.ok(d.fix, `'${d.code}' has no fix: ${d.message}`);
  return applyEdits(text, d.fix.edits);
}

/** Applies the fix of the one `code` diagnostic and checks the result is clean of that code. */
export function fixClears(text: string, code: string): string {
  const after = fixed(text, one(text, code));
  none(after, code);
  return after;
}

/** A valid task that every rule accepts; fixtures are variations of it. */
export const VALID = yaml(`
  version: 1
  name: deploy
  description: Roll out a release
  input:
    env:
      type: string
      enum: [staging, prod]
      default: staging
    version:
      type: string
      required: true
  data:
    attempts: 0
  timeout: 30m
  start: collect
  states:
    collect:
      description: Ask for the actual state
      do:
        - http:
            method: POST
            url: "https://deploy.example.com/collect/{{ input.env }}"
            body: { app: shop }
            timeout: 10s
          as: collect
          retry: { attempts: 3, delay: 1s, backoff: 2, max_delay: 1m }
        - set:
            attempts: "={{ data.attempts + 1 }}"
        - log: "collect request {{ data.collect.body.id }} accepted"
      timeout: 2m
      on:
        - to: compare
          when: "data.collect.status = 200"
        - to: failed
          after: 5m
    compare:
      on:
        - to: deploy
          when: "data.collect.body.version != input.version"
        - to: done
    deploy:
      do:
        - exec: { command: "git", args: [push, origin, release], cwd: "." }
          as: push
        - emit: { event: deploy-requested, data: { version: "={{ input.version }}" } }
        - sleep: 1s
        - call: { task: ./child.task.yaml, input: { env: "={{ input.env }}" } }
      on:
        - to: live
          poll:
            every: 10s
            do: { http: { url: "https://deploy.example.com/status" } }
            until: "result.body.phase = 'Live'"
        - to: done
          event: approved
          when: "event.data.by != null"
        - to: rollback
          after: 15m
      catch:
        - to: rollback
          error: http
    live: { next: done }
    rollback:
      do: [ { log: "rolling back" } ]
      next: failed
    done:    { final: true }
    failed:  { final: true, status: failed }
`);

/** VALID with `from` replaced by `to` (the text must occur exactly once). */
export function variant(from: string, to: string, base = VALID): string {
  const at = base.indexOf(from);
  if (at < 0 || base.indexOf(from, at + 1) >= 0) throw new Error(`'${from}' must occur once in the fixture`);
  return base.slice(0, at) + to + base.slice(at + from.length);
}

/**
 * Texts made from `base` by random edits: each removes up to `maxRemove` characters somewhere and
 * inserts up to `maxInsert` of `tokens` there.
 */
export function mutatedText(base: string, tokens: readonly string[], o: { minEdits?: number; maxEdits: number; maxRemove: number; maxInsert: number }): fc.Arbitrary<string> {
  const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: o.maxRemove }), insert: fc.array(fc.constantFrom(...tokens), { maxLength: o.maxInsert }).map((a) => a.join('')) });
  return fc.array(edit, { minLength: o.minEdits ?? 0, maxLength: o.maxEdits }).map((edits) => {
    let text = base;
    for (const m of edits) {
      const at = m.at % (text.length + 1);
      text = text.slice(0, at) + m.insert + text.slice(at + m.remove);
    }
    return text;
  });
}
