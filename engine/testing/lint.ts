// Checks a parsed test file against the task it tests: state names in `path`/`visits`/`never`,
// `data` predicates that do not compile, mocks that name no state, instruction or poll (or a message
// no consume transition takes), inputs the task does not take, and `within` durations. Pure: the
// loader reads the files.
import { lintText } from '../lint/index';
import { compileError } from '../lint/expressions';
import type { Diagnostic, Range, StateModel, TaskModel } from '../model/types';
import { transitionKind } from '../model/types';
import { InputError, resolveInput } from '../runtime/load';
import { subjectMatches } from '../runtime/subjects';
import { nearest } from '../schema/suggest';
import type { MockEntry, StateList, TestFileModel } from './model';

/** The default mocks file's entries; their ranges are in that file, so findings go on `at`. */
export interface ForeignMocks {
  file: string;
  entries: MockEntry[];
  at: Range;
}

/** `callees`: the tasks the task calls, whose runs the mocks answer too. */
export function lintTestModel(model: TestFileModel, task: TaskModel | undefined, defaultMocks?: ForeignMocks, callees: readonly TaskModel[] = []): Diagnostic[] {
  const out: Diagnostic[] = [];
  const error = (code: string, message: string, range: Range) => out.push({ code, severity: 'error', message, range });
  for (const c of model.cases) {
    for (const p of c.expect.data ?? []) {
      const problem = compileError(p.value);
      if (problem) error('invalid-expression', `The 'data' predicate does not compile: ${problem}.`, p.range);
    }
    const w = c.expect.within;
    if (w && w.ms === undefined) error('invalid-duration', `'within' is not a duration: '${w.value}'. Write e.g. 500ms, 10s, 5m, 2h, 1d or 1h30m.`, w.range);
  }
  if (!task) return out;
  const states = new Map(task.states.map((s) => [s.name, s]));
  const checkList = (list: StateList | undefined, key: string) => {
    for (const s of list?.states ?? []) {
      if (states.has(s.value)) continue;
      const near = nearest(s.value, states.keys());
      error('unknown-state', `'${s.value}' in '${key}' is not a state of task '${task.name}'${near ? `: did you mean '${near}'?` : '.'}`, s.range);
    }
  };
  const checkMock = (m: MockEntry, report: (message: string) => void) => {
    if (m.consume !== undefined) return checkMessage(m.consume, [task, ...callees], report);
    if (m.state === undefined) return;
    const st = states.get(m.state) ?? callees.flatMap((c) => c.states).find((s) => s.name === m.state);
    if (!st) {
      const near = nearest(m.state, states.keys());
      return report(`the mock names state '${m.state}', which task '${task.name}' does not have${near ? `: did you mean '${near}'?` : '.'}`);
    }
    if (m.poll !== undefined) {
      const t = st.on[m.poll];
      if (!t || transitionKind(t) !== 'poll') return report(`the mock names poll ${m.poll} of state '${st.name}', but ${pollsOf(st)}.`);
    } else if (m.instruction !== undefined && !st.do.some((i) => i.index === m.instruction || (i.as !== undefined && i.as === m.instruction))) {
      report(`the mock names instruction ${JSON.stringify(m.instruction)} of state '${st.name}', which has ${instructionsOf(st)}.`);
    }
  };
  for (const c of model.cases) {
    checkList(c.expect.path, 'path');
    checkList(c.expect.visits, 'visits');
    checkList(c.expect.never, 'never');
    for (const m of c.mocks?.entries ?? []) checkMock(m, (message) => error('unknown-mock-target', capitalize(message), m.range));
    try {
      resolveInput(task, c.input);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      error('invalid-input', `The input of case '${c.name}' does not fit task '${task.name}': ${e.message.split('\n').join(' ')}`, c.inputRange ?? c.keyRange);
    }
  }
  for (const m of defaultMocks?.entries ?? []) {
    checkMock(m, (message) => error('unknown-mock-target', `${defaultMocks!.file}:${m.range.start.line + 1}: ${message}`, defaultMocks!.at));
  }
  return out;
}

/** The task's own lint errors, as one diagnostic at the test file's `task:` value. */
export function taskErrors(taskFile: string, taskText: string, at: Range): { model: TaskModel; diagnostics: Diagnostic[] } {
  const { model, diagnostics } = lintText(taskText);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!errors.length) return { model, diagnostics: [] };
  const list = errors.slice(0, 5).map((d) => `${taskFile}:${d.range.start.line + 1}:${d.range.start.column + 1}: ${d.message} [${d.code}]`);
  if (errors.length > 5) list.push(`… and ${errors.length - 5} more`);
  return { model, diagnostics: [{ code: 'task-errors', severity: 'error', message: `The task file has ${errors.length} lint error${errors.length === 1 ? '' : 's'} and cannot run:\n${list.join('\n')}`, range: at }] };
}

/** A mocked message that no `consume` transition would take is a mistake (a typo in the subject). */
function checkMessage(subject: string, tasks: readonly TaskModel[], report: (message: string) => void): void {
  const patterns = tasks.flatMap((t) => t.states.flatMap((st) => st.on.map((tr) => tr.consume?.subject))).filter((p): p is string => p !== undefined);
  // A subject with a template is known at run time only: it may take any message.
  if (patterns.some((p) => p.includes('{{') || subjectMatches(p, subject))) return;
  const known = patterns.length ? `its consume transitions wait on ${patterns.map((p) => `'${p}'`).join(', ')}` : 'it has no consume transition';
  report(`the mock is a message on '${subject}', which no consume transition of task '${tasks[0].name}' takes: ${known}.`);
}

function pollsOf(st: StateModel): string {
  const polls = st.on.filter((t) => transitionKind(t) === 'poll').map((t) => t.index);
  return polls.length ? `its polls are at ${polls.join(', ')} of 'on'` : 'it has no poll';
}

function instructionsOf(st: StateModel): string {
  if (!st.do.length) return 'no instructions';
  return st.do.map((i) => (i.as ? `${i.index} (as: ${i.as})` : String(i.index))).join(', ');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
