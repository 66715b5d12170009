import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits, applyOperation, copyStates, editTask, suggestStateName, taskNameFor } from '../../engine/edit/index';
import { lintText } from '../../engine/lint/index';
import { parseTask, parseTaskDocument } from '../../engine/model/parse';
import { COMMENTED, CRLF, expectEdit, expectError } from './fixtures';

const C = COMMENTED;

describe('addState', () => {
  it('inserts after a state, separated by a blank line like its neighbours', () => {
    const r = expectEdit(C, { type: 'addState', name: 'review', after: 'collect', description: 'Wait for a person' }, [
      ['      - { to: failed, error: http }\n\n  compare:', '      - { to: failed, error: http }\n\n  review:\n    description: Wait for a person\n\n  compare:'],
    ]);
    assert.equal(r.state, 'review');
  });
  it('appends at the end of the states, before the trailing comment, and makes a free name', () => {
    const r = expectEdit(C, { type: 'addState' }, [['  failed:    { final: true, status: failed }\n# trailing', '  failed:    { final: true, status: failed }\n\n  state1: {}\n# trailing']]);
    assert.equal(r.state, 'state1');
  });
  it('writes final states in block style with their status', () => {
    expectEdit(C, { type: 'addState', name: 'cancelled', after: 'done', final: true, status: 'cancelled' }, [['  done: { final: true }\n', '  done: { final: true }\n\n  cancelled:\n    final: true\n    status: cancelled\n']]);
  });
  it('keeps CRLF and the file indentation, with no final line break added to the last line', () => {
    expectEdit(CRLF, { type: 'addState', name: 'd', after: 'a' }, [['next: b\r\n    b:', 'next: b\r\n    d: {}\r\n    b:']]);
    expectEdit(CRLF, { type: 'addState', name: 'd' }, [['    c: {final: true}', '    c: {final: true}\r\n    d: {}']]);
  });
  it('writes the skeleton of a task into an empty file, naming it', () => {
    const r = applyOperation('', { type: 'addState', name: 'first', taskName: 'hello' });
    assert.equal(r.text, 'version: 1\nname: hello\nstart: first\nstates:\n  first: {}\n');
    assert.equal(applyOperation('# only a comment\n', { type: 'addState', name: 'x' }).text, '# only a comment\nversion: 1\nname: task\nstart: x\nstates:\n  x: {}\n');
  });
  it('writes the skeleton after a `---` marker and comments, and the result lints as a task', () => {
    const r = applyOperation('# my task\n---\n', { type: 'addState', name: 'state1', taskName: taskNameFor('release notes.task.yaml') });
    assert.equal(r.text, '# my task\n---\nversion: 1\nname: release-notes\nstart: state1\nstates:\n  state1: {}\n');
    const lint = lintText(r.text);
    assert.equal(lint.model.name, 'release-notes');
    assert.equal(lint.model.start, 'state1');
    assert.deepEqual(lint.model.states.map((s) => s.name), ['state1']);
    // The skeleton itself is sound; what the linter asks for is the rest of the machine.
    assert.deepEqual(lint.diagnostics.filter((d) => d.code === 'schema' || d.code === 'yaml-syntax' || d.code === 'missing-start'), []);
  });
  it('refuses text that holds YAML but no mapping, and CRLF empty files keep CRLF', () => {
    expectError('- a\n', { type: 'addState', name: 'x' }, /does not hold a task/);
    expectError('...\n', { type: 'addState', name: 'x' }, /does not hold a task/);
    assert.equal(applyOperation('# c\r\n', { type: 'addState', name: 'x', taskName: 'y' }).text, '# c\r\nversion: 1\r\nname: y\r\nstart: x\r\nstates:\r\n  x: {}\r\n');
  });
  it('falls back to the name `task` for a task name the format refuses', () => {
    assert.match(applyOperation('', { type: 'addState', name: 'x', taskName: '2 bad' }).text, /^name: task$/m);
  });
  it('makes the first state added the start when `start:` is there but empty', () => {
    assert.equal(applyOperation('version: 1\nname: t\nstart:\nstates:\n', { type: 'addState', name: 'a' }).text, 'version: 1\nname: t\nstart: a\nstates:\n  a: {}\n');
    assert.equal(applyOperation("version: 1\nname: t\nstart: ''\nstates: {}\n", { type: 'addState', name: 'a' }).text, "version: 1\nname: t\nstart: 'a'\nstates:\n  a: {}\n");
    // A start that names a state (even one not written yet) is the author's: left alone.
    assert.equal(applyOperation('version: 1\nname: t\nstart: go\nstates:\n', { type: 'addState', name: 'a' }).text, 'version: 1\nname: t\nstart: go\nstates:\n  a: {}\n');
  });
  it('adds `states` (and `start`) to a task that has none', () => {
    assert.equal(applyOperation('version: 1\nname: t  # n\n', { type: 'addState', name: 'a' }).text, 'version: 1\nname: t  # n\nstart: a\nstates:\n  a: {}\n');
    assert.equal(applyOperation('version: 1\nstart: a\nstates:\n', { type: 'addState', name: 'a' }).text, 'version: 1\nstart: a\nstates:\n  a: {}\n');
  });
  it('refuses a taken name', () => {
    expectError(C, { type: 'addState', name: 'compare' }, /already a state 'compare'/);
    expectError(C, { type: 'addState', name: 'x', after: 'nope' }, /no state 'nope'/);
  });
});

