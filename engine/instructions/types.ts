// What an instruction kind receives and how it reports failure. Built-in and custom kinds alike
// are plain async functions registered by name.
import type { Clock } from '../runtime/clock';

export interface CallResult {
  status: string;
  data: Record<string, unknown>;
  runId: string;
}

export interface InstructionContext {
  /** The instruction's value with every `{{ }}` template resolved. */
  args: unknown;
  /**
   * The same with each value computed from a secret replaced by the mask: what an instruction
   * writes where others read it (the run's log, an event's data, a called task's input).
   */
  shownArgs: unknown;
  /** Aborts when the instruction times out, its state times out or the run is cancelled. */
  signal: AbortSignal;
  runId: string;
  state: string;
  index: number;
  /** Headers that carry the run's trace to a called service (W3C `traceparent`); empty without tracing. */
  propagation: Record<string, string>;
  /** Folder of the task file: relative paths (exec `cwd`, `call` task) start here. */
  baseDir: string;
  clock: Clock;
  log(message: string): Promise<void>;
  emit(event: string, data: unknown): Promise<void>;
  /** Waits on the run's clock (virtual time may move on meanwhile). */
  sleep(ms: number): Promise<void>;
  output(stream: 'stdout' | 'stderr', text: string): void;
  callTask(file: string, input: Record<string, unknown>): Promise<CallResult>;
}

export type InstructionHandler = (ctx: InstructionContext) => Promise<unknown>;

/** A failure an instruction reports; `kind` is what `catch` entries filter on. */
export class InstructionFailure extends Error {
  constructor(readonly kind: string, message: string) {
    super(message);
    this.name = 'InstructionFailure';
  }
}

export function argsObject(ctx: InstructionContext, kind: string): Record<string, unknown> {
  const a = ctx.args;
  if (!a || typeof a !== 'object' || Array.isArray(a)) throw new InstructionFailure(kind, `'${kind}' expects a mapping of fields.`);
  return a as Record<string, unknown>;
}
