// A gesture fuzzer against the built webview in headless Chromium: random sequences of gestures
// (select, rename, connect, delete, undo, drag) on random sample files, made with the mouse and
// keys as a person would. After each, the fake host's text (engine/edit applying what the webview
// proposed, as the extension does) is what that gesture means and nothing more: the one intended
// operation's result, the other states unchanged, still a readable task. STEPWISE_FUZZ_RUNS sets
// the number of runs (default 6); STEPWISE_FUZZ_SEED and STEPWISE_FUZZ_PATH replay a failure.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { applyEdits, editTask } from '../../engine/edit/index';
import type { EditOperation } from '../../engine/edit/types';
import { lintText } from '../../engine/lint/index';
import { isBrokenYaml, outlineOf } from '../../webview/protocol';
import { chromiumPath, openEditor, ROOT, startEnv, type FakeHost, type TestEnv } from './harness';

const available = !!chromiumPath();
if (!available && process.env.STEPWISE_REQUIRE_BROWSER === '1') throw new Error('Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH)');

const SAMPLES = fs
  .readdirSync(path.join(ROOT, 'samples'))
  .filter((f) => f.endsWith('.task.yaml'))
  .sort()
  .map((f) => ({ file: f, text: fs.readFileSync(path.join(ROOT, 'samples', f), 'utf8') }))
  .filter((s) => !isBrokenYaml(lintText(s.text).diagnostics));

type Gesture =
  | { kind: 'select'; state: number }
  | { kind: 'rename'; state: number; name: string }
  | { kind: 'connect'; from: number; to: number }
  | { kind: 'delete'; state: number }
  | { kind: 'undo' }
  | { kind: 'drag'; state: number; dx: number; dy: number };

const index = fc.nat({ max: 40 });
const gesture: fc.Arbitrary<Gesture> = fc.oneof(
  fc.record({ kind: fc.constant('select' as const), state: index }),
  fc.record({ kind: fc.constant('rename' as const), state: index, name: fc.stringMatching(/^[a-z][a-z0-9-]{0,7}[a-z0-9]$/) }),
  fc.record({ kind: fc.constant('connect' as const), from: index, to: index }),
  fc.record({ kind: fc.constant('delete' as const), state: index }),
  fc.constant({ kind: 'undo' as const }),
  fc.record({ kind: fc.constant('drag' as const), state: index, dx: fc.integer({ min: -200, max: 200 }), dy: fc.integer({ min: -150, max: 150 }) }),
);

const node = (id: string) => `.react-flow__node[data-id="${id}"]`;

/** Each declared state's outline without positions: what "nothing else changed" compares. */
function statesOf(text: string): Map<string, string> {
  const model = outlineOf(lintText(text).model);
  return new Map(model.states.map((s) => [s.name, JSON.stringify({ ...s, keyRange: undefined, range: undefined })]));
}

