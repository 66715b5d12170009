// The operations on a state's transitions, `on` and `catch` lists alike: add, delete, retarget,
// reorder, set a condition, edit a field. `next: x` is the first of `on` and becomes an `on:` list
// as soon as a second transition or a condition needs one.
import { isMap, type Pair, type Scalar } from 'yaml';
import { EditError } from './error';
import { nest, setPath } from './field-path';
import { instructionValue } from './instructions';
import { CATCH_ORDER, CONDITION_KEYS, POLL_ORDER, STATE_ORDER, TRANSITION_ORDER, transitionOrder } from './key-order';
import { childRef, kindOf, locateTransition, scalarText, seqOf, stateRef } from './locate';
import type { Op } from './outcome';
import type { TransitionCondition } from './types';
import type { MapRef, YamlEditor } from './yaml/editor';
import { replacePair } from './yaml/entry';
import { editMap } from './yaml/mapping';
import { insertItem, moveItem, removeItem } from './yaml/sequence';

function transitionValue(to: string, c: TransitionCondition | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { to };
  if (!c) return out;
  if (c.when !== undefined) out.when = c.when;
  if (c.event !== undefined) out.event = c.event;
  if (c.consume !== undefined) out.consume = c.consume;
  if (c.after !== undefined) out.after = c.after;
  if (c.poll !== undefined) out.poll = pollValue(c.poll);
  return out;
}

function pollValue(p: NonNullable<TransitionCondition['poll']>): Record<string, unknown> {
  const out: Record<string, unknown> = { every: p.every };
  if (p.do) out.do = instructionValue(p.do);
  if (p.until !== undefined) out.until = p.until;
  return out;
}

function isElse(c: TransitionCondition | undefined): boolean {
  return !c || CONDITION_KEYS.every((k) => c[k] === undefined);
}

function isElseItem(ed: YamlEditor, item: unknown): boolean {
  return isMap(item) && CONDITION_KEYS.every((k) => !ed.find(item, k));
}

/** Turns `next: x` into an `on:` list holding `items` (at the place of `next`, or as a block when the state is flow style). */
function nextToOn(ed: YamlEditor, state: MapRef, next: Pair<Scalar, unknown>, items: unknown[]): void {
  if (state.map?.flow) editMap(ed, state, [['next', undefined], ['on', items]], { order: STATE_ORDER });
  else replacePair(ed, next, 'on', items, false);
}

export const addTransition: Op<'addTransition'> = (ed, op) => {
  const state = stateRef(ed, op.state);
  const list = op.list ?? 'on';
  if (list === 'catch') {
    const item: Record<string, unknown> = { to: op.to };
    if (op.error) item.error = op.error;
    const seq = seqOf(ed, state, 'catch');
    if (seq && seq.items.length) insertItem(ed, seq, op.index ?? seq.items.length, item);
    else editMap(ed, state, [['catch', [item]]], { order: STATE_ORDER });
    return { state: op.state };
  }
  const item = transitionValue(op.to, op.condition);
  const seq = seqOf(ed, state, 'on');
  const elseBranch = isElse(op.condition);
  if (seq && seq.items.length) {
    const n = seq.items.length;
    const index = op.index ?? (!elseBranch && isElseItem(ed, seq.items[n - 1]) ? n - 1 : n);
    insertItem(ed, seq, index, item);
    return { state: op.state };
  }
  const next = ed.find(state.map, 'next');
  if (next) {
    const existing = { to: scalarText(next.value) ?? '' };
    const items = op.index === 0 || (op.index === undefined && !elseBranch) ? [item, existing] : [existing, item];
    nextToOn(ed, state, next, items);
    return { state: op.state };
  }
  if (elseBranch && !seq) editMap(ed, state, [['next', op.to]], { order: STATE_ORDER });
  else if (seq) insertItem(ed, seq, 0, item);
  else editMap(ed, state, [['on', [item]]], { order: STATE_ORDER });
  return { state: op.state };
};

export const deleteTransition: Op<'deleteTransition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  if (t.kind === 'next') editMap(ed, t.state, [['next', undefined]], { order: STATE_ORDER });
  else if (t.seq.items.length === 1) editMap(ed, t.state, [[t.list, undefined]], { order: STATE_ORDER });
  else removeItem(ed, t.seq, t.index);
  return { state: op.state };
};

export const retargetTransition: Op<'retargetTransition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  if (t.kind === 'next') editMap(ed, t.state, [['next', op.to]], { order: STATE_ORDER });
  else editMap(ed, t.ref, [['to', op.to]], { order: t.list === 'catch' ? CATCH_ORDER : TRANSITION_ORDER });
  return { state: op.state };
};

export const reorderTransition: Op<'reorderTransition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  if (t.kind === 'next') {
    if (op.toIndex !== 0) throw new EditError(`State '${op.state}' has one transition only.`);
    return { state: op.state };
  }
  if (op.toIndex < 0 || op.toIndex >= t.seq.items.length) throw new EditError(`Position ${op.toIndex + 1} is outside the list.`);
  moveItem(ed, t.seq, t.index, op.toIndex);
  return { state: op.state };
};

export const setTransitionCondition: Op<'setTransitionCondition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  const c = op.condition;
  if (t.kind === 'next') {
    if (isElse(c)) return { state: op.state };
    nextToOn(ed, t.state, t.pair, [transitionValue(scalarText(t.pair.value) ?? '', c)]);
    return { state: op.state };
  }
  if (t.list === 'catch') throw new EditError('A catch entry has no condition; set its error kind instead.');
  const changes: Array<[string, unknown]> = [
    ['when', c.when],
    ['event', c.event],
    ['after', c.after],
  ];
  // Settings already written (a connection from a secret) stay when only the kind is set again.
  if (!c.consume || !childRef(ed, t.ref, 'consume')?.map) changes.push(['consume', c.consume]);
  const poll = childRef(ed, t.ref, 'poll');
  if (c.poll && poll?.map) {
    const pollChanges: Array<[string, unknown]> = [['every', c.poll.every]];
    if (c.poll.do) pollChanges.push(['do', instructionValue(c.poll.do)]);
    pollChanges.push(['until', c.poll.until]);
    editMap(ed, poll, pollChanges, { order: POLL_ORDER });
  } else changes.push(['poll', c.poll ? pollValue(c.poll) : undefined]);
  editMap(ed, t.ref, changes, { order: TRANSITION_ORDER });
  return { state: op.state };
};

export const updateTransition: Op<'updateTransition'> = (ed, op) => {
  const t = locateTransition(ed, op);
  const path = op.path;
  if (t.kind === 'next') {
    if (path.length === 1 && path[0] === 'to') {
      if (typeof op.value !== 'string') throw new EditError('A transition needs a target state.');
      editMap(ed, t.state, [['next', op.value]], { order: STATE_ORDER });
    } else if (op.value !== undefined) {
      nextToOn(ed, t.state, t.pair, [{ to: scalarText(t.pair.value) ?? '', ...(nest(path, op.value) as object) }]);
    }
    return { state: op.state };
  }
  const pollDo = isMap(t.ref.map) ? childRef(ed, t.ref, 'poll') : undefined;
  const pollKind = pollDo?.map ? (() => {
    const d = ed.find(pollDo.map, 'do')?.value;
    return isMap(d) ? kindOf(d) : undefined;
  })() : undefined;
  setPath(ed, t.ref, path, op.value, (depth) => transitionOrder(t.list, path.slice(0, depth), pollKind));
  return { state: op.state };
};
