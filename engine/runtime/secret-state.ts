// What a run keeps of its secrets. Its journal (and so its state, and every view) holds each value
// computed from a secret as the mask; the run's own expressions need them in clear. So a run that
// stores such a value keeps a second state, the clear one, folded from the same journal events with
// the clear values put back, and evaluates over both (see expr/taint.ts).
import { resolveTemplates, type ExpressionScope, type ValuePath } from '../expr/expression';
import { MASK, type ScopeViews } from '../expr/taint';
import type { JournalEvent } from '../journal/events';
import { applyEvent, emptyRunState, setAtPath, type RunState } from '../journal/replay';
import type { StateModel } from '../model/types';
import { maskSearched, searchedTexts } from './redact';

/** Clear values of a journaled result, at the paths where the journal holds the mask. */
export interface ClearResult {
  result: unknown;
  paths: ValuePath[];
}

/** The masked secrets of a run without secrets (most runs): one object for them all. */
const NONE: Record<string, string> = Object.freeze({});

export class SecretState {
  /** Undefined (the same as the journaled state) until a value computed from a secret is stored. */
  private clear: RunState | undefined;
  /** Values computed from secrets in this process: searched for in output the engine did not build. */
  private texts: Set<string> | undefined;
  /** What `hide` searches for: the secrets and the texts; undefined after `learn` until asked again. */
  private searched: string[] | undefined;
  private readonly masked: Record<string, string>;

  constructor(
    private readonly runId: string,
    private readonly secrets: Record<string, string>,
  ) {
    this.masked = Object.keys(secrets).length === 0 ? NONE : Object.fromEntries(Object.keys(secrets).map((k) => [k, MASK]));
  }

  /** The clear and shown views of a run's context; `shown` is the run's (journaled) state. */
  views(shown: RunState, over: Partial<ExpressionScope> = {}, clear = this.clear): ScopeViews {
    const run = { id: this.runId, state: shown.state, attempt: shown.attempts + 1, startedAt: new Date(shown.startedAt).toISOString() };
    const scope = (s: RunState, secrets: Record<string, string>): ExpressionScope => ({ input: s.input, data: s.data, result: s.result, event: s.event, run, secrets, ...over });
    const shownScope = scope(shown, this.masked);
    if (!clear && Object.keys(this.secrets).length === 0) return { clear: shownScope, shown: shownScope };
    return { clear: scope(clear ?? shown, this.secrets), shown: shownScope };
  }

  /** Values computed from secrets (as text) to mask in output from now on. */
  learn(texts: readonly string[]): void {
    if (texts.length === 0) return;
    this.texts ??= new Set();
    for (const t of texts) this.texts.add(t);
    this.searched = undefined;
  }

  /** Masks, in text the engine did not build, the secrets and the values computed from them. */
  hide<T>(value: T): T {
    this.searched ??= searchedTexts([...Object.values(this.secrets), ...(this.texts ?? [])]);
    return this.searched.length === 0 ? value : maskSearched(value, this.searched);
  }

  /** Folds a journaled event into the clear state; call it before the run's state takes the event. */
  record(shown: Readonly<RunState>, event: JournalEvent, clear?: ClearResult): void {
    if (clear) this.clear ??= structuredClone(shown) as RunState;
    if (this.clear) applyEvent(this.clear, clear ? revealed(event, clear.result, clear.paths) : event);
  }

  /**
   * A run continued from its journal finds the mask where values computed from secrets were
   * stored: they are computed again, in journal order, from the task's instructions and the
   * secrets (an expression that also reads the clock or `$random()` gives this computation's value).
   */
  async recompute(history: readonly JournalEvent[], states: ReadonlyMap<string, StateModel>): Promise<void> {
    if (!history.some((e) => e.type === 'instruction-finished' && e.secret?.length)) return;
    const shown = emptyRunState();
    const clear = emptyRunState();
    for (const e of history) {
      let clearEvent = e;
      if (e.type === 'instruction-finished' && e.secret?.length) {
        const ins = states.get(e.state)?.do[e.index];
        if (!ins) throw new Error(`Run ${this.runId} cannot continue: instruction ${e.index} of state '${e.state}' stored values computed from secrets, and the task has no such instruction to compute them again.`);
        const args = await resolveTemplates(ins.args, this.views(shown, {}, clear));
        this.learn(args.texts);
        clearEvent = revealed(e, args.value, e.secret);
      }
      applyEvent(shown, e);
      applyEvent(clear, clearEvent);
    }
    this.clear = clear;
  }
}

/** A journaled `instruction-finished` with the clear values put back at the paths of its result. */
function revealed(e: JournalEvent, clear: unknown, paths: ValuePath[]): JournalEvent {
  if (e.type !== 'instruction-finished') return e;
  if (paths.some((p) => p.length === 0)) return { ...e, result: clear };
  const result = structuredClone(e.result) as Record<string, unknown>;
  for (const p of paths) setAtPath(result, p, valueAt(clear, p));
  return { ...e, result };
}

function valueAt(value: unknown, path: ValuePath): unknown {
  let v = value;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[key] : undefined;
  return v;
}
