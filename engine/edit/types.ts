// The graph editor's edit operations as data. The webview proposes one of these; the host turns it
// into text edits with `editTask` (engine/edit/index.ts) and applies them to the TextDocument.
// Every operation names states by name and transitions by their position, as the model reads them.
import type { FinalStatus, TextEdit } from '../model/types';

/** Which list of a state a transition lives in: `on` (with the `next:` shorthand as index 0) or `catch`. */
export type TransitionList = 'on' | 'catch';

/** A transition of a state: `on[index]` (or `next:`), or `catch[index]`. */
export interface TransitionRef {
  state: string;
  index: number;
  /** Default `on`. */
  list?: TransitionList;
}

/** A poll: repeat `do` every `every` until `until` holds. */
export interface PollSpec {
  every: string;
  until?: string;
  /** The instruction run at each poll; kept as written when absent and the transition already polls. */
  do?: InstructionSpec;
}

/**
 * What makes an `on` transition fire. Each field present is written, each absent one removed
 * (`to` and keys the editor does not know stay as written): `{}` is the else branch.
 */
export interface TransitionCondition {
  when?: string;
  after?: string;
  event?: string;
  /** A `consume` transition's settings: `{ connection, subject }`. */
  consume?: Record<string, unknown>;
  poll?: PollSpec;
}

/** A new instruction: one kind with its arguments, and the common options. */
export interface InstructionSpec {
  /** `http`, `exec`, `set`, `log`, `emit`, `sleep`, `call` or a custom kind. */
  kind: string;
  /** The value under the kind key (a map for most kinds, a string for `log` and `sleep`). */
  args: unknown;
  as?: string;
  timeout?: string;
  retry?: { attempts?: number; delay?: string; backoff?: number; max_delay?: string };
}

/** The options of a `map` the editor sets. */
export type MapOption = 'items' | 'concurrency' | 'tolerate';

/** A key path inside a mapping: `['url']`, `['retry', 'attempts']`. */
export type FieldPath = readonly string[];

export type EditOperation =
  /**
   * Adds a state (after `after`, else at the end of `states`). Without a name, a free one is made
   * from `base` (default `state`). On a file with no task yet, writes the skeleton of one
   * (`version`, `name`, `start`, `states`); the first state becomes `start` when there is none.
   */
  | { type: 'addState'; name?: string; base?: string; after?: string; description?: string; final?: boolean; status?: FinalStatus; taskName?: string }
  /** Removes a state with its own comment lines. References to it are reported in the result, not removed. */
  | { type: 'deleteState'; state: string }
  /** Renames a state and every reference to it: `start`, `to` in `on` and `catch`, `next`. */
  | { type: 'renameState'; state: string; newName: string }
  /** Copies a state's text (comments included) under a new name, right after it. */
  | { type: 'duplicateState'; state: string; newName?: string }
  /** Inserts the states of a YAML snippet (see `copyStates`), renaming those whose names are taken. */
  | { type: 'pasteStates'; yaml: string; after?: string }
  | { type: 'setStart'; state: string }
  /** `final: true` (with `status`, omitted for the default `succeeded` unless already written) or removes both. */
  | { type: 'setFinal'; state: string; final: boolean; status?: FinalStatus }
  /** Sets or (with no value, or an empty one) removes a state's description. */
  | { type: 'setDescription'; state: string; description?: string }
  | { type: 'setTimeout'; state: string; timeout?: string }
  /**
   * Adds a transition from `state` to `to`. In `on`: a first unconditional transition is written as
   * `next: to`; a second one turns `next:` into an `on:` list. Without `index`, a conditional
   * transition goes before a trailing else branch, an else branch at the end.
   */
  | { type: 'addTransition'; state: string; to: string; list?: TransitionList; condition?: TransitionCondition; error?: string; index?: number }
  | ({ type: 'deleteTransition' } & TransitionRef)
  | ({ type: 'retargetTransition'; to: string } & TransitionRef)
  /** Moves a transition to position `toIndex` of its list (the others keep their order). */
  | ({ type: 'reorderTransition'; toIndex: number } & TransitionRef)
  /** Replaces the condition of an `on` transition (see TransitionCondition). */
  | ({ type: 'setTransitionCondition'; condition: TransitionCondition } & TransitionRef)
  /** Sets (or, with `value` undefined, removes) one field of a transition: `['when']`, `['poll', 'every']`, `['error']`. */
  | ({ type: 'updateTransition'; path: FieldPath; value?: unknown } & TransitionRef)
  | { type: 'addInstruction'; state: string; instruction: InstructionSpec; index?: number }
  | { type: 'removeInstruction'; state: string; index: number }
  | { type: 'moveInstruction'; state: string; index: number; toIndex: number }
  /**
   * Sets (or, with `value` undefined, removes) a field of an instruction, by path from the
   * instruction's mapping: `['as']`, `['retry', 'attempts']`, `['http', 'url']`, `['log']`.
   */
  | { type: 'updateInstruction'; state: string; index: number; path: FieldPath; value?: unknown }
  /** Changes an instruction's kind in place (its key and value), keeping `as`, `retry`, `timeout`. */
  | { type: 'setInstructionKind'; state: string; index: number; kind: string; args: unknown }
  /**
   * Adds a branch to the `parallel` at `index` of the state's `do`, at the end (without a name, a
   * free one from `branch`). A branch takes no `as` (its result is stored under its name).
   */
  | { type: 'addBranch'; state: string; index: number; name?: string; instruction: InstructionSpec }
  /** Removes a branch (with its comment lines) from the `parallel` at `index`; the last one stays. */
  | { type: 'removeBranch'; state: string; index: number; branch: string }
  /** Renames a branch of the `parallel` at `index` (its key only: mocks that name it are other files). */
  | { type: 'renameBranch'; state: string; index: number; branch: string; newName: string }
  /**
   * Sets an option of the `map` at `index`: `items` (a `={{ expression }}` or a list),
   * `concurrency` (a whole number, 1 or more) or `tolerate` (0 or more); with `value` undefined
   * `concurrency` and `tolerate` are removed (their defaults apply). `items` cannot be removed.
   */
  | { type: 'setMapOption'; state: string; index: number; option: MapOption; value?: string | number | unknown[] }
  /**
   * A drag from one state to another on the graph (engine/edit/gestures.ts): a state whose only way
   * out is unconditional (`next: X`, or one `on` entry with no condition) is retargeted to `to`;
   * otherwise a transition to `to` is added.
   */
  | { type: 'connect'; state: string; to: string }
  /** A new state (`name`, else a free one) in the middle of a transition: `state` -> new -> the old target. */
  | ({ type: 'insertState'; name?: string } & TransitionRef)
  /** Several operations as one edit (one undo step), each applied to the result of the previous. */
  | { type: 'batch'; operations: EditOperation[] };

export type EditOperationType = EditOperation['type'];

/** A place that names a state. */
export type StateReference =
  | { kind: 'start' }
  | { kind: 'transition'; state: string; index: number; shorthand: boolean }
  | { kind: 'catch'; state: string; index: number };

export interface EditResult {
  /** Non-overlapping edits on the text the operation was given, sorted by offset. Empty on error. */
  edits: TextEdit[];
  /** Why the operation could not be applied (the text is then left alone). */
  error?: string;
  /** deleteState: the references to the deleted state that remain (now dangling). */
  references?: StateReference[];
  /** The state to select afterwards: the added, renamed, duplicated or (first) pasted state. */
  state?: string;
  /** pasteStates: every state added, in order. */
  states?: string[];
}