describe('taskNameFor', () => {
  it('makes a task name from a file name', () => {
    assert.equal(taskNameFor('x.task.yaml'), 'x');
    assert.equal(taskNameFor('/home/me/deploy prod.task.yml'), 'deploy-prod');
    assert.equal(taskNameFor('C:\\work\\My_Task.TASK.YAML'), 'My_Task');
    assert.equal(taskNameFor('2024-report.task.yaml'), 'task-2024-report');
    assert.equal(taskNameFor('--.task.yaml'), 'task');
    assert.equal(taskNameFor('a..b.task.yaml'), 'a-b');
  });
});

describe('deleteState', () => {
  it('removes the state with its own comment lines and one blank line, and reports the references left', () => {
    const start = C.indexOf('  # first state');
    const end = C.indexOf('  compare:');
    expectEdit(C, { type: 'deleteState', state: 'collect' }, [[C.slice(start, end), '']]);
  });
  it('reports references that remain (start, transitions, catch), never drops them', () => {
    const r = editTask(C, { type: 'deleteState', state: 'failed' });
    assert.deepEqual(r.references, [
      { kind: 'transition', state: 'collect', index: 1, shorthand: false },
      { kind: 'catch', state: 'collect', index: 0 },
    ]);
    const s = editTask(C, { type: 'deleteState', state: 'collect' });
    assert.deepEqual(s.references, [{ kind: 'start' }]);
    const d = editTask(C, { type: 'deleteState', state: 'done' });
    assert.deepEqual(d.references, [
      { kind: 'transition', state: 'compare', index: 1, shorthand: false },
      { kind: 'transition', state: 'deploy', index: 0, shorthand: true },
      { kind: 'transition', state: 'live', index: 0, shorthand: true },
    ]);
  });
  it('removes a flow-style state and its trailing comment', () => {
    expectEdit(C, { type: 'deleteState', state: 'deploy' }, [['  deploy: { next: done }   # flow style\n', '']]);
  });
  it('removes the last state of a file without a final line break (CRLF)', () => {
    expectEdit(CRLF, { type: 'deleteState', state: 'c' }, [['\r\n    c: {final: true}', '\r\n']]);
  });
  it('leaves `states: {}` when the only state goes', () => {
    assert.equal(applyOperation('states:\n  a:\n    next: b   # x\n', { type: 'deleteState', state: 'a' }).text, 'states: {}\n');
  });
});

