// Checks what a case's run did against its `expect`. Each failure says what was expected and what
// happened: the path as a diff, a predicate with the values it saw.
import { diffArrays } from 'diff';
import { formatDuration } from '../expr/duration';
import type { JournalEvent, RunError } from '../journal/events';
import type { ExpectKey, Expectation } from './model';
import type { CaseRun } from './run-case';
import { predicateFailure, type PredicateScope } from './predicate';

export interface Failure {
  /** The `expect` key that failed; absent when the run itself was stopped (unmocked, stuck…). */
  key?: ExpectKey;
  message: string;
  /** Expected and actual values as text, for editors that show a diff. */
  expected?: string;
  actual?: string;
}

/** What the run did, as the expectations read it. */
export interface Observed {
  status: string;
  /** The states entered, in order. */
  path: string[];
  error?: RunError;
  reason?: string;
  elapsedMs: number;
  scope: PredicateScope;
}

export function observe(run: CaseRun): Observed {
  const f = run.final;
  const path = run.journal.flatMap((e) => (e.type === 'state-entered' ? [e.state] : []));
  return {
    status: f.status,
    path,
    error: f.error ?? lastCaught(run.journal),
    reason: f.reason,
    elapsedMs: (f.endedAt ?? f.startedAt) - f.startedAt,
    scope: {
      data: f.data,
      input: f.input,
      run: { id: f.runId, status: f.status, state: f.state, reason: f.reason, error: f.error, startedAt: iso(f.startedAt), endedAt: f.endedAt === undefined ? undefined : iso(f.endedAt) },
    },
  };
}

export async function check(expect: Expectation, run: CaseRun): Promise<Failure[]> {
  // A run stopped early has no end to check the rest against.
  if (run.stop) return [{ key: run.stop.kind === 'limit' && expect.within ? 'within' : undefined, message: run.stop.message }];
  const seen = observe(run);
  const failures: Failure[] = [];
  if (expect.status && expect.status.value !== seen.status) {
    const last = seen.path[seen.path.length - 1];
    const where = last ? ` in state '${last}'` : '';
    const why = seen.error ? ` (${seen.reason ?? 'error'}: ${seen.error.message})` : '';
    failures.push({ key: 'status', message: `status: expected ${expect.status.value}, the run ended ${seen.status}${where}${why}.`, expected: expect.status.value, actual: seen.status });
  }
  if (expect.path) {
    const want = expect.path.states.map((s) => s.value);
    if (want.join('\n') !== seen.path.join('\n')) {
      failures.push({ key: 'path', message: `path: the states entered differ (- expected, + actual):\n${pathDiff(want, seen.path)}`, expected: want.join('\n'), actual: seen.path.join('\n') });
    }
  }
  if (expect.visits) {
    const want = expect.visits.states.map((s) => s.value);
    const missing = firstUnvisited(want, seen.path);
    if (missing !== undefined) {
      const after = missing > 0 ? ` after '${want[missing - 1]}'` : '';
      failures.push({
        key: 'visits',
        message: `visits: expected '${want[missing]}' to be entered${after} (in the order ${want.join(' → ')}); the path was ${seen.path.join(' → ') || '(no state)'}.`,
        expected: want.join('\n'),
        actual: seen.path.join('\n'),
      });
    }
  }
  if (expect.never) {
    const entered = expect.never.states.map((s) => s.value).filter((s) => seen.path.includes(s));
    if (entered.length) {
      failures.push({ key: 'never', message: `never: ${entered.map((s) => `'${s}'`).join(', ')} ${entered.length === 1 ? 'was' : 'were'} entered; the path was ${seen.path.join(' → ')}.` });
    }
  }
  for (const p of expect.data ?? []) {
    const failure = await predicateFailure(p.value, seen.scope);
    if (failure) failures.push({ key: 'data', message: `data: ${failure}`, expected: p.value, actual: JSON.stringify(seen.scope.data, null, 2) });
  }
  if (expect.error && expect.error.value !== seen.error?.kind) {
    const got = seen.error ? `with a '${seen.error.kind}' error (${seen.error.message})` : 'without an error';
    failures.push({ key: 'error', message: `error: expected a '${expect.error.value}' error, the run ended ${seen.status} ${got}.`, expected: expect.error.value, actual: seen.error?.kind ?? '' });
  }
  const within = expect.within;
  if (within?.ms !== undefined && seen.elapsedMs > within.ms) {
    failures.push({ key: 'within', message: `within: expected the run to end within ${within.value} of virtual time; it took ${formatDuration(seen.elapsedMs)}.` });
  }
  return failures;
}

/** The path diff, one state a line: `  ` both, `- ` expected only, `+ ` actual only. */
export function pathDiff(expected: string[], actual: string[]): string {
  const lines: string[] = [];
  for (const part of diffArrays(expected, actual)) {
    const mark = part.added ? '+ ' : part.removed ? '- ' : '  ';
    for (const state of part.value) lines.push(`  ${mark}${state}`);
  }
  return lines.join('\n');
}

/** Index in `want` of the first state not entered in that order, or undefined when all were. */
function firstUnvisited(want: string[], path: string[]): number | undefined {
  let at = 0;
  for (let i = 0; i < want.length; i++) {
    const found = path.indexOf(want[i], at);
    if (found < 0) return i;
    at = found + 1;
  }
  return undefined;
}

/**
 * The last error a `catch` routed: a run that goes `catch → rollback → failed` ends in a final state
 * with no error of its own, but it ended because of that one.
 */
function lastCaught(journal: JournalEvent[]): RunError | undefined {
  for (let i = journal.length - 1; i >= 0; i--) {
    const e = journal[i];
    if (e.type === 'transition-taken' && e.cause === 'catch') return e.error;
  }
  return undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
