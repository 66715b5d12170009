// What an operation is: a function of the parsed text that records text edits on a YamlEditor and
// says what to select afterwards. An operation that needs the result of a first change (e.g. the
// `start:` of a task it just created) names a follow-up operation.
import type { EditOperation, StateReference } from './types';
import type { YamlEditor } from './yaml/editor';

export interface Outcome {
  state?: string;
  states?: string[];
  references?: StateReference[];
  /** An operation to run on the text this one produced. */
  next?: EditOperation;
}

export type Op<T extends EditOperation['type']> = (ed: YamlEditor, op: Extract<EditOperation, { type: T }>) => Outcome;