describe('renameState', () => {
  it('renames the key and every reference, keeping each one quoting style', () => {
    const r = expectEdit(C, { type: 'renameState', state: 'deploy', newName: 'roll-out' }, [
      ['      - to: "deploy"', '      - to: "roll-out"'],
      ['  deploy: { next: done }', '  roll-out: { next: done }'],
    ]);
    assert.equal(r.state, 'roll-out');
  });
  it('follows start, next and catch references', () => {
    expectEdit(C, { type: 'renameState', state: 'collect', newName: 'gather' }, [
      ['start: collect   # the entry', 'start: gather   # the entry'],
      ['  collect:\n', '  gather:\n'],
    ]);
    expectEdit(C, { type: 'renameState', state: 'failed', newName: 'broken' }, [
      ['      - to: failed   # else', '      - to: broken   # else'],
      ['      - { to: failed, error: http }', '      - { to: broken, error: http }'],
      ['  failed:    { final', '  broken:    { final'],
    ]);
    expectEdit(C, { type: 'renameState', state: 'done', newName: 'ok' }, [
      ['      - to: done\n', '      - to: ok\n'],
      ['  deploy: { next: done }', '  deploy: { next: ok }'],
      ["  'live':\n    next: done", "  'live':\n    next: ok"],
      ['  done: { final: true }', '  ok: { final: true }'],
    ]);
  });
  it('keeps single quotes, and quotes a name that needs it', () => {
    expectEdit(C, { type: 'renameState', state: 'live', newName: "it's live" }, [["  'live':", "  'it''s live':"]]);
    expectEdit(C, { type: 'renameState', state: 'done', newName: 'all: done' }, [
      ['      - to: done\n', '      - to: "all: done"\n'],
      ['  deploy: { next: done }', '  deploy: { next: "all: done" }'],
      ["    next: done\n  done:", '    next: "all: done"\n  done:'],
      ['  done: { final: true }', '  "all: done": { final: true }'],
    ]);
  });
  it('refuses a taken or empty name', () => {
    expectError(C, { type: 'renameState', state: 'done', newName: 'failed' }, /already a state 'failed'/);
    expectError(C, { type: 'renameState', state: 'done', newName: ' ' }, /needs a name/);
    expectError(C, { type: 'renameState', state: 'nope', newName: 'x' }, /no state 'nope'/);
  });
});

describe('duplicateState and pasteStates', () => {
  it('copies a state with its inner comments under a free name, right after it', () => {
    expectEdit(C, { type: 'duplicateState', state: 'compare' }, [
      ['      - to: done\n  deploy:', '      - to: done\n\n  compare-copy:\n    on:\n      - to: "deploy"\n        when: data.x != input.v\n      - to: done\n  deploy:'],
    ]);
  });
  it('copies a flow-style state as written (CRLF)', () => {
    expectEdit(CRLF, { type: 'duplicateState', state: 'c', newName: 'c2' }, [['    c: {final: true}', '    c: {final: true}\r\n    c2: {final: true}']]);
  });
  it('copy puts the states with their comment lines at column 0 on the clipboard', () => {
    assert.equal(copyStates(C, ['collect']), `# first state: collects
collect:
  description: Ask for the "actual" state   # trailing
  do:
    - http: { method: POST, url: "https://x/{{ input.env }}" }
      as: collect
      retry: { attempts: 3, delay: 1s }

    - log: 'collect accepted'   # a log
  timeout: 2m
  on:
    # the happy path
    - to: compare
      when: "data.collect.status = 200"
    - to: failed   # else
      after: 5m
  catch:
    - { to: failed, error: http }
`);
    assert.equal(copyStates(CRLF, ['a']), '# a comment inside a\na:\n    do:\n    - log: one\n    - log: "two"\n    next: b\n'.replace('# a comment inside a\na:', 'a:\n    # a comment inside a'));
  });
  it('pastes states at the file indentation and line endings, renaming those that clash (and their links)', () => {
    const snippet = 'a:\n  # pasted\n  next: e\ne: { next: a }\n';
    const r = expectEdit(CRLF, { type: 'pasteStates', yaml: snippet, after: 'b' }, [['            when: x\r\n        -   to: a\r\n', '            when: x\r\n        -   to: a\r\n    a-copy:\r\n      # pasted\r\n      next: e\r\n    e: { next: a-copy }\r\n']]);
    assert.deepEqual(r.states, ['a-copy', 'e']);
    assert.equal(r.state, 'a-copy');
  });
  it('refuses a clipboard that does not hold states', () => {
    expectError(C, { type: 'pasteStates', yaml: '- a\n- b\n' }, /does not hold states/);
    expectError(C, { type: 'pasteStates', yaml: 'a: [' }, /does not hold states/);
  });
});

