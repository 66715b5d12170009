// The table of the graph editor's operations, by type: each a function of the parsed text (outcome.ts)
// in the module of its group. Gestures are not here: they become these operations first (gestures.ts).
import { pasteStates } from './clipboard';
import { FANOUT_OPERATIONS } from './fanout';
import type { GestureOperation } from './gestures';
import { addInstruction, moveInstruction, removeInstruction, setInstructionKind, updateInstruction } from './instructions';
import type { Op } from './outcome';
import { addState, deleteState, duplicateState, renameState, setDescription, setFinal, setStart, setTimeout_ } from './states';
import { addTransition, deleteTransition, reorderTransition, retargetTransition, setTransitionCondition, updateTransition } from './transitions';
import type { EditOperation } from './types';

export const OPERATIONS: { [T in Exclude<EditOperation['type'], 'batch' | GestureOperation['type']>]: Op<T> } = {
  addState,
  deleteState,
  renameState,
  duplicateState,
  pasteStates,
  setStart,
  setFinal,
  setDescription,
  setTimeout: setTimeout_,
  addTransition,
  deleteTransition,
  retargetTransition,
  reorderTransition,
  setTransitionCondition,
  updateTransition,
  addInstruction,
  removeInstruction,
  moveInstruction,
  updateInstruction,
  setInstructionKind,
  ...FANOUT_OPERATIONS,
};
