// How the parts of a run hear that they must stop: the run, each state with work or waits, each
// instruction and each wait for a transition has a scope, aborted when its parent is or when it
// ends. A scope is a list of listeners, not an AbortController (an EventTarget with maps of its
// own, and a hidden class each in V8): a run has one abort signal, made only when an instruction
// handler or a fan-out asks for it.

/** What a clock's sleep and the run's waits listen to: an AbortSignal or a Scope. */
export interface Abortable {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export type InterruptWhy = 'cancelled' | 'task-timeout' | 'state-timeout' | 'instruction-timeout' | 'detached';

/**
 * Why a run, a state or an instruction stopped early: a scope's reason, and what its waits reject
 * with. Not an Error: it is control flow, and an Error captures a stack trace each time.
 */
export class Interrupt {
  readonly name = 'Interrupt';
  constructor(
    readonly why: InterruptWhy,
    readonly message: string,
  ) {}

  toString(): string {
    return this.message;
  }
}

/** The reason a scope that ended normally gives the waits still listening (timers of the state). */
const ENDED = new Interrupt('cancelled', 'scope ended');

/** A child scope listens as itself, without a closure. */
type Listener = (() => void) | Scope;

export class Scope implements Abortable {
  aborted = false;
  reason: unknown = undefined;
  /** Most scopes have one listener (a child scope or a wait): no array for it. */
  private listeners: Listener | Listener[] | undefined;
  private controller: AbortController | undefined;
  private readonly fromParent: (() => void) | undefined;

  constructor(private readonly parent?: Abortable) {
    if (!parent) return;
    if (parent.aborted) this.abort(parent.reason);
    else if (parent instanceof Scope) parent.add(this);
    else {
      this.fromParent = () => this.abort(parent.reason);
      parent.addEventListener('abort', this.fromParent);
    }
  }

  /** An AbortSignal that aborts with this scope, for code outside the engine (instruction handlers). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.unhook();
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (Array.isArray(listeners)) for (const l of listeners) this.tell(l);
    else if (listeners) this.tell(listeners);
  }

  /** The scope's work is done: what still listens is released, and the parent forgets it. */
  end(): void {
    this.abort(ENDED);
  }

  /** Listeners are called once: an aborted scope forgets them. */
  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    this.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.remove(listener);
  }

  private add(listener: Listener): void {
    if (this.aborted) return;
    const ls = this.listeners;
    if (ls === undefined) this.listeners = listener;
    else if (Array.isArray(ls)) ls.push(listener);
    else this.listeners = [ls, listener];
  }

  private remove(listener: Listener): void {
    const ls = this.listeners;
    if (ls === listener) this.listeners = undefined;
    else if (Array.isArray(ls)) {
      const i = ls.indexOf(listener);
      if (i >= 0) ls.splice(i, 1);
    }
  }

  private tell(l: Listener): void {
    if (l instanceof Scope) l.abort(this.reason);
    else l();
  }

  private unhook(): void {
    if (this.parent instanceof Scope) this.parent.remove(this);
    else if (this.fromParent) this.parent!.removeEventListener('abort', this.fromParent);
  }
}
