// A `parallel` or `map` drawn inside its state, below its row (which says `3 branches at once`, or
// `× items, 2 at once`): one lane per branch, a map's one lane its item instruction, each with its
// status when a run is on the graph (a map's lane with a dot per item). A lane that calls a task
// opens that task's graph.
import type { ReactElement } from 'react';
import type { FanoutView, LaneView } from '../../engine/graph/lanes';
import { instructionSummary } from '../../engine/graph/model';
import type { FanoutRun, LaneStatus } from '../protocol';
import { Icons, kindIcon } from './icons';

const STATUS_ICON: Record<LaneStatus, (() => ReactElement) | undefined> = {
  pending: undefined,
  running: () => Icons.sleep({ size: 12 }),
  succeeded: () => Icons.succeeded({ size: 12 }),
  failed: () => Icons.failed({ size: 12 }),
  cancelled: () => Icons.cancelled({ size: 12 }),
};

/** A map's lane: running while any item runs, failed when one failed, succeeded when all did. */
function overall(statuses: LaneStatus[]): LaneStatus {
  if (statuses.includes('running')) return 'running';
  if (statuses.includes('failed')) return 'failed';
  if (statuses.length && statuses.every((s) => s === 'succeeded')) return 'succeeded';
  return statuses.includes('cancelled') ? 'cancelled' : 'pending';
}

/** A map's items in the run, in order: their count once known, else the items journaled so far. */
function itemStatuses(run: FanoutRun): LaneStatus[] {
  const n = run.items ?? Object.keys(run.lanes).reduce((m, k) => Math.max(m, Number(k) + 1), 0);
  return Array.from({ length: n }, (_, i) => run.lanes[String(i)] ?? 'pending');
}

const MAX_DOTS = 24;

function Lane({ lane, state, status, openTask, children }: { lane: LaneView; state: string; status?: LaneStatus; openTask(task: string): void; children?: ReactElement | null }) {
  const summary = instructionSummary(lane.kind, lane.args);
  const what = lane.name ? `branch ${lane.name}` : 'each item';
  const icon = status && STATUS_ICON[status];
  const body = (
    <>
      {icon ? <span className={`sw-lane-status sw-st-${status}`}>{icon()}</span> : kindIcon(lane.kind, { size: 13 })}
      {lane.name ? <span className="sw-lane-name">{lane.name}</span> : null}
      <span className="sw-lane-summary">{summary}</span>
      {children}
    </>
  );
  const label = `${state}: ${what}, ${lane.kind} ${summary}${status ? `, ${status}` : ''}`;
  if (!lane.task) {
    return (
      <div className="sw-lane" role="listitem" data-lane={lane.name} data-status={status} aria-label={label} title={label}>
        {body}
      </div>
    );
  }
  const task = lane.task;
  return (
    <button
      type="button"
      className="sw-lane sw-lane-open nodrag"
      role="listitem"
      data-lane={lane.name}
      data-status={status}
      data-task={task}
      aria-label={`${label}. Open the graph of ${task}`}
      title={`${label}\nClick to open the graph of ${task}`}
      onClick={(e) => {
        e.stopPropagation();
        openTask(task);
      }}
      onDoubleClick={(e) => e.stopPropagation()}
    >
      {body}
    </button>
  );
}

/** `openTask`: opens the graph of the task a lane calls (a path relative to this file). */
export function FanoutLanes({ view, state, index, run, openTask }: { view: FanoutView; state: string; index: number; run?: FanoutRun; openTask(task: string): void }) {
  const items = view.kind === 'map' && run ? itemStatuses(run) : undefined;
  return (
    <li className="sw-fanout-row">
      <div className={`sw-fanout sw-fanout-${view.kind}`} data-fanout={view.kind} data-index={index} role="list" aria-label={`${view.kind === 'parallel' ? 'Branches' : 'Items'} of instruction ${index + 1} of ${state}`}>
        {view.lanes.map((lane) => (
          <Lane key={lane.name} lane={lane} state={state} openTask={openTask} status={items ? overall(items) : run ? (run.lanes[lane.name] ?? 'pending') : undefined}>
            {items?.length ? (
              <span className="sw-items" aria-label={`${items.filter((s) => s === 'succeeded').length} of ${items.length} items succeeded`}>
                {items.slice(0, MAX_DOTS).map((s, i) => (
                  <span key={i} className="sw-item-dot" data-item={i} data-status={s} title={`item ${i}: ${s}`} />
                ))}
                {items.length > MAX_DOTS ? `+${items.length - MAX_DOTS}` : null}
              </span>
            ) : null}
          </Lane>
        ))}
        {view.more ? <div className="sw-lane sw-more">+{view.more} more</div> : null}
      </div>
    </li>
  );
}