describe('setStart, setFinal, setDescription, setTimeout', () => {
  it('setStart replaces the value and keeps the comment', () => {
    expectEdit(C, { type: 'setStart', state: 'compare' }, [['start: collect   # the entry', 'start: compare   # the entry']]);
  });
  it('setFinal adds to a flow state, toggles off, writes a status', () => {
    expectEdit(C, { type: 'setFinal', state: 'deploy', final: true, status: 'failed' }, [['  deploy: { next: done }', '  deploy: { next: done, final: true, status: failed }']]);
    expectEdit(C, { type: 'setFinal', state: 'failed', final: false }, [['  failed:    { final: true, status: failed }', '  failed:    {}']]);
    expectEdit(C, { type: 'setFinal', state: 'failed', final: true, status: 'cancelled' }, [['status: failed }', 'status: cancelled }']]);
    expectEdit(C, { type: 'setFinal', state: 'live', final: true }, [["    next: done\n  done:", "    next: done\n    final: true\n  done:"]]);
    expectEdit(C, { type: 'setFinal', state: 'done', final: true, status: 'succeeded' }, []);
  });
  it('setDescription replaces, adds (first in the state) and removes, keeping comments', () => {
    expectEdit(C, { type: 'setDescription', state: 'collect', description: 'Ask again' }, [['    description: Ask for the "actual" state   # trailing', '    description: Ask again   # trailing']]);
    expectEdit(C, { type: 'setDescription', state: 'compare', description: 'Compare: versions' }, [['  compare:\n    on:', '  compare:\n    description: "Compare: versions"\n    on:']]);
    expectEdit(C, { type: 'setDescription', state: 'collect' }, [['    description: Ask for the "actual" state   # trailing\n', '']]);
    expectEdit(C, { type: 'setDescription', state: 'done', description: 'All good' }, [['  done: { final: true }', '  done: { description: All good, final: true }']]);
    expectEdit(CRLF, { type: 'setDescription', state: 'a', description: 'First' }, [['    a:\r\n', '    a:\r\n        description: First\r\n']]);
  });
  it('setTimeout goes after do, before on', () => {
    expectEdit(C, { type: 'setTimeout', state: 'collect', timeout: '10m' }, [['    timeout: 2m', '    timeout: 10m']]);
    expectEdit(C, { type: 'setTimeout', state: 'compare', timeout: '1h' }, [['  compare:\n    on:', '  compare:\n    timeout: 1h\n    on:']]);
    expectEdit(CRLF, { type: 'setTimeout', state: 'a', timeout: '5m' }, [['        - log: "two"\r\n', '        - log: "two"\r\n        timeout: 5m\r\n']]);
    expectEdit(C, { type: 'setTimeout', state: 'collect' }, [['    timeout: 2m\n', '']]);
  });
});

