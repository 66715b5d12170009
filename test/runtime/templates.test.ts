// Templates and expressions at run time: `={{ }}` keeps the type, `{{ }}` makes text, `set` with
// dotted paths, and expression failures of kind `expression`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ofType, taskFrom, virtualEngine, runToEnd } from '../helpers/tasks';

describe('templates', () => {
  test('whole-value expressions keep their type; embedded ones become text', async () => {
    const { engine } = virtualEngine();
    const task = taskFrom(`
      version: 1
      name: tpl
      input:
        env: { type: string, default: staging }
      data:
        n: 2
        cfg: { a: 1, b: 2 }
      start: a
      states:
        a:
          do:
            - set:
                num: "={{ data.n + 1 }}"
                obj: "={{ {'a': data.n, 'b': [1, 2]} }}"
                bool: "={{ data.n > 1 }}"
                nothing: "={{ data.missing }}"
                text: "n is {{ data.n }} and {{ data.n * 2 }}"
                objText: "o={{ {'a': 1} }}"
                list: [ "={{ data.n }}", "x{{ data.n }}" ]
                spaced: "  ={{ data.n }}  "
                plain: "no template"
                where: "{{ input.env }}/{{ run.state }}"
                runId: "={{ run.id }}"
            - set:
                nested.deep.value: "={{ data.num * 10 }}"
                cfg.b: 3
          next: done
        done: { final: true }
    `);
    const { run, state } = await runToEnd(engine, task, { env: 'prod' });
    assert.equal(state.status, 'succeeded', JSON.stringify(state.error));
    const d = state.data;
    assert.equal(d.num, 3);
    assert.deepEqual(d.obj, { a: 2, b: [1, 2] });
    assert.equal(d.bool, true);
    assert.equal(d.text, 'n is 2 and 4');
    assert.equal(d.objText, 'o={"a":1}');
    assert.deepEqual(d.list, [2, 'x2']);
    assert.equal(d.spaced, 2);
    assert.equal(d.plain, 'no template');
    assert.equal(d.where, 'prod/a');
    assert.equal(d.runId, run.id);
    // Dotted paths create objects on the way and keep their siblings.
    assert.deepEqual(d.nested, { deep: { value: 30 } });
    assert.deepEqual(d.cfg, { a: 1, b: 3 });
  });
});

describe('expression errors', () => {
  const task = (ins: string, katch = '') =>
    taskFrom(`
      version: 1
      name: experr
      start: a
      states:
        a:
          do:
            - ${ins}
          on:
            - to: done
              when: "true"
          ${katch}
        done: { final: true }
        recovered: { final: true, status: cancelled }
        wrong: { final: true, status: failed }
    `);

  test('a failing `={{ }}` fails the instruction with kind expression; no catch: the run fails', async () => {
    const { engine } = virtualEngine();
    const { state, journal } = await runToEnd(engine, task(`set: { x: "={{ $error('boom') }}" }`));
    const [f] = ofType(journal, 'instruction-failed');
    assert.equal(f.error.kind, 'expression');
    assert.match(f.error.message, /boom/);
    assert.equal(state.status, 'failed');
    assert.equal(state.reason, 'error');
    assert.equal(state.error?.kind, 'expression');
    assert.equal(state.data.x, undefined);
  });

  test('`catch: error: expression` takes it', async () => {
    const { engine } = virtualEngine();
    const { state, journal } = await runToEnd(
      engine,
      task(`log: "value {{ $number('abc') + $error('bad') }}"`, 'catch: [ { to: wrong, error: http }, { to: recovered, error: expression } ]'),
    );
    const [t] = ofType(journal, 'transition-taken');
    assert.deepEqual([t.to, t.cause, t.index, t.error?.kind], ['recovered', 'catch', 1, 'expression']);
    assert.equal(state.state, 'recovered');
  });

  test('a `when` that fails to evaluate is a failure of kind expression too', async () => {
    const { engine } = virtualEngine();
    const t = taskFrom(`
      version: 1
      name: whenerr
      start: a
      states:
        a:
          on:
            - to: done
              when: "$error('nope')"
            - to: done
          catch: [ { to: recovered, error: expression } ]
        done: { final: true }
        recovered: { final: true, status: cancelled }
    `);
    const { state, journal } = await runToEnd(engine, t);
    const [tr] = ofType(journal, 'transition-taken');
    assert.deepEqual([tr.to, tr.cause, tr.error?.kind], ['recovered', 'catch', 'expression']);
    assert.equal(state.status, 'cancelled');
  });

  test('an `until` that fails to evaluate is a failure of kind expression', async () => {
    const { engine } = virtualEngine();
    const t = taskFrom(`
      version: 1
      name: untilerr
      start: a
      states:
        a:
          on:
            - to: done
              poll: { every: 10s, do: { set: { x: 1 } }, until: "$error('nope')" }
          catch: [ { to: recovered, error: expression } ]
        done: { final: true }
        recovered: { final: true, status: cancelled }
    `);
    const { state } = await runToEnd(engine, t);
    assert.equal(state.state, 'recovered');
    assert.equal(state.status, 'cancelled');
  });
});
