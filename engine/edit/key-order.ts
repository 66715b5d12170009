// The task's keys as the editor knows them: the order it writes new keys in (by the mapping they go
// into) and the keys that make a transition conditional.
import type { TransitionList } from './types';

/** Where new keys go, so that a file written by the editor reads in the order of the format's docs. */
export const TOP_ORDER = ['version', 'name', 'description', 'input', 'data', 'timeout', 'start', 'states'] as const;
export const STATE_ORDER = ['description', 'do', 'timeout', 'on', 'next', 'catch', 'final', 'status'] as const;
export const TRANSITION_ORDER = ['to', 'when', 'event', 'consume', 'after', 'poll'] as const;
export const CATCH_ORDER = ['to', 'error'] as const;
export const POLL_ORDER = ['every', 'do', 'until'] as const;
export const RETRY_ORDER = ['attempts', 'delay', 'backoff', 'max_delay'] as const;
export const INSTRUCTION_OPTIONS = ['as', 'retry', 'timeout'] as const;
/** The fields of each built-in instruction kind, in the order they are written. */
export const KIND_FIELDS: Record<string, readonly string[]> = {
  http: ['method', 'url', 'headers', 'query', 'body', 'timeout'],
  exec: ['command', 'args', 'cwd', 'env', 'shell', 'timeout'],
  emit: ['event', 'data'],
  call: ['task', 'input'],
  map: ['items', 'concurrency', 'tolerate', 'do'],
};
export const CONDITION_KEYS = ['when', 'after', 'event', 'consume', 'poll'] as const;

/** The order new keys of the mapping at `path` (below an instruction's mapping) are written in. */
export function instructionOrder(kind: string, path: readonly string[]): readonly string[] {
  if (path.length === 0) return [kind, ...INSTRUCTION_OPTIONS];
  if (path[0] === 'retry' && path.length === 1) return RETRY_ORDER;
  if (path[0] === kind && path.length === 1) return KIND_FIELDS[kind] ?? [];
  return [];
}

export function transitionOrder(list: TransitionList, path: readonly string[], pollKind?: string): readonly string[] {
  if (path.length === 0) return list === 'catch' ? CATCH_ORDER : TRANSITION_ORDER;
  if (path[0] === 'poll' && path.length === 1) return POLL_ORDER;
  if (path[0] === 'poll' && path[1] === 'do' && pollKind) return instructionOrder(pollKind, path.slice(2));
  return [];
}