describe('transitions', () => {
  it('addTransition puts a condition before a trailing else branch', () => {
    expectEdit(C, { type: 'addTransition', state: 'compare', to: 'live', condition: { event: 'approved' } }, [
      ['        when: data.x != input.v\n      - to: done', '        when: data.x != input.v\n      - to: live\n        event: approved\n      - to: done'],
    ]);
  });
  it('addTransition appends an else branch, or a timer after a timer', () => {
    expectEdit(C, { type: 'addTransition', state: 'collect', to: 'live', condition: { after: '1h' } }, [['        after: 5m\n', '        after: 5m\n      - to: live\n        after: 1h\n']]);
  });
  it('a first unconditional transition is `next:`; a second turns `next:` into `on:` (block and flow)', () => {
    expectEdit(C, { type: 'addTransition', state: 'done', to: 'live' }, [['  done: { final: true }', '  done: { next: live, final: true }']]);
    expectEdit(C, { type: 'addTransition', state: 'live', to: 'failed', condition: { after: '5m' } }, [["  'live':\n    next: done", "  'live':\n    on:\n      - to: failed\n        after: 5m\n      - to: done"]]);
    expectEdit(C, { type: 'addTransition', state: 'deploy', to: 'failed' }, [['  deploy: { next: done }', '  deploy:\n    on:\n      - to: done\n      - to: failed']]);
    expectEdit(CRLF, { type: 'addTransition', state: 'a', to: 'c', condition: { when: 'data.ok' } }, [['        next: b\r\n', '        on:\r\n        - to: c\r\n          when: data.ok\r\n        - to: b\r\n']]);
  });
  it('addTransition to a catch list (flow items stay flow)', () => {
    expectEdit(C, { type: 'addTransition', state: 'collect', to: 'live', list: 'catch', error: 'timeout' }, [['      - { to: failed, error: http }\n', '      - { to: failed, error: http }\n      - to: live\n        error: timeout\n']]);
    expectEdit(C, { type: 'addTransition', state: 'compare', to: 'failed', list: 'catch' }, [['      - to: done\n  deploy', '      - to: done\n    catch:\n      - to: failed\n  deploy']]);
  });
  it('deleteTransition removes an item with its comment lines, a whole list, or `next:`', () => {
    expectEdit(C, { type: 'deleteTransition', state: 'collect', index: 0 }, [['      # the happy path\n      - to: compare\n        when: "data.collect.status = 200"\n', '']]);
    expectEdit(C, { type: 'deleteTransition', state: 'collect', index: 0, list: 'catch' }, [['    catch:\n      - { to: failed, error: http }\n', '']]);
    expectEdit(C, { type: 'deleteTransition', state: 'live', index: 0 }, [["  'live':\n    next: done\n", "  'live': {}\n"]]);
    expectEdit(C, { type: 'deleteTransition', state: 'deploy', index: 0 }, [['  deploy: { next: done }', '  deploy: {}']]);
    expectEdit(CRLF, { type: 'deleteTransition', state: 'b', index: 1 }, [['            when: x\r\n        -   to: a\r\n', '            when: x\r\n']]);
  });
  it('retargetTransition keeps quoting and comments', () => {
    expectEdit(C, { type: 'retargetTransition', state: 'compare', index: 0, to: 'live' }, [['      - to: "deploy"', '      - to: "live"']]);
    expectEdit(C, { type: 'retargetTransition', state: 'collect', index: 1, to: 'done' }, [['      - to: failed   # else', '      - to: done   # else']]);
    expectEdit(C, { type: 'retargetTransition', state: 'deploy', index: 0, to: 'failed' }, [['{ next: done }', '{ next: failed }']]);
    expectEdit(C, { type: 'retargetTransition', state: 'collect', index: 0, list: 'catch', to: 'done' }, [['{ to: failed, error: http }', '{ to: done, error: http }']]);
  });
  it('reorderTransition moves an item with its comment lines', () => {
    expectEdit(C, { type: 'reorderTransition', state: 'collect', index: 0, toIndex: 1 }, [
      ['      # the happy path\n      - to: compare\n        when: "data.collect.status = 200"\n      - to: failed   # else\n        after: 5m\n', '      - to: failed   # else\n        after: 5m\n      # the happy path\n      - to: compare\n        when: "data.collect.status = 200"\n'],
    ]);
    expectEdit(CRLF, { type: 'reorderTransition', state: 'b', index: 1, toIndex: 0 }, [['        -   to: c\r\n            when: x\r\n        -   to: a\r\n', '        -   to: a\r\n        -   to: c\r\n            when: x\r\n']]);
  });
  it('setTransitionCondition swaps the condition keys, keeps `to` and comments', () => {
    expectEdit(C, { type: 'setTransitionCondition', state: 'collect', index: 0, condition: { after: '10m' } }, [['        when: "data.collect.status = 200"\n', '        after: 10m\n']]);
    expectEdit(C, { type: 'setTransitionCondition', state: 'collect', index: 1, condition: {} }, [['      - to: failed   # else\n        after: 5m\n', '      - to: failed   # else\n']]);
    expectEdit(C, { type: 'setTransitionCondition', state: 'compare', index: 1, condition: { poll: { every: '10s', until: 'result.ok', do: { kind: 'http', args: { url: 'https://s' } } } } }, [
      ['      - to: done\n  deploy', '      - to: done\n        poll:\n          every: 10s\n          do:\n            http:\n              url: https://s\n          until: result.ok\n  deploy'],
    ]);
    expectEdit(C, { type: 'setTransitionCondition', state: 'live', index: 0, condition: { when: 'data.live' } }, [["    next: done\n  done:", "    on:\n      - to: done\n        when: data.live\n  done:"]]);
  });
  it('setTransitionCondition writes a consume transition, keeps its settings when set again, and removes them for another condition', () => {
    const consume = { consume: { connection: '{{ secrets.NATS_URL }}', subject: 'orders.created' } };
    const written = expectEdit(C, { type: 'setTransitionCondition', state: 'collect', index: 0, condition: consume }, [
      ['        when: "data.collect.status = 200"\n', '        consume:\n          connection: "{{ secrets.NATS_URL }}"\n          subject: orders.created\n'],
    ]).text;
    expectEdit(written, { type: 'setTransitionCondition', state: 'collect', index: 0, condition: { consume: { subject: 'orders.created' } } }, []);
    expectEdit(written, { type: 'setTransitionCondition', state: 'collect', index: 0, condition: { after: '1m' } }, [['        consume:\n          connection: "{{ secrets.NATS_URL }}"\n          subject: orders.created\n', '        after: 1m\n']]);
  });
  it('updateTransition sets one field (a poll field, a catch error)', () => {
    expectEdit(C, { type: 'updateTransition', state: 'compare', index: 0, path: ['when'], value: 'data.x = 1' }, [['        when: data.x != input.v', '        when: data.x = 1']]);
    expectEdit(C, { type: 'updateTransition', state: 'collect', index: 0, list: 'catch', path: ['error'], value: 'exec' }, [['error: http }', 'error: exec }']]);
    expectEdit(C, { type: 'updateTransition', state: 'collect', index: 0, list: 'catch', path: ['error'] }, [['{ to: failed, error: http }', '{ to: failed }']]);
  });
  it('refuses transitions that are not there', () => {
    expectError(C, { type: 'deleteTransition', state: 'compare', index: 5 }, /no transition at position 6/);
    expectError(C, { type: 'reorderTransition', state: 'compare', index: 0, toIndex: 4 }, /outside the list/);
  });
});

