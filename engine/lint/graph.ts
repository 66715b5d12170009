// The state graph: what can be reached from `start`, and whether a run can end.
import type { Fix, StateModel, TaskModel } from '../model/types';
import { renderScalar } from '../schema/yamltext';
import type { LintContext } from './context';
import { addState, addToState, deleteState, scalarSpan, transitionInto } from './edits';
import { rule, type Finding } from './rule';

/** The states a state can go to: its transitions (unless it is final) and its catch targets. */
export function successors(state: StateModel): string[] {
  const out: string[] = [];
  if (!state.final) for (const t of state.on) if (t.to !== undefined) out.push(t.to);
  for (const c of state.catch) if (c.to !== undefined) out.push(c.to);
  return out;
}

/** Names of the states reachable from `start` (undefined when `start` names no state). */
export function reachableStates(model: TaskModel, ctx: LintContext): Set<string> | undefined {
  if (model.start === undefined || !ctx.states.has(model.start)) return undefined;
  const seen = new Set<string>([model.start]);
  const queue = [model.start];
  while (queue.length) {
    const state = ctx.states.get(queue.shift() as string);
    if (!state) continue;
    for (const next of successors(state)) {
      if (ctx.states.has(next) && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

export const unreachableState = rule('unreachable-state', 'warning', 'A state that no path of transitions from `start` leads to.', (model, ctx) => {
  const reachable = reachableStates(model, ctx);
  if (!reachable) return [];
  const out: Finding[] = [];
  for (const s of ctx.states.values()) {
    if (reachable.has(s.name)) continue;
    const into = transitionInto(ctx, [...reachable].map((n) => ctx.states.get(n) as StateModel), s.name);
    const remove = deleteState(ctx, s.name);
    out.push({
      message: `State '${s.name}' is never entered: no transition, 'next' or 'catch' from the start state '${model.start}' leads to it.`,
      range: s.keyRange,
      fix: into && { title: `Add a transition from '${into.from}'`, edits: [into.edit] },
      otherFixes: [remove && { title: `Delete state '${s.name}'`, edits: [remove] }],
    });
  }
  return out;
});

export const noWayOut = rule('no-way-out', 'error', 'A state that is not final and has no transition and no catch: a run that enters it never ends.', (_model, ctx) => {
  const out: Finding[] = [];
  for (const s of ctx.states.values()) {
    if (s.final || s.on.length || s.catch.length) continue;
    const value = ctx.value(['states', s.name]);
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue; // the schema reports a state that is not a mapping
    const final = [...ctx.states.values()].find((f) => f.final);
    const next = final && !s.fields.on ? addToState(ctx, s.name, 'next', renderScalar(final.name)) : undefined;
    out.push({
      message: `State '${s.name}' has no way out: it is not final and has no 'on', 'next' or 'catch', so a run that enters it waits forever. Add a transition, or 'final: true'.`,
      range: s.keyRange,
      fix: markFinal(ctx, s),
      otherFixes: [next && { title: `Add 'next: ${final?.name}'`, edits: [next] }],
    });
  }
  return out;
});

export const noFinalReachable = rule('no-final-reachable', 'error', 'No final state can be reached from `start`, so no run can ever end.', (model, ctx) => {
  const reachable = reachableStates(model, ctx);
  if (!reachable || !model.fields.start) return [];
  if ([...reachable].some((n) => ctx.states.get(n)?.final)) return [];
  const finals = [...ctx.states.values()].filter((s) => s.final).map((s) => s.name);
  const message = finals.length
    ? `No final state can be reached from the start state '${model.start}' (final: ${finals.join(', ')}): a run can never end.`
    : `No state is final, so a run can never end: add a state with 'final: true' and a transition to it.`;
  return [{ message, range: model.fields.start.value, fix: addReachableFinal(ctx, reachable) }];
});

/** `final: true` on a state: `final: false` turned true, or the key added. */
function markFinal(ctx: LintContext, s: StateModel): Fix | undefined {
  const title = "Mark it final ('final: true')";
  const span = s.fields.final ? scalarSpan(ctx, ['states', s.name, 'final']) : undefined;
  if (s.fields.final) return span && span[1] > span[0] ? { title, edits: [{ start: span[0], end: span[1], newText: 'true' }] } : undefined;
  const edit = addToState(ctx, s.name, 'final', 'true');
  return edit && { title, edits: [edit] };
}

/** A new final state `done` (or `done-2`, …) and a transition to it from a reachable state. */
function addReachableFinal(ctx: LintContext, reachable: Set<string>): Fix | undefined {
  let name = 'done';
  for (let i = 2; ctx.states.has(name); i++) name = `done-${i}`;
  const into = transitionInto(ctx, [...reachable].map((n) => ctx.states.get(n) as StateModel), name);
  const state = addState(ctx, name, ['final: true']);
  if (!into || !state) return undefined;
  return { title: `Add a final state '${name}' and a transition to it from '${into.from}'`, edits: [into.edit, state] };
}
