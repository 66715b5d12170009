// Bulk actions: cancel, pause, resume or retry every run that matches a filter. The matching runs
// are listed first, then acted on one by one, so that runs a retry creates are not acted on too;
// each run's outcome is reported on its own (one that cannot be changed does not stop the others).
import { RUN_STATUSES, type ControlAction, type RunService, type RunStatus, type RunSummary } from './service';
import { ApiError, errorMessage } from './support';

export const BULK_ACTIONS = ['cancel', 'pause', 'resume', 'retry'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** At most this many runs per request: a wider filter is refused rather than half done. */
export const BULK_LIMIT = 1000;

export interface BulkRequest {
  action: BulkAction;
  task?: string;
  status?: RunStatus;
  state?: string;
  /** For retry: the state to retry from (default: where each run failed). */
  from?: string;
  /** For cancel: the reason journaled. */
  reason?: string;
}

export interface BulkOutcome {
  id: string;
  ok: boolean;
  /** The run after the action (for retry: the new run). */
  run?: RunSummary;
  error?: { code: string; message: string };
}

/** Checks a request body; throws ApiError 400 saying what is wrong. */
export function bulkRequest(b: Record<string, unknown>): BulkRequest {
  if (!BULK_ACTIONS.includes(b.action as BulkAction)) throw new ApiError(400, 'invalid-request', `'action' must be one of ${BULK_ACTIONS.join(', ')}.`);
  for (const k of ['task', 'state', 'from', 'reason']) {
    if (b[k] !== undefined && (typeof b[k] !== 'string' || !b[k])) throw new ApiError(400, 'invalid-request', `'${k}' must be a non-empty string.`);
  }
  if (b.status !== undefined && !RUN_STATUSES.includes(b.status as RunStatus)) {
    throw new ApiError(400, 'invalid-request', `'status' must be one of ${RUN_STATUSES.join(', ')}.`);
  }
  if (b.task === undefined && b.status === undefined && b.state === undefined) {
    throw new ApiError(400, 'invalid-request', "A bulk action needs a filter: at least one of 'task', 'status' and 'state'.");
  }
  return b as unknown as BulkRequest;
}

export async function bulkAction(service: RunService, req: BulkRequest): Promise<{ matched: number; results: BulkOutcome[] }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await service.list({ task: req.task, status: req.status, state: req.state, limit: 500, cursor });
    ids.push(...page.runs.map((r) => r.id));
    cursor = page.next ?? undefined;
    if (ids.length > BULK_LIMIT) {
      throw new ApiError(422, 'too-many-runs', `More than ${BULK_LIMIT} runs match; narrow the filter (task, status, state).`);
    }
  } while (cursor);
  const results: BulkOutcome[] = [];
  for (const id of ids) {
    try {
      const run =
        req.action === 'retry' ? (await service.retry(id, req.from)).run : (await service.control(id, req.action as ControlAction, req.reason)).run;
      results.push({ id, ok: true, run });
    } catch (err) {
      results.push({ id, ok: false, error: { code: err instanceof ApiError ? err.code : 'failed', message: errorMessage(err) } });
    }
  }
  return { matched: ids.length, results };
}
