// The live state of a `parallel` or `map` under way, folded from its journal entries: which
// branches or items have their outcome, and how many attempts the others made. A resumed run reads
// it to run again only what has no outcome; a retry of the instruction drops the failed outcomes.
import { FANOUT_KINDS } from '../model/types';
import type { BranchTag, JournalEvent, RunError } from './events';

export type BranchOutcome = { result: unknown } | { error: RunError };

export interface BranchState {
  /** Failed attempts so far. */
  attempts: number;
  /** When the last failed attempt may be retried. */
  retryAt?: number;
  /** True between an attempt's start and its end (or the crash that interrupted it). */
  running: boolean;
  /** seq and time of the last attempt's `branch-started` (a `call` names its child run after the seq). */
  startedSeq?: number;
  startedAt?: number;
  /** The branch's final result, or its error after its own retries. */
  outcome?: BranchOutcome;
}

export interface FanoutState {
  /** The instruction's index in its state's `do`, and the attempt of it under way. */
  index: number;
  attempt: number;
  /** When the attempt under way started: its timeout counts from there, also after a resume. */
  startedAt: number;
  /** A `map`'s items, as resolved when it first started. */
  items?: unknown[];
  /** By branch name, or by item index (as a string). */
  branches: Record<string, BranchState>;
}

/** The key of a branch (its name) or of an item (its index) in `FanoutState.branches`. */
export function branchKey(tag: BranchTag): string {
  return tag.branch ?? String(tag.item);
}

/** Applies the entries that concern fan-out to `s.fanout`, in place. */
export function applyFanoutEvent(s: { fanout?: FanoutState }, e: JournalEvent): void {
  switch (e.type) {
    case 'state-entered':
      s.fanout = undefined;
      return;
    case 'instruction-started':
      if (!(FANOUT_KINDS as readonly string[]).includes(e.kind)) return;
      if (!s.fanout || s.fanout.index !== e.index) s.fanout = { index: e.index, attempt: e.attempt, startedAt: e.at, branches: {} };
      else if (e.attempt > s.fanout.attempt) {
        // A retry of the whole instruction runs again only what did not succeed.
        s.fanout.attempt = e.attempt;
        s.fanout.startedAt = e.at;
        for (const [key, b] of Object.entries(s.fanout.branches)) if (!b.outcome || !('result' in b.outcome)) delete s.fanout.branches[key];
      }
      return;
    case 'instruction-finished':
      if (s.fanout?.index === e.index) s.fanout = undefined;
      return;
    case 'map-items':
      if (s.fanout?.index === e.index) s.fanout.items = structuredClone(e.items);
      return;
    case 'branch-started':
    case 'branch-finished':
    case 'branch-failed':
    case 'branch-cancelled': {
      if (s.fanout?.index !== e.index) return;
      const key = branchKey(e);
      const b = (s.fanout.branches[key] ??= { attempts: 0, running: false });
      b.running = e.type === 'branch-started';
      if (e.type === 'branch-started') {
        b.startedSeq = e.seq;
        b.startedAt = e.at;
      }
      if (e.type === 'branch-finished') {
        b.outcome = { result: structuredClone(e.result) };
        b.retryAt = undefined;
      } else if (e.type === 'branch-failed') {
        b.attempts = e.attempt;
        b.retryAt = e.retryInMs === undefined ? undefined : e.at + e.retryInMs;
        if (e.retryInMs === undefined) b.outcome = { error: structuredClone(e.error) };
      }
      return;
    }
  }
}
