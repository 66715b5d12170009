// engine/model/locate.ts: which element a line stands for, in block and flow style; the files a
// task calls.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { calledTasks, keyOf, locate, locateTaskFiles } from '../../engine/model/locate';
import { parseTask } from '../../engine/model/parse';
import { dedent } from '../helpers/tasks';

const SAMPLES = path.resolve(__dirname, '../../../samples');

function mapOf(yaml: string) {
  return locate(parseTask(dedent(yaml)).model);
}

/** The element key and shown line (1-based) for each 1-based line. */
function table(yaml: string): string[] {
  const text = dedent(yaml);
  const map = locate(parseTask(text).model);
  return text.split('\n').map((_, i) => {
    const e = map.at(i);
    return `${i + 1}: ${e ? `${keyOf(e)}@${e.line + 1}` : '-'}`;
  });
}

describe('locate', () => {
  test('block style: key lines, instruction, transition and catch lines, other lines move to the state key', () => {
    const rows = table(`
      version: 1
      name: t
      start: a
      states:
        # about a
        a:
          description: first
          do:
            - http:
                url: https://x.example.com
              as: r
            - log: hi
          on:
            - to: b
              when: "data.r.status = 200"
            - to: c
              after: 5m
          catch:
            - to: c
              error: any

        b:
          next: c
        c: { final: true }
    `);
    assert.deepEqual(rows, [
      '1: -',
      '2: -',
      '3: -',
      '4: -',
      '5: state:a@6',
      '6: state:a@6',
      '7: state:a@6',
      '8: state:a@6',
      '9: instruction:a:0@9',
      '10: instruction:a:0@9',
      '11: instruction:a:0@9',
      '12: instruction:a:1@12',
      '13: state:a@6',
      '14: transition:a:0@14',
      '15: transition:a:0@14',
      '16: transition:a:1@16',
      '17: transition:a:1@16',
      '18: state:a@6',
      '19: catch:a:0@19',
      '20: catch:a:0@19',
      '21: state:b@22',
      '22: state:b@22',
      '23: transition:b:0@23',
      '24: state:c@24',
      '25: -',
    ]);
  });

  test('flow style: the key line gives the state; a column picks the element under it', () => {
    const map = mapOf(`
      version: 1
      name: t
      start: a
      states:
        a: { do: [ { log: x }, { log: y } ], next: b }
        b: { final: true }
    `);
    assert.equal(map.at(4)?.kind, 'state');
    assert.equal(keyOf(map.at(4, 15)!), 'instruction:a:0');
    assert.equal(keyOf(map.at(4, 30)!), 'instruction:a:1');
    assert.equal(keyOf(map.at(4, 41)!), 'transition:a:0');
    assert.equal(keyOf(map.at(4, 6)!), 'state:a');
  });

  test('a poll belongs to its transition; get() finds an element by key', () => {
    const text = fs.readFileSync(path.join(SAMPLES, 'health.task.yaml'), 'utf8');
    const map = locate(parseTask(text).model);
    const lines = text.split('\n');
    const until = lines.findIndex((l) => l.includes('until:'));
    assert.equal(keyOf(map.at(until)!), 'transition:wait-healthy:0');
    assert.equal(map.get('transition:wait-healthy:0')!.line, lines.findIndex((l) => l.includes('- to: healthy')));
    assert.equal(map.get('state:nope'), undefined);
    assert.equal(map.elements.filter((e) => e.kind === 'state').length, 4);
  });

  test('calledTasks lists literal call paths (not templates); locateTaskFiles follows them once', () => {
    const model = parseTask(
      dedent(`
        version: 1
        name: p
        start: a
        states:
          a:
            do:
              - call: { task: ./child.task.yaml }
              - call: { task: "./{{ input.which }}.task.yaml" }
              - call: { task: ./call.task.yaml }
            next: b
          b: { final: true }
      `),
    ).model;
    const file = path.join(SAMPLES, 'parent.task.yaml');
    assert.deepEqual(calledTasks(model, file), [
      { file: path.join(SAMPLES, 'child.task.yaml'), state: 'a', index: 0 },
      { file: path.join(SAMPLES, 'call.task.yaml'), state: 'a', index: 2 },
    ]);
    const read: string[] = [];
    const files = locateTaskFiles(file, (f) => {
      read.push(f);
      return fs.readFileSync(f, 'utf8');
    }, model);
    assert.deepEqual([...files.keys()].map((f) => path.basename(f)), ['parent.task.yaml', 'child.task.yaml', 'call.task.yaml']);
    assert.equal(read.filter((f) => f.endsWith('child.task.yaml')).length, 1, 'call.task.yaml calls child again: read once');
  });

  test('a called file that cannot be read is left out', () => {
    const files = locateTaskFiles(path.join(SAMPLES, 'call.task.yaml'), (f) => {
      if (f.endsWith('child.task.yaml')) throw new Error('ENOENT');
      return fs.readFileSync(f, 'utf8');
    });
    assert.deepEqual([...files.keys()].map((f) => path.basename(f)), ['call.task.yaml']);
  });
});
