// Markdown that describes a state, for hovers: what it does on entry and where it can go. Pure.
import { transitionKind, type FanoutModel, type InstructionModel, type StateModel, type TransitionModel } from '../../engine/model/types';
import type { PluginKindInfo } from '../../engine/plugins/define';

const MAX_ITEMS = 12;

function code(s: string): string {
  return '`' + s.replace(/`/g, "'") + '`';
}

function brief(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  } catch {
    text = String(value);
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

export function describeInstruction(ins: InstructionModel): string {
  const what = ins.kind || '(no kind)';
  const args = ins.fanout ? fanoutArgs(ins.fanout) : ins.args === undefined || ins.args === null ? '' : ` ${brief(ins.args)}`;
  return `${code(what)}${args ? ' ' + code(args.trim()) : ''}${ins.as ? ` as ${code(ins.as)}` : ''}${ins.retry ? ` (retry ×${ins.retry.attempts})` : ''}`;
}

function fanoutArgs(f: FanoutModel): string {
  if (f.kind === 'parallel') return ` ${f.branches.map((b) => `${b.name}: ${b.ins.kind}`).join(', ')}`;
  const limit = typeof f.concurrency === 'number' ? `, ${f.concurrency} at once` : '';
  return ` ${f.do?.kind ?? '(no do)'} per item of ${brief(f.items ?? '(no items)')}${limit}`;
}

export function describeTransition(t: TransitionModel): string {
  const to = t.to === undefined ? '(no target)' : code(t.to);
  switch (transitionKind(t)) {
    case 'when':
      return `→ ${to} when ${code(t.when ?? '')}`;
    case 'after':
      return `→ ${to} after ${code(t.after ?? '')}`;
    case 'event':
      return `→ ${to} on event ${code(t.event ?? '')}${t.when ? ` when ${code(t.when)}` : ''}`;
    case 'consume':
      return `→ ${to} on a message on ${code(t.consume?.subject ?? '?')}${t.when ? ` when ${code(t.when)}` : ''}`;
    case 'poll':
      return `→ ${to} polling every ${code(t.poll?.every ?? '?')} until ${code(t.poll?.until ?? '?')}`;
    default:
      return t.shorthand ? `→ ${to} (next)` : `→ ${to} otherwise`;
  }
}

function list(items: string[]): string[] {
  const shown = items.slice(0, MAX_ITEMS).map((s) => `- ${s}`);
  if (items.length > MAX_ITEMS) shown.push(`- … ${items.length - MAX_ITEMS} more`);
  return shown;
}

export function describeState(state: StateModel, isStart: boolean): string {
  const out: string[] = [];
  const tags = [isStart ? 'start' : '', state.final ? `final, ${state.status ?? 'succeeded'}` : ''].filter(Boolean).join('; ');
  out.push(`**State ${code(state.name)}**${tags ? ` (${tags})` : ''}`);
  if (state.description) out.push('', state.description);
  if (state.do.length) out.push('', '**Instructions**', '', ...list(state.do.map(describeInstruction)));
  if (state.on.length) out.push('', '**Transitions**', '', ...list(state.on.map(describeTransition)));
  if (state.catch.length) {
    out.push('', '**Catch**', '', ...list(state.catch.map((c) => `${code(c.error ?? 'any')} → ${c.to === undefined ? '(no target)' : code(c.to)}`)));
  }
  if (state.timeout) out.push('', `Timeout: ${code(state.timeout)}`);
  if (!state.final && !state.on.length && !state.catch.length) out.push('', '_No way out: not final, no transitions._');
  return out.join('\n');
}

/** A plugin kind for hovers: its description, then its arguments (required ones marked). */
export function describePluginKind(info: PluginKindInfo): string {
  const out = [`**${code(info.kind)}** (plugin ${code(info.plugin)})`];
  if (info.description) out.push('', info.description);
  const schema = (info.args ?? {}) as { properties?: Record<string, { description?: unknown }>; required?: unknown };
  const required = Array.isArray(schema.required) ? schema.required : [];
  const props = schema.properties && typeof schema.properties === 'object' ? Object.entries(schema.properties) : [];
  if (props.length) {
    out.push('', '**Arguments**', '');
    out.push(...list(props.map(([name, p]) => `${code(name)}${required.includes(name) ? ' (required)' : ''}${p && typeof p.description === 'string' ? ` — ${p.description}` : ''}`)));
  }
  return out.join('\n');
}
