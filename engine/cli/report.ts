// How a run's journal reads on a terminal: one line per step, colours only on a TTY.
import { formatDuration } from '../expr/duration';
import type { BranchTag, JournalEvent } from '../journal/events';
import type { RunState } from '../journal/replay';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

export function style(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), cyan: wrap(36, 39) };
}

export function useColour(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

const MAX_VALUE = 120;

export function brief(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return '';
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

/** The line printed for a journal event, or undefined for events not worth a line. */
export function describeEvent(e: JournalEvent, st: Style, startedAt: number): string | undefined {
  const t = st.dim(`+${formatDuration(Math.max(0, e.at - startedAt)).padEnd(7)}`);
  switch (e.type) {
    case 'run-started':
      return `${t} ${st.bold('▶')} run ${st.bold(e.runId)} of ${st.bold(e.task)}${e.parentRunId ? ` (called by ${e.parentRunId})` : ''}`;
    case 'state-entered':
      return `${t} ${st.cyan('●')} ${st.bold(e.state)}`;
    case 'instruction-started':
      return undefined;
    case 'instruction-finished': {
      // A log's message already has its own line.
      if (e.kind === 'log') return undefined;
      const result = e.result === null ? '' : ` → ${brief(e.result)}`;
      return `${t}   ${st.green('✓')} ${e.kind}${e.as ? ` as ${e.as}` : ''}${result}${e.mocked ? st.dim(' (mocked)') : ''}`;
    }
    case 'instruction-failed': {
      const retry = e.retryInMs !== undefined ? st.yellow(` (attempt ${e.attempt}, retry in ${formatDuration(e.retryInMs)})`) : '';
      return `${t}   ${st.red('✗')} ${e.kind} failed [${e.error.kind}]: ${e.error.message}${retry}${e.mocked ? st.dim(' (mocked)') : ''}`;
    }
    case 'branch-finished': {
      const result = e.result === null ? '' : ` → ${brief(e.result)}`;
      return `${t}   ${st.green('✓')} ${branchLabel(e)} ${e.kind}${result}${e.mocked ? st.dim(' (mocked)') : ''}`;
    }
    case 'branch-failed': {
      const retry = e.retryInMs !== undefined ? st.yellow(` (attempt ${e.attempt}, retry in ${formatDuration(e.retryInMs)})`) : '';
      return `${t}   ${st.red('✗')} ${branchLabel(e)} ${e.kind} failed [${e.error.kind}]: ${e.error.message}${retry}${e.mocked ? st.dim(' (mocked)') : ''}`;
    }
    case 'branch-cancelled':
      return `${t}   ${st.yellow('■')} ${branchLabel(e)} cancelled`;
    case 'log':
      return `${t}   ${st.dim('log')} ${e.branch !== undefined || e.item !== undefined ? `${branchLabel(e)} ` : ''}${e.message}`;
    case 'emitted':
      return `${t}   ${st.dim('emit')} ${e.event} ${brief(e.data)}`;
    case 'poll-result':
      return `${t}   ${st.dim('poll')} #${e.attempt} ${e.error ? st.red(e.error.message) : brief(e.result)}${e.done ? st.green(' done') : ''}`;
    case 'event-received':
      return `${t}   ${st.yellow('⚑')} event ${st.bold(e.name)} ${brief(e.data)}`;
    case 'message-received':
      return `${t}   ${st.yellow('✉')} message ${st.bold(e.subject)} ${brief(e.data)}`;
    case 'transition-taken':
      return `${t}   ${st.dim('→')} ${e.to} ${st.dim(`(${e.cause}${e.error ? `: ${e.error.kind}` : ''})`)}`;
    case 'run-paused':
      return `${t} ${st.yellow('⏸')} paused`;
    case 'run-resumed':
      return `${t} ${st.yellow('⏵')} resumed`;
    case 'run-recovered':
      return `${t} ${st.yellow('↻')} resumed from the journal`;
    case 'run-ended': {
      const mark = e.status === 'succeeded' ? st.green('✔ succeeded') : e.status === 'failed' ? st.red('✘ failed') : st.yellow('■ cancelled');
      const why = e.error ? `: ${e.error.message}` : e.reason && e.reason !== e.status ? ` (${e.reason})` : '';
      return `${t} ${st.bold(mark)}${why}`;
    }
  }
}

/** `[web]` for a branch of a parallel, `[#3]` for an item of a map. */
function branchLabel(tag: BranchTag): string {
  return tag.branch !== undefined ? `[${tag.branch}]` : `[#${tag.item}]`;
}

export type DisplayStatus = RunState['status'] | 'interrupted' | 'paused';

/** A run's status as a person means it: a journal with no end whose process is gone was interrupted. */
export function displayStatus(s: RunState): DisplayStatus {
  if (s.phase === 'ended') return s.status;
  if (s.pid !== undefined && !processAlive(s.pid)) return 'interrupted';
  return s.paused ? 'paused' : 'running';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