describe('instructions', () => {
  it('addInstruction appends to a list (blank lines and comments kept) or creates `do:` in its place', () => {
    expectEdit(C, { type: 'addInstruction', state: 'collect', instruction: { kind: 'sleep', args: '5s' } }, [["      - log: 'collect accepted'   # a log\n", "      - log: 'collect accepted'   # a log\n      - sleep: 5s\n"]]);
    expectEdit(C, { type: 'addInstruction', state: 'compare', instruction: { kind: 'exec', args: { command: 'git', args: ['push', 'origin'] }, as: 'push' } }, [
      ['  compare:\n    on:', '  compare:\n    do:\n      - exec:\n          command: git\n          args:\n            - push\n            - origin\n        as: push\n    on:'],
    ]);
    expectEdit(CRLF, { type: 'addInstruction', state: 'a', instruction: { kind: 'log', args: 'three' }, index: 0 }, [['        do:\r\n        - log: one', '        do:\r\n        - log: three\r\n        - log: one']]);
  });
  it('addInstruction to a flow-style state writes it as a block', () => {
    expectEdit(C, { type: 'addInstruction', state: 'done', instruction: { kind: 'log', args: 'bye: now' } }, [['  done: { final: true }', '  done:\n    do:\n      - log: "bye: now"\n    final: true']]);
  });
  it('removeInstruction and moveInstruction keep the other items as written', () => {
    expectEdit(C, { type: 'removeInstruction', state: 'collect', index: 0 }, [['      - http: { method: POST, url: "https://x/{{ input.env }}" }\n        as: collect\n        retry: { attempts: 3, delay: 1s }\n', '']]);
    expectEdit(C, { type: 'moveInstruction', state: 'collect', index: 1, toIndex: 0 }, [
      [
        "    do:\n      - http: { method: POST, url: \"https://x/{{ input.env }}\" }\n        as: collect\n        retry: { attempts: 3, delay: 1s }\n\n      - log: 'collect accepted'   # a log\n",
        "    do:\n      - log: 'collect accepted'   # a log\n      - http: { method: POST, url: \"https://x/{{ input.env }}\" }\n        as: collect\n        retry: { attempts: 3, delay: 1s }\n\n",
      ],
    ]);
    expectEdit(CRLF, { type: 'removeInstruction', state: 'a', index: 1 }, [['        - log: "two"\r\n', '']]);
  });
  it('updateInstruction edits inside flow mappings, creates nested keys, removes options', () => {
    expectEdit(C, { type: 'updateInstruction', state: 'collect', index: 0, path: ['http', 'url'], value: 'https://y' }, [['url: "https://x/{{ input.env }}"', 'url: "https://y"']]);
    expectEdit(C, { type: 'updateInstruction', state: 'collect', index: 0, path: ['http', 'timeout'], value: '10s' }, [['url: "https://x/{{ input.env }}" }', 'url: "https://x/{{ input.env }}", timeout: 10s }']]);
    expectEdit(C, { type: 'updateInstruction', state: 'collect', index: 0, path: ['retry', 'attempts'], value: 5 }, [['attempts: 3,', 'attempts: 5,']]);
    expectEdit(C, { type: 'updateInstruction', state: 'collect', index: 0, path: ['as'] }, [['        as: collect\n', '']]);
    expectEdit(C, { type: 'updateInstruction', state: 'collect', index: 1, path: ['log'], value: "it's done" }, [["- log: 'collect accepted'", "- log: 'it''s done'"]]);
    expectEdit(C, { type: 'updateInstruction', state: 'collect', index: 1, path: ['timeout'], value: '3s' }, [["      - log: 'collect accepted'   # a log\n", "      - log: 'collect accepted'   # a log\n        timeout: 3s\n"]]);
    expectEdit(C, { type: 'updateInstruction', state: 'collect', index: 1, path: ['as'], value: 'msg' }, [["      - log: 'collect accepted'   # a log\n", "      - log: 'collect accepted'   # a log\n        as: msg\n"]]);
  });
  it('setInstructionKind swaps the kind key and its value in place', () => {
    expectEdit(C, { type: 'setInstructionKind', state: 'collect', index: 1, kind: 'sleep', args: '1m' }, [["- log: 'collect accepted'", "- sleep: '1m'"]]);
    expectEdit(C, { type: 'setInstructionKind', state: 'collect', index: 0, kind: 'exec', args: { command: 'curl' } }, [['- http: { method: POST, url: "https://x/{{ input.env }}" }', '- exec:\n          command: curl']]);
  });
});

