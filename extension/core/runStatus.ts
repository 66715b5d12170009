// The status bar's words for a run (pure, no `vscode`). Time is the real time the run took; a run
// on the virtual clock names its virtual time as such, so hours of waiting that took milliseconds
// never read as hours.
import { readableDuration } from '../../engine/expr/duration';

export interface EndedRun {
  task: string;
  runId: string;
  status: 'succeeded' | 'failed' | 'cancelled' | 'running';
  clock: 'real' | 'virtual';
  /** Real time from start to end. */
  wallMs: number;
  /** Time on the run's own clock (the journal's). */
  clockMs: number;
  /** The error or reason, for the tooltip. */
  why?: string;
}

const ENDED_ICONS: Record<EndedRun['status'], string> = { succeeded: '$(check)', failed: '$(error)', cancelled: '$(circle-slash)', running: '$(sync~spin)' };

/** `summary`: the words without the icon, for a notification. */
export function endedStatus(r: EndedRun): { text: string; summary: string; tooltip: string } {
  const virtual = r.clock === 'virtual' ? ` (${readableDuration(r.clockMs)} of virtual time)` : '';
  const summary = `${r.task} ${r.status} in ${readableDuration(r.wallMs)}${virtual}`;
  const tooltip = `Stepwise run ${r.runId} of ${r.task} ${r.status}${r.why ? `: ${r.why}` : ''}. Click to show the output.`;
  return { text: `${ENDED_ICONS[r.status]} ${summary}`, summary, tooltip };
}

export interface LiveRun {
  task: string;
  state: string | undefined;
  paused: boolean;
  clock: 'real' | 'virtual';
  /** Real time since the run started here. */
  wallMs: number;
  /** Other runs going on at the same time. */
  others: number;
}

export function runningStatus(r: LiveRun): string {
  const icon = r.paused ? '$(debug-pause)' : '$(sync~spin)';
  const clock = r.clock === 'virtual' ? ' (virtual clock)' : '';
  return `${icon} ${r.task}: ${r.state ?? 'starting'} ${readableDuration(r.wallMs)}${clock}${r.others ? ` (+${r.others})` : ''}`;
}
