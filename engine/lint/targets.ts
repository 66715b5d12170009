// State names that must name a state: `start`, and `to` in `on`, `next` and `catch`.
import { isMap, isScalar } from 'yaml';
import type { Fix, Range, StateModel, TaskModel } from '../model/types';
import type { PathSegment } from '../schema/nodes';
import { nearest } from '../schema/suggest';
import { lineStart, nodeSpan, renderScalar, replaceScalar } from '../schema/yamltext';
import { addState } from './edits';
import { rule, type Finding } from './rule';

export interface TargetRef {
  name: string;
  /** `start`, or the state the reference is in. */
  from?: StateModel;
  what: 'start' | 'transition' | 'next' | 'catch';
  path: PathSegment[];
  range: Range;
}

/** Every place a state is named, in text order per state. */
export function targetRefs(model: TaskModel): TargetRef[] {
  const refs: TargetRef[] = [];
  if (model.start !== undefined && model.fields.start) refs.push({ name: model.start, what: 'start', path: ['start'], range: model.fields.start.value });
  for (const s of model.states) {
    for (const t of s.on) {
      if (t.to === undefined || !t.fields.to) continue;
      const path = t.shorthand ? ['states', s.name, 'next'] : ['states', s.name, 'on', t.index, 'to'];
      refs.push({ name: t.to, from: s, what: t.shorthand ? 'next' : 'transition', path, range: t.fields.to.value });
    }
    for (const c of s.catch) {
      if (c.to === undefined || !c.fields.to) continue;
      refs.push({ name: c.to, from: s, what: 'catch', path: ['states', s.name, 'catch', c.index, 'to'], range: c.fields.to.value });
    }
  }
  return refs;
}

export const unknownTarget = rule('unknown-target', 'error', "A `start`, `to` or `next` that names no state.", (model, ctx) => {
  if (!model.states.length) return []; // the schema says `states` is missing or empty
  const names = model.states.map((s) => s.name);
  const out: Finding[] = [];
  for (const ref of targetRefs(model)) {
    if (ctx.states.has(ref.name)) continue;
    const suggestion = nearest(ref.name, names);
    const where = ref.what === 'start' ? "The start state" : ref.what === 'catch' ? 'The catch target' : 'The transition target';
    let message = `${where} '${ref.name}' is not a state`;
    message += suggestion ? `: did you mean '${suggestion}'?` : ` (states: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}).`;
    let fix: Fix | undefined;
    const node = ctx.node(ref.path)?.node;
    if (suggestion && node) {
      const edit = replaceScalar(node, suggestion);
      if (edit) fix = { title: `Change to '${suggestion}'`, edits: [edit] };
    }
    // A final state is the stub that lints: the user fills it in (or turns it into a step) after.
    const created = suggestion ? undefined : addState(ctx, ref.name, ['final: true']);
    out.push({ message, range: ref.range, fix: fix ?? (created && { title: `Create state '${ref.name}' (final)`, edits: [created] }) });
  }
  return out;
});

export const missingStart = rule('missing-start', 'error', 'The task has no `start` state.', (model, ctx) => {
  if (!isMap(ctx.doc.contents) || model.start !== undefined) return [];
  const first = model.states[0]?.name;
  const hint = first !== undefined ? ` (e.g. 'start: ${renderScalar(first)}', the first state)` : '';
  const message = `The task has no start state: add 'start:' with the name of the state a run begins in${hint}.`;
  const startField = model.fields.start;
  let range: Range;
  let fix: Fix | undefined;
  if (startField) {
    range = startField.key;
    const value = ctx.node(['start'])?.node;
    const span = nodeSpan(value);
    if (first !== undefined && span && span[0] === span[1] && isScalar(value) && value.value === null) {
      const space = ctx.text[span[0] - 1] === ':' ? ' ' : '';
      fix = { title: `Start in '${first}'`, edits: [{ start: span[0], end: span[0], newText: space + renderScalar(first) }] };
    }
  } else if (model.fields.states) {
    range = model.fields.states.key;
    const root = ctx.doc.contents;
    if (first !== undefined && isMap(root) && !root.flow) {
      const at = lineStart(ctx.text, range.start.offset);
      const indent = ctx.text.slice(at, range.start.offset);
      if (/^[ ]*$/.test(indent)) {
        const eol = ctx.text.includes('\r\n') ? '\r\n' : '\n';
        fix = { title: `Start in '${first}'`, edits: [{ start: at, end: at, newText: `${indent}start: ${renderScalar(first)}${eol}` }] };
      }
    }
  } else {
    const firstKey = Object.values(model.fields)[0];
    range = firstKey ? firstKey.key : ctx.range(0, 0);
  }
  return [{ message, range, fix }];
});