describe('batch and the driver', () => {
  it('a batch is one edit (one undo step) and reports the last state', () => {
    const r = editTask(C, {
      type: 'batch',
      operations: [
        { type: 'addState', name: 'review', after: 'compare' },
        { type: 'addTransition', state: 'compare', to: 'review', condition: { event: 'review' } },
      ],
    });
    assert.equal(r.error, undefined);
    assert.equal(r.edits.length, 1);
    const m = parseTask(applyEdits(C, r.edits)).model;
    assert.deepEqual(
      m.states.map((s) => s.name),
      ['collect', 'compare', 'review', 'deploy', 'live', 'done', 'failed'],
    );
    assert.deepEqual(
      m.states[1].on.map((t) => [t.to, t.event]),
      [
        ['deploy', undefined],
        ['review', 'review'],
        ['done', undefined],
      ],
    );
  });
  it('a failing step fails the whole batch', () => {
    const r = editTask(C, { type: 'batch', operations: [{ type: 'addState', name: 'x' }, { type: 'renameState', state: 'nope', newName: 'y' }] });
    assert.deepEqual(r.edits, []);
    assert.match(r.error ?? '', /no state 'nope'/);
  });
  it('refuses to edit a file whose YAML is broken', () => {
    expectError('states:\n  a: [\n', { type: 'addState', name: 'b' }, /YAML has errors/);
  });
  it('accepts the Document already parsed by the model (no second parse)', () => {
    const parsed = parseTaskDocument(C);
    const a = editTask(C, { type: 'renameState', state: 'done', newName: 'ok' }, parsed.doc);
    const b = editTask(C, { type: 'renameState', state: 'done', newName: 'ok' });
    assert.deepEqual(a, b);
  });
  it('edits never overlap and are sorted', () => {
    const r = editTask(C, { type: 'renameState', state: 'failed', newName: 'x' });
    for (let i = 1; i < r.edits.length; i++) assert.ok(r.edits[i - 1].end < r.edits[i].start);
  });
  it('unknown operations are refused', () => {
    assert.match(editTask(C, { type: 'nope' } as never).error ?? '', /'nope' is not a known edit operation|operation.type' is not a known edit operation/);
  });
  it('suggests free state names', () => {
    assert.equal(suggestStateName(C), 'state1');
    assert.equal(suggestStateName(C, 'done'), 'done-2');
  });
});
