// The arguments of plugin instruction kinds, checked against each kind's JSON Schema: an unknown
// argument (with the nearest known one), a missing one, a value of the wrong shape. Values that
// are templates are left to run time, where the engine checks the resolved arguments.
import type { ErrorObject } from 'ajv';
import type { Fix, InstructionModel } from '../model/types';
import type { PluginKindInfo } from '../plugins/define';
import type { PathSegment } from '../schema/nodes';
import { nearest } from '../schema/suggest';
import { nodeSpan, replaceScalar } from '../schema/yamltext';
import type { LintContext } from './context';
import { rule, type Finding } from './rule';

function segments(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(value: unknown, path: PathSegment[]): unknown {
  let v = value;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

const isTemplate = (v: unknown) => typeof v === 'string' && v.includes('{{');

function finding(ctx: LintContext, info: PluginKindInfo, ins: InstructionModel, base: PathSegment[], e: ErrorObject): Finding | undefined {
  const at = segments(e.instancePath);
  if (e.keyword === 'additionalProperties') {
    const name = (e.params as { additionalProperty: string }).additionalProperty;
    const known = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
    const suggestion = nearest(name, known);
    const key = ctx.node([...base, ...at, name])?.key;
    const span = nodeSpan(key);
    const edit = suggestion && key ? replaceScalar(key, suggestion) : undefined;
    const fix: Fix | undefined = edit ? { title: `Change to '${suggestion}'`, edits: [edit] } : undefined;
    const where = at.length ? ` in '${at.join('.')}'` : '';
    return {
      message: `'${name}' is not an argument of '${info.kind}'${where}${suggestion ? `: did you mean '${suggestion}'?` : '.'} Its arguments: ${known.map((k) => `'${k}'`).join(', ') || 'none'}.`,
      range: span ? ctx.range(span[0], span[1]) : ins.kindRange,
      fix,
    };
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return { message: `'${info.kind}' needs the argument '${[...at, missing].join('.')}'.`, range: ins.kindRange };
  }
  if (isTemplate(valueAt(ins.args, at))) return undefined;
  const span = nodeSpan(ctx.node([...base, ...at])?.node);
  return { message: `'${info.kind}' argument '${at.join('.') || info.kind}' ${e.message}.`, range: span ? ctx.range(span[0], span[1]) : ins.kindRange };
}

export const pluginArguments = rule('plugin-arguments', 'error', "A plugin instruction's arguments that do not fit the JSON Schema its plugin declares.", (_model, ctx) => {
  const kinds = new Map((ctx.options.plugins ?? []).map((k) => [k.kind, k]));
  const compile = ctx.options.compileSchema;
  if (!kinds.size || !compile) return [];
  const out: Finding[] = [];
  for (const { ins, path } of ctx.instructionsWithBranches()) {
    const info = kinds.get(ins.kind);
    if (!info) continue;
    const validate = compile(info.args);
    if (validate(ins.args ?? {})) continue;
    const base = [...path, ins.kind];
    for (const e of validate.errors ?? []) {
      const f = finding(ctx, info, ins, base, e);
      if (f && !out.some((o) => o.message === f.message && o.range.start.offset === f.range.start.offset)) out.push(f);
    }
  }
  return out;
});
