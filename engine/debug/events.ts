// What the debug runtime tells its session, with no DAP in it: the session turns each into DAP events.
import type { FinalRunStatus } from '../journal/events';
import type { BreakpointResult } from './breakpoints';
import type { RunPosition } from './show';
import type { StopInfo } from './stops';

export interface OutputInfo {
  category: 'stdout' | 'stderr' | 'console' | 'important';
  text: string;
  file?: string;
  /** 0-based. */
  line?: number;
}

export interface RuntimeEvents {
  stopped: (stop: StopInfo & { thread: number }) => void;
  /** A thread moved on by itself (an event or a timer) after a stop where it was waiting. */
  continued: (thread: number) => void;
  /** A branch's thread started or exited. */
  thread: (e: { reason: 'started' | 'exited'; thread: number }) => void;
  output: (o: OutputInfo) => void;
  position: (p: RunPosition) => void;
  breakpoint: (b: BreakpointResult) => void;
  /** The launched run ended (or was cancelled). */
  ended: (e: { runId: string; status: FinalRunStatus; reason?: string }) => void;
}

export type Emit = <K extends keyof RuntimeEvents>(event: K, ...args: Parameters<RuntimeEvents[K]>) => void;
