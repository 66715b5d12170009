// Transitions and catch entries.
import { isSeq, type Node } from 'yaml';
import { ERROR_KINDS, transitionKind, type Fix, type StateModel, type TransitionModel } from '../model/types';
import { nearest } from '../schema/suggest';
import { firstLine, lineEnd, lineStart, replaceScalar } from '../schema/yamltext';
import type { LintContext } from './context';
import { deleteItem } from './edits';
import { rule, type Finding } from './rule';

export const shadowedTransition = rule(
  'shadowed-transition',
  'warning',
  'A transition with no condition (no `when`, `after`, `poll`, `event` or `consume`) that is not the last in `on`.',
  (_model, ctx) => {
    const out: Finding[] = [];
    for (const s of ctx.states.values()) {
      const list = s.on.filter((t) => !t.shorthand);
      if (list.some(isArmed)) continue; // else-never-taken says more
      list.forEach((t, i) => {
        if (i === list.length - 1 || transitionKind(t) !== 'else') return;
        const laterElse = list.slice(i + 1).find((u) => transitionKind(u) === 'else');
        let message = `The transition to '${t.to ?? '?'}' has no condition (when, after, poll, event or consume): it is the else branch, taken only when nothing else can happen. Put it last in 'on'`;
        message += laterElse ? `; the later unconditional transition to '${laterElse.to ?? '?'}' is never taken.` : ', so the list reads in the order it runs.';
        const [start, end] = firstLine(ctx.text, t.range.start.offset, t.range.end.offset);
        out.push({ message, range: ctx.range(start, end), fix: moveToEnd(ctx, s, t) });
      });
    }
    return out;
  },
);

/** A transition that waits for something: a timer, a poll, an event or a message. */
function isArmed(t: TransitionModel): boolean {
  const kind = transitionKind(t);
  return kind === 'after' || kind === 'poll' || kind === 'event' || kind === 'consume';
}

export const elseNeverTaken = rule(
  'else-never-taken',
  'warning',
  'An unconditional transition in a state that also waits for a timer (`after`), a `poll`, an `event` or a message (`consume`): the engine waits for those, so the else branch is never taken.',
  (_model, ctx) => {
    const out: Finding[] = [];
    for (const s of ctx.states.values()) {
      const list = s.on.filter((t) => !t.shorthand);
      const armed = list.find(isArmed);
      if (!armed) continue;
      for (const t of list) {
        if (transitionKind(t) !== 'else') continue;
        const what = waitOf(armed);
        const [start, end] = firstLine(ctx.text, t.range.start.offset, t.range.end.offset);
        // Removing it changes nothing the run does: the engine never takes it.
        const remove = deleteItem(ctx, ['states', s.name, 'on'], t.index);
        out.push({
          message: `The transition to '${t.to ?? '?'}' has no condition, but state '${s.name}' also waits for ${what}: when no 'when' is true the engine waits for that, so this else branch is never taken. Give it a condition, or turn it into a timer ('after:').`,
          range: ctx.range(start, end),
          fix: remove && { title: 'Remove it (it is never taken)', edits: [remove] },
        });
      }
    }
    return out;
  },
);

function waitOf(t: TransitionModel): string {
  switch (transitionKind(t)) {
    case 'after':
      return `a timer (after: ${t.after})`;
    case 'poll':
      return 'a poll';
    case 'consume':
      return `a message (consume: ${t.consume?.subject ?? '?'})`;
    default:
      return `an event (${t.event})`;
  }
}

/** Moves a block-sequence item of `on` after the last item, keeping its text as written. */
function moveToEnd(ctx: LintContext, state: StateModel, t: TransitionModel): Fix | undefined {
  const seq = ctx.node(['states', state.name, 'on'])?.node;
  if (!isSeq(seq) || seq.flow) return undefined;
  const items = seq.items as Array<Node | null>;
  const text = ctx.text;
  const lineOf = (item: Node | null | undefined): number | undefined => {
    const r = item?.range;
    if (!r) return undefined;
    const at = lineStart(text, r[0]);
    return /^[ ]*-[ ]+$/.test(text.slice(at, r[0])) ? at : undefined;
  };
  const i = t.index;
  const last = items.length - 1;
  if (i >= last) return undefined;
  const from = lineOf(items[i]);
  const to = lineOf(items[i + 1]);
  const lastStart = lineOf(items[last]);
  const lastRange = items[last]?.range;
  if (from === undefined || to === undefined || lastStart === undefined || !lastRange) return undefined;
  const chunk = text.slice(from, to).replace(/\s+$/, '');
  const insertAt = lineEnd(text, Math.max(lastRange[0], lastRange[1] - 1));
  if (insertAt < to) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return {
    title: 'Move it to the end of the list',
    edits: [
      { start: from, end: to, newText: '' },
      { start: insertAt, end: insertAt, newText: eol + chunk },
    ],
  };
}

export const unknownErrorKind = rule('unknown-error-kind', 'error', `A catch \`error\` that is not one of ${ERROR_KINDS.join(', ')}.`, (_model, ctx) => {
  const out: Finding[] = [];
  for (const s of ctx.states.values()) {
    for (const c of s.catch) {
      if (c.error === undefined || !c.fields.error || (ERROR_KINDS as readonly string[]).includes(c.error)) continue;
      const suggestion = nearest(c.error, ERROR_KINDS);
      let message = `'${c.error}' is not an error kind: use ${ERROR_KINDS.slice(0, -1).join(', ')} or ${ERROR_KINDS[ERROR_KINDS.length - 1]}`;
      message += suggestion ? ` (did you mean '${suggestion}'?).` : '.';
      let fix: Fix | undefined;
      const node = ctx.node(['states', s.name, 'catch', c.index, 'error'])?.node;
      const edit = suggestion && node ? replaceScalar(node, suggestion) : undefined;
      if (edit) fix = { title: `Change to '${suggestion}'`, edits: [edit] };
      out.push({ message, range: c.fields.error.value, fix });
    }
  }
  return out;
});