/** The middle of an element when nothing covers it there (else undefined: the gesture is skipped). */
async function uncovered(host: FakeHost, selector: string): Promise<{ x: number; y: number } | undefined> {
  return host.page.evaluate((sel) => {
    const d = (globalThis as unknown as { document: any }).document;
    const el = d.querySelector(sel);
    if (!el) return undefined;
    const r = el.getBoundingClientRect();
    const at = { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    const hit = d.elementFromPoint(at.x, at.y);
    return hit && (hit === el || el.contains(hit)) ? at : undefined;
  }, selector);
}

async function fitAll(host: FakeHost): Promise<void> {
  await host.page.click('[aria-label="Fit the graph to the view"]');
  await host.waitForLayout();
}

/** The edit the gesture proposed: exactly one, this one. */
async function expectEdit(host: FakeHost, before: number, operation: EditOperation): Promise<void> {
  const m = await host.waitFor('edit');
  assert.deepEqual(m.operation, operation);
  assert.equal(host.edits().length, before + 1, 'one edit per gesture');
}

/** Plays one gesture; returns what it was expected to do, or undefined when it could not be made (nothing in reach). */
async function play(host: FakeHost, g: Gesture, undo: string[]): Promise<string | undefined> {
  const page = host.page;
  const text = host.text;
  const states = [...statesOf(text).keys()];
  if (!states.length) return undefined;
  const at = (i: number) => states[i % states.length];
  const edits = host.edits().length;
  const intended = async (operation: EditOperation) => {
    await expectEdit(host, edits, operation);
    const r = editTask(text, operation);
    assert.equal(r.error, undefined);
    undo.push(text);
    return applyEdits(text, r.edits);
  };
  switch (g.kind) {
    case 'select':
      await host.find(at(g.state));
      return text;
    case 'rename': {
      const from = at(g.state);
      if (states.includes(g.name)) return undefined;
      await host.find(from);
      await page.keyboard.press('F2');
      const input = page.locator(`${node(from)} input.sw-rename`);
      await input.fill(g.name);
      await input.press('Enter');
      const expected = await intended({ type: 'renameState', state: from, newName: g.name });
      // Only the references change: an event or a value that happens to share the state's name stays.
      const rename = (s: string) => s.replaceAll(`"to":${JSON.stringify(from)}`, `"to":${JSON.stringify(g.name)}`);
      const was = statesOf(text);
      const now = statesOf(expected);
      for (const s of states) if (s !== from) assert.equal(now.get(s), rename(was.get(s)!), `${s} changed beyond the rename`);
      return expected;
    }
    case 'delete': {
      const name = at(g.state);
      await host.find(name);
      await page.locator('.sw-canvas').focus();
      await page.keyboard.press('Delete');
      const expected = await intended({ type: 'deleteState', state: name });
      const now = statesOf(expected);
      assert.ok(!now.has(name));
      for (const [s, outline] of statesOf(text)) if (s !== name) assert.equal(now.get(s), outline, `${s} changed`);
      return expected;
    }
    case 'connect': {
      const [from, to] = [at(g.from), at(g.to)];
      if (from === to) return undefined;
      await fitAll(host);
      await page.hover(node(from)).catch(() => undefined);
      const handle = await uncovered(host, `${node(from)} .react-flow__handle.source`);
      const target = await uncovered(host, `${node(to)} .sw-node-name`);
      if (!handle || !target) return undefined;
      await page.mouse.move(handle.x, handle.y);
      await page.mouse.down();
      await page.mouse.move(handle.x + 15, handle.y + 25, { steps: 4 });
      await page.mouse.move(target.x, target.y, { steps: 10 });
      await page.mouse.up();
      const expected = await intended({ type: 'connect', state: from, to });
      const now = statesOf(expected);
      for (const [s, outline] of statesOf(text)) if (s !== from) assert.equal(now.get(s), outline, `${s} changed`);
      assert.ok(lintText(expected).model.states.find((s) => s.name === from)!.on.some((t) => t.to === to), `${from} does not go to ${to}`);
      return expected;
    }
    case 'undo': {
      await page.locator('.sw-canvas').focus();
      await page.keyboard.press('Control+z');
      await host.waitFor('undo');
      assert.equal(host.edits().length, edits, 'undo proposes no edit');
      return undo.pop() ?? text;
    }
    case 'drag': {
      const name = at(g.state);
      await fitAll(host);
      const grip = await uncovered(host, `${node(name)} .sw-node-name`);
      if (!grip || Math.abs(g.dx) + Math.abs(g.dy) < 10) return undefined;
      await page.mouse.move(grip.x, grip.y);
      await page.mouse.down();
      await page.mouse.move(grip.x + g.dx, grip.y + g.dy, { steps: 8 });
      await page.mouse.up();
      await host.waitFor('viewState', (m) => !!m.state.pins[name]);
      assert.equal(host.edits().length, edits, 'a move is no edit of the text');
      return text;
    }
  }
}

describe('gesture fuzzer (Chromium, built webview)', { skip: available ? false : 'Chromium not found' }, () => {
  let env: TestEnv;
  before(async () => {
    env = await startEnv();
  });
  after(async () => {
    await env?.close();
  });

  it('every gesture changes the text as it means to, and nothing else', { timeout: 300_000 }, async () => {
    const runs = Number(process.env.STEPWISE_FUZZ_RUNS ?? 6);
    // A failure prints its seed and path; these replay it.
    const replay = process.env.STEPWISE_FUZZ_SEED ? { seed: Number(process.env.STEPWISE_FUZZ_SEED), path: process.env.STEPWISE_FUZZ_PATH } : {};
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SAMPLES), fc.array(gesture, { minLength: 1, maxLength: 5 }), async (sample, gestures) => {
        const host = await openEditor(env, { text: sample.text, fileName: sample.file, width: 1600, height: 1400 });
        try {
          await host.waitForLayout();
          const undo: string[] = [];
          for (const g of gestures) {
            const expected = await play(host, g, undo);
            if (expected === undefined) continue;
            assert.equal(host.text, expected, `after ${JSON.stringify(g)}`);
            assert.ok(!isBrokenYaml(lintText(host.text).diagnostics), `the text no longer reads after ${JSON.stringify(g)}`);
            await host.waitForLayout();
          }
          assert.deepEqual(host.errors, []);
        } finally {
          await host.page.context().close();
        }
      }),
      { numRuns: runs, endOnFailure: true, ...replay },
    );
  });
});
