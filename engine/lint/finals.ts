// Final states: `final: true` ends the run with its `status`.
import { isMap, isScalar } from 'yaml';
import type { Fix } from '../model/types';
import { lineStart, nodeSpan } from '../schema/yamltext';
import type { LintContext } from './context';
import { rule, type Finding } from './rule';

export const finalWithTransitions = rule('final-with-transitions', 'warning', "A final state that also has transitions (`on` or `next`): they are never taken.", (_model, ctx) => {
  const out: Finding[] = [];
  for (const s of ctx.states.values()) {
    if (!s.final) continue;
    for (const key of ['on', 'next'] as const) {
      const field = s.fields[key];
      if (!field) continue;
      if (key === 'on' && !s.on.some((t) => !t.shorthand)) continue;
      if (key === 'next' && !s.on.some((t) => t.shorthand)) continue;
      out.push({
        message: `State '${s.name}' is final: a run ends when its 'do' list is done, so its '${key}' ${key === 'on' ? 'transitions are' : 'transition is'} never taken. Remove '${key}', or remove 'final: true'.`,
        range: field.key,
      });
    }
  }
  return out;
});

export const statusWithoutFinal = rule('status-without-final', 'warning', 'A `status` on a state that is not final: only a final state ends a run with a status.', (_model, ctx) => {
  const out: Finding[] = [];
  for (const s of ctx.states.values()) {
    const field = s.fields.status;
    if (s.final || !field) continue;
    out.push({
      message: `State '${s.name}' has a 'status' but is not final: the status is ignored. Add 'final: true' if the run should end here.`,
      range: field.key,
      fix: addFinal(ctx, s.name, field.key.start.offset),
    });
  }
  return out;
});

/** `final: true` for a state: set an existing `final` to true, or add it before `status`. */
function addFinal(ctx: LintContext, state: string, statusKeyOffset: number): Fix | undefined {
  const title = "Add 'final: true'";
  const existing = ctx.node(['states', state, 'final']);
  if (existing) {
    const span = nodeSpan(existing.node);
    if (!span || !isScalar(existing.node)) return undefined;
    if (span[0] === span[1]) return { title, edits: [{ start: span[0], end: span[0], newText: (ctx.text[span[0] - 1] === ':' ? ' ' : '') + 'true' }] };
    return { title, edits: [{ start: span[0], end: span[1], newText: 'true' }] };
  }
  const map = ctx.node(['states', state])?.node;
  if (!isMap(map)) return undefined;
  if (map.flow) return { title, edits: [{ start: statusKeyOffset, end: statusKeyOffset, newText: 'final: true, ' }] };
  const at = lineStart(ctx.text, statusKeyOffset);
  const indent = ctx.text.slice(at, statusKeyOffset);
  if (!/^[ ]*$/.test(indent)) return undefined;
  const eol = ctx.text.includes('\r\n') ? '\r\n' : '\n';
  return { title, edits: [{ start: statusKeyOffset, end: statusKeyOffset, newText: `final: true${eol}${indent}` }] };
}
