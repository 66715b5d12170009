// The journal: every step of a run, appended before the engine acts on the next one.
// A run *is* its journal; `replay` rebuilds its state from these events alone.

export type FinalRunStatus = 'succeeded' | 'failed' | 'cancelled';

export interface RunError {
  /** `http`, `exec`, `sql`, `smtp`, `publish`, `consume`, `grpc`, `timeout`, `expression`, `call`, `cancelled`, or a custom instruction's kind. */
  kind: string;
  message: string;
  /** The failing branch of a `parallel`. */
  branch?: string;
  /** The failing item of a `map`. */
  index?: number;
}

/** Which branch of a `parallel` (its name) or item of a `map` (its index) a step belongs to. */
export interface BranchTag {
  branch?: string;
  item?: number;
}

export type TransitionCause = 'when' | 'after' | 'poll' | 'event' | 'consume' | 'else' | 'catch';

/** An event sent to the run, or the message a `consume` transition took (`name` is its subject). */
export interface ReceivedEvent {
  name: string;
  data: unknown;
  /** A consumed message's headers. */
  headers?: Record<string, string>;
  /** seq of the `event-received` (or `message-received`) entry. */
  seq: number;
}

interface Base {
  /** 1-based position in the journal. */
  seq: number;
  /** Milliseconds since the epoch on the run's clock (virtual time under the virtual clock). */
  at: number;
}

/** Which entry of the task's `schedule` (0-based) started a run, for which tick (ISO 8601, UTC). */
export interface ScheduleTrigger {
  schedule: number;
  tick: string;
}

export type JournalEvent = Base &
  (
    | {
        type: 'run-started';
        runId: string;
        task: string;
        file?: string;
        /** sha256 of the task's text, which the store keeps: the version the run is pinned to. */
        taskHash?: string;
        /** The run this one retries: its entries before `run-forked` are a copy of that run's (see runtime/retry.ts). */
        retryOf?: string;
        /** The schedule tick that started the run (`stepwise serve` only). */
        trigger?: ScheduleTrigger;
        input: Record<string, unknown>;
        data: Record<string, unknown>;
        clock: 'real' | 'virtual';
        parentRunId?: string;
        pid?: number;
      }
    | { type: 'state-entered'; state: string }
    | { type: 'instruction-started'; state: string; index: number; kind: string; attempt: number }
    | {
        type: 'instruction-finished';
        state: string;
        index: number;
        kind: string;
        as?: string;
        result: unknown;
        /**
         * Where in `result` values computed from secrets were (the result was the instruction's
         * arguments, as with `set`): the journal holds the mask there, and a run continued from the
         * journal computes them again from the task and its secrets.
         */
        secret?: Array<Array<string | number>>;
        mocked?: boolean;
        /** The result was not produced again but reused from the run this one was forked from. */
        replayed?: boolean;
      }
    | {
        type: 'instruction-failed';
        state: string;
        index: number;
        kind: string;
        as?: string;
        attempt: number;
        error: RunError;
        /** Set when another attempt follows after this delay. */
        retryInMs?: number;
        mocked?: boolean;
        replayed?: boolean;
      }
    | ({ type: 'log'; state: string; message: string } & BranchTag)
    /** The list a `map` runs over, resolved once when the instruction first starts. */
    | { type: 'map-items'; state: string; index: number; items: unknown[] }
    /** A branch or item of the `parallel`/`map` at `index` starts an attempt; `as` is the instruction's. */
    | ({ type: 'branch-started'; state: string; index: number; as?: string; kind: string; attempt: number } & BranchTag)
    | ({ type: 'branch-finished'; state: string; index: number; as?: string; kind: string; result: unknown; mocked?: boolean } & BranchTag)
    | ({
        type: 'branch-failed';
        state: string;
        index: number;
        as?: string;
        kind: string;
        attempt: number;
        error: RunError;
        /** Set when another attempt of the branch follows after this delay. */
        retryInMs?: number;
        mocked?: boolean;
      } & BranchTag)
    /** A branch stopped because a sibling failed; it has no outcome and runs again on a retry. */
    | ({ type: 'branch-cancelled'; state: string; index: number } & BranchTag)
    | { type: 'emitted'; state: string; event: string; data: unknown }
    | {
        type: 'poll-result';
        state: string;
        /** Index in `on` of the polling transition. */
        transition: number;
        /** Which poll of this transition since the state was entered: 1 for the first. */
        attempt: number;
        /** The poll instruction's `as`: its result is stored at `data[as]`. */
        as?: string;
        result?: unknown;
        error?: RunError;
        done: boolean;
        mocked?: boolean;
        replayed?: boolean;
      }
    | { type: 'event-received'; name: string; data: unknown; source?: string }
    /**
     * A message that the `consume` transition at index `transition` of `state` takes (it passed the
     * transition's `when`); `source` is `mock:N` for the Nth entry of the mocks list.
     */
    | { type: 'message-received'; state: string; transition: number; subject: string; data: unknown; headers?: Record<string, string>; source?: string }
    | {
        type: 'transition-taken';
        from: string;
        to: string;
        cause: TransitionCause;
        /** Index in `on` (or in `catch` when cause is `catch`). */
        index: number;
        event?: ReceivedEvent;
        error?: RunError;
      }
    | { type: 'run-paused' }
    | { type: 'run-resumed' }
    /**
     * The run continues from its journal in a new process: after a crash (`stepwise resume`), or on
     * a server when a worker takes over a run whose lease expired (`reason: 'lease-expired'`) or
     * retries a stuck run (`reason: 'retry'`); `worker` and `attempt` say who and which attempt.
     */
    | { type: 'run-recovered'; pid?: number; reason?: string; worker?: string; attempt?: number }
    /**
     * The run continues another run's journal from an earlier step (the debugger's step back):
     * the entries before this one are a copy of `from`'s first `atSeq` entries.
     */
    | { type: 'run-forked'; from: string; atSeq: number; pid?: number }
    /** A value of `data` set from outside the task (the debugger's "set value"); `path` is keys and indices. */
    | { type: 'data-set'; path: Array<string | number>; value: unknown; source?: string }
    | { type: 'run-ended'; status: FinalRunStatus; reason?: string; error?: RunError }
  );

export type JournalEventType = JournalEvent['type'];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the journal gives it its seq and time. */
export type NewJournalEvent = DistributiveOmit<JournalEvent, 'seq' | 'at'>;
