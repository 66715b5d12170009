// A run on the graph, in words: the banner that says which run is shown (and how it ended), and
// the inspector's section of the selected state (visits, timing, the data it found, its results).
import type { DebugView, StateRunInfo } from '../protocol';
import { formatDuration } from '../../engine/expr/duration';
import { Section } from './InspectorFields';

function json(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? 'undefined';
}

/** One line for a node's hover: visits and timing of the shown run. */
export function visitSummary(info: StateRunInfo | undefined, count: number): string {
  const times = `Entered ${count} time${count === 1 ? '' : 's'}`;
  if (!info) return times;
  const last = info.durationMs === undefined ? 'in it now' : `last visit ${formatDuration(info.durationMs)}`;
  const failures = info.results.filter((r) => r.error).map((r) => `\n${r.kind} #${r.index + 1} failed: ${r.error}`).join('');
  return `${times} · ${last} · ${formatDuration(info.totalMs)} in all${failures}`;
}

export function RunBanner({ debug }: { debug: DebugView }) {
  const run = debug.run;
  if (!run) return null;
  const how = debug.status ?? (debug.paused ? 'paused' : 'running');
  return (
    <div className={`sw-run-banner sw-run-${how}`} role="status" data-run={run.id}>
      <span className="sw-run-title">
        Run {run.id}
        {run.where === 'server' ? ' (server)' : ''}
      </span>
      {run.olderVersion ? (
        <span className="sw-run-older" title={run.olderVersion}>
          older version
        </span>
      ) : null}
      <span className="sw-run-status">{debug.status ? how : debug.current ? `running, in ${debug.current}` : how}</span>
    </div>
  );
}

export function StateRunSection({ debug, state }: { debug: DebugView; state: string }) {
  const info = debug.states?.[state];
  if (!debug.run) return null;
  if (!info)
    return (
      <Section title="This run">
        <div className="sw-hint">The run did not enter this state.</div>
      </Section>
    );
  return (
    <Section title="This run" count={info.visits}>
      <dl className="sw-run-facts">
        <dt>Entered</dt>
        <dd>{`${info.visits} time${info.visits === 1 ? '' : 's'}, last at ${new Date(info.enteredAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`}</dd>
        <dt>Took</dt>
        <dd>{info.durationMs === undefined ? `in it now (${formatDuration(info.totalMs)} so far)` : `${formatDuration(info.durationMs)} (last visit), ${formatDuration(info.totalMs)} in all`}</dd>
      </dl>
      <div className="sw-run-label">Data on entry</div>
      <pre className="sw-run-json" aria-label={`Data ${state} found`}>{json(info.input)}</pre>
      {info.results.map((r) => (
        <div key={r.index} className={`sw-run-result${r.error ? ' sw-run-error' : ''}`}>
          <div className="sw-run-label">{`${r.kind} #${r.index + 1} ${r.error ? 'failed' : 'result'}`}</div>
          <pre className="sw-run-json">{r.error ?? json(r.result)}</pre>
        </div>
      ))}
    </Section>
  );
}
