// The parsed model of a task file: what the linter, runtime, debugger and graph editor share.
// Every node carries the source range of its YAML so that a diagnostic, a breakpoint and a graph
// node always point at the same text.

/** A position in the text; `line` and `column` are 0-based, `offset` counts UTF-16 code units. */
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Where a mapping entry sits: the key, and the value (absent when the value is empty). */
export interface FieldRange {
  key: Range;
  value: Range;
}

export type FieldRanges = Record<string, FieldRange>;

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit {
  /** Offsets in the text the model was parsed from. */
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Diagnostic {
  /** Stable id, e.g. `yaml-syntax`, `schema`, `unknown-target`. */
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  /** The preferred fix. */
  fix?: Fix;
  /** Other fixes, offered after it (a choice the user makes: e.g. mark final, or add a transition). */
  otherFixes?: Fix[];
}

export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

export interface InputDecl {
  name: string;
  type?: InputType;
  enum?: unknown[];
  default?: unknown;
  hasDefault: boolean;
  description?: string;
  required: boolean;
  keyRange: Range;
  range: Range;
}

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  delay?: string;
  backoff?: number;
  max_delay?: string;
}

export interface InstructionModel {
  /** 0-based position in its `do` list (0 for a poll's instruction). */
  index: number;
  /** `http`, `exec`, `set`, `log`, `emit`, `sleep`, `call` or a registered custom kind. */
  kind: string;
  /** The value under the kind key, as plain data (templates are resolved at run time). */
  args: unknown;
  as?: string;
  retry?: RetryPolicy;
  timeout?: string;
  range: Range;
  kindRange: Range;
  fields: FieldRanges;
  /** The instructions a `parallel` or `map` runs concurrently. */
  fanout?: FanoutModel;
}

/** A `parallel` branch: its name and its one instruction (whose `index` is the `parallel`'s). */
export interface BranchModel {
  name: string;
  ins: InstructionModel;
  keyRange: Range;
}

/** `parallel` and `map` as written; their fields' validity is the linter's (lint/fanout.ts). */
export type FanoutModel =
  | { kind: 'parallel'; branches: BranchModel[] }
  | {
      kind: 'map';
      /** A `={{ expr }}` template or a literal list. */
      items?: unknown;
      concurrency?: unknown;
      tolerate?: unknown;
      /** The instruction run once per item (its `index` is the `map`'s). */
      do?: InstructionModel;
    };

export const FANOUT_KINDS = ['parallel', 'map'] as const;

export interface PollModel {
  every?: string;
  do?: InstructionModel;
  until?: string;
  range: Range;
  fields: FieldRanges;
}

/** A `consume` transition: its settings as written (templates are resolved at run time). */
export interface ConsumeModel {
  /** `{ connection, subject }` as plain data; lint and the schema check its fields. */
  args: unknown;
  /** The subject as written, when it is a string (labels and waits show it). */
  subject?: string;
  range: Range;
  fields: FieldRanges;
}

export type TransitionKind = 'when' | 'after' | 'poll' | 'event' | 'consume' | 'else';

export interface TransitionModel {
  /** 0-based position in `on` (0 for the `next` shorthand). */
  index: number;
  to?: string;
  when?: string;
  after?: string;
  poll?: PollModel;
  event?: string;
  /** Wait for a message on a broker subject (NATS). */
  consume?: ConsumeModel;
  /** True when written as `next: target`. */
  shorthand: boolean;
  range: Range;
  fields: FieldRanges;
}

export const ERROR_KINDS = ['http', 'exec', 'sql', 'smtp', 'publish', 'consume', 'grpc', 'timeout', 'expression', 'any'] as const;

export interface CatchModel {
  index: number;
  to?: string;
  error?: string;
  range: Range;
  fields: FieldRanges;
}

export type FinalStatus = 'succeeded' | 'failed' | 'cancelled';

export interface StateModel {
  name: string;
  description?: string;
  do: InstructionModel[];
  on: TransitionModel[];
  catch: CatchModel[];
  timeout?: string;
  final: boolean;
  status?: FinalStatus;
  keyRange: Range;
  /** The state's value (its mapping). */
  range: Range;
  fields: FieldRanges;
}

export const OVERLAP_POLICIES = ['skip', 'allow', 'cancel'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** One entry of `schedule:` as written; lint/schedules.ts checks it, engine/schedule runs it. */
export interface ScheduleModel {
  /** 0-based position in `schedule`. */
  index: number;
  cron?: string;
  timezone?: string;
  every?: string;
  input?: Record<string, unknown>;
  overlap?: string;
  range: Range;
  fields: FieldRanges;
}

export interface TaskModel {
  version?: number;
  name?: string;
  description?: string;
  input: InputDecl[];
  data: Record<string, unknown>;
  timeout?: string;
  /** Absent when the task has no `schedule:`. */
  schedule?: ScheduleModel[];
  start?: string;
  states: StateModel[];
  range: Range;
  fields: FieldRanges;
}

export interface ParseResult {
  model: TaskModel;
  /** YAML and shape problems found while reading; the linter adds its own. */
  diagnostics: Diagnostic[];
  text: string;
}

/** How a transition is triggered, derived from its fields. */
export function transitionKind(t: TransitionModel): TransitionKind {
  if (t.poll) return 'poll';
  if (t.event !== undefined) return 'event';
  if (t.consume) return 'consume';
  if (t.after !== undefined) return 'after';
  if (t.when !== undefined) return 'when';
  return 'else';
}
